// police.js - the police console (police.html): log in with password and
// TOTP code, the queue of open reports in my districts ordered by deadline
// beside a map of them, a report's detail with the workflow's actions, the
// reviewed public description, and for supervisors the dashboard.
//
// The session lives in an HttpOnly cookie the page cannot read; every
// request that changes something carries the CSRF token from the login
// answer (or GET api/v1/auth/me after a reload) in X-CSRF-Token.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { h, $, fill, message } from './dom.js';
import { t, setLang, lang, translatePage, formatTime, pick } from './i18n.js';
import { Catalog } from './catalog.js';
import { request } from './api.js';
import { tileSetting, baseLayer } from './basemap.js';

// The label of the button that moves a report to each status. Which of them
// are offered is the server's: the police view lists the transitions the
// caller may make from the report's status (GET api/v1/police/reports/{id}).
const ACTION_LABEL = {
  verifying: 'police.act.takeUp',
  rejected: 'police.act.reject',
  confirmed: 'police.act.confirm',
  not_confirmed: 'police.act.notConfirm',
  eliminated: 'police.act.eliminate',
  referred: 'police.act.refer',
};

const EXCHANGE_ROLES = ['spoc_operator', 'spoc_supervisor', 'liaison_officer'];

const session = { csrf: null, account: null };
let map = null;
let markers = null;
let districtLayer = null; // the boundaries of the districts the account works in
let institutions = [];
let current = null; // the report shown in the detail
let catalog = new Catalog(null);

function categoryName(code) {
  const c = catalog.category(code);
  return c ? pick(c.name) : code;
}

// Every call carries the session's CSRF token (sent with changes only).
function call(path, options = {}) {
  return request(path, { ...options, csrf: session.csrf });
}

function announce(text) {
  $('#announce').textContent = text;
}

function problemText(err) {
  const fields = err.problem && Array.isArray(err.problem.errors) ? err.problem.errors : [];
  const extra = fields.map((f) => f.message).join('; ');
  return extra ? `${err.message}: ${extra}` : err.message;
}

// ---- login ----

function showLogin() {
  $('#work').hidden = true;
  $('#who').hidden = true;
  $('#btn-logout').hidden = true;
  $('#nav-exchange').hidden = true;
  $('#admin').hidden = true;
  $('#login').hidden = false;
  $('#l-name').focus();
}

async function onLogin(event) {
  event.preventDefault();
  message($('#err-login'), '');
  const body = { name: $('#l-name').value.trim(), password: $('#l-password').value, totp: $('#l-totp').value.trim() };
  try {
    const me = await call('api/v1/auth/login', { method: 'POST', body });
    $('#l-password').value = '';
    $('#l-totp').value = '';
    await showWork(me);
  } catch (err) {
    const key = err.status === 429 ? 'police.login.locked' : err.status === 401 ? 'police.login.failed' : null;
    message($('#err-login'), key ? t(key) : problemText(err));
  }
}

async function onLogout() {
  await call('api/v1/auth/logout', { method: 'POST' }).catch(() => null);
  session.csrf = null;
  session.account = null;
  showLogin();
}

// ---- the work ----

async function showWork(me) {
  session.csrf = me.csrf_token;
  session.account = me.account;
  $('#login').hidden = true;
  $('#work').hidden = false;
  $('#who').hidden = false;
  $('#btn-logout').hidden = false;
  $('#who').textContent = `${me.account.name} · ${t(`police.role.${me.account.role}`)}`;
  // The exchange's roles work on the exchange pages (exchange.html).
  $('#nav-exchange').hidden = !EXCHANGE_ROLES.includes(me.account.role);
  const tiles = tileSetting();
  if (!map) {
    map = L.map($('#pmap'), { zoomControl: true, attributionControl: Boolean(tiles) }).setView([50.06, 19.94], 12);
    if (tiles) baseLayer(tiles).addTo(map); // the configured base map, as on the public page
    districtLayer = L.layerGroup().addTo(map);
    markers = L.layerGroup().addTo(map);
  }
  catalog = new Catalog(await call('api/v1/categories'));
  institutions = (await call('api/v1/institutions')).institutions;
  fill($('#d-institution'), ...institutions.map((i) => h('option', { value: i.code, text: lang() === 'en' ? i.name_en : i.name_pl })));
  const admin = me.account.role === 'admin';
  $('#work').classList.toggle('admin-only', admin);
  for (const sel of ['.police-side', '.police-content']) $(sel).hidden = admin;
  $('#admin').hidden = !admin;
  if (admin) {
    await loadAccounts();
    return;
  }
  await showDistricts(me.account);
  await loadQueue();
  if (['supervisor', 'analyst'].includes(me.account.role)) await loadDashboard();
}

// ---- the administrator: accounts ----

async function changeAccount(name, action) {
  try {
    await call('api/v1/accounts/change', { method: 'POST', body: { name, action } });
    await loadAccounts();
  } catch (err) {
    message($('#err-admin'), problemText(err));
  }
}

async function loadAccounts() {
  const { accounts } = await call('api/v1/accounts');
  fill($('#admin-rows'), ...accounts.map((a) => h('tr', {},
    h('th', { scope: 'row', text: a.name }),
    h('td', { text: t(`police.role.${a.role}`) }),
    h('td', { text: t(a.disabled ? 'police.admin.disabled' : a.locked ? 'police.admin.locked' : 'police.admin.active') }),
    h('td', {}, a.name === session.account.name ? '' : h('button', {
      type: 'button', class: 'btn', 'data-account': a.name,
      text: t(a.disabled ? 'police.admin.enable' : 'police.admin.disable'),
      onclick: () => changeAccount(a.name, a.disabled ? 'enable' : 'disable'),
    })))));
}

async function onAddAccount(event) {
  event.preventDefault();
  message($('#err-admin'), '');
  const body = {
    name: $('#a-name').value.trim(), role: $('#a-role').value, password: $('#a-password').value,
  };
  if ($('#a-unit').value.trim()) body.unit = $('#a-unit').value.trim();
  if ($('#a-districts').value.trim()) body.districts = $('#a-districts').value.replace(/\s+/g, '');
  try {
    const made = await call('api/v1/accounts', { method: 'POST', body });
    $('#a-password').value = '';
    $('#enrol').hidden = false;
    $('#enrol-qr').src = `data:image/svg+xml;base64,${btoa(made.qr_svg)}`;
    $('#enrol-qr').alt = t('police.admin.qrAlt', { name: made.name });
    $('#enrol-uri').textContent = made.otpauth_uri;
    await loadAccounts();
  } catch (err) {
    message($('#err-admin'), problemText(err));
  }
}

// The boundaries of the account's districts: an officer's own, a supervisor's unit, all for an analyst.
async function showDistricts(account) {
  const all = await call('api/v1/districts');
  const own = (all.features || []).filter((f) => {
    const id = f.id || (f.properties && f.properties.id);
    if (account.role === 'officer') return (account.districts || []).includes(id);
    if (account.role === 'supervisor') return f.properties && f.properties.unit === account.unit;
    return true;
  });
  districtLayer.clearLayers();
  const layer = L.geoJSON({ type: 'FeatureCollection', features: own }, {
    interactive: false, style: { className: 'pm-district', color: '#1f3b63', weight: 2, opacity: 0.9, fillOpacity: 0.04 },
  }).addTo(districtLayer);
  if (own.length) map.fitBounds(layer.getBounds(), { maxZoom: 15, padding: [10, 10] });
}

function queueItem(r) {
  const due = r.due ? formatTime(r.due) : '';
  return h('li', {},
    h('button', {
      type: 'button', class: `st-${r.status}`, 'data-report-id': String(r.id),
      'aria-current': current === r.id ? 'true' : 'false', onclick: () => loadDetail(r.id),
    },
    h('strong', { text: `#${r.id} · ${t(`status.${r.status}`)}` }),
    h('span', { text: categoryName(r.category) }),
    h('span', { class: r.overdue ? 'overdue' : '', text: r.overdue ? t('police.queue.overdue', { due }) : t('police.queue.due', { due }) })));
}

async function loadQueue() {
  if (!['officer', 'supervisor'].includes(session.account.role)) {
    fill($('#queue'));
    $('#queue-summary').textContent = t('police.queue.none');
    return;
  }
  const { reports } = await call('api/v1/queue');
  fill($('#queue'), ...reports.map(queueItem));
  $('#queue-summary').textContent = t('police.queue.count', { n: reports.length });
  map.invalidateSize(); // the map may have been hidden (an administrator's session before)
  markers.clearLayers();
  const points = [];
  for (const r of reports) {
    const marker = L.circleMarker([r.lat, r.lon], { radius: 7, className: `pm pm-${r.status}` });
    marker.on('click', () => loadDetail(r.id));
    marker.addTo(markers);
    points.push([r.lat, r.lon]);
  }
  if (points.length) map.fitBounds(points, { maxZoom: 15, padding: [20, 20] });
}

async function loadDashboard() {
  const dash = await call('api/v1/dashboard');
  $('#dashboard').hidden = false;
  fill($('#dash-rows'), ...dash.districts.map((d) => h('tr', {},
    h('th', { scope: 'row', text: d.name || d.id }),
    h('td', { text: String(d.reports) }),
    h('td', { text: `${d.taken_up_in_time}/${d.taken_up}` }),
    h('td', { text: `${d.verified_in_time}/${d.verified}` }),
    h('td', { class: d.overdue ? 'overdue' : '', text: String(d.overdue) }))));
  // A supervisor moves a district to another officer of the unit (POST api/v1/districts/assignment).
  const form = $('#reassign-form');
  form.hidden = session.account.role !== 'supervisor';
  if (form.hidden) return;
  const chosen = $('#r-district').value;
  fill($('#r-district'), ...dash.districts.map((d) => h('option', { value: d.id, text: `${d.id} ${d.name || ''}`.trim() })));
  if (chosen) $('#r-district').value = chosen;
  fill($('#r-officers'), ...(dash.officers || []).map((o) => h('option', { value: o.officer })));
}

async function onReassign(event) {
  event.preventDefault();
  message($('#err-reassign'), '');
  $('#reassign-done').hidden = true;
  const body = { district: $('#r-district').value, officer: $('#r-officer').value.trim() };
  if (!body.officer) {
    message($('#err-reassign'), t('police.reassign.needOfficer'));
    return;
  }
  try {
    const done = await call('api/v1/districts/assignment', { method: 'POST', body });
    const text = t('police.reassign.done', { district: done.district, officer: done.officer });
    $('#reassign-done').textContent = text;
    $('#reassign-done').hidden = false;
    announce(text);
    $('#r-officer').value = '';
    await loadDashboard();
  } catch (err) {
    message($('#err-reassign'), problemText(err));
  }
}

// ---- one report ----

function fact(term, value) {
  return [h('dt', { text: term }), h('dd', { text: value || '—' })];
}

async function loadDetail(id) {
  current = id;
  message($('#err-detail'), '');
  const view = await call(`api/v1/police/reports/${encodeURIComponent(id)}`);
  const r = view.report;
  $('#detail').hidden = false;
  $('#detail-title').textContent = t('police.detail.title', { id: r.id });
  $('#detail-assistant').href = `assistant.html?report=${encodeURIComponent(r.id)}`;
  fill($('#detail-facts'),
    ...fact(t('police.detail.category'), categoryName(r.category && r.category.code ? r.category.code : r.category)),
    ...fact(t('police.detail.status'), t(`status.${r.status}`)),
    ...fact(t('police.detail.received'), formatTime(r.received_at)),
    ...fact(t('police.detail.description'), r.description),
    ...fact(t('police.detail.assigned'), view.assigned_to));
  fill($('#detail-history'), ...(r.history || []).map((c) => h('li', {
    text: `${formatTime(c.at)}: ${t(`status.${c.from}`)} → ${t(`status.${c.to}`)}${c.note ? ` — ${c.note}` : ''}`
      + (c.public_note ? ` · ${t('police.detail.publicNoteShown', { note: c.public_note })}` : ''),
  })));
  showPhotos(r.id, Array.isArray(view.photos) ? view.photos : []);
  $('#d-public').value = view.public_description || '';
  $('#assign-field').hidden = session.account.role !== 'supervisor';
  $('#d-assign').value = view.assigned_to || '';
  $('#d-note').value = '';
  $('#d-public-note').value = '';
  const actions = Array.isArray(view.transitions) ? view.transitions : [];
  $('#referral-field').hidden = !actions.some((a) => a.referral_required);
  fill($('#detail-actions'), ...actions.map((a) => h('button', {
    type: 'button', class: 'btn primary', 'data-to': a.to,
    text: ACTION_LABEL[a.to] ? t(ACTION_LABEL[a.to]) : t(`status.${a.to}`), onclick: () => act(r.id, a),
  })));
  for (const b of document.querySelectorAll('#queue button')) {
    b.setAttribute('aria-current', b.dataset.reportId === String(id) ? 'true' : 'false');
  }
  $('#detail-title').focus();
}

// The report's photos with their review: each becomes public only once approved (docs/photos.md).
function showPhotos(id, photos) {
  $('#photos-section').hidden = photos.length === 0;
  fill($('#detail-photos'), ...photos.map((p, i) => h('li', {},
    h('a', { href: p.url, target: '_blank', rel: 'noopener' },
      h('img', { src: p.thumbnail_url, alt: t('police.photos.alt', { n: i + 1, id }), width: p.width > p.height ? 160 : undefined, height: p.width > p.height ? undefined : 160 })),
    h('p', { class: 'muted' }, t(`police.photos.${p.status}`)),
    h('button', { type: 'button', class: 'btn', onclick: () => reviewPhoto(id, p.id, 'approve') }, t('police.photos.approve')),
    ' ',
    h('button', { type: 'button', class: 'btn', onclick: () => reviewPhoto(id, p.id, 'reject') }, t('police.photos.reject')))));
}

async function reviewPhoto(id, photoId, decision) {
  try {
    await call(`api/v1/photos/${encodeURIComponent(photoId)}/review`, { method: 'POST', body: { decision } });
    announce(t(decision === 'approve' ? 'police.photos.approved' : 'police.photos.rejected'));
    await loadDetail(id);
  } catch (err) {
    message($('#err-detail'), problemText(err));
  }
}

async function act(id, { to, referral_required: referral }) {
  const body = { to };
  const note = $('#d-note').value.trim();
  if (note) body.note = note;
  if (referral) body.referred_to = $('#d-institution').value;
  const publicNote = $('#d-public-note').value.trim();
  if (publicNote) body.public_note = publicNote;
  try {
    await call(`api/v1/reports/${encodeURIComponent(id)}/transitions`, { method: 'POST', body });
    announce(t('police.act.done', { status: t(`status.${to}`) }));
    await loadQueue();
    await loadDetail(id);
  } catch (err) {
    message($('#err-detail'), err.status === 422 ? t('police.act.needNote') : problemText(err));
  }
}

async function savePublic() {
  if (current === null) return;
  const text = $('#d-public').value.trim();
  try {
    await call(`api/v1/reports/${encodeURIComponent(current)}/description`,
      { method: 'POST', body: { public_description: text || null } });
    announce(t('police.detail.publicSaved'));
    await loadDetail(current);
  } catch (err) {
    message($('#err-detail'), problemText(err));
  }
}

async function assign() {
  if (current === null) return;
  const officer = $('#d-assign').value.trim();
  try {
    await call(`api/v1/reports/${encodeURIComponent(current)}/assignment`,
      { method: 'POST', body: { officer: officer || null } });
    announce(t('police.detail.assigned'));
    await loadQueue();
    await loadDetail(current);
  } catch (err) {
    message($('#err-detail'), problemText(err));
  }
}

async function start() {
  const params = new URLSearchParams(location.hash.slice(1));
  setLang(params.get('lang') || 'pl');
  translatePage();
  document.title = t('police.title');
  $('#login-form').addEventListener('submit', onLogin);
  $('#btn-logout').addEventListener('click', onLogout);
  $('#btn-public').addEventListener('click', savePublic);
  $('#admin-form').addEventListener('submit', onAddAccount);
  $('#btn-assign').addEventListener('click', assign);
  $('#reassign-form').addEventListener('submit', onReassign);
  $('#btn-lang').addEventListener('click', () => {
    setLang(lang() === 'pl' ? 'en' : 'pl');
    translatePage();
  });
  try {
    await showWork(await call('api/v1/auth/me'));
  } catch {
    showLogin();
  }
}

start();
