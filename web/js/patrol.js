// patrol.js - the district officer's patrol plan (GET /api/v1/analysis/patrol):
// the places to visit this week, ranked, with the reason for each; the page
// prints on one A4 sheet (css/patrol.css). Built as elements, no HTML strings.
// Every visible string comes from the i18n tables (patrol.*), the reasons
// too: they are composed here from the plan's numbers (properties.facts), so
// the Polish page says them in Polish. The language is #lang=pl|en.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { h } from './dom.js';
import { t, tn, setLang, lang, translatePage } from './i18n.js';
import { getJson } from './analysis-api.js';
import { tileSetting, baseLayer } from './basemap.js';

// The statuses in the order the reason names them.
const ORDER = ['confirmed', 'verifying', 'new', 'referred', 'not_confirmed', 'eliminated', 'rejected'];

// "3 zgłoszenia (1 potwierdzone, 2 nowe), ostatnie 2 dni temu, 1 „ja też”, 1 po terminie".
export function reasonText(facts) {
  const statuses = ORDER.filter((s) => facts.by_status[s])
    .map((s) => t('patrol.reason.status', { n: facts.by_status[s], status: t(`status.${s}`) }));
  const parts = [`${tn('patrol.reason.reports', facts.reports)} (${statuses.join(', ')})`];
  parts.push(facts.days_ago <= 0 ? t('patrol.reason.lastToday') : tn('patrol.reason.lastDays', facts.days_ago));
  if (facts.me_too) parts.push(tn('patrol.reason.meToo', facts.me_too));
  if (facts.overdue) parts.push(tn('patrol.reason.overdue', facts.overdue));
  return parts.join(', ');
}

let plan = null;
let districts = { features: [] };
let map = null;
let drawn = null;

// The map above the table: the base map, the district's boundary and the places numbered as in
// the table (the printed sheet carries it too).
function drawMap() {
  if (!map) {
    map = L.map('pmap', { zoomControl: false, attributionControl: true }).setView([50.06, 19.94], 13);
    const tiles = tileSetting();
    if (tiles) baseLayer(tiles).addTo(map);
  }
  if (drawn) drawn.remove();
  drawn = L.featureGroup().addTo(map);
  const own = (districts.features || []).filter((f) => (f.id || f.properties.id) === plan.district);
  L.geoJSON({ type: 'FeatureCollection', features: own }, {
    interactive: false, style: { className: 'patrol-district', color: '#1f3b63', weight: 2, fillOpacity: 0.03 },
  }).addTo(drawn);
  for (const f of plan.features) {
    const [lon, lat] = f.geometry.coordinates;
    L.marker([lat, lon], {
      icon: L.divIcon({ className: 'patrol-num', html: h('span', {}, String(f.properties.rank)), iconSize: [22, 22] }),
      interactive: false, keyboard: false,
    }).addTo(drawn);
  }
  map.invalidateSize();
  if (drawn.getLayers().length) map.fitBounds(drawn.getBounds(), { maxZoom: 16, padding: [16, 16] });
}

// Where to go: the nearest address from the register ("Floriańska 12, Kraków · 40 m"), or the
// coordinates where the register has none near.
function placeText(a, lat, lon) {
  if (!a) return `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
  return t('patrol.address', { street: a.street, number: a.number, locality: a.locality, m: a.distance_m });
}

function render() {
  document.querySelector('#who').textContent = t('patrol.who', {
    district: plan.district, name: plan.district_name, unit: plan.unit, officer: plan.officer || '',
    date: plan.generated_at.slice(0, 10), from: plan.reports_from.slice(0, 10),
  });
  const rows = document.querySelector('#rows');
  rows.replaceChildren();
  for (const f of plan.features) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    rows.append(h('tr', {},
      h('td', { class: 'num' }, String(p.rank)),
      h('td', { class: 'place' }, placeText(p.nearest_address, lat, lon)),
      h('td', {}, lang() === 'en' ? p.category_en : p.category_pl),
      h('td', {}, p.facts ? reasonText(p.facts) : p.reason),
      h('td', { class: 'num' }, p.score.toFixed(2)),
      h('td', {}, p.reports.map((id) => `#${id}`).join(' '))));
  }
  if (!plan.features.length) rows.append(h('tr', {}, h('td', { colspan: '6' }, t('patrol.none'))));
  document.querySelector('#formula').textContent = t('patrol.formula', { days: plan.half_life_days });
  drawMap();
}

async function show(district) {
  const path = `api/v1/analysis/patrol?district=${encodeURIComponent(district)}&limit=15`;
  document.querySelector('#geojson').setAttribute('href', path);
  plan = await getJson(path);
  render();
}

function applyLang(code) {
  setLang(code);
  translatePage();
  document.title = t('patrol.documentTitle');
  history.replaceState(null, '', `${location.pathname}${location.search}${code === 'pl' ? '' : `#lang=${code}`}`);
}

async function main() {
  applyLang(new URLSearchParams(location.hash.slice(1)).get('lang') || 'pl');
  const select = document.querySelector('#district');
  districts = await getJson('api/v1/districts');
  for (const f of districts.features || []) {
    select.append(h('option', { value: f.id }, `${f.id} ${f.properties.name || ''}`));
  }
  const wanted = new URLSearchParams(location.search).get('district');
  if (wanted) select.value = wanted;
  document.querySelector('#pick').addEventListener('submit', (e) => {
    e.preventDefault();
    history.replaceState(null, '', `?district=${encodeURIComponent(select.value)}${location.hash}`);
    show(select.value);
  });
  document.querySelector('#print').addEventListener('click', () => window.print());
  document.querySelector('#btn-lang').addEventListener('click', () => {
    applyLang(lang() === 'pl' ? 'en' : 'pl');
    if (plan) render();
  });
  if (select.value) await show(select.value);
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  document.querySelector('#who').textContent = t('an.error', { message: err.message });
  console.error(err);
});
