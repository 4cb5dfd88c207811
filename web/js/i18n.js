// i18n.js - the page's words: one table per language (../i18n/pl.js, en.js),
// Polish by default. Category and district names are data and come from the
// API with both languages; every other visible string comes from the tables.

import pl from '../i18n/pl.js';
import en from '../i18n/en.js';

const TABLES = { pl, en };
const LOCALES = { pl: 'pl-PL', en: 'en-GB' };
export const LANGS = Object.keys(TABLES);

let current = 'pl';

export function lang() {
  return current;
}

export function locale() {
  return LOCALES[current];
}

export function setLang(code) {
  current = TABLES[code] ? code : 'pl';
  document.documentElement.lang = current;
}

// t('report.count', {n: 3, max: 1000}) fills {n} and {max}.
export function t(key, vars) {
  const text = TABLES[current][key] ?? TABLES.pl[key];
  if (text === undefined) {
    console.warn(`i18n: no string for ${key}`);
    return key;
  }
  return vars ? text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m)) : text;
}

// Plural forms by the language's rules: key.one, key.few, key.many, key.other.
export function tn(key, n, vars = {}) {
  const form = new Intl.PluralRules(locale()).select(n);
  const table = TABLES[current];
  const full = `${key}.${form}` in table ? `${key}.${form}` : `${key}.other`;
  return t(full, { n: formatNumber(n), ...vars });
}

// A {pl, en} name from the API in the current language.
export function pick(names) {
  if (!names) return '';
  return names[current] || names.pl || '';
}

export function formatNumber(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

// A short count for map symbols: 950, 1.2k, 12k.
export function formatShort(n) {
  if (n < 1000) return String(n);
  const k = n < 10000 ? (Math.round(n / 100) / 10).toLocaleString(locale()) : String(Math.round(n / 1000));
  return t('num.thousands', { n: k });
}

// An RFC 3339 time as Polish local time (the service's clock), in the current language.
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Warsaw',
  }).format(date);
}

export function formatDate(isoDate) {
  const date = new Date(`${isoDate}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

// Puts the current language's strings into the static page: data-i18n is
// the text, data-i18n-aria-label, data-i18n-title, data-i18n-placeholder the
// attributes of the same name.
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const attr of ['aria-label', 'title', 'placeholder']) {
    const data = `data-i18n-${attr}`;
    for (const el of root.querySelectorAll(`[${data}]`)) el.setAttribute(attr, t(el.getAttribute(data)));
  }
}
