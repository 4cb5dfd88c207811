// state.js - the view as the URL's fragment, so that a view can be shared and
// reloaded: #c=LAT,LON&z=ZOOM&g=GROUPS&cat=CATEGORIES&st=STATUSES&d=PERIOD
// &from=DATE&to=DATE&mode=hex&lang=en. What is at its default is left out.
// The fragment never reaches the server (nor its logs), which also suits the
// tracking link: #track=ID&token=TOKEN.

// The statuses the public may see, in workflow order (rejected never is).
export const STATUSES = ['new', 'verifying', 'confirmed', 'not_confirmed', 'eliminated', 'referred'];
export const PERIODS = ['all', '7', '30', '365', 'custom'];
export const MODES = ['clusters', 'hex'];
export const LANGS = ['pl', 'en'];

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function defaultState() {
  return {
    lat: null, lon: null, zoom: null,
    cats: null,      // Set of category codes shown, or null for all
    statuses: null,  // Set of status codes shown, or null for all
    period: 'all', from: '', to: '',
    mode: 'clusters',
    lang: 'pl',
  };
}

function number(value, min, max) {
  if (value === null || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= min && n <= max ? n : null;
}

function list(value) {
  return value === null ? null : value.split(',').filter(Boolean);
}

// Reads a fragment; what is unknown or out of range is ignored. The catalog
// (categories.js) knows which codes exist.
export function parseHash(hash, catalog) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const s = defaultState();
  const centre = (p.get('c') || '').split(',');
  const lat = number(centre[0] ?? null, -90, 90);
  const lon = number(centre[1] ?? null, -180, 180);
  const zoom = number(p.get('z'), 0, 20);
  if (lat !== null && lon !== null && zoom !== null) Object.assign(s, { lat, lon, zoom });
  if (p.has('g') || p.has('cat')) {
    s.cats = new Set();
    for (const g of list(p.get('g')) || []) catalog.groupCodes(g).forEach((c) => s.cats.add(c));
    for (const c of list(p.get('cat')) || []) if (catalog.category(c)) s.cats.add(c);
  }
  if (p.has('st')) s.statuses = new Set(list(p.get('st')).filter((x) => STATUSES.includes(x)));
  const period = p.get('d');
  if (PERIODS.includes(period)) s.period = period;
  if (s.period === 'custom') {
    s.from = DATE_RE.test(p.get('from') || '') ? p.get('from') : '';
    s.to = DATE_RE.test(p.get('to') || '') ? p.get('to') : '';
  }
  if (MODES.includes(p.get('mode'))) s.mode = p.get('mode');
  if (LANGS.includes(p.get('lang'))) s.lang = p.get('lang');
  return s;
}

// The tracking request of a fragment (#track=ID&token=T), or null.
export function parseTrack(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  return p.has('track') ? { id: p.get('track') || '', token: p.get('token') || '' } : null;
}

export function toHash(s, catalog) {
  const p = new URLSearchParams();
  if (s.lat !== null) {
    p.set('c', `${s.lat.toFixed(5)},${s.lon.toFixed(5)}`);
    p.set('z', String(Math.round(s.zoom * 100) / 100));
  }
  if (s.cats) {
    const { groups, categories } = catalog.compress(s.cats);
    p.set('g', groups.join(','));
    p.set('cat', categories.join(','));
  }
  if (s.statuses) p.set('st', STATUSES.filter((x) => s.statuses.has(x)).join(','));
  if (s.period !== 'all') p.set('d', s.period);
  if (s.period === 'custom') {
    if (s.from) p.set('from', s.from);
    if (s.to) p.set('to', s.to);
  }
  if (s.mode !== 'clusters') p.set('mode', s.mode);
  if (s.lang !== 'pl') p.set('lang', s.lang);
  return p.toString().replace(/%2C/g, ',');
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

// The API's from/to (received_at in [from, to)) for the state's period.
// Dates are Polish midnights on the server; a custom "to" is inclusive for
// people, so the day after it is sent.
export function periodRange(s, now = new Date()) {
  if (s.period === 'custom') {
    const range = {};
    if (s.from) range.from = s.from;
    if (s.to) {
      const next = new Date(`${s.to}T12:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      range.to = isoDay(next);
    }
    return range;
  }
  if (s.period === 'all') return {};
  const from = new Date(now.getTime() - Number(s.period) * 86400000);
  return { from: from.toISOString().replace(/\.\d{3}Z$/, 'Z') };
}
