// exchange-entities.js - the entities of a new message in the composer
// (exchange-compose.js): persons, travel or identity documents and vehicles,
// each with the fields the message's JSON form gives its kind
// (docs/exchange-message.schema.json). Coded fields (sex, nationality, document
// type and status, countries) are lists from the server's tables, so only what
// the rules know can be chosen; the server checks every field again and names
// a mistake by its JSON Pointer (/entities/N/field), which the composer shows.
// Each entity gets its reference e1, e2, ... in the order shown.

import { h, $, fill } from './dom.js';
import { t } from './i18n.js';

// The fields of each kind: [member, input kind, table or max length]. An empty
// optional field is left out of the message.
const KINDS = {
  person: [
    ['family', 'text', 127], ['given', 'text', 127], ['original', 'text', 127],
    ['birth_date', 'text', 10], ['sex', 'code', 'sex'], ['nationality', 'code', 'country'],
    ['birth_place', 'text', 127],
  ],
  document: [
    ['doc_type', 'code', 'document_type'], ['number', 'text', 95], ['country', 'code', 'country'],
    ['valid_until', 'date', 10], ['status', 'code', 'document_status'],
  ],
  vehicle: [
    ['vin', 'text', 17], ['plate', 'text', 95], ['plate_country', 'code', 'country'],
    ['make', 'text', 127], ['model', 'text', 127], ['colour', 'text', 127],
  ],
};

// Fields a kind requires (marked required; the server refuses the message without them).
const REQUIRED = { document: ['doc_type', 'number', 'country'] };

let codes = null;
let serial = 0; // ids of the inputs stay unique across entities removed and added

function field(kind, key, spec, n) {
  const [name, type, arg] = spec;
  const id = `ne-${n}-${name}`;
  const required = (REQUIRED[kind] || []).includes(name);
  let input;
  if (type === 'code') {
    const rows = codes.rows(arg).map((r) => h('option', { value: r.code, text: r.label }));
    // No choice made for the reader: an empty first choice, which a required field refuses.
    input = h('select', { id, 'data-member': name }, h('option', { value: '', text: '—' }), ...rows);
  } else {
    input = h('input', { id, type, 'data-member': name, autocomplete: 'off' });
    if (type === 'text') input.maxLength = arg;
  }
  if (required) input.required = true;
  return h('div', { class: 'field' },
    h('label', { htmlFor: id, text: t(`x.entity.${name}`) }), input);
}

function renumber() {
  document.querySelectorAll('#n-entities > fieldset').forEach((fs, i) => {
    fs.querySelector('legend').textContent = t('x.entity.legend', { n: i + 1, kind: t(`x.entity.kind.${fs.dataset.kind}`) });
  });
}

// Adds an empty entity of `kind` to the composer and focuses its first field.
export function addEntity(kind) {
  serial += 1;
  const n = serial;
  const remove = h('button', { type: 'button', class: 'btn', 'data-remove': String(n), text: t('x.entity.remove') });
  const fs = h('fieldset', { class: 'x-entity', 'data-kind': kind, id: `ne-${n}` },
    h('legend', {}),
    h('div', { class: 'row' }, ...KINDS[kind].map((spec) => field(kind, spec[0], spec, n))),
    remove);
  remove.addEventListener('click', () => {
    fs.remove();
    renumber();
    $('#n-add-person').focus();
  });
  $('#n-entities').append(fs);
  renumber();
  fs.querySelector('input, select').focus();
}

// The entities as the message's JSON form has them (refs e1, e2, ...).
export function entityValues() {
  return Array.from(document.querySelectorAll('#n-entities > fieldset')).map((fs, i) => {
    const e = { ref: `e${i + 1}`, kind: fs.dataset.kind };
    for (const input of fs.querySelectorAll('[data-member]')) {
      const v = input.value.trim();
      if (!v) continue;
      const name = input.dataset.member;
      if (name === 'nationality') e.nationalities = [v];
      else if (name === 'vin' || name === 'plate') e[name] = v.toUpperCase();
      else e[name] = v;
    }
    return e;
  });
}

// The composer's entity part, ready for the tables `c` (Codes of exchange-view.js).
export function setupEntities(c) {
  codes = c;
  renumber();
}

export function clearEntities() {
  fill($('#n-entities'));
}

export const ENTITY_KINDS = Object.keys(KINDS);
