// exchange-view.js - how the exchange pages (exchange.html) show a message:
// the markings its handling code binds (H1 "not for judicial use", H2, H3
// with its text) first, its coded fields by the labels of the server's
// tables in the reader's language (GET api/v1/exchange/codes), its free text
// with its own language tag, its entities and the links between them, and
// the cross-check hits. Every value goes in as text (dom.js's h).

import { h } from './dom.js';
import { t, formatTime } from './i18n.js';

// The coded tables of the reader's language: codes.label('handling_code', 'H1').
export class Codes {
  constructor(doc) {
    this.tables = (doc && doc.tables) || {};
    this.lang = (doc && doc.lang) || null; // the language of the labels
    this.node = (doc && doc.node) || ''; // this node ("PL")
    this.spocUnit = (doc && doc.spoc_unit) || ''; // its national SPOC's unit
  }

  rows(table) {
    return this.tables[table] || [];
  }

  label(table, code) {
    const row = this.rows(table).find((r) => r.code === code);
    return row ? row.label : code;
  }
}

// The marking each handling code binds (what a line of a box shows; the message's view carries
// its own, with H3's text).
const MARKING_OF = { H1: 'not_judicial', H2: 'no_pass_on', H3: 'restricted' };

// The markings as the server sent them with a message ({code, label, text}).
export function markings(list) {
  if (!list || !list.length) return null;
  return h('ul', { class: 'x-markings', 'aria-label': t('x.markings') }, ...list.map((m) => h('li', {
    class: `x-marking x-marking-${m.code}`, 'data-marking': m.code,
  }, h('strong', { text: m.label }), m.text ? h('span', { text: `: ${m.text}`, dir: 'auto' }) : null)));
}

// The marking of a box's line, from its handling code alone.
export function lineMarking(codes, handling) {
  const code = MARKING_OF[handling];
  return code ? markings([{ code, label: codes.label('marking', code) }]) : null;
}

// A span of milliseconds as days and hours, hours and minutes, or minutes.
function span(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  const d = Math.floor(minutes / 1440);
  const hh = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d) return t('x.span.dh', { d, h: hh });
  if (hh) return t('x.span.hm', { h: hh, m });
  return t('x.span.m', { m });
}

// Where a request's deadline stands: overdue (by how long), time left, stopped, or answered.
export function deadline(item, now = Date.now()) {
  if (!item.due) return null;
  const due = new Date(item.due).getTime();
  const when = formatTime(item.due);
  let text;
  if (item.state === 'paused') text = t('x.due.paused', { due: when });
  else if (item.state === 'answered' || item.state === 'refused') text = t(`x.due.${item.state}`, { due: when });
  else if (item.overdue) text = t('x.due.overdue', { by: span(now - due), due: when });
  else text = t('x.due.left', { left: span(due - now), due: when });
  return h('span', { class: `x-due${item.overdue ? ' overdue' : ''}`, 'data-overdue': item.overdue ? 'true' : 'false', text });
}

// The coded fields of entities, by the table that labels them.
const CODED = {
  sex: 'sex', doc_type: 'document_type', status: 'document_status', asset_kind: 'asset_kind',
  comm_kind: 'communication_kind', country: 'country', plate_country: 'country', nationalities: 'country',
};

function fieldValue(codes, name, value) {
  const one = (v) => (CODED[name] ? codes.label(CODED[name], v) : String(v));
  return Array.isArray(value) ? value.map(one).join(', ') : one(value);
}

// A few words that name an entity in a link or a hit.
export function entityName(e) {
  if (!e) return '';
  const person = [e.given, e.family].filter(Boolean).join(' ');
  return person || e.number || e.plate || e.vin || e.address || e.name || e.identifier || e.value || e.ref;
}

function entity(codes, e) {
  const facts = [];
  for (const [name, value] of Object.entries(e)) {
    if (name === 'ref' || name === 'kind' || value === '' || value === null) continue;
    facts.push(h('dt', { text: t(`x.ent.${name}`) }), h('dd', { dir: 'auto', text: fieldValue(codes, name, value) }));
  }
  return h('li', { class: 'x-entity', 'data-ref': e.ref },
    h('strong', { text: `${codes.label('entity_kind', e.kind)} (${e.ref})` }),
    h('dl', { class: 'facts' }, ...facts));
}

function links(codes, msg) {
  const byRef = new Map((msg.entities || []).map((e) => [e.ref, e]));
  return (msg.links || []).map((l) => h('li', {
    text: `${entityName(byRef.get(l.from)) || l.from} — ${codes.label('link_role', l.role)} — ${entityName(byRef.get(l.to)) || l.to}`,
  }));
}

// The hits of the cross-check ({entity, key, message, case}) beside the message's entities.
function hits(msg, list) {
  const entities = msg.entities || [];
  return list.map((hit) => h('li', { class: 'x-hit', 'data-key': hit.key },
    t('x.hit', { entity: entityName(entities[hit.entity]), key: hit.key, message: hit.message }), ' ',
    h('a', { href: `#case=${encodeURIComponent(hit.case)}`, text: t('x.hit.case', { id: hit.case }) })));
}

function fact(term, value) {
  return value ? [h('dt', { text: term }), h('dd', { dir: 'auto', text: value })] : [];
}

// One message as its view (GET api/v1/exchange/messages/{id}) says it, with its hits (or null).
export function messageView(codes, v, hitList) {
  const labels = v.labels || {};
  const from = [v.originator.node, v.originator.unit, v.originator.officer].filter(Boolean).join(' / ');
  const to = (v.addressees || []).map((a) => `${a.node}${a.unit ? ` / ${a.unit}` : ''}${a.cc ? ` (${t('x.cc')})` : ''}`).join(', ');
  const grounds = (labels.grounds || []).join('; ');
  const evaluation = [labels.source, labels.information].filter(Boolean).join(' · ');
  return [
    markings(v.markings),
    h('dl', { class: 'facts' },
      ...fact(t('x.field.type'), labels.type || v.type),
      ...fact(t('x.field.from'), from),
      ...fact(t('x.field.to'), to),
      ...fact(t('x.field.at'), formatTime(v.at)),
      ...fact(t('x.field.handling'), labels.handling),
      ...fact(t('x.field.evaluation'), evaluation),
      ...fact(t('x.field.urgency'), labels.urgency),
      ...fact(t('x.field.notice'), labels.notice_type),
      ...fact(t('x.field.grounds'), grounds),
      ...fact(t('x.field.delay'), v.delay_hours ? t('x.field.delayHours', { n: v.delay_hours }) : ''),
      ...fact(t('x.field.reasons'), v.reasons),
      ...fact(t('x.field.art4'), labels.art4_exception ? `${labels.art4_exception}: ${v.art4_reasons || ''}` : ''),
      ...fact(t('x.field.lang'), v.lang)),
    v.text ? h('p', { class: 'x-text', lang: v.lang, dir: 'auto', text: v.text }) : null,
    v.entities && v.entities.length ? [
      h('h4', { text: t('x.entities') }),
      h('ul', { class: 'x-entities' }, ...v.entities.map((e) => entity(codes, e)))] : null,
    v.links && v.links.length ? [
      h('h4', { text: t('x.links') }),
      h('ul', { class: 'x-links' }, ...links(codes, v))] : null,
    hitList && hitList.length ? [
      h('h4', { text: t('x.hits') }),
      h('ul', { class: 'x-hits' }, ...hits(v, hitList))] : null,
  ];
}
