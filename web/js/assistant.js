// assistant.js - the police assistant's panel: an officer pastes a text (a message from abroad,
// a report's description) and sees its language, the entities found in it highlighted where
// they stand, what they link to on file (watch-lists, exchange cases), a summary, and a machine
// translation beside the original, always labelled as one. Everything from the server goes in
// as text (dom.js's h(), textContent), never as markup; nothing sets a style. The calls carry
// the police session's cookie and its CSRF token (GET api/v1/auth/me, as the console does).
// Every visible string comes from the i18n tables (as.*); the language is #lang=pl|en.
// Beside a message, a case or a report: ?message=ID reads an exchange message and analyses it,
// each entity with a button adding it to the message's case in one action; ?case=ID shows the
// whole case (assistant-case.js); ?report=ID reads a threat-map report's description.

import { h, $ } from './dom.js';
import { t, setLang, lang, translatePage } from './i18n.js';
import { request } from './api.js';
import { showCase } from './assistant-case.js';

const session = { csrf: null, message: null };

function post(path, body) {
  return request(path, { method: 'POST', body, csrf: session.csrf });
}

function status(text) {
  $('#as-status').textContent = text;
}

function typeName(type) {
  return t(`as.type.${type}`);
}

// The original with each entity marked where it stands. Spans are code points (the API's
// start and end), so the text is indexed as an array of code points, not UTF-16 units.
function showOriginal(text, entities, linked) {
  const box = $('#as-original');
  box.replaceChildren();
  const cps = Array.from(text);
  let at = 0;
  for (const [i, e] of entities.entries()) {
    if (e.start < at) continue; // the API never overlaps them; a guard all the same
    box.append(cps.slice(at, e.start).join(''));
    const mark = h('mark', {
      class: `ent ent-${e.type}${linked.has(i) ? ' linked' : ''}`,
      title: `${typeName(e.type)}: ${e.value}`,
      'data-type': e.type,
    }, cps.slice(e.start, e.end).join(''));
    box.append(mark);
    at = e.end;
  }
  box.append(cps.slice(at).join(''));
}

// The one action: the entity at its span of the message read, added to the message's case.
async function addToCase(e, cell) {
  const button = cell.querySelector('button');
  button.disabled = true;
  try {
    await post(`api/v1/assistant/messages/${encodeURIComponent(session.message)}/entities`,
      { type: e.type, start: e.start, end: e.end });
    cell.replaceChildren(t('as.add.done'));
  } catch (err) {
    cell.replaceChildren(err.status === 409 ? t('as.add.conflict') : err.status === 403
      ? t('as.add.forbidden') : t('as.add.failed', { message: err.message }));
  }
}

function addCell(e) {
  if (!session.message || e.type === 'date' || e.type === 'url') return h('td', { text: '—' });
  const cell = h('td', { class: 'as-add' });
  cell.append(h('button', {
    type: 'button', class: 'as-add-btn', text: t('as.add'),
    'aria-label': t('as.add.label', { value: e.value }), onclick: () => addToCase(e, cell),
  }));
  return cell;
}

function showEntities(entities) {
  const body = $('#as-entities');
  body.replaceChildren(...entities.map((e) => h('tr', { 'data-type': e.type },
    h('td', {}, typeName(e.type)),
    h('td', {}, e.text),
    h('td', { class: 'as-value' }, e.value),
    h('td', {}, String(e.confidence)),
    addCell(e))));
}

function showLinks(doc) {
  const list = $('#as-links');
  const links = doc.links || [];
  list.replaceChildren(...links.map((l) => {
    const e = doc.entities[l.entity] || {};
    const where = l.kind === 'case' ? t('as.link.case', { id: l.case_id, message: l.message_id })
      : t('as.link.watchlist', { record: l.record, score: l.score });
    return h('li', { class: `as-link as-link-${l.kind}` },
      h('strong', {}, `${typeName(e.type)} „${e.text}”`), ` — ${where}: ${l.why}`);
  }));
  const notes = [];
  if (!links.length) notes.push(t('as.links.none'));
  if (doc.link_note) notes.push(doc.link_note);
  $('#as-links-note').textContent = notes.join(' ');
  return new Set(links.map((l) => l.entity));
}

function showSummary(sum) {
  $('#as-summary').replaceChildren(...sum.extractive.map((s) => h('li', {}, s.text)));
  if (sum.abstractive) {
    $('#as-abstractive-label').textContent = t('as.machineSummary', { model: sum.abstractive.model || '' });
    $('#as-abstractive').textContent = sum.abstractive.text;
  } else {
    $('#as-abstractive-label').textContent = t('as.noAbstractive');
    $('#as-abstractive').textContent = sum.abstractive_note || '';
  }
}

function showTranslation(tr, error) {
  const label = $('#as-translation-label');
  const box = $('#as-translation');
  if (tr && tr.translation) {
    label.textContent = t('as.machineTranslation', { engine: tr.engine, pair: tr.pair || '' });
    box.textContent = tr.translation;
    box.setAttribute('lang', tr.to);
  } else {
    label.textContent = t('as.noTranslation');
    box.textContent = error ? error.message : (tr && tr.note) || '';
    box.removeAttribute('lang');
  }
}

async function analyse(e) {
  e.preventDefault();
  const text = $('#as-text').value;
  if (!text.trim()) {
    status(t('as.err.empty'));
    return;
  }
  document.body.dataset.done = 'false';
  status(t('as.working'));
  const ref = $('#as-reference').value;
  const to = $('#as-to').value;
  try {
    const [doc, sum] = await Promise.all([
      post('api/v1/assistant/analyse', { text, link: true, ...(ref ? { reference_date: ref } : {}) }),
      post('api/v1/assistant/summarise', { text }),
    ]);
    let tr = null;
    let trError = null;
    if (doc.language && doc.language === to) {
      tr = { note: t('as.sameLanguage') };
    } else {
      tr = await post('api/v1/assistant/translate', { text, to }).catch((err) => { trError = err; return null; });
    }
    $('#as-language').textContent = doc.language ? t('as.language', { code: doc.language })
      : t('as.languageUnknown');
    $('#as-original').setAttribute('lang', doc.language || '');
    const linked = showLinks(doc);
    showOriginal(text, doc.entities, linked);
    showEntities(doc.entities);
    showSummary(sum);
    showTranslation(tr, trError);
    $('#as-result').hidden = false;
    status(t('as.done', { n: doc.entities.length }));
  } catch (err) {
    status(err.status === 401 ? t('as.err.login') : err.status === 403 ? t('as.err.role')
      : t('as.err.http', { message: err.message }));
  }
  document.body.dataset.done = 'true';
}

function applyLang(code) {
  setLang(code);
  translatePage();
  document.title = t('as.documentTitle');
  history.replaceState(null, '', code === 'pl' ? location.pathname + location.search : `#lang=${code}`);
}

// The context line: what is analysed and a way back to it.
function context(text, href, label) {
  const p = $('#as-context');
  p.replaceChildren(text, ' ', h('a', { href, text: label }));
  p.hidden = false;
}

// What the page was opened beside: a message, a case or a report (?message=, ?case=, ?report=).
async function openSource() {
  const q = new URLSearchParams(location.search);
  if (q.get('case')) {
    const id = q.get('case');
    context('', `exchange.html#case=${encodeURIComponent(id)}`, t('as.case.back', { id }));
    await showCase(id, post);
    return;
  }
  let text = null;
  let at = null;
  if (q.get('message')) {
    const v = await request(`api/v1/exchange/messages/${encodeURIComponent(q.get('message'))}`);
    session.message = v.id;
    ({ text, at } = v);
    context(t('as.context.message', { id: v.id, case: v.case }), `assistant.html?case=${encodeURIComponent(v.case)}`,
      t('as.case.link', { id: v.case }));
  } else if (q.get('report')) {
    const view = await request(`api/v1/police/reports/${encodeURIComponent(q.get('report'))}`);
    text = view.report.description;
    at = view.report.received_at;
    context(t('as.context.report', { id: view.report.id }), 'police.html', t('as.context.back.report'));
  }
  if (text) {
    $('#as-text').value = text;
    if (at) $('#as-reference').value = String(at).slice(0, 10);
    $('#as-form').requestSubmit();
  }
}

async function main() {
  applyLang(new URLSearchParams(location.hash.slice(1)).get('lang') || 'pl');
  $('#as-to').value = lang() === 'pl' ? 'pl' : 'en';
  $('#btn-lang').addEventListener('click', () => applyLang(lang() === 'pl' ? 'en' : 'pl'));
  $('#as-form').addEventListener('submit', analyse);
  try {
    const me = await request('api/v1/auth/me');
    session.csrf = me.csrf_token;
    await openSource();
  } catch (err) {
    status(err.status === 401 ? t('as.err.login') : err.status === 403 ? t('as.err.role')
      : t('as.err.http', { message: err.message }));
    if (err.status === 401) $('#as-submit').disabled = true;
  }
  document.body.dataset.ready = 'true';
}

main();
