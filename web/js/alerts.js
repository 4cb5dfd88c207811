// alerts.js - the subscribe form of the public map (issue 19, docs/alerts.md): follow the map's
// current view (a bbox) or a police district, optionally some categories (none: every one), and
// get the Atom feed's link at once (no account), or give an e-mail address, which gets only a
// confirmation mail until its link is followed (double opt-in). The server owns every rule (the
// area's span, the categories, the address); the form only says what it answered, field by field.

import { $, h, fill, message } from './dom.js';
import { t, pick } from './i18n.js';
import { ApiError } from './api.js';

const CATEGORIES_MAX = 16; // the server's TZ_ALERT_CATEGORIES_MAX
const SPAN_LAT = 1; // degrees a box may span (TZ_ALERT_SPAN_*)
const SPAN_LON = 2;

// The field of a problem's error pointer ("/area") on this form.
const FIELDS = { '/area': 'area', '/categories': 'categories', '/email': 'email' };

export class AlertsForm {
  // deps: { subscribe(body) -> answer, bounds() -> Leaflet LatLngBounds of the map's view }
  constructor(root, catalog, districts, deps) {
    this.root = root;
    this.catalog = catalog;
    this.districts = (districts && districts.features) || [];
    this.deps = deps;
    this.form = $('#alerts-form', root);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    for (const radio of this.form.querySelectorAll('input[name="alerts-area"]')) {
      radio.addEventListener('change', () => this.areaChanged());
    }
  }

  // Labels and choices in the page's language (the selection is kept).
  render() {
    const chosen = new Set(Array.from($('#a-categories', this.root).selectedOptions, (o) => o.value));
    const cats = $('#a-categories', this.root);
    cats.replaceChildren();
    for (const g of this.catalog.groups) {
      const codes = this.catalog.filterable(g);
      if (!codes.length) continue;
      cats.append(h('optgroup', { label: pick(g.name) || g.code },
        codes.map((c) => {
          const o = h('option', { value: c.code }, pick(c.name) || c.code);
          o.selected = chosen.has(c.code);
          return o;
        })));
    }
    const district = $('#a-district', this.root);
    const keep = district.value;
    district.replaceChildren(h('option', { value: '' }, t('alerts.districtChoose')));
    for (const f of this.districts) {
      const id = f.id || (f.properties && f.properties.id);
      if (id) district.append(h('option', { value: id }, `${id} ${(f.properties && f.properties.name) || ''}`));
    }
    district.value = keep;
    this.areaChanged();
  }

  reset() {
    this.clearErrors();
    message($('#err-alerts', this.root), '');
    fill($('#alerts-result', this.root));
  }

  areaChanged() {
    const byDistrict = this.form.querySelector('input[name="alerts-area"]:checked').value === 'district';
    $('#a-district', this.root).disabled = !byDistrict;
  }

  clearErrors() {
    for (const name of Object.values(FIELDS)) message($(`#err-a-${name}`, this.root), '');
    for (const el of this.form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  fieldError(name, text) {
    message($(`#err-a-${name}`, this.root), text);
    const input = { area: '#a-district', categories: '#a-categories', email: '#a-email' }[name];
    if (name !== 'area' || !$(input, this.root).disabled) $(input, this.root).setAttribute('aria-invalid', 'true');
  }

  // The area's text (docs/alerts.md, "Areas"), or null with the area's error shown.
  area() {
    const by = this.form.querySelector('input[name="alerts-area"]:checked').value;
    if (by === 'district') {
      const id = $('#a-district', this.root).value;
      if (!id) this.fieldError('area', t('alerts.errDistrict'));
      return id ? `district:${id}` : null;
    }
    const b = this.deps.bounds();
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    const w = clamp(b.getWest(), -180, 180);
    const s = clamp(b.getSouth(), -90, 90);
    const e = clamp(b.getEast(), -180, 180);
    const n = clamp(b.getNorth(), -90, 90);
    if (n - s > SPAN_LAT || e - w > SPAN_LON) {
      this.fieldError('area', t('alerts.errTooBig'));
      return null;
    }
    return `bbox:${[w, s, e, n].map((v) => v.toFixed(5)).join(',')}`;
  }

  async submit() {
    this.clearErrors();
    message($('#err-alerts', this.root), '');
    fill($('#alerts-result', this.root));
    const area = this.area();
    const categories = Array.from($('#a-categories', this.root).selectedOptions, (o) => o.value);
    if (categories.length > CATEGORIES_MAX) this.fieldError('categories', t('alerts.errCategories', { n: CATEGORIES_MAX }));
    const email = $('#a-email', this.root).value.trim();
    if (!area || categories.length > CATEGORIES_MAX) return this.focusError();
    const body = { area, categories };
    if (email) body.email = email;
    const button = $('#btn-alerts-submit', this.root);
    button.disabled = true;
    try {
      this.done(await this.deps.subscribe(body), Boolean(email));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.refused(err);
    } finally {
      button.disabled = false;
    }
    return undefined;
  }

  done(answer, byMail) {
    const result = $('#alerts-result', this.root);
    if (byMail) {
      fill(result, h('p', { class: 'success' }, t('alerts.confirmSent')));
    } else {
      // The API answers an absolute path; the page may live under a sub-path behind a proxy.
      const href = new URL(String(answer.feed || '').replace(/^\//, ''), document.baseURI).href;
      fill(result, h('p', { class: 'success' }, t('alerts.feedReady')),
        h('p', {}, h('a', { id: 'alerts-feed-link', href, type: 'application/atom+xml' }, t('alerts.feedLink'))),
        h('label', { for: 'alerts-feed-url' }, t('alerts.feedUrl')),
        h('input', { id: 'alerts-feed-url', type: 'text', readonly: true, value: href }));
    }
    result.focus();
  }

  refused(err) {
    let shown = false;
    for (const e of err.fields) {
      const name = FIELDS[e.pointer || e.field || ''];
      if (name) {
        this.fieldError(name, t(`alerts.err.${name}`, { detail: e.detail || e.message || '' }));
        shown = true;
      }
    }
    if (!shown) {
      const key = { 429: 'error.tooMany', 0: 'error.network' }[err.status];
      message($('#err-alerts', this.root), key ? t(key) : t('error.generic', { detail: err.message }));
    }
    this.focusError();
  }

  focusError() {
    const invalid = this.form.querySelector('[aria-invalid="true"]');
    if (invalid) invalid.focus();
  }
}
