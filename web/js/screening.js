// screening.js - the officer's screening page (screening.html): a person, a travel document or
// a vehicle checked against the watch-lists and published notices (POST
// /api/v1/screening/{persons,documents,vehicles}) with the police console's session, and the
// hits shown with their explanations: for a person each part of the query and the record part
// it met, how and for how much, and how date of birth, nationality and sex moved the score; for
// a document or vehicle the key that met, same or confusable (O/0, I/1) at which positions,
// and how the query was read (an MRZ's check digits, the VIN's, the plate for its country). Every query is
// audited by the server with its reason. A hit on a published notice has a button that sends the
// notice's owner a request about it in one action (POST /api/v1/screening/hit-message, composed
// by the server from the notice on file, audited there). Built as elements, no HTML strings; every visible
// string comes from the i18n tables (scr.*); the language is #lang=pl|en.

import { h } from './dom.js';
import { t, tn, setLang, lang, translatePage } from './i18n.js';
import { request } from './api.js';

const session = { csrf: null };
let last = null; // { kind, answer } shown, redrawn when the language changes

const $ = (sel) => document.querySelector(sel);

function say(text) {
  $('#status').textContent = text;
}

function score(x) {
  return Number(x).toFixed(2);
}

function move(x) {
  const v = Number(x);
  return v > 0 ? `+${v.toFixed(2)}` : v.toFixed(2);
}

// ---- persons ----

function factText(name, fact) {
  return t('scr.fact', { what: t(`scr.fact.${name}`), outcome: t(`scr.outcome.${fact.outcome}`), move: move(fact.move) });
}

// A hit on a published notice: the button that sends its owner a request (else nothing).
function sendButton(hit) {
  if (hit.source !== 'notices') return null;
  const b = h('button', { type: 'button', class: 'sc-send', 'data-record': hit.record_id },
    t('scr.message.send'));
  b.addEventListener('click', () => sendRequest(hit, b));
  return b;
}

async function sendRequest(hit, button) {
  const reason = $('#reason').value.trim();
  if (!reason) {
    say(t('scr.err.reason'));
    $('#reason').focus();
    return;
  }
  button.disabled = true;
  try {
    const sent = await request('api/v1/screening/hit-message', {
      method: 'POST', csrf: session.csrf,
      body: { source: hit.source, record_id: hit.record_id, reason },
    });
    say(t('scr.message.sent', { id: sent.message_id, to: `${sent.to.node}/${sent.to.unit}`, case: sent.case_id, due: sent.due }));
  } catch (err) {
    button.disabled = false;
    if (err.status === 403) say(t('scr.message.forbidden'));
    else if (err.status === 404) say(t('scr.message.gone'));
    else if (err.status === 422) say(t('scr.err.fields', { fields: err.fields.map((f) => `${f.field}: ${f.message}`).join('; ') }));
    else say(t('scr.err.http', { status: err.status }));
  }
}

function personHit(hit) {
  const ex = hit.explanation;
  const rows = ex.parts.map((p) => h('tr', {},
    h('td', {}, p.query), h('td', {}, p.record), h('td', {}, t(`scr.how.${p.how}`)),
    h('td', {}, score(p.score))));
  return h('li', { class: 'sc-hit' },
    h('h3', {}, t('scr.hit.person', { name: hit.name, source: hit.source, record: hit.record_id, score: score(hit.score) })),
    h('table', { class: 'sc-why' },
      h('caption', {}, t('scr.why.caption', { score: score(ex.name_score) })),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('scr.why.query')), h('th', { scope: 'col' }, t('scr.why.record')),
        h('th', { scope: 'col' }, t('scr.why.how')), h('th', { scope: 'col' }, t('scr.why.score')))),
      h('tbody', {}, ...rows)),
    h('p', { class: 'sc-facts' },
      [factText('birth_date', ex.birth_date), factText('nationality', ex.nationality), factText('sex', ex.sex)].join(' · ')),
    sendButton(hit));
}

// ---- documents and vehicles ----

// An MRZ's check digits: all right, or each wrong one with the digit found and expected.
function mrzText(m) {
  const bad = m.check_digits.filter((d) => d.check === 'bad');
  if (!bad.length) return t('scr.q.mrz.ok', { format: m.format });
  return bad.map((d) => t('scr.q.mrz.bad', {
    format: m.format, digit: t(`scr.mrzdigit.${d.digit.replace(/ /g, '_')}`), found: d.found || '', expected: d.expected || '',
  })).join(' · ');
}

function queryText(q) {
  const parts = [];
  if (q.mrz) parts.push(mrzText(q.mrz));
  if (q.number) {
    parts.push(t('scr.q.number', { normal: q.number.normal, n: q.number.confusable_characters }));
    if (q.number.cyrillic_read_as_latin) parts.push(t('scr.q.cyrillic'));
  }
  if (q.vin) parts.push(t(`scr.q.vin.${q.vin.check_digit}`, { normal: q.vin.normal, found: q.vin.check_found || '', expected: q.vin.check_expected || '' }));
  if (q.plate) {
    parts.push(t(q.plate.format_known ? 'scr.q.plate' : 'scr.q.plateOdd', { normal: q.plate.normal, country: q.plate.country || '—' }));
    if (q.plate.cyrillic_read_as_latin) parts.push(t('scr.q.cyrillic'));
  }
  return parts.join(' · ');
}

function recordText(hit) {
  if (hit.document) {
    const d = hit.document;
    return t('scr.rec.document', {
      type: t(`scr.doctype.${d.type.replace(/ /g, '_')}`), number: d.number, country: d.country,
      status: t(`scr.status.${d.status}`), until: d.valid_until || '—',
    });
  }
  const v = hit.vehicle;
  const what = [v.make, v.model, v.colour].filter(Boolean).join(' ');
  return t('scr.rec.vehicle', {
    vin: v.vin || '—', plate: v.plate ? `${v.plate}${v.plate_country ? ` (${v.plate_country})` : ''}` : '—',
    what: what || '—', status: t(`scr.status.${v.status}`),
  });
}

function objHit(hit) {
  const ex = hit.explanation;
  const key = t(`scr.key.${ex.key}`);
  const why = ex.match === 'same'
    ? t(ex.country_checked ? 'scr.match.sameCountry' : 'scr.match.same', { key })
    : t('scr.match.confusable', { key, positions: ex.confused_positions.join(', ') });
  return h('li', { class: ex.match === 'same' ? 'sc-hit' : 'sc-hit sc-weak' },
    h('h3', {}, t('scr.hit.object', { source: hit.source, record: hit.record_id })),
    h('p', {}, recordText(hit)),
    h('p', { class: 'sc-facts' }, why),
    sendButton(hit));
}

// ---- the answer ----

function render() {
  const list = $('#hits');
  list.replaceChildren();
  $('#query').textContent = '';
  if (!last) {
    $('#summary').textContent = '';
    return;
  }
  const { kind, answer } = last;
  const hits = answer.hits || [];
  $('#summary').textContent = hits.length
    ? tn('scr.summary', hits.length, kind === 'person' ? { threshold: score(answer.threshold) } : {})
    : t('scr.none');
  if (kind !== 'person') $('#query').textContent = queryText(answer.query || {});
  for (const hit of hits) list.append(kind === 'person' ? personHit(hit) : objHit(hit));
}

const PATHS = { person: 'api/v1/screening/persons', document: 'api/v1/screening/documents', vehicle: 'api/v1/screening/vehicles' };

// The form's filled fields as the body, with the reason.
function bodyOf(form) {
  const body = { reason: $('#reason').value.trim() };
  for (const el of form.querySelectorAll('input, select, textarea')) {
    const v = el.value.trim();
    if (v) body[el.name] = v;
  }
  return body;
}

async function onSubmit(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const kind = form.dataset.kind;
  if (!$('#reason').value.trim()) {
    say(t('scr.err.reason'));
    $('#reason').focus();
    return;
  }
  say('');
  try {
    const answer = await request(PATHS[kind], { method: 'POST', body: bodyOf(form), csrf: session.csrf });
    last = { kind, answer };
    render();
  } catch (err) {
    last = null;
    render();
    if (err.status === 401) say(t('scr.err.login'));
    else if (err.status === 403) say(t('scr.err.role'));
    else if (err.status === 422) say(t('scr.err.fields', { fields: err.fields.map((f) => `${f.field}: ${f.message}`).join('; ') }));
    else say(t('scr.err.http', { status: err.status }));
  }
}

function showKind(kind) {
  for (const tab of document.querySelectorAll('.sc-tab')) tab.setAttribute('aria-pressed', String(tab.dataset.kind === kind));
  for (const form of document.querySelectorAll('.sc-form')) form.hidden = form.dataset.kind !== kind;
}

function applyLang(code) {
  setLang(code);
  translatePage();
  document.title = t('scr.documentTitle');
  history.replaceState(null, '', `${location.pathname}${location.search}${code === 'pl' ? '' : `#lang=${code}`}`);
  render();
}

async function main() {
  applyLang(new URLSearchParams(location.hash.slice(1)).get('lang') || 'pl');
  for (const tab of document.querySelectorAll('.sc-tab')) tab.addEventListener('click', () => showKind(tab.dataset.kind));
  for (const form of document.querySelectorAll('.sc-form')) form.addEventListener('submit', onSubmit);
  $('#btn-lang').addEventListener('click', () => applyLang(lang() === 'pl' ? 'en' : 'pl'));
  try {
    const me = await request('api/v1/auth/me');
    session.csrf = me.csrf_token;
  } catch (err) {
    say(err.status === 401 ? t('scr.err.login') : t('scr.err.http', { status: err.status }));
  }
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  say(String(err && err.message));
  console.error(err);
});
