// exchange-conclude.js - concluding a case from its page (Art. 16 of Directive
// (EU) 2023/977, docs/exchange.md "Retention"): the SPOC's operator of the unit
// that owns the case, or the SPOC's supervisor, records that the case's exchange
// has ended (POST api/v1/exchange/cases/{id}/conclusion {"reasons"}), after a
// dialog that names the case and says that it then takes no new message. The
// page then shows the date by which its personal data is reviewed, as the server
// answered it. A case concluded already shows that and its review's date (its
// line of the retention queue); other readers see neither.

import { $, message } from './dom.js';
import { t, formatTime } from './i18n.js';

let ctx = null; // {read, call, announce, problemText, account} from exchange.js
let current = null; // {id, subject} of the case shown
let wired = false;

// The unit that owns a case here (as the server decides): the sender of its first
// message, or for a case a partner opened, the unit that message addressed.
function ownerUnit(first) {
  if (first.direction === 'in') return ((first.addressees || [])[0] || {}).unit;
  return first.originator && first.originator.unit;
}

function mayConclude(first) {
  const { role, unit } = ctx.account;
  return role === 'spoc_supervisor' || (role === 'spoc_operator' && ownerUnit(first) === unit);
}

function showState(r) {
  $('#conclude-form').hidden = true;
  const text = r.state === 'deleted'
    ? t('x.conclude.deleted', { at: formatTime(r.concluded_at) })
    : t('x.conclude.state', { at: formatTime(r.concluded_at), by: r.concluded_by, due: formatTime(r.review_due) });
  $('#conclude-state').textContent = text;
}

async function conclude() {
  const reasons = $('#k-reasons').value.trim();
  try {
    const r = await ctx.call(`api/v1/exchange/cases/${encodeURIComponent(current.id)}/conclusion`, {
      method: 'POST', body: reasons ? { reasons } : {},
    });
    showState(r);
    ctx.announce(t('x.conclude.done', { id: current.id, due: formatTime(r.review_due) }));
    $('#conclude-title').focus();
  } catch (err) {
    message($('#err-conclude'), ctx.problemText(err));
  }
}

function wire() {
  if (wired) return;
  wired = true;
  $('#conclude-form').addEventListener('submit', (event) => {
    event.preventDefault();
    message($('#err-conclude'), '');
    $('#k-confirm-text').textContent = t('x.conclude.confirm', { id: current.id, subject: current.subject || '' });
    $('#k-confirm').showModal();
  });
  $('#k-confirm-form').addEventListener('submit', () => {
    conclude();
  });
  $('#k-confirm-no').addEventListener('click', () => {
    $('#k-confirm').close();
    $('#k-send').focus();
  });
}

// The conclusion part of case `id` whose first message's view is `first`.
export async function showConclusion(context, id, subject, first) {
  ctx = context;
  current = { id, subject };
  const part = $('#conclude');
  part.hidden = true;
  if (!first || !mayConclude(first)) return;
  wire();
  message($('#err-conclude'), '');
  $('#k-reasons').value = '';
  $('#conclude-form').hidden = false;
  $('#conclude-state').textContent = t('x.conclude.hint');
  const { items } = await ctx.read('api/v1/exchange/retention');
  const done = items.find((i) => String(i.case) === String(id));
  if (done) showState(done);
  part.hidden = false;
}
