// exchange-nfip.js - the NFIP forms of the event view (Council Decision
// 2002/348/JHA, docs/exchange.md "Football events"): a new football event (an
// nfip_event message with its "event" member, POST api/v1/exchange/events) and,
// on an event's page, a risk assessment, supporter movements, a request for
// spotters or post-event feedback tied to the event (a message with its "nfip"
// member, POST api/v1/exchange/events/{id}/messages). The form shows what the
// chosen type carries (the server's table `parts` in events.c: required fields
// marked required, the others optional, the rest not shown), coded fields from
// the server's tables. A message goes from this node and the reader's unit; an
// event's message goes to the other side of the event's announcement. The
// server checks all of it again; its problem is shown field by field.

import { h, $, fill, message } from './dom.js';
import { t } from './i18n.js';

let ctx = null; // {read, call, codes, announce, problemText, link, account, reload} from exchange-events.js
let current = null; // {event, counterpart: {node, unit}, lang} of the event shown
let wired = false;

// What each NFIP type carries: R required, O optional (events.c's `parts`).
const PARTS = {
  nfip_risk: { phase: 'R', risk: 'R' },
  nfip_movement: { supporters: 'R', risk_supporters: 'O', transport: 'R', route: 'R', arrival: 'O' },
  nfip_spotters: { spotters: 'R' },
  nfip_feedback: { risk: 'O' },
};
const MEMBERS = ['phase', 'risk', 'supporters', 'risk_supporters', 'transport', 'route', 'arrival', 'spotters'];
const NUMBERS = new Set(['supporters', 'risk_supporters', 'spotters']);
const TIMES = new Set(['arrival']);

function options(select, table, chosen, empty) {
  const rows = ctx.codes.rows(table).map((r) => h('option', { value: r.code, text: r.label }));
  fill(select, empty ? h('option', { value: '', text: '—' }) : null, ...rows);
  if (chosen) select.value = chosen;
}

// A datetime-local value (the reader's time) as RFC 3339 in UTC, or ''.
function utc(local) {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function header(prefix, to) {
  const { codes, account } = ctx;
  return {
    originator: { node: codes.node, unit: account.unit, officer: account.name },
    addressees: [to],
    lang: $(`#${prefix}-lang`).value.trim(),
    handling: $(`#${prefix}-handling`).value,
    evaluation: { source: $(`#${prefix}-source`).value, information: $(`#${prefix}-info`).value },
  };
}

// ---- a new event ----

function eventBody() {
  const to = { node: $('#ev-node').value.trim().toUpperCase(), unit: $('#ev-unit').value.trim() };
  const home = $('#ev-home').value.trim();
  const away = $('#ev-away').value.trim();
  const b = {
    ...header('ev', to), type: 'nfip_event', subject: $('#ev-subject').value.trim() || `${home} – ${away}`,
    event: {
      competition: $('#ev-competition').value.trim(), home, away, venue: $('#ev-venue').value.trim(),
      country: $('#ev-country').value, lat: Number($('#ev-lat').value), lon: Number($('#ev-lon').value),
      kickoff: utc($('#ev-kickoff').value), risk: $('#ev-risk').value,
    },
  };
  const text = $('#ev-text').value.trim();
  if (text) b.text = text;
  return b;
}

async function onEvent(event) {
  event.preventDefault();
  message($('#err-ev'), '');
  const b = eventBody();
  const e = b.event;
  if (!e.competition || !e.home || !e.away || !e.venue || !e.kickoff || !b.addressees[0].node
      || !b.addressees[0].unit || !b.lang || $('#ev-lat').value === '' || $('#ev-lon').value === '') {
    message($('#err-ev'), t('x.nfip.needEvent'));
    return;
  }
  try {
    const r = await ctx.call('api/v1/exchange/events', { method: 'POST', body: b });
    $('#ev-form').reset();
    ctx.announce(t('x.nfip.eventDone', { id: r.id }));
    location.hash = ctx.link({ view: 'events', event: r.id }).slice(1);
  } catch (err) {
    message($('#err-ev'), ctx.problemText(err));
  }
}

// ---- a message of an event ----

function refreshParts() {
  const parts = PARTS[$('#nm-type').value] || {};
  for (const m of MEMBERS) {
    const el = $(`#nm-${m}`);
    $(`#nm-${m}-field`).hidden = !parts[m];
    el.required = parts[m] === 'R';
  }
  // An optional coded member may be left out: its empty choice only then.
  options($('#nm-risk'), 'risk_category', $('#nm-risk').value, parts.risk === 'O');
}

function nfipBody() {
  const type = $('#nm-type').value;
  const parts = PARTS[type] || {};
  const nfip = {};
  for (const m of MEMBERS) {
    if (!parts[m]) continue;
    const raw = $(`#nm-${m}`).value.trim();
    if (raw === '') continue;
    if (NUMBERS.has(m)) nfip[m] = Number(raw);
    else if (TIMES.has(m)) nfip[m] = utc(raw);
    else nfip[m] = raw;
  }
  const b = { ...header('nm', current.counterpart), type, nfip };
  const text = $('#nm-text').value.trim();
  if (text) b.text = text;
  return b;
}

async function onMessage(event) {
  event.preventDefault();
  message($('#err-nm'), '');
  const b = nfipBody();
  const parts = PARTS[b.type] || {};
  if (!b.lang || Object.entries(parts).some(([m, need]) => need === 'R' && b.nfip[m] === undefined)) {
    message($('#err-nm'), t('x.nfip.needMessage'));
    return;
  }
  try {
    await ctx.call(`api/v1/exchange/events/${encodeURIComponent(current.event.id)}/messages`, { method: 'POST', body: b });
    ctx.announce(t('x.nfip.messageDone', { type: ctx.codes.label('message_type', b.type) }));
    $('#nm-text').value = '';
    await ctx.reload();
  } catch (err) {
    message($('#err-nm'), ctx.problemText(err));
  }
}

function wire() {
  if (wired) return;
  wired = true;
  $('#ev-form').addEventListener('submit', onEvent);
  $('#nm-form').addEventListener('submit', onMessage);
  $('#nm-type').addEventListener('change', refreshParts);
}

function fillHeader(prefix, lang) {
  options($(`#${prefix}-handling`), 'handling_code', $(`#${prefix}-handling`).value || 'H0');
  options($(`#${prefix}-source`), 'source_evaluation', $(`#${prefix}-source`).value || 'A');
  options($(`#${prefix}-info`), 'information_evaluation', $(`#${prefix}-info`).value || '1');
  if (lang) $(`#${prefix}-lang`).value = lang;
}

// The form of a new event below the list, while no event is open (for a reader with a unit: a
// message goes from it).
export function showEventForm(context, shown) {
  ctx = context;
  wire();
  $('#ev-form').hidden = !shown || !ctx.account.unit;
  if ($('#ev-form').hidden) return;
  fillHeader('ev', $('#ev-lang').value || 'en');
  options($('#ev-country'), 'country', $('#ev-country').value || ctx.codes.node);
  options($('#ev-risk'), 'risk_category', $('#ev-risk').value || 'low');
  $('#ev-from').textContent = t('x.new.from', { from: `${ctx.codes.node} / ${ctx.account.unit}`, officer: ctx.account.name });
  message($('#err-ev'), '');
}

// The form of an event's message on event e's page; `announcement` is the view of the
// message that announced it (its other side is whom the event's messages go to).
export function showMessageForm(context, e, announcement) {
  ctx = context;
  wire();
  const a = announcement;
  const other = a.direction === 'in' ? a.originator : (a.addressees || []).find((x) => !x.cc) || a.addressees[0];
  current = { event: e, counterpart: { node: other.node, unit: other.unit } };
  $('#nm-form').hidden = !ctx.account.unit;
  if (!ctx.account.unit) return;
  const types = ctx.codes.rows('message_type').filter((r) => PARTS[r.code]);
  fill($('#nm-type'), ...types.map((r) => h('option', { value: r.code, text: r.label })));
  $('#nm-type').value = 'nfip_risk';
  fillHeader('nm', a.lang);
  options($('#nm-phase'), 'nfip_phase', $('#nm-phase').value || 'strategic');
  options($('#nm-transport'), 'transport', $('#nm-transport').value || 'coach');
  $('#nm-to').textContent = t('x.compose.to', { to: `${other.node} / ${other.unit}` });
  message($('#err-nm'), '');
  refreshParts();
}
