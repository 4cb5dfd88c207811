// exchange-events.js - the event view of the exchange pages (NFIP, docs/exchange.md
// "Football events"): the football events the reader may read, kick-off latest first
// (GET api/v1/exchange/events), and one event (GET api/v1/exchange/events/{id}): its
// facts, its messages with their NFIP parts, and on a Leaflet map the venue, the circle
// the server searched and the threat map's reports received around it in the event's
// window. The map only repeats what the lists say as text (a map is not everyone's way
// in): each report is also a line with its category, status, distance and time.
// The forms of a new event and of an event's messages are exchange-nfip.js's.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { h, $, fill } from './dom.js';
import { t, pick, formatTime, formatNumber } from './i18n.js';
import { tileSetting, baseLayer } from './basemap.js';
import { Catalog } from './catalog.js';
import { showEventForm, showMessageForm } from './exchange-nfip.js';

let ctx = null; // {read, call, codes, announce, problemText, link, account} from exchange.js
let map = null; // the Leaflet map, made once
let layer = null; // the event's markers
let catalog = null; // the threat map's categories (names in both languages)

function label(coded) {
  return coded ? coded.label || coded.code : '';
}

function title(e) {
  return `${e.home} – ${e.away}`;
}

function eventItem(e, current) {
  return h('li', { class: 'x-item' },
    h('a', {
      href: ctx.link({ view: 'events', event: e.id }), 'data-event-id': String(e.id),
      'aria-current': String(e.id) === String(current) ? 'true' : 'false',
    },
    h('strong', { dir: 'auto', text: title(e) }),
    h('span', { dir: 'auto', text: `${e.competition} · ${e.venue} · ${formatTime(e.kickoff)} · ${label(e.risk)}` })));
}

function fact(term, value) {
  return value ? [h('dt', { text: term }), h('dd', { dir: 'auto', text: value })] : [];
}

// What an NFIP part says, in a line (phase, risk, supporters, transport, route, spotters).
function nfipText(n) {
  if (!n) return '';
  const parts = [label(n.phase), label(n.risk)];
  if (n.supporters !== undefined) parts.push(t('x.event.supporters', { n: formatNumber(n.supporters) }));
  if (n.risk_supporters !== undefined) parts.push(t('x.event.riskSupporters', { n: formatNumber(n.risk_supporters) }));
  parts.push(label(n.transport));
  if (n.route) parts.push(t('x.event.route', { route: n.route }));
  if (n.arrival) parts.push(t('x.event.arrival', { time: formatTime(n.arrival) }));
  if (n.spotters !== undefined) parts.push(t('x.event.spotters', { n: n.spotters }));
  return parts.filter(Boolean).join(' · ');
}

function messageItem(m, caseId) {
  const from = m.direction === 'in' ? `${m.from_node} / ${m.from_unit}` : m.from_unit;
  return h('li', { class: `x-item x-${m.direction}`, 'data-message-id': String(m.id) },
    h('a', { href: ctx.link({ case: caseId }) },
      h('strong', { text: t('x.message.title', { id: m.id, type: label(m.type) }) }),
      h('span', { text: `${from} · ${formatTime(m.at)} · ${label(m.handling)}` }),
      m.nfip ? h('span', { class: 'x-nfip', dir: 'auto', text: nfipText(m.nfip) }) : null));
}

function categoryName(code) {
  const c = catalog && catalog.category(code);
  return c ? pick(c.name) : code;
}

function reportItem(r) {
  return h('li', { 'data-report-id': String(r.id) }, t('x.event.report', {
    id: r.id, category: categoryName(r.category), status: t(`status.${r.status}`),
    distance: formatNumber(r.distance_m), time: formatTime(r.received_at),
  }));
}

// The map, made on first use (its element must be shown for Leaflet to measure it).
function ensureMap() {
  if (map) return;
  const tiles = tileSetting();
  map = L.map($('#emap'), { zoomControl: true, attributionControl: Boolean(tiles) }).setView([52, 19], 6);
  if (tiles) baseLayer(tiles).addTo(map);
  layer = L.layerGroup().addTo(map);
}

function drawMap(v) {
  ensureMap();
  map.invalidateSize();
  layer.clearLayers();
  const venue = [v.event.lat, v.event.lon];
  const area = L.circle(venue, { radius: v.radius_m || 3000, className: 'em-area', interactive: false }).addTo(layer);
  L.circleMarker(venue, { radius: 9, className: 'em-venue' })
    .bindTooltip(t('x.event.venueAt', { venue: v.event.venue })).addTo(layer);
  for (const r of v.reports || []) {
    L.circleMarker([r.lat, r.lon], { radius: 6, className: `pm pm-${r.status}` })
      .bindTooltip(`#${r.id} ${categoryName(r.category)}`).addTo(layer);
  }
  map.fitBounds(area.getBounds(), { padding: [10, 10] });
}

async function showEvent(id) {
  const v = await ctx.read(`api/v1/exchange/events/${encodeURIComponent(id)}`);
  const e = v.event;
  $('#event').hidden = false;
  $('#event-title').textContent = title(e);
  document.title = `${title(e)} — ${t('x.title')}`;
  fill($('#event-facts'),
    ...fact(t('x.event.competition'), e.competition),
    ...fact(t('x.event.venue'), `${e.venue} (${e.country})`),
    ...fact(t('x.event.kickoff'), formatTime(e.kickoff)),
    ...fact(t('x.event.window'), `${formatTime(e.window_from)} – ${formatTime(e.window_to)}`),
    ...fact(t('x.event.risk'), label(e.risk)));
  $('#event-case').href = ctx.link({ case: e.case });
  fill($('#event-messages'), ...(v.messages || []).map((m) => messageItem(m, e.case)));
  const reports = v.reports || [];
  $('#event-reports-summary').textContent = t('x.event.reports', {
    n: v.report_count === undefined ? reports.length : v.report_count, r: formatNumber(v.radius_m || 0),
  });
  fill($('#event-reports'), ...reports.map(reportItem));
  drawMap(v);
  const announcement = await ctx.read(`api/v1/exchange/messages/${encodeURIComponent(e.id)}`);
  showMessageForm({ ...ctx, reload: () => showEvent(id) }, e, announcement);
  $('#event-title').focus();
}

// The list of events, and event `current` (an id or null) open below it.
export async function showEvents(context, current) {
  ctx = context;
  document.title = `${t('x.events.title')} — ${t('x.title')}`;
  if (!catalog) catalog = new Catalog(await ctx.read('api/v1/categories'));
  if (!current) fill($('#event-items'));
  const { items } = await ctx.read('api/v1/exchange/events');
  fill($('#event-items'), ...items.map((e) => eventItem(e, current)));
  $('#events-summary').textContent = t('x.events.count', { n: items.length });
  showEventForm(ctx, !current);
  if (current) await showEvent(current);
  else {
    $('#event').hidden = true;
    $('#events-title').focus();
  }
}
