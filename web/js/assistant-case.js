// assistant-case.js - the assistant's panel over a whole exchange case (assistant.html?case=ID):
// the summary of the case's readable messages, each sentence citing its message; the timeline
// (received, sent, reply deadlines, deviations, dates in the text); the table of what was found
// and whether it was added to the case; and a question about the case, answered by the model
// with its sources (checked by the server) or by the passages themselves, labelled. Everything
// from the server goes in as text (dom.js's h()).

import { h, $ } from './dom.js';
import { t } from './i18n.js';
import { request } from './api.js';

function messageLink(id) {
  return h('a', { href: `assistant.html?message=${encodeURIComponent(id)}`, text: t('as.case.message', { id }) });
}

function showDigest(d) {
  $('#as-case-facts').textContent = t('as.case.facts', { readable: d.readable, messages: d.messages });
  $('#as-case-summary').replaceChildren(...d.summary.map((s) => h('li', { 'data-message-id': String(s.message_id) },
    h('span', { dir: 'auto', text: s.text }), ' — ', messageLink(s.message_id))));
  if (d.abstractive) {
    $('#as-case-abstractive-label').textContent = t('as.machineSummary', { model: d.abstractive.model || '' });
    $('#as-case-abstractive').textContent = d.abstractive.text;
  } else {
    $('#as-case-abstractive-label').textContent = t('as.noAbstractive');
    $('#as-case-abstractive').textContent = d.abstractive_note || '';
  }
  $('#as-timeline').replaceChildren(...d.timeline.map((e) => h('tr', { 'data-kind': e.kind },
    h('td', { text: e.when }),
    h('td', { text: t(`as.kind.${e.kind}`) }),
    h('td', { dir: 'auto', text: e.what }),
    h('td', {}, messageLink(e.message_id)))));
  $('#as-case-entities').replaceChildren(...d.entities.map((e) => h('tr', { 'data-type': e.type },
    h('td', { text: t(`as.type.${e.type}`) }),
    h('td', { class: 'as-value', dir: 'auto', text: e.value }),
    h('td', { text: String(e.count) }),
    h('td', {}, ...e.messages.flatMap((m, i) => (i ? [', ', messageLink(m)] : [messageLink(m)]))),
    h('td', { class: 'as-added', text: e.added ? t('as.case.added') : '—' }))));
}

function showAnswer(a) {
  $('#as-answer').hidden = false;
  $('#as-answer-label').textContent = a.answer
    ? t('as.ask.machine', { model: a.model ? `: ${a.model}` : '' }) : t('as.ask.extractive');
  $('#as-answer-text').textContent = a.answer || '';
  $('#as-answer-cites').replaceChildren(t('as.ask.cites', { list: '' }),
    ...a.citations.flatMap((m, i) => (i ? [', ', messageLink(m)] : [messageLink(m)])));
  $('#as-answer-passages').replaceChildren(...a.passages.map((p) => h('li', { 'data-message-id': String(p.message_id) },
    h('span', { dir: 'auto', text: p.text }), ' — ', messageLink(p.message_id))));
  $('#as-answer-note').textContent = a.note || '';
}

// Shows case id's digest and answers questions about it; post(path, body) sends with CSRF.
export async function showCase(id, post) {
  $('#as-case').hidden = false;
  $('#as-case-title').textContent = t('as.case.title', { id });
  showDigest(await request(`api/v1/assistant/cases/${encodeURIComponent(id)}`));
  $('#as-ask').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const question = $('#as-question').value.trim();
    const say = (text) => { $('#as-ask-status').textContent = text; };
    if (!question) {
      say(t('as.ask.empty'));
      return;
    }
    document.body.dataset.asked = 'false';
    say(t('as.ask.working'));
    try {
      showAnswer(await post(`api/v1/assistant/cases/${encodeURIComponent(id)}/ask`, { question }));
      say(t('as.ask.done'));
    } catch (err) {
      say(t('as.err.http', { message: err.message }));
    }
    document.body.dataset.asked = 'true';
  });
}
