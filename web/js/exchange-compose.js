// exchange-compose.js - the composer of a NEW message of the exchange pages: a
// request or information on own initiative, which opens a case (POST
// api/v1/exchange/cases). It offers only what the rules allow: those two types,
// an urgency only for a request (Art. 5's table), handling codes and the
// evaluation from the server's tables, H3's restriction only with H3; and
// Art. 4's copy: a request that a unit other than the national SPOC sends abroad
// copies the SPOC (ticked, and the copy is sent), unless one of the exceptions
// of the art4_exception table is recorded with reasons. The message goes from
// this node (the codes document says which) and the reader's unit. Persons,
// documents and vehicles go with it as its entities (exchange-entities.js). The
// server checks all of it again; its problem is shown field by field.

import { h, $, fill, message } from './dom.js';
import { t } from './i18n.js';
import { addEntity, entityValues, setupEntities, clearEntities, ENTITY_KINDS } from './exchange-entities.js';

let ctx = null; // {call, codes, announce, problemText, link, account} from exchange.js
let wired = false;

function options(select, rows, chosen) {
  fill(select, ...rows.map((r) => h('option', { value: r.code, text: r.label })));
  if (chosen) select.value = chosen;
}

// Whether Art. 4's copy applies: a request, from a unit other than the SPOC, going abroad.
function art4Applies() {
  const { codes, account } = ctx;
  const node = $('#n-node').value.trim().toUpperCase();
  return $('#n-type').value === 'request' && account.unit !== codes.spocUnit && node !== '' && node !== codes.node;
}

function refresh() {
  const request = $('#n-type').value === 'request';
  $('#n-urgency-field').hidden = !request;
  $('#n-restriction-field').hidden = $('#n-handling').value !== 'H3';
  $('#n-art4').hidden = !art4Applies();
  $('#n-exception').hidden = $('#n-art4').hidden || $('#n-copy').checked;
}

function body() {
  const { codes, account } = ctx;
  const b = {
    type: $('#n-type').value,
    subject: $('#n-subject').value.trim(),
    originator: { node: codes.node, unit: account.unit, officer: account.name },
    addressees: [{ node: $('#n-node').value.trim().toUpperCase(), unit: $('#n-unit').value.trim() }],
    lang: $('#n-lang').value.trim(),
    handling: $('#n-handling').value,
    evaluation: { source: $('#n-source').value, information: $('#n-info').value },
  };
  const crime = $('#n-crime').value.trim();
  if (crime) b.crime_area = crime;
  if (b.type === 'request') b.urgency = $('#n-urgency').value;
  if (b.handling === 'H3') b.restriction = $('#n-restriction').value.trim();
  const text = $('#n-text').value.trim();
  if (text) b.text = text;
  const entities = entityValues();
  if (entities.length) b.entities = entities;
  if (art4Applies()) {
    if ($('#n-copy').checked) b.addressees.push({ node: codes.node, unit: codes.spocUnit, cc: true });
    else {
      b.art4_exception = $('#n-exc').value;
      b.art4_reasons = $('#n-exc-reasons').value.trim();
    }
  }
  return b;
}

async function onSend(event) {
  event.preventDefault();
  message($('#err-new'), '');
  const b = body();
  if (!b.subject || !b.addressees[0].node || !b.addressees[0].unit || !b.lang) {
    message($('#err-new'), t('x.new.needFields'));
    return;
  }
  if (b.art4_exception !== undefined && !b.art4_reasons) {
    message($('#err-new'), t('x.new.needException'));
    return;
  }
  try {
    const receipt = await ctx.call('api/v1/exchange/cases', { method: 'POST', body: b });
    $('#new-form').reset();
    clearEntities();
    ctx.announce(t('x.new.done', { id: receipt.case }));
    location.hash = ctx.link({ case: receipt.case }).slice(1);
  } catch (err) {
    message($('#err-new'), ctx.problemText(err));
  }
}

export function showComposer(context) {
  ctx = context;
  const { codes, account } = ctx;
  document.title = `${t('x.new.title')} — ${t('x.title')}`;
  if (!wired) {
    wired = true;
    $('#new-form').addEventListener('submit', onSend);
    for (const id of ['#n-type', '#n-handling', '#n-copy', '#n-node']) {
      $(id).addEventListener(id === '#n-node' ? 'input' : 'change', refresh);
    }
    for (const kind of ENTITY_KINDS) $(`#n-add-${kind}`).addEventListener('click', () => addEntity(kind));
  }
  const kept = $('#n-type').value;
  options($('#n-type'), codes.rows('message_type').filter((r) => r.code === 'request' || r.code === 'information'), kept || 'request');
  options($('#n-urgency'), codes.rows('urgency'), $('#n-urgency').value || 'normal');
  options($('#n-handling'), codes.rows('handling_code'), $('#n-handling').value || 'H0');
  options($('#n-source'), codes.rows('source_evaluation'), $('#n-source').value || 'A');
  options($('#n-info'), codes.rows('information_evaluation'), $('#n-info').value || '1');
  options($('#n-exc'), codes.rows('art4_exception'), $('#n-exc').value);
  $('#n-from').textContent = t('x.new.from', { from: `${codes.node} / ${account.unit}`, officer: account.name });
  $('#n-copy-label').textContent = t('x.new.copy', { spoc: `${codes.node} / ${codes.spocUnit}` });
  setupEntities(codes);
  message($('#err-new'), '');
  refresh();
  $('#new-title').focus();
}
