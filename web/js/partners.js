// partners.js - the partner nodes page (partners.html, issue 17): each partner of this node's
// directory with its state (reachable or not, in alarm when its oldest queued message waits
// longer than the server's alarm age), its outbox queue (how many messages wait and since when
// the oldest), its last delivery receipt, how many it refused and why the head of its queue
// waits; from GET /api/v1/exchange/nodes with the police console's session (the SPOC's
// supervisor). Built as elements, no HTML strings; every visible string from the i18n tables
// (fed.*); the language is #lang=pl|en.

import { h } from './dom.js';
import { t, setLang, lang, translatePage, formatTime, formatNumber } from './i18n.js';
import { request } from './api.js';

let last = null; // the answer shown, redrawn when the language changes

const $ = (sel) => document.querySelector(sel);

function say(text) {
  $('#status').textContent = text;
}

// "3 min" / "2 h" / "4 d" since iso, or a dash.
function age(iso) {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 120) return t('fed.age.s', { n: s });
  if (s < 7200) return t('fed.age.min', { n: Math.round(s / 60) });
  if (s < 172800) return t('fed.age.h', { n: Math.round(s / 3600) });
  return t('fed.age.d', { n: Math.round(s / 86400) });
}

function stateCell(p) {
  const cell = h('td', { class: 'fp-state' });
  if (p.alarm) cell.append(h('span', { class: 'fp-alarm' }, t('fed.state.alarm')), ' ');
  cell.append(p.reachable
    ? h('span', { class: 'fp-ok' }, t('fed.state.reachable'))
    : h('span', { class: 'fp-down' }, t('fed.state.unreachable')));
  return cell;
}

function row(p) {
  return h('tr', { 'data-node': p.id },
    h('th', { scope: 'row' }, p.id, h('span', { class: 'fp-sub' }, `${p.name} · ${p.country}`)),
    stateCell(p),
    h('td', { class: 'fp-num' }, formatNumber(p.queue_length)),
    h('td', {}, p.oldest_undelivered ? age(p.oldest_undelivered) : '—',
      p.oldest_undelivered ? h('span', { class: 'fp-sub' }, formatTime(p.oldest_undelivered)) : ''),
    h('td', {}, p.last_delivery ? formatTime(p.last_delivery) : t('fed.none')),
    h('td', { class: 'fp-num' }, formatNumber(p.refused)),
    h('td', {}, p.last_error ? t('fed.error', { error: p.last_error, n: p.attempts }) : '—'));
}

function render() {
  if (!last) return;
  $('#this-node').textContent = last.node;
  const rows = $('#rows');
  rows.replaceChildren(...last.items.map(row));
  if (last.items.length === 0) rows.append(h('tr', {}, h('td', { colspan: '7' }, t('fed.empty'))));
}

async function load() {
  try {
    last = await request('api/v1/exchange/nodes');
    say('');
    render();
  } catch (err) {
    if (err.status === 401) say(t('fed.err.login'));
    else if (err.status === 403) say(t('fed.err.role'));
    else if (err.status === 503) say(t('fed.err.off'));
    else say(t('scr.err.http', { status: err.status }));
  }
}

function applyLang(code) {
  setLang(code);
  translatePage();
  document.title = t('fed.documentTitle');
  history.replaceState(null, '', `${location.pathname}${location.search}${code === 'pl' ? '' : `#lang=${code}`}`);
  render();
}

async function main() {
  applyLang(new URLSearchParams(location.hash.slice(1)).get('lang') || 'pl');
  $('#btn-lang').addEventListener('click', () => applyLang(lang() === 'pl' ? 'en' : 'pl'));
  $('#btn-refresh').addEventListener('click', load);
  await load();
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  say(String(err && err.message));
  console.error(err);
});
