// analysis.js - the police analysis page: Gi* hot spots on a Leaflet map with
// a legend, and the trend of reports beside the year before (uPlot).
// Everything is built as elements (no HTML strings, no inline styles), so the
// page keeps to the front end's Content-Security-Policy.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { h } from './dom.js';
import { getJson } from './analysis-api.js';

const CLASSES = [
  [3, 'hs-p3', 'gorący punkt 99 %'], [2, 'hs-p2', 'gorący punkt 95 %'], [1, 'hs-p1', 'gorący punkt 90 %'],
  [-1, 'hs-m1', 'zimny punkt 90 %'], [-2, 'hs-m2', 'zimny punkt 95 %'], [-3, 'hs-m3', 'zimny punkt 99 %'],
];

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return q.toString();
}

function classOf(cls) {
  return cls > 0 ? `hs hs-p${cls}` : cls < 0 ? `hs hs-m${-cls}` : 'hs hs-0';
}

function addLegend(map) {
  const legend = L.control({ position: 'bottomright' });
  legend.onAdd = () => {
    const box = h('div', { class: 'legend', id: 'hs-legend' }, h('strong', {}, 'Gi* (FDR)'));
    for (const [, cls, label] of CLASSES) {
      box.append(h('div', { class: 'legend-row' }, h('span', { class: `legend-swatch ${cls}` }), label));
    }
    return box;
  };
  legend.addTo(map);
}

let hotLayer = null;
let chart = null;

async function showHotspots(map, form) {
  const params = {
    cell: form.cell.value,
    category: form.category.value,
    district: form.district.value,
    from: form.from.value,
    to: form.to.value,
  };
  map.getContainer().setAttribute('aria-busy', 'true');
  const data = await getJson(`api/v1/analysis/hotspots?${query(params)}`);
  if (hotLayer) hotLayer.remove();
  hotLayer = L.geoJSON(data, {
    style: (f) => ({ className: classOf(f.properties.class) }),
    onEachFeature: (f, layer) => {
      const p = f.properties;
      layer.bindTooltip(`${p.count} zgł., z = ${p.z.toFixed(2)}, p = ${p.p.toPrecision(2)}`);
    },
  }).addTo(map);
  hotLayer.getPane().classList.add('hs-pane');
  const c = data.classes;
  document.querySelector('#hs-summary').textContent =
    `${data.points} zgłoszeń w ${data.cells} komórkach ${data.cell_m} m; gorące: ` +
    `${c.hot_99} (99 %), ${c.hot_95} (95 %), ${c.hot_90} (90 %); zimne: ${c.cold_99 + c.cold_95 + c.cold_90}`;
  if (data.features.length) map.fitBounds(hotLayer.getBounds(), { maxZoom: 14 });
  map.getContainer().setAttribute('aria-busy', 'false');
}

async function showTrends(form) {
  const params = {
    period: form.period.value,
    category: form.category.value,
    district: form.district.value,
  };
  const data = await getJson(`api/v1/analysis/trends?${query(params)}`);
  const xs = data.periods.map((_, i) => i);
  const opts = {
    width: Math.max(320, document.querySelector('#chart').clientWidth - 4),
    height: 280,
    scales: { x: { time: false } },
    axes: [
      { values: (u, ticks) => ticks.map((i) => data.periods[i] || '') },
      {},
    ],
    series: [
      {},
      { label: 'w okresie', stroke: '#b2182b', width: 2 },
      { label: 'rok wcześniej', stroke: '#2166ac', width: 2, dash: [6, 4] },
    ],
  };
  const plotData = [xs, data.total.counts, data.total.year_before];
  const box = document.querySelector('#chart');
  if (chart) chart.destroy();
  chart = new uPlot(opts, plotData, box);
  const sum = (a) => a.reduce((s, v) => s + v, 0);
  const now = sum(data.total.counts);
  const before = sum(data.total.year_before);
  document.querySelector('#trend-summary').textContent = before
    ? `${now} zgłoszeń, rok wcześniej ${before} (${(100 * (now - before) / before).toFixed(1)} %)`
    : `${now} zgłoszeń; brak danych sprzed roku`;
}

async function fillSelects(form) {
  const [cats, districts] = await Promise.all([getJson('api/v1/categories'), getJson('api/v1/districts')]);
  for (const g of cats.groups || []) {
    for (const c of g.categories || []) form.category.append(h('option', { value: c.code }, (c.name && c.name.pl) || c.code));
  }
  for (const f of districts.features || []) {
    const id = f.id || f.properties.id;
    form.district.append(h('option', { value: id }, `${id} ${f.properties.name || ''}`));
  }
  return districts;
}

async function main() {
  const form = document.querySelector('#controls');
  const map = L.map('map', { minZoom: 5, maxZoom: 18 }).setView([50.06, 19.94], 11);
  addLegend(map);
  const districts = await fillSelects(form);
  L.geoJSON(districts, { interactive: false, style: { className: 'district' } }).addTo(map);
  form.district.addEventListener('change', () => {
    const d = form.district.value;
    document.querySelector('#patrol-link').setAttribute('href', d ? `patrol.html?district=${encodeURIComponent(d)}` : 'patrol.html');
  });
  const run = () => Promise.all([showHotspots(map, form), showTrends(form)]).catch((err) => {
    document.querySelector('#hs-summary').textContent = `Błąd: ${err.message}`;
    console.error(err);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  await run();
  document.body.dataset.ready = 'true';
}

main();
