// exchange-notices.js - the notice review of the exchange pages: the notices
// of the reader's unit (written here: from its outbox; received: from its
// inbox) with their lifecycle state, and one notice with the steps the server
// says the reader may make from it (GET api/v1/exchange/notices/{id}:
// draft -> review -> published -> cancelled or expired; review -> draft).
// Publishing records the neutrality check of Art. 2 and 3 of INTERPOL's
// Constitution, which the reviewer confirms with the checkbox; a step that
// records why asks for the note.

import { h, $, fill, message } from './dom.js';
import { t } from './i18n.js';
import { messageView } from './exchange-view.js';

let ctx = null; // {read, call, codes, announce, problemText, link} from exchange.js

function noticeItem(n, current) {
  const type = (n.labels && n.labels.notice_type) || n.notice_type || '';
  return h('li', { class: 'x-item' },
    h('a', {
      href: ctx.link({ view: 'notices', notice: n.id }), 'data-notice-id': String(n.id), 'data-state': n.notice_state,
      'aria-current': String(n.id) === String(current) ? 'true' : 'false',
    },
    h('strong', { dir: 'auto', text: n.subject || t('x.notice.title', { id: n.id, type }) }),
    h('span', { text: `${type} · ${t(`x.nstate.${n.notice_state}`)}` })));
}

async function move(id, step) {
  message($('#err-notice'), '');
  const note = $('#n-note').value.trim();
  if (step.note_required && !note) {
    message($('#err-notice'), t('x.notice.needNote'));
    return;
  }
  if (step.neutrality_required && !$('#n-neutral').checked) {
    message($('#err-notice'), t('x.notice.needNeutral'));
    return;
  }
  const body = { to: step.to };
  if (note) body.note = note;
  if (step.neutrality_required) body.neutral = true;
  try {
    await ctx.call(`api/v1/exchange/notices/${encodeURIComponent(id)}/transitions`, { method: 'POST', body });
    ctx.announce(t('x.notice.moved', { id, state: t(`x.nstate.${step.to}`) }));
    await showNotices(ctx, id);
  } catch (err) {
    message($('#err-notice'), ctx.problemText(err));
  }
}

function showNotice(n) {
  $('#notice').hidden = false;
  const type = (n.labels && n.labels.notice_type) || n.notice_type || '';
  $('#notice-title').textContent = `${t('x.notice.title', { id: n.id, type })} · ${t(`x.nstate.${n.notice_state}`)}`;
  fill($('#notice-body'), ...messageView(ctx.codes, n, null));
  const steps = n.transitions || [];
  $('#notice-step').hidden = steps.length === 0;
  $('#n-note').value = '';
  $('#n-neutral').checked = false;
  $('#n-neutral-field').hidden = !steps.some((s) => s.neutrality_required);
  message($('#err-notice'), '');
  fill($('#notice-actions'), ...steps.map((s) => h('button', {
    type: 'button', class: s.to === 'published' || s.to === 'review' ? 'btn primary' : 'btn', 'data-to': s.to,
    text: t(`x.notice.to.${s.to}`), onclick: () => move(n.id, s),
  })));
  $('#notice-title').focus();
}

// The review list, and notice `current` (an id or null) open below it.
export async function showNotices(context, current) {
  ctx = context;
  document.title = `${t('x.notices.title')} — ${t('x.title')}`;
  if (!current) fill($('#notice-items')); // nothing stale shown while the list loads
  const [outbox, inbox] = await Promise.all([ctx.read('api/v1/exchange/outbox'), ctx.read('api/v1/exchange/inbox')]);
  const lines = [...outbox.items, ...inbox.items].filter((l) => l.type === 'notice');
  const notices = await Promise.all(lines.map((l) => ctx.read(`api/v1/exchange/notices/${l.id}`)));
  // What waits for a step first: in review, then drafts, then the rest.
  const order = { review: 0, draft: 1, published: 2, cancelled: 3, expired: 4 };
  notices.sort((a, b) => (order[a.notice_state] - order[b.notice_state]) || (b.id - a.id));
  fill($('#notice-items'), ...notices.map((n) => noticeItem(n, current)));
  $('#notices-summary').textContent = t('x.notices.count', { n: notices.length });
  let open = notices.find((n) => String(n.id) === String(current));
  if (!open && current) open = await ctx.read(`api/v1/exchange/notices/${encodeURIComponent(current)}`);
  if (open) showNotice(open);
  else {
    $('#notice').hidden = true;
    $('#notices-title').focus();
  }
}
