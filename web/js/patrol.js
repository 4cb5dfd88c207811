// patrol.js - the district officer's patrol plan (GET /api/v1/analysis/patrol):
// the places to visit this week, ranked, with the reason for each; the page
// prints on one A4 sheet (css/patrol.css). Built as elements, no HTML strings.

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

// Analysis is for the police: without a session (401) or the role (403) the page says so.
async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) {
    const err = new Error(res.status === 401
      ? 'zaloguj się w konsoli policji (police.html) / log in at the police console'
      : res.status === 403 ? 'brak uprawnień do analizy / your role may not use analysis'
        : `${path}: HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return res.json();
}

async function show(district) {
  const path = `api/v1/analysis/patrol?district=${encodeURIComponent(district)}&limit=15`;
  document.querySelector('#geojson').setAttribute('href', path);
  const plan = await getJson(path);
  document.querySelector('#who').textContent =
    `${plan.district} ${plan.district_name} · ${plan.unit} · ${plan.officer || ''} · ` +
    `stan na ${plan.generated_at.slice(0, 10)} (zgłoszenia od ${plan.reports_from.slice(0, 10)})`;
  const rows = document.querySelector('#rows');
  rows.replaceChildren();
  for (const f of plan.features) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    rows.append(el('tr', {},
      el('td', { class: 'num' }, String(p.rank)),
      el('td', {}, `${lat.toFixed(5)}, ${lon.toFixed(5)}`),
      el('td', {}, p.category_pl),
      el('td', {}, p.reason),
      el('td', { class: 'num' }, p.score.toFixed(2)),
      el('td', {}, p.reports.map((id) => `#${id}`).join(' '))));
  }
  if (!plan.features.length) rows.append(el('tr', {}, el('td', { colspan: '6' }, 'Brak miejsc do odwiedzenia.')));
  document.querySelector('#formula').textContent = `Wynik: ${plan.score}.`;
}

async function main() {
  const select = document.querySelector('#district');
  const districts = await getJson('api/v1/districts');
  for (const f of districts.features || []) {
    select.append(el('option', { value: f.id }, `${f.id} ${f.properties.name || ''}`));
  }
  const wanted = new URLSearchParams(location.search).get('district');
  if (wanted) select.value = wanted;
  document.querySelector('#pick').addEventListener('submit', (e) => {
    e.preventDefault();
    history.replaceState(null, '', `?district=${encodeURIComponent(select.value)}`);
    show(select.value);
  });
  document.querySelector('#print').addEventListener('click', () => window.print());
  if (select.value) await show(select.value);
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  document.querySelector('#who').textContent = `Błąd: ${err.message}`;
  console.error(err);
});
