// exchange.js - the police pages of the structured exchange (exchange.html,
// docs/exchange.md "Pages"): a unit's inbox and outbox with the running
// deadlines (overdue first, as the server orders them), a case's thread with
// each message's markings, entities, links and cross-check hits, the
// composer of a reply, a refusal or a clarification request, the composer of a
// new request or information on own initiative (exchange-compose.js), the notice
// review (exchange-notices.js), the event view of football events
// (exchange-events.js) with its NFIP forms (exchange-nfip.js), concluding a case
// (exchange-conclude.js) and the retention queue (exchange-retention.js). The session is the police console's
// (police.html logs in); changes carry its CSRF token. What may be answered
// is the rules': the composer is offered only on a received request still
// running, a clarification only while its clock runs, refusal grounds only
// from the server's table, the language only the request's (Art. 11).
//
// The view is in the URL fragment: #view=inbox|outbox|notices|new|events|retention,
// #case=ID, #notice=ID, #event=ID, and lang=pl|en.

import { h, $, fill, message } from './dom.js';
import { t, setLang, lang, translatePage } from './i18n.js';
import { request } from './api.js';
import { Codes, markings, lineMarking, deadline, messageView } from './exchange-view.js';
import { showNotices } from './exchange-notices.js';
import { showEvents } from './exchange-events.js';
import { showRetention } from './exchange-retention.js';
import { showComposer } from './exchange-compose.js';
import { showConclusion } from './exchange-conclude.js';

const session = { csrf: null, account: null };
let codes = new Codes(null);
let composing = null; // {kind, request}: the composer's answer and the request it answers

function call(path, options = {}) {
  return request(path, { ...options, csrf: session.csrf });
}

// A GET in the reader's language (the labels of coded fields come from the server).
function read(path) {
  return call(`${path}${path.includes('?') ? '&' : '?'}lang=${lang()}`);
}

function announce(text) {
  $('#announce').textContent = text;
}

function problemText(err) {
  if (err.status === 401) return t('x.err.login');
  if (err.status === 403) return t('x.err.role');
  const extra = (err.fields || []).map((f) => `${f.field}: ${f.message}`).join('; ');
  return extra ? `${err.message}: ${extra}` : err.message;
}

function params() {
  return new URLSearchParams(location.hash.slice(1));
}

// The fragment with `changes` applied (the language kept).
export function link(changes) {
  const p = new URLSearchParams();
  if (lang() !== 'pl') p.set('lang', lang());
  for (const [k, v] of Object.entries(changes)) if (v !== null && v !== undefined) p.set(k, String(v));
  return `#${p.toString()}`;
}

const TABS = ['inbox', 'outbox', 'notices', 'new', 'events', 'retention'];

function showOnly(id) {
  for (const s of ['#box', '#case', '#notices', '#new', '#events', '#retention']) $(s).hidden = s !== id;
  const p = params();
  const view = p.get('case') ? '' : p.get('notice') ? 'notices' : p.get('event') ? 'events' : p.get('view') || 'inbox';
  for (const tab of TABS) {
    $(`#tab-${tab}`).setAttribute('aria-current', view === tab ? 'page' : 'false');
    $(`#tab-${tab}`).href = link({ view: tab });
  }
}

// ---- the inbox and the outbox ----

function boxItem(line, restrictions) {
  const from = line.direction === 'in' ? `${line.from_node} / ${line.from_unit}` : line.from_unit;
  const mark = restrictions.get(line.id) || lineMarking(codes, line.handling);
  return h('li', { class: line.overdue ? 'x-item overdue-item' : 'x-item' },
    h('a', { href: link({ case: line.case }), 'data-message-id': String(line.id), 'data-case-id': String(line.case) },
      h('strong', { dir: 'auto', text: line.subject || t('x.case.title', { id: line.case }) }),
      h('span', { text: `${line.type_label || line.type} · ${from} · ${t(`x.state.${line.state}`)}` }),
      deadline(line)),
    mark);
}

async function showBox(inbox) {
  showOnly('#box');
  const title = t(inbox ? 'x.box.inbox' : 'x.box.outbox');
  $('#box-title').textContent = `${title}: ${session.account.unit || ''}`;
  document.title = `${title} — ${t('x.title')}`;
  fill($('#box-items')); // nothing of another box shown meanwhile
  $('#box-summary').textContent = '';
  const { items } = await read(`api/v1/exchange/${inbox ? 'inbox' : 'outbox'}`);
  // H3's restriction is text the line does not carry: its message's view does.
  const restrictions = new Map();
  await Promise.all(items.filter((l) => l.handling === 'H3').map(async (l) => {
    const v = await read(`api/v1/exchange/messages/${l.id}`);
    restrictions.set(l.id, markings(v.markings));
  }));
  fill($('#box-items'), ...items.map((l) => boxItem(l, restrictions)));
  const overdue = items.filter((l) => l.overdue).length;
  $('#box-summary').textContent = t('x.box.count', { n: items.length, overdue });
  $('#box-title').focus();
}

// ---- a case ----

// Whether the reader's unit is among the message's addressees (its answer comes from there).
function addressedToMe(v) {
  return (v.addressees || []).some((a) => a.unit === session.account.unit && !a.cc);
}

// The answers the rules allow to message v: none but to a received request still running,
// addressed to the reader's unit; a clarification only while the clock runs (not paused).
function answersAllowed(v) {
  if (v.type !== 'request' || v.direction !== 'in' || !addressedToMe(v)) return [];
  if (v.state === 'open') return ['reply', 'refusal', 'clarification'];
  if (v.state === 'paused') return ['reply', 'refusal'];
  return [];
}

function messageItem(v, hitList) {
  const answers = answersAllowed(v);
  return h('li', { class: `x-message x-${v.direction}`, id: `m-${v.id}`, 'data-message-id': String(v.id) },
    h('h3', { text: t('x.message.title', { id: v.id, type: (v.labels && v.labels.type) || v.type }) }),
    // The deadline says answered, refused or stopped itself; a running one is said to wait.
    v.due ? h('p', {}, v.state === 'open' ? `${t('x.state.open')} · ` : null, deadline(v)) : null,
    ...messageView(codes, v, hitList),
    h('p', {}, h('a', { class: 'x-assistant', href: `assistant.html?message=${encodeURIComponent(v.id)}`,
      text: t('x.message.assistant', { id: v.id }) })),
    answers.length ? h('div', { class: 'row x-answers' }, ...answers.map((kind) => h('button', {
      type: 'button', class: kind === 'reply' ? 'btn primary' : 'btn', 'data-answer': kind,
      text: t(`x.compose.${kind}`), onclick: () => openComposer(kind, v),
    }))) : null);
}

async function showCase(id) {
  showOnly('#case');
  closeComposer();
  fill($('#thread')); // nothing of the case shown before
  $('#conclude').hidden = true;
  $('#case-title').textContent = t('x.case.title', { id });
  $('#case-assistant').href = `assistant.html?case=${encodeURIComponent(id)}`;
  const { items } = await read(`api/v1/exchange/cases/${encodeURIComponent(id)}`);
  const views = await Promise.all(items.map((l) => read(`api/v1/exchange/messages/${l.id}`)));
  const hitLists = await Promise.all(views.map((v) => (v.direction === 'in' && v.type === 'request'
    ? read(`api/v1/exchange/messages/${v.id}/hits`).then((r) => r.items) : null)));
  const first = items[0] || {};
  $('#case-title').textContent = first.subject || t('x.case.title', { id });
  document.title = `${$('#case-title').textContent} — ${t('x.title')}`;
  $('#case-facts').textContent = t('x.case.facts', { id, n: items.length, crime: (views[0] && views[0].crime_area) || '—' });
  fill($('#thread'), ...views.map((v, i) => messageItem(v, hitLists[i])));
  await showConclusion({ read, call, announce, problemText, account: session.account }, id, first.subject, views[0]);
  $('#case-title').focus();
}

// ---- the composer ----

function options(select, table, chosen) {
  fill(select, ...codes.rows(table).map((r) => h('option', { value: r.code, text: r.label })));
  if (chosen) select.value = chosen;
}

function closeComposer() {
  composing = null;
  $('#composer').hidden = true;
}

function openComposer(kind, req) {
  composing = { kind, request: req };
  const form = $('#composer');
  form.hidden = false;
  message($('#err-composer'), '');
  $('#composer-title').textContent = t(`x.compose.${kind}.title`, { id: req.id });
  $('#c-to').textContent = t('x.compose.to', { to: `${req.originator.node} / ${req.originator.unit}` });
  $('#c-lang').textContent = t('x.compose.lang', { lang: req.lang });
  options($('#c-handling'), 'handling_code', 'H0');
  options($('#c-source'), 'source_evaluation', 'A');
  options($('#c-info'), 'information_evaluation', '1');
  // A refusal only on the grounds of Art. 6(1), as the server's table lists them, with reasons.
  const refusal = kind === 'refusal';
  $('#c-grounds-field').hidden = !refusal;
  $('#c-reasons-field').hidden = !refusal;
  fill($('#c-grounds'), ...(refusal ? codes.rows('refusal_ground') : []).map((r) => h('div', { class: 'x-check' },
    h('input', { type: 'checkbox', id: `g-${r.code}`, value: r.code, name: 'ground' }),
    h('label', { htmlFor: `g-${r.code}`, text: r.label }))));
  $('#c-reasons').value = '';
  $('#c-text').value = '';
  $('#c-restriction').value = '';
  $('#c-restriction-field').hidden = true;
  $('#composer-title').setAttribute('tabindex', '-1');
  $('#composer-title').focus();
}

// The answer as the API reads it: from the reader's unit to the requester, in its language.
function answerBody() {
  const req = composing.request;
  const mine = (req.addressees || []).find((a) => a.unit === session.account.unit) || req.addressees[0];
  const body = {
    originator: { node: mine.node, unit: session.account.unit, officer: session.account.name },
    addressees: [{ node: req.originator.node, unit: req.originator.unit }],
    lang: req.lang,
    handling: $('#c-handling').value,
    evaluation: { source: $('#c-source').value, information: $('#c-info').value },
  };
  if (body.handling === 'H3') body.restriction = $('#c-restriction').value.trim();
  const text = $('#c-text').value.trim();
  if (text) body.text = text;
  if (composing.kind === 'refusal') {
    body.grounds = Array.from(document.querySelectorAll('#c-grounds input:checked')).map((i) => i.value);
    body.reasons = $('#c-reasons').value.trim();
  }
  return body;
}

async function onSend(event) {
  event.preventDefault();
  if (!composing) return;
  message($('#err-composer'), '');
  const body = answerBody();
  if (composing.kind === 'refusal' && (!body.grounds.length || !body.reasons)) {
    message($('#err-composer'), t('x.compose.needGround'));
    return;
  }
  const { kind, request: req } = composing;
  try {
    await call(`api/v1/exchange/messages/${encodeURIComponent(req.id)}/${kind}`, { method: 'POST', body });
    announce(t(`x.compose.${kind}.done`, { id: req.id }));
    await showCase(req.case);
  } catch (err) {
    message($('#err-composer'), problemText(err));
  }
}

// ---- start ----

async function route() {
  message($('#err-page'), '');
  const p = params();
  setLang(p.get('lang') || 'pl');
  translatePage();
  try {
    if (codes.lang !== lang()) codes = new Codes(await read('api/v1/exchange/codes'));
    $('#who').textContent = `${session.account.name} · ${t(`police.role.${session.account.role}`)}`;
    if (p.get('case')) await showCase(p.get('case'));
    else if (p.get('view') === 'notices' || p.get('notice')) {
      showOnly('#notices');
      await showNotices({ read, call, codes, announce, problemText, link }, p.get('notice'));
    } else if (p.get('view') === 'events' || p.get('event')) {
      showOnly('#events');
      await showEvents({ read, call, codes, announce, problemText, link, account: session.account }, p.get('event'));
    } else if (p.get('view') === 'new') {
      showOnly('#new');
      showComposer({ call, codes, announce, problemText, link, account: session.account });
    } else if (p.get('view') === 'retention') {
      showOnly('#retention');
      await showRetention({ read, call, announce, problemText, link, account: session.account });
    } else await showBox(p.get('view') !== 'outbox');
  } catch (err) {
    message($('#err-page'), problemText(err));
  }
}

async function start() {
  setLang(params().get('lang') || 'pl');
  translatePage();
  document.title = t('x.title');
  $('#btn-lang').addEventListener('click', () => {
    const p = params();
    p.set('lang', lang() === 'pl' ? 'en' : 'pl');
    location.hash = p.toString();
  });
  $('#composer').addEventListener('submit', onSend);
  $('#c-cancel').addEventListener('click', closeComposer);
  $('#c-handling').addEventListener('change', () => {
    $('#c-restriction-field').hidden = $('#c-handling').value !== 'H3';
  });
  let me;
  try {
    me = await call('api/v1/auth/me');
  } catch {
    $('#x-login').hidden = false;
    return;
  }
  session.csrf = me.csrf_token;
  session.account = me.account;
  $('#who').hidden = false;
  // The retention queue is the SPOC's (auth's permission table): no tab for other roles.
  $('#tab-retention').hidden = !['spoc_operator', 'spoc_supervisor'].includes(session.account.role);
  $('#tab-new').hidden = !session.account.unit; // a message goes from the reader's unit
  $('#x-work').hidden = false;
  window.addEventListener('hashchange', route);
  await route();
}

start();
