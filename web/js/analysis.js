// analysis.js - the police analysis page: Gi* hot spots on a Leaflet map with
// a legend, and the trend of reports beside the year before (uPlot).
// Everything is built as elements (no HTML strings, no inline styles), so the
// page keeps to the front end's Content-Security-Policy. Every visible string
// comes from the i18n tables (an.*); the language is #lang=pl|en in the URL.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { h } from './dom.js';
import { t, setLang, lang, translatePage, pick } from './i18n.js';
import { getJson } from './analysis-api.js';
import { tileSetting, baseLayer } from './basemap.js';

const CLASSES = [
  [3, 'hs-p3', 'an.class.hot99'], [2, 'hs-p2', 'an.class.hot95'], [1, 'hs-p1', 'an.class.hot90'],
  [-1, 'hs-m1', 'an.class.cold90'], [-2, 'hs-m2', 'an.class.cold95'], [-3, 'hs-m3', 'an.class.cold99'],
];

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return q.toString();
}

function classOf(cls) {
  return cls > 0 ? `hs hs-p${cls}` : cls < 0 ? `hs hs-m${-cls}` : 'hs hs-0';
}

let legend = null;

function addLegend(map) {
  if (legend) legend.remove();
  legend = L.control({ position: 'bottomright' });
  legend.onAdd = () => {
    const box = h('div', { class: 'legend', id: 'hs-legend' }, h('strong', {}, t('an.legend')));
    for (const [, cls, key] of CLASSES) {
      box.append(h('div', { class: 'legend-row' }, h('span', { class: `legend-swatch ${cls}` }), t(key)));
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
      layer.bindTooltip(t('an.tooltip', { n: p.count, z: p.z.toFixed(2), p: p.p.toPrecision(2) }));
    },
  }).addTo(map);
  hotLayer.getPane().classList.add('hs-pane');
  const c = data.classes;
  document.querySelector('#hs-summary').textContent = t('an.hs.summary', {
    points: data.points, cells: data.cells, cell: data.cell_m,
    hot99: c.hot_99, hot95: c.hot_95, hot90: c.hot_90, cold: c.cold_99 + c.cold_95 + c.cold_90,
  });
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
      { label: t('an.series.now'), stroke: '#b2182b', width: 2 },
      { label: t('an.series.before'), stroke: '#2166ac', width: 2, dash: [6, 4] },
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
    ? t('an.trend.summary', { now, before, change: (100 * (now - before) / before).toFixed(1) })
    : t('an.trend.noBefore', { now });
}

// The category and district choices: names in the page's language (the API gives both).
function fillChoices(form, cats, districts) {
  const keep = [form.category.value, form.district.value];
  form.category.replaceChildren(h('option', { value: '' }, t('an.all')));
  for (const g of cats.groups || []) {
    for (const c of g.categories || []) form.category.append(h('option', { value: c.code }, pick(c.name) || c.code));
  }
  form.district.replaceChildren(h('option', { value: '' }, t('an.all')));
  for (const f of districts.features || []) {
    const id = f.id || f.properties.id;
    form.district.append(h('option', { value: id }, `${id} ${f.properties.name || ''}`));
  }
  [form.category.value, form.district.value] = keep;
}

function patrolHref(district) {
  const q = new URLSearchParams();
  if (district) q.set('district', district);
  const hash = lang() === 'pl' ? '' : `#lang=${lang()}`;
  return `patrol.html${q.size ? `?${q}` : ''}${hash}`;
}

function applyLang(code) {
  setLang(code);
  translatePage();
  document.title = t('an.documentTitle');
  history.replaceState(null, '', code === 'pl' ? location.pathname + location.search : `#lang=${code}`);
}

async function main() {
  applyLang(new URLSearchParams(location.hash.slice(1)).get('lang') || 'pl');
  const form = document.querySelector('#controls');
  const map = L.map('map', { minZoom: 5, maxZoom: 18 }).setView([50.06, 19.94], 11);
  const tiles = tileSetting();
  if (tiles) baseLayer(tiles).addTo(map); // the configured base map, as on the public page
  addLegend(map);
  let cats = { groups: [] };
  let districts = { features: [] };
  const run = () => Promise.all([showHotspots(map, form), showTrends(form)]).catch((err) => {
    document.querySelector('#hs-summary').textContent = t('an.error', { message: err.message });
    console.error(err);
  });
  const link = () => document.querySelector('#patrol-link').setAttribute('href', patrolHref(form.district.value));
  document.querySelector('#btn-lang').addEventListener('click', async () => {
    applyLang(lang() === 'pl' ? 'en' : 'pl');
    addLegend(map);
    fillChoices(form, cats, districts);
    link();
    await run();
  });
  form.district.addEventListener('change', link);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  try {
    [cats, districts] = await Promise.all([getJson('api/v1/categories'), getJson('api/v1/districts')]);
    fillChoices(form, cats, districts);
    L.geoJSON(districts, { interactive: false, style: { className: 'district' } }).addTo(map);
    link();
    await run();
  } catch (err) {
    document.querySelector('#hs-summary').textContent = t('an.error', { message: err.message });
    console.error(err);
  }
  document.body.dataset.ready = 'true';
}

main();
