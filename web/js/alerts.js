// alerts.js - the subscribe form of the public map (issue 19, docs/alerts.md): follow the map's
// current view (a bbox), a circle around the map's centre, a shape drawn corner by corner (a
// polygon: clicks on the map, or the map's centre added with a button, so the keyboard can draw
// too) or a police district, optionally some categories (none: every one), and
// get the Atom feed's link at once (no account), or give an e-mail address, which gets only a
// confirmation mail until its link is followed (double opt-in). The server owns every rule (the
// area's span, the categories, the address); the form only says what it answered, field by field.

import { $, h, fill, message } from './dom.js';
import { t, tn, pick } from './i18n.js';
import { ApiError } from './api.js';

const CATEGORIES_MAX = 16; // the server's TZ_ALERT_CATEGORIES_MAX
const SPAN_LAT = 1; // degrees a box may span (TZ_ALERT_SPAN_*)
const SPAN_LON = 2;
const RADIUS_MIN = 10; // metres (the server's circle bounds)
const RADIUS_MAX = 50000;
const POINTS_MIN = 3; // a polygon's corners
const POINTS_MAX = 64;

// The field of a problem's error pointer ("/area") on this form.
const FIELDS = { '/area': 'area', '/categories': 'categories', '/email': 'email' };

export class AlertsForm {
  // deps: { subscribe(body) -> answer, bounds() -> Leaflet LatLngBounds of the map's view,
  //         centre() -> { lat, lon }, preview(shape) draws { circle: [lat, lon, metres] } or
  //         { polygon: [[lat, lon], ...] } on the map (null: nothing) }
  constructor(root, catalog, districts, deps) {
    this.root = root;
    this.catalog = catalog;
    this.districts = (districts && districts.features) || [];
    this.deps = deps;
    this.points = []; // the polygon's corners, [lat, lon]
    $('#btn-a-point', root).addEventListener('click', () => {
      const c = deps.centre();
      this.addPoint(c.lat, c.lon);
    });
    $('#btn-a-undo', root).addEventListener('click', () => {
      this.points.pop();
      this.pointsChanged();
    });
    $('#a-radius', root).addEventListener('input', () => this.refreshPreview());
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
    this.points = [];
    this.pointsChanged();
  }

  by() {
    return this.form.querySelector('input[name="alerts-area"]:checked').value;
  }

  areaChanged() {
    const by = this.by();
    $('#a-district', this.root).disabled = by !== 'district';
    $('#a-circle', this.root).hidden = by !== 'circle';
    $('#a-polygon', this.root).hidden = by !== 'polygon';
    this.refreshPreview();
  }

  // A click on the map while the form is open: a corner, when a shape is being drawn.
  mapClicked(lat, lon) {
    if (this.by() === 'polygon') this.addPoint(lat, lon);
  }

  addPoint(lat, lon) {
    if (this.points.length >= POINTS_MAX) return;
    this.points.push([lat, lon]);
    this.pointsChanged();
  }

  pointsChanged() {
    message($('#a-points', this.root), this.points.length ? tn('alerts.points', this.points.length) : '');
    $('#btn-a-undo', this.root).disabled = !this.points.length;
    this.refreshPreview();
  }

  // What the map shows of the area being chosen (the circle, the corners) while the form is open;
  // nothing otherwise.
  refreshPreview() {
    const open = !this.root.hidden && !this.form.closest('.view').hidden;
    const by = this.by();
    const radius = Number($('#a-radius', this.root).value);
    let shape = null;
    if (open && by === 'circle' && radius >= RADIUS_MIN && radius <= RADIUS_MAX) {
      const c = this.deps.centre();
      shape = { circle: [c.lat, c.lon, radius] };
    } else if (open && by === 'polygon' && this.points.length) {
      shape = { polygon: this.points };
    }
    this.deps.preview(shape);
  }

  clearErrors() {
    for (const name of Object.values(FIELDS)) message($(`#err-a-${name}`, this.root), '');
    for (const el of this.form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  fieldError(name, text) {
    message($(`#err-a-${name}`, this.root), text);
    // The area's own control: the district list or the radius (a drawn shape has no field: its
    // button takes the focus instead, in focusError).
    const area = { district: '#a-district', circle: '#a-radius' }[this.by()];
    const input = { area, categories: '#a-categories', email: '#a-email' }[name];
    if (input) $(input, this.root).setAttribute('aria-invalid', 'true');
  }

  // The area's text (docs/alerts.md, "Areas"), or null with the area's error shown.
  area() {
    const by = this.by();
    const fixed = (v) => v.toFixed(5);
    if (by === 'district') {
      const id = $('#a-district', this.root).value;
      if (!id) this.fieldError('area', t('alerts.errDistrict'));
      return id ? `district:${id}` : null;
    }
    if (by === 'circle') {
      const radius = Number($('#a-radius', this.root).value);
      if (!Number.isInteger(radius) || radius < RADIUS_MIN || radius > RADIUS_MAX) {
        this.fieldError('area', t('alerts.errRadius'));
        return null;
      }
      const c = this.deps.centre();
      return `circle:${fixed(c.lon)},${fixed(c.lat)},${radius}`;
    }
    if (by === 'polygon') {
      const n = this.points.length;
      if (n < POINTS_MIN || n > POINTS_MAX) {
        this.fieldError('area', t('alerts.errPolygon'));
        return null;
      }
      const lats = this.points.map((p) => p[0]);
      const lons = this.points.map((p) => p[1]);
      if (Math.max(...lats) - Math.min(...lats) > SPAN_LAT || Math.max(...lons) - Math.min(...lons) > SPAN_LON) {
        this.fieldError('area', t('alerts.errPolygonBig'));
        return null;
      }
      return `polygon:${this.points.map((p) => `${fixed(p[1])} ${fixed(p[0])}`).join(',')}`;
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
    else if (this.by() === 'polygon' && $('#err-a-area', this.root).textContent) $('#btn-a-point', this.root).focus();
  }
}
