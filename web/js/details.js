// details.js - one report as the panel shows it: the public view of
// GET /api/v1/reports/{id}, and with a token the reporter's view (the
// description, "when" and the status history).

import { h } from './dom.js';
import { t, pick, formatTime, formatDate, formatNumber } from './i18n.js';
import { STATUSES } from './state.js';

function statusBadge(status) {
  const known = STATUSES.includes(status) || status === 'rejected';
  return h('span', { class: `badge st-${known ? status : 'unknown'}` }, known ? t(`status.${status}`) : status);
}

function fact(term, ...value) {
  return [h('dt', {}, term), h('dd', {}, ...value)];
}

// The deadline that the report's status is waiting on, if any.
function pendingDeadline(report) {
  if (report.status === 'new') return 'take_up';
  if (report.status === 'verifying') return 'verify';
  return null;
}

function deadline(report, which) {
  const at = report.deadlines && report.deadlines[which];
  if (!at) return null;
  const late = report.overdue && pendingDeadline(report) === which;
  return fact(t(`details.deadline.${which}`), formatTime(at),
    late ? h('span', { class: 'badge overdue' }, t('details.overdue')) : null);
}

function when(w) {
  if (!w) return null;
  const parts = [];
  if (w.date) parts.push(formatDate(w.date));
  if (Array.isArray(w.times) && w.times.length) parts.push(w.times.map((x) => t(`when.time.${x}`)).join(', '));
  if (Array.isArray(w.weekdays) && w.weekdays.length) parts.push(w.weekdays.map((x) => t(`when.day.${x}`)).join(', '));
  return parts.length ? fact(t('details.when'), parts.join('; ')) : null;
}

function history(items) {
  if (!Array.isArray(items)) return null;
  const rows = items.map((x) => h('li', {},
    h('time', { datetime: x.at }, formatTime(x.at)), ': ',
    statusBadge(x.from), h('span', { 'aria-hidden': 'true' }, ' → '),
    h('span', { class: 'visually-hidden' }, ` ${t('details.historyTo')} `), statusBadge(x.to),
    x.referred_to ? ` (${t('details.referredTo', { to: x.referred_to })})` : '',
    x.note ? h('q', { class: 'note' }, x.note) : ''));
  return h('section', { class: 'history' }, h('h4', {}, t('details.history')),
    rows.length ? h('ol', {}, rows) : h('p', { class: 'muted' }, t('details.historyEmpty')));
}

// Builds the view of a report; catalog gives the category's and group's names.
export function reportView(report, catalog) {
  const category = catalog.category(report.category);
  const group = category ? catalog.group(category.group) : null;
  const district = report.district || {};
  const dl = h('dl', { class: 'facts' },
    fact(t('details.number'), `${report.id}`),
    fact(t('details.status'), statusBadge(report.status),
      report.overdue ? h('span', { class: 'badge overdue' }, t('details.overdue')) : null),
    fact(t('details.received'), formatTime(report.received_at)),
    report.status_changed_at && report.status_changed_at !== report.received_at
      ? fact(t('details.changed'), formatTime(report.status_changed_at)) : null,
    deadline(report, 'take_up'),
    deadline(report, 'verify'),
    district.name ? fact(t('details.district'), district.name, district.unit ? h('br') : null, district.unit || '') : null,
    report.me_too ? fact(t('details.meToo'), formatNumber(report.me_too)) : null,
    when(report.when),
    report.description ? fact(t('details.description'), h('span', { class: 'description' }, report.description)) : null);
  return h('article', { class: 'report-view' },
    h('h3', {}, category ? pick(category.name) : report.category),
    group ? h('p', { class: 'muted' }, pick(group.name)) : null,
    dl,
    photos(report),
    history(report.history));
}

// The photos an officer approved (the API sends no others): thumbnails linking to the display size.
function photos(report) {
  if (!Array.isArray(report.photos) || report.photos.length === 0) return null;
  return h('section', { class: 'photos' }, h('h4', {}, t('details.photos')),
    h('ul', { class: 'photo-list' }, report.photos.map((p, i) => h('li', {},
      h('a', { href: p.url, target: '_blank', rel: 'noopener' },
        h('img', { src: p.thumbnail_url, alt: t('details.photoAlt', { n: i + 1, id: report.id }) }))))));
}
