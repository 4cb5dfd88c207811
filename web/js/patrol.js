// patrol.js - the district officer's patrol plan (GET /api/v1/analysis/patrol):
// the places to visit this week, ranked, with the reason for each; the page
// prints on one A4 sheet (css/patrol.css). Built as elements, no HTML strings.

import { h } from './dom.js';
import { getJson } from './analysis-api.js';

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
    rows.append(h('tr', {},
      h('td', { class: 'num' }, String(p.rank)),
      h('td', {}, `${lat.toFixed(5)}, ${lon.toFixed(5)}`),
      h('td', {}, p.category_pl),
      h('td', {}, p.reason),
      h('td', { class: 'num' }, p.score.toFixed(2)),
      h('td', {}, p.reports.map((id) => `#${id}`).join(' '))));
  }
  if (!plan.features.length) rows.append(h('tr', {}, h('td', { colspan: '6' }, 'Brak miejsc do odwiedzenia.')));
  document.querySelector('#formula').textContent = `Wynik: ${plan.score}.`;
}

async function main() {
  const select = document.querySelector('#district');
  const districts = await getJson('api/v1/districts');
  for (const f of districts.features || []) {
    select.append(h('option', { value: f.id }, `${f.id} ${f.properties.name || ''}`));
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
