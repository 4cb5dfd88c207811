// mapview.js - the Leaflet map: the base layers (Poland's outline, the police
// districts, optional tiles), the reports as clusters, markers or hexagons,
// the legend and the marker of the point being reported.
//
// Map symbols are elements built here (never HTML strings); their colours
// come from the stylesheet's classes (st-<status>), so the page keeps to a
// style-src 'self' policy: only element.style is set from script.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { h, fill } from './dom.js';
import { tileSetting, baseLayer } from './basemap.js';
import { t, tn, pick, formatShort, formatNumber, formatTime } from './i18n.js';
import { STATUSES } from './state.js';

export const POLAND = { lat: 52.0, lon: 19.3, zoom: 6 };
const BOUNDS = [[46.5, 10.5], [57.5, 28.5]]; // Poland and a margin: the map stays near it
const HEX_CLASSES = 5;
const CITY_MAX_ZOOM = 9; // past this the districts are the landmarks

// Big cities as landmarks when there are no tiles (their names are in the i18n tables).
const CITIES = [
  ['warsaw', 52.2297, 21.0122], ['krakow', 50.0647, 19.945], ['lodz', 51.7592, 19.456],
  ['wroclaw', 51.1079, 17.0385], ['poznan', 52.4064, 16.9252], ['gdansk', 54.352, 18.6466],
  ['szczecin', 53.4285, 14.5528], ['lublin', 51.2465, 22.5684], ['bialystok', 53.1325, 23.1688],
  ['katowice', 50.2649, 19.0238], ['rzeszow', 50.0412, 21.9991], ['olsztyn', 53.7784, 20.4801],
  ['bydgoszcz', 53.1235, 18.0084],
];

// The tile setting of the page and its base layer (XYZ, WMTS or WMS): basemap.js.
export { tileSetting };

export function createMap(el, tiles) {
  const map = L.map(el, {
    minZoom: 5, maxZoom: 19, maxBounds: BOUNDS, maxBoundsViscosity: 0.8, zoomSnap: 1, zoomControl: false,
  });
  translateZoom(map);
  if (tiles) baseLayer(tiles).addTo(map); // the attribution goes in as text (basemap.js)
  return map;
}

// The zoom buttons in the current language (Leaflet's own titles are English).
let zoomControl = null;
export function translateZoom(map) {
  if (zoomControl) zoomControl.remove();
  zoomControl = L.control.zoom({ zoomInTitle: t('map.zoomIn'), zoomOutTitle: t('map.zoomOut') }).addTo(map);
}

function safeStatus(status) {
  return STATUSES.includes(status) ? status : 'unknown';
}

function statusName(status) {
  return STATUSES.includes(status) ? t(`status.${status}`) : status;
}

// The letter that marks a category group on a report's marker.
export function groupLetter(group) {
  return group ? t(`group.letter.${group}`) : '•';
}

// Poland's outline, city names and the districts (with their names on hover).
export function addBaseLayers(map, outline, districts, tiles) {
  if (!tiles && outline) {
    L.geoJSON(outline, {
      interactive: false,
      style: { className: 'tz-outline', color: '#6b7380', weight: 1.5, fillColor: '#fbfaf5', fillOpacity: 1 },
    }).addTo(map);
  }
  const cities = L.layerGroup();
  if (!tiles) {
    for (const [key, lat, lon] of CITIES) {
      const label = h('span', { class: 'tz-city-label', 'data-i18n': `city.${key}` }, t(`city.${key}`));
      cities.addLayer(L.marker([lat, lon], {
        icon: L.divIcon({ className: 'tz-city', html: label, iconSize: null }),
        interactive: false, keyboard: false,
      }));
    }
  }
  const toggleCities = () => {
    if (map.getZoom() <= CITY_MAX_ZOOM) cities.addTo(map);
    else cities.remove();
  };
  map.on('zoomend', toggleCities);
  const layer = L.geoJSON(districts, {
    style: { className: 'tz-district', color: '#2f3b52', weight: 1.2, opacity: 0.8, fillOpacity: 0 },
    onEachFeature: (f, districtLayer) => {
      const p = f.properties || {};
      districtLayer.bindTooltip(() => h('span', {},
        h('strong', {}, p.name || f.id || ''), h('br'), p.unit || ''), { sticky: true, direction: 'top' });
    },
  }).addTo(map);
  return { districts: layer, whenReady: toggleCities };
}

// The marker of the point being reported; not interactive, so clicks pass to the map.
export class PickMarker {
  constructor(map) {
    this.map = map;
    this.marker = null;
  }

  set(lat, lon) {
    const icon = L.divIcon({
      className: 'tz-pick', html: h('span', { class: 'tz-pick-dot' }), iconSize: [30, 30], iconAnchor: [15, 15],
    });
    if (!this.marker) this.marker = L.marker([lat, lon], { icon, interactive: false, keyboard: false, zIndexOffset: 10000 }).addTo(this.map);
    else this.marker.setLatLng([lat, lon]);
  }

  clear() {
    if (this.marker) this.marker.remove();
    this.marker = null;
  }
}

// The area the subscribe form is choosing (alerts.js): a circle, or a polygon with its corners;
// not interactive, so that clicks go on to the map (where they add corners).
export class AreaPreview {
  constructor(map) {
    this.map = map;
    this.layer = null;
  }

  show(shape) {
    if (this.layer) this.layer.remove();
    this.layer = null;
    const style = { interactive: false, weight: 2, color: '#1d4ed8', fillOpacity: 0.08, className: 'tz-area' };
    if (shape && shape.circle) {
      const [lat, lon, radius] = shape.circle;
      this.layer = L.circle([lat, lon], { ...style, radius }).addTo(this.map);
    } else if (shape && shape.polygon) {
      this.layer = L.layerGroup([
        L.polygon(shape.polygon, style),
        ...shape.polygon.map((p) => L.circleMarker(p, { ...style, radius: 4, fillOpacity: 1 })),
      ]).addTo(this.map);
    }
  }
}

function dominantStatus(counts) {
  let best = 'new';
  let bestCount = -1;
  for (const s of STATUSES) {
    const n = (counts && counts[s]) || 0;
    if (n > bestCount) {
      best = s;
      bestCount = n;
    }
  }
  return best;
}

// A ring of the statuses' shares around the cluster (a conic gradient of the stylesheet's colours).
function statusRing(counts, total) {
  const stops = [];
  let at = 0;
  for (const s of STATUSES) {
    const n = (counts && counts[s]) || 0;
    if (!n) continue;
    const end = at + (n / total) * 360;
    stops.push(`var(--st-${s}) ${at.toFixed(1)}deg ${end.toFixed(1)}deg`);
    at = end;
  }
  return stops.length ? `conic-gradient(${stops.join(', ')})` : '';
}

function clusterLabel(p) {
  const parts = STATUSES.filter((s) => p.counts && p.counts[s])
    .map((s) => `${statusName(s)}: ${formatNumber(p.counts[s])}`);
  return `${tn('cluster.label', p.count)}${parts.length ? ` (${parts.join(', ')})` : ''}. ${t('cluster.hint')}`;
}

// Keyboard: a focused marker answers Enter and Space as a click.
function onActivate(marker, fn) {
  marker.on('click', fn);
  marker.on('add', () => {
    const el = marker.getElement();
    if (!el) return;
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        fn({ latlng: marker.getLatLng(), keyboard: true });
      }
    });
  });
}

export class ReportLayer {
  constructor(map, catalog, handlers) {
    this.map = map;
    this.catalog = catalog;
    this.handlers = handlers; // { onCluster(props, latlng), onReport(props, latlng, event) }
    this.group = L.layerGroup().addTo(map);
    this.last = null;
  }

  clear() {
    this.last = null;
    this.group.clearLayers();
  }

  // Draws a FeatureCollection of GET /api/v1/map in the given mode.
  render(fc, mode) {
    this.last = { fc, mode };
    this.group.clearLayers();
    const features = (fc && Array.isArray(fc.features)) ? fc.features : [];
    if (mode === 'hex') {
      this.group.addLayer(this.hexLayer(features, hexMax(fc)));
      return;
    }
    for (const f of features) {
      if (!f.geometry || f.geometry.type !== 'Point') continue;
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties || {};
      this.group.addLayer(p.cluster ? this.clusterMarker(p, lat, lon) : this.reportMarker(p, lat, lon));
    }
  }

  // Draws the last answer again (after a change of language).
  refresh() {
    if (this.last) this.render(this.last.fc, this.last.mode);
  }

  clusterMarker(p, lat, lon) {
    const count = p.count || 0;
    const size = Math.round(Math.min(64, 28 + 9 * Math.log10(Math.max(count, 1))));
    const dominant = dominantStatus(p.counts);
    const text = formatShort(count);
    const ring = h('span', { class: 'tz-cluster-ring', 'aria-hidden': 'true' },
      h('span', { class: `tz-cluster st-${dominant}${text.length > 4 ? ' long' : ''}` }, text));
    const background = statusRing(p.counts, count);
    if (background) ring.style.background = background;
    const label = clusterLabel(p);
    const marker = L.marker([lat, lon], {
      icon: L.divIcon({ className: 'tz-icon', html: ring, iconSize: [size, size] }),
      title: label, keyboard: true, riseOnHover: true,
    });
    marker.on('add', () => marker.getElement() && marker.getElement().setAttribute('aria-label', label));
    onActivate(marker, () => this.handlers.onCluster(p, L.latLng(lat, lon)));
    return marker;
  }

  reportMarker(p, lat, lon) {
    const category = this.catalog.category(p.category);
    const status = safeStatus(p.status);
    const pin = h('span', { class: `tz-pin st-${status}`, 'data-report-id': p.id, 'aria-hidden': 'true' },
      groupLetter(category && category.group));
    const label = `${category ? pick(category.name) : p.category} — ${statusName(p.status)}` +
      `${p.received_at ? `, ${formatTime(p.received_at)}` : ''}`;
    const marker = L.marker([lat, lon], {
      icon: L.divIcon({ className: 'tz-icon', html: pin, iconSize: [28, 28] }),
      title: label, keyboard: true, riseOnHover: true,
    });
    marker.on('add', () => marker.getElement() && marker.getElement().setAttribute('aria-label', label));
    onActivate(marker, (e) => this.handlers.onReport(p, L.latLng(lat, lon), e));
    return marker;
  }

  hexLayer(features, max) {
    return L.geoJSON({ type: 'FeatureCollection', features }, {
      filter: (f) => f.geometry && f.geometry.type === 'Polygon',
      style: (f) => ({
        className: 'tz-hex',
        color: '#6b1d0e', weight: 0.8, opacity: 0.7,
        fillColor: hexColour(hexClass((f.properties || {}).count || 0, max)),
        fillOpacity: 0.7,
      }),
      onEachFeature: (f, layer) => {
        const count = (f.properties || {}).count || 0;
        layer.bindTooltip(() => h('span', {}, tn('hex.tooltip', count)), { sticky: true });
        layer.on('click', (e) => this.map.setView(e.latlng, Math.min(this.map.getZoom() + 2, this.map.getMaxZoom())));
      },
    });
  }
}

function hexMax(fc) {
  if (fc && Number.isFinite(fc.max_count) && fc.max_count > 0) return fc.max_count;
  let max = 1;
  for (const f of (fc && fc.features) || []) max = Math.max(max, (f.properties || {}).count || 0);
  return max;
}

// Counts are skewed (a few hot spots, many quiet places): classes on a log scale.
function hexClass(count, max) {
  if (count <= 0) return 0;
  return Math.min(HEX_CLASSES, Math.max(1, Math.ceil(HEX_CLASSES * Math.log1p(count) / Math.log1p(max))));
}

function hexUpper(k, max) {
  return Math.max(1, Math.round(Math.expm1(Math.log1p(max) * k / HEX_CLASSES)));
}

const HEX_COLOURS = ['#ffffb2', '#fecc5c', '#fd8d3c', '#e8452c', '#b10026'];
function hexColour(k) {
  return HEX_COLOURS[Math.max(0, k - 1)];
}

// The legend: status colours and group letters, or the density scale.
export class Legend {
  constructor(map, catalog) {
    this.catalog = catalog;
    this.open = false; // folded: the filters show the colours too, and the map needs the room
    this.container = h('div', { class: 'tz-legend leaflet-bar' });
    const Control = L.Control.extend({ onAdd: () => this.container });
    new Control({ position: 'bottomleft' }).addTo(map);
    L.DomEvent.disableClickPropagation(this.container);
    L.DomEvent.disableScrollPropagation(this.container);
    this.state = { mode: 'clusters', max: 0 };
  }

  update(mode, fc) {
    this.state = { mode, max: mode === 'hex' ? hexMax(fc) : 0 };
    this.render();
  }

  render() {
    const details = h('details', { open: this.open, ontoggle: (e) => { this.open = e.target.open; } },
      h('summary', {}, t('legend.title')));
    if (this.state.mode === 'hex') details.append(this.hexScale());
    else details.append(h('div', { class: 'tz-legend-cols' }, this.statusList(), this.groupList()));
    fill(this.container, details);
  }

  statusList() {
    return h('ul', { class: 'tz-legend-list', 'aria-label': t('legend.statuses') },
      STATUSES.map((s) => h('li', {},
        h('span', { class: `tz-swatch st-${s}`, 'aria-hidden': 'true' }), statusName(s))));
  }

  groupList() {
    return h('ul', { class: 'tz-legend-list', 'aria-label': t('legend.groups') },
      this.catalog.groups.map((g) => h('li', {},
        h('span', { class: 'tz-letter', 'aria-hidden': 'true' }, groupLetter(g.code)), pick(g.name))));
  }

  hexScale() {
    const max = this.state.max;
    const rows = [];
    let lower = 1;
    for (let k = 1; k <= HEX_CLASSES; k++) {
      const upper = hexUpper(k, max);
      if (upper < lower) continue;
      const range = upper === lower ? formatNumber(lower) : `${formatNumber(lower)}–${formatNumber(upper)}`;
      const swatch = h('span', { class: 'tz-swatch', 'aria-hidden': 'true' });
      swatch.style.background = hexColour(k);
      rows.push(h('li', {}, swatch, range));
      lower = upper + 1;
    }
    return h('div', {}, h('p', { class: 'tz-legend-note' }, t('legend.hex')),
      h('ul', { class: 'tz-legend-list' }, rows));
  }
}

// Zooms to a cluster's box, far enough for it to split; false when the map
// cannot zoom further (its reports share one place).
export function zoomToCluster(map, p, latlng) {
  const now = map.getZoom();
  const max = map.getMaxZoom();
  if (now >= max) return false;
  const [w, s, e, n] = Array.isArray(p.bbox) && p.bbox.length === 4 ? p.bbox : [];
  const bounds = Number.isFinite(w) ? L.latLngBounds([s, w], [n, e]) : null;
  let zoom = bounds ? map.getBoundsZoom(bounds, false, L.point(40, 40)) : now + 2;
  if (zoom <= now) zoom = Math.max(now + 1, Number.isFinite(p.expansion_zoom) ? p.expansion_zoom : now + 1);
  map.setView(bounds ? bounds.getCenter() : latlng, Math.min(zoom, max));
  return true;
}
