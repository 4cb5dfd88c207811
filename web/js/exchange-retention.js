// exchange-retention.js - the retention queue of the exchange pages (Art. 16 of
// Directive (EU) 2023/977, docs/exchange.md "Retention"): the concluded cases
// the reader may see, those whose review is due first, then by the date of the
// review (the server's order, GET api/v1/exchange/retention). The SPOC's
// supervisor reviews a case: keeps its personal data (with reasons and, if
// sooner than the longest period, the next review's date) or deletes it
// irrevocably, which a dialog asks to confirm. Other roles see the queue only:
// the page offers no step the server would refuse them.

import { h, $, fill, message } from './dom.js';
import { t, formatTime } from './i18n.js';

let ctx = null; // {read, call, announce, problemText, link, account} from exchange.js
let pending = null; // the deletion the dialog asks about: {item, reasons}

const DAY = 86400000;

// A date (yyyy-mm-dd) of the reader's calendar, `days` from now.
function dateIn(days) {
  const d = new Date(Date.now() + days * DAY);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// Noon of a chosen day in the reader's time zone, as RFC 3339 without fractions.
function noonOf(date) {
  return new Date(`${date}T12:00:00`).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function supervisor() {
  return ctx.account.role === 'spoc_supervisor';
}

async function review(item, decision, reasons, next) {
  const body = { decision, reasons };
  if (decision === 'keep' && next) body.next_review = noonOf(next);
  const err = $(`#r-err-${item.case}`);
  try {
    await ctx.call(`api/v1/exchange/retention/${encodeURIComponent(item.case)}/review`, { method: 'POST', body });
    ctx.announce(t(decision === 'keep' ? 'x.retention.kept' : 'x.retention.deleted', { id: item.case }));
    await showRetention(ctx);
  } catch (e) {
    message(err, ctx.problemText(e));
  }
}

function onDecide(item, decision) {
  const reasons = $(`#r-reasons-${item.case}`).value.trim();
  message($(`#r-err-${item.case}`), '');
  if (!reasons) {
    message($(`#r-err-${item.case}`), t('x.retention.needReasons'));
    return;
  }
  if (decision === 'keep') {
    review(item, 'keep', reasons, $(`#r-next-${item.case}`).value);
    return;
  }
  pending = { item, reasons };
  $('#r-confirm-text').textContent = t('x.retention.confirm', { id: item.case, subject: item.subject || '' });
  $('#r-confirm').showModal();
  $('#r-confirm-no').focus();
}

// The supervisor's review of one case: reasons, the next review's date, keep or delete.
function reviewForm(item) {
  const id = item.case;
  return h('div', { class: 'x-review' },
    h('div', { class: 'field' },
      h('label', { htmlFor: `r-reasons-${id}`, text: t('x.retention.reasons') }),
      h('textarea', { id: `r-reasons-${id}`, rows: '2', maxlength: '500' })),
    h('div', { class: 'field' },
      h('label', { htmlFor: `r-next-${id}`, text: t('x.retention.next') }),
      h('input', { id: `r-next-${id}`, type: 'date', min: dateIn(1), max: dateIn(179) })),
    h('p', { class: 'form-error', id: `r-err-${id}`, role: 'alert', hidden: true }),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn primary', 'data-decision': 'keep', text: t('x.retention.keep'), onclick: () => onDecide(item, 'keep') }),
      h('button', { type: 'button', class: 'btn danger', 'data-decision': 'delete', text: t('x.retention.delete'), onclick: () => onDecide(item, 'delete') })));
}

function retentionItem(item) {
  const deleted = item.state === 'deleted';
  const lines = [
    t('x.retention.concluded', { time: formatTime(item.concluded_at), by: item.concluded_by || '—' }),
    item.reviewed_at ? t('x.retention.reviewed', { time: formatTime(item.reviewed_at), by: item.reviewed_by || '—', n: item.reviews }) : null,
  ].filter(Boolean);
  const when = item.review_due
    ? h('span', { class: item.due ? 'x-due overdue' : 'x-due', 'data-due': item.due ? 'true' : 'false',
      text: t(item.due ? 'x.retention.dueSince' : 'x.retention.dueOn', { time: formatTime(item.review_due) }) })
    : null;
  const title = item.subject || t('x.case.title', { id: item.case });
  return h('li', { class: item.due ? 'x-item overdue-item' : 'x-item', 'data-case-id': String(item.case), 'data-state': item.state },
    h('h3', {},
      deleted ? h('span', { dir: 'auto', text: title }) : h('a', { href: ctx.link({ case: item.case }), dir: 'auto', text: title })),
    h('p', { text: `${item.state_label || item.state} · ${item.unit}` }),
    ...lines.map((l) => h('p', { class: 'hint', text: l })),
    when ? h('p', {}, when) : null,
    item.reasons ? h('p', { class: 'hint', dir: 'auto', text: t('x.retention.lastReasons', { reasons: item.reasons }) }) : null,
    !deleted && supervisor() ? reviewForm(item) : null);
}

function onConfirm(event) {
  event.preventDefault();
  const p = pending;
  pending = null;
  $('#r-confirm').close();
  if (p) review(p.item, 'delete', p.reasons, null);
}

let wired = false;
function wire() {
  if (wired) return;
  wired = true;
  $('#r-confirm-form').addEventListener('submit', onConfirm);
  $('#r-confirm-no').addEventListener('click', () => {
    pending = null;
    $('#r-confirm').close();
  });
}

export async function showRetention(context) {
  ctx = context;
  wire();
  document.title = `${t('x.retention.title')} — ${t('x.title')}`;
  const q = await ctx.read('api/v1/exchange/retention');
  const items = q.items || [];
  fill($('#retention-items'), ...items.map(retentionItem));
  $('#retention-rules').textContent = t('x.retention.rules', { first: q.first_review_days, period: q.review_period_days });
  $('#retention-summary').textContent = t('x.retention.count', { n: items.length, due: items.filter((i) => i.due).length });
  $('#retention-who').hidden = supervisor();
  $('#retention-title').focus();
}
