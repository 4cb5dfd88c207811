// report.js - "Report a threat": a point (a click on the map, the map's
// centre, or the device's location), a category from grouped lists and an
// optional description, sent as POST /api/v1/reports. The API's field errors
// (RFC 9457 "errors", JSON Pointers) are shown next to their fields.

import { h, fill, message } from './dom.js';
import { t, pick, formatTime, formatNumber } from './i18n.js';
import { keep } from './outbox.js';
import { api, ApiError, newIdempotencyKey } from './api.js';

export const DESCRIPTION_MAX = 1000;
// Photos (docs/photos.md): at most 3 of at most 5 MB each, sent in base64 inside the JSON body.
export const PHOTOS_MAX = 3;
export const PHOTO_BYTES_MAX = 5 * 1024 * 1024;
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

// The form's error slot of an API field (lat and lon are the point picker's).
const FIELD_SLOTS = {
  '/category': 'err-category',
  '/description': 'err-description',
  '/lat': 'err-point',
  '/lon': 'err-point',
  '/when': 'err-when',
  '/when/date': 'err-when',
  '/when/times': 'err-when',
  '/when/weekdays': 'err-when',
  '/photos': 'err-photos',
  '/photos/0': 'err-photos',
  '/photos/1': 'err-photos',
  '/photos/2': 'err-photos',
};
const FIELD_INPUTS = {
  'err-category': 'r-category', 'err-description': 'r-description', 'err-point': 'btn-centre', 'err-when': 'r-when-date',
  'err-photos': 'r-photos',
};
const ERROR_SLOTS = ['err-point', 'err-category', 'err-description', 'err-when', 'err-photos', 'err-report'];

// A file's bytes as standard base64 (what POST /api/v1/reports takes in "photos").
function base64Of(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// The API's messages are English; the usual ones have their own strings here.
function localise(f) {
  if ((f.field === '/lat' || f.field === '/lon') && /district/i.test(f.message)) return t('report.errOutside');
  if (f.field === '/description' && /^required/i.test(f.message)) return t('report.errDescriptionRequired');
  return f.message;
}

export class ReportForm {
  // hooks: { pickMarker, centre() -> {lat, lon}, flyTo(lat, lon), submitted(answer, link), track(id, token) }
  constructor(root, catalog, hooks) {
    this.root = root;
    this.catalog = catalog;
    this.hooks = hooks;
    this.point = null;
    this.answer = null;
    this.busy = false;
    this.form = root.querySelector('#report-form');
    this.category = root.querySelector('#r-category');
    this.description = root.querySelector('#r-description');
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.description.addEventListener('input', () => this.count());
    this.photos = root.querySelector('#r-photos');
    this.photos.addEventListener('change', () => {
      this.clearError('err-photos');
      const n = this.photos.files.length;
      root.querySelector('#photos-chosen').textContent = n ? t('report.photosChosen', { n, max: PHOTOS_MAX }) : '';
    });
    this.category.addEventListener('change', () => {
      this.clearError('err-category');
      this.describe();
    });
    root.querySelector('#btn-locate').addEventListener('click', () => this.locate());
    root.querySelector('#btn-centre').addEventListener('click', () => {
      const c = this.hooks.centre();
      this.setPoint(c.lat, c.lon);
    });
    this.address = root.querySelector('#r-address');
    this.addressList = root.querySelector('#address-list');
    this.address.addEventListener('input', () => this.searchSoon());
    root.querySelector('#btn-copy').addEventListener('click', () => this.copy());
    root.querySelector('#btn-done-track').addEventListener('click', () => {
      if (this.answer) this.hooks.track(this.answer.id, this.answer.token);
    });
  }

  // Fills the parts that depend on the language (after a switch too).
  render() {
    const chosen = this.category.value;
    const groups = this.catalog.groups.filter((g) => this.catalog.reportable(g).length);
    fill(this.category, h('option', { value: '' }, t('report.chooseCategory')),
      groups.map((g) => h('optgroup', { label: pick(g.name) },
        this.catalog.reportable(g).map((c) => h('option', { value: c.code }, pick(c.name))))));
    this.category.value = chosen;
    this.describe();
    this.count();
    this.showPoint();
    if (this.answer) this.renderAnswer();
  }

  reset() {
    this.form.reset();
    this.showAddresses([]);
    this.point = null;
    this.answer = null;
    for (const id of ERROR_SLOTS) this.clearError(id);
    this.render();
  }

  setPoint(lat, lon) {
    this.point = { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
    this.clearError('err-point');
    this.hooks.pickMarker.set(this.point.lat, this.point.lon);
    this.showPoint();
  }

  showPoint() {
    const el = this.root.querySelector('#point-value');
    el.textContent = this.point
      ? t('report.pointChosen', { lat: this.point.lat.toFixed(5), lon: this.point.lon.toFixed(5) })
      : t('report.pointNone');
    el.classList.toggle('muted', !this.point);
  }

  // The address search: GET /api/v1/addresses as the citizen types (from 3 characters, after a
  // pause, the previous request cancelled); choosing a hit moves the pin there.
  searchSoon() {
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.searchAddresses(), 250);
  }

  async searchAddresses() {
    const q = this.address.value.trim();
    if (this.searchAbort) this.searchAbort.abort();
    if ([...q].length < 3) {
      this.showAddresses([]);
      return;
    }
    this.searchAbort = new AbortController();
    try {
      const answer = await api.addresses(q, this.searchAbort.signal);
      this.showAddresses(answer.addresses);
    } catch (e) {
      if (e.name !== 'AbortError') this.showAddresses([]);
    }
  }

  showAddresses(hits) {
    fill(this.addressList, hits.map((a) => {
      const label = `${a.street || a.locality} ${a.number}${a.street ? `, ${a.locality}` : ''}`;
      const button = h('button', { type: 'button', class: 'address-hit' }, label);
      button.addEventListener('click', () => {
        this.address.value = label;
        this.showAddresses([]);
        this.setPoint(a.lat, a.lon);
        this.hooks.flyTo(a.lat, a.lon);
      });
      return h('li', { role: 'option' }, button);
    }));
    this.addressList.hidden = hits.length === 0;
    this.address.setAttribute('aria-expanded', String(hits.length > 0));
  }

  locate() {
    if (!navigator.geolocation) {
      this.showError('err-point', t('report.locateUnsupported'));
      return;
    }
    message(this.root.querySelector('#point-value'), t('report.locating'));
    navigator.geolocation.getCurrentPosition((pos) => {
      this.setPoint(pos.coords.latitude, pos.coords.longitude);
      this.hooks.flyTo(this.point.lat, this.point.lon);
    }, (err) => {
      this.showPoint();
      const key = err.code === 1 ? 'report.locateDenied' : err.code === 3 ? 'report.locateTimeout' : 'report.locateFailed';
      this.showError('err-point', t(key));
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  // Whether the chosen category needs a description, said beside the field.
  describe() {
    const c = this.catalog.category(this.category.value);
    const required = Boolean(c && c.description_required);
    this.description.required = required;
    this.root.querySelector('#desc-hint').textContent = t(required ? 'report.descriptionRequired' : 'report.descriptionOptional');
  }

  count() {
    const n = [...this.description.value].length;
    const el = this.root.querySelector('#desc-count');
    el.textContent = t('report.count', { n: formatNumber(n), max: formatNumber(DESCRIPTION_MAX) });
    el.classList.toggle('near-limit', n > DESCRIPTION_MAX * 0.9);
  }

  showError(slot, text) {
    const el = this.root.querySelector(`#${slot}`);
    message(el, text);
    const input = this.inputOf(slot);
    if (input && input.tagName !== 'BUTTON') input.setAttribute('aria-invalid', 'true');
  }

  clearError(slot) {
    message(this.root.querySelector(`#${slot}`), '');
    const input = this.inputOf(slot);
    if (input) input.removeAttribute('aria-invalid');
  }

  // The control an error slot is about (the point's is the "use the map centre" button).
  inputOf(slot) {
    return FIELD_INPUTS[slot] ? this.root.querySelector(`#${FIELD_INPUTS[slot]}`) : null;
  }

  // The checks the page can make itself; the server makes them all again.
  check() {
    const errors = [];
    if (!this.point) errors.push(['err-point', t('report.errPoint')]);
    if (!this.category.value) errors.push(['err-category', t('report.errCategory')]);
    const text = this.description.value.trim();
    if (this.description.required && !text) errors.push(['err-description', t('report.errDescriptionRequired')]);
    if ([...text].length > DESCRIPTION_MAX) errors.push(['err-description', t('report.errDescriptionLong', { max: DESCRIPTION_MAX })]);
    const files = [...this.photos.files];
    if (files.length > PHOTOS_MAX) errors.push(['err-photos', t('report.errPhotosMany', { max: PHOTOS_MAX })]);
    else if (files.some((f) => f.size > PHOTO_BYTES_MAX)) errors.push(['err-photos', t('report.errPhotoBig')]);
    else if (files.some((f) => !PHOTO_TYPES.includes(f.type))) errors.push(['err-photos', t('report.errPhotoType')]);
    return errors;
  }

  focusFirstError() {
    const first = ERROR_SLOTS.find((id) => !this.root.querySelector(`#${id}`).hidden);
    const target = first ? this.inputOf(first) : null;
    if (target) target.focus();
  }

  async submit() {
    if (this.busy) return;
    for (const id of ERROR_SLOTS) this.clearError(id);
    const errors = this.check();
    if (errors.length) {
      for (const [slot, text] of errors) this.showError(slot, text);
      this.focusFirstError();
      return;
    }
    const body = { category: this.category.value, lat: this.point.lat, lon: this.point.lon };
    const text = this.description.value.trim();
    if (text) body.description = text;
    const when = this.when();
    if (when) body.when = when;
    const key = newIdempotencyKey(); // the same if the outbox must send it again
    this.setBusy(true);
    try {
      if (this.photos.files.length) body.photos = await Promise.all([...this.photos.files].map(base64Of));
      this.answer = await api.submit(body, key);
      this.renderAnswer();
      this.hooks.submitted(this.answer, this.point);
    } catch (err) {
      if (err instanceof ApiError && !err.status && await this.keepOffline(body, key)) return;
      this.showApiError(err);
    } finally {
      this.setBusy(false);
    }
  }

  // No network: the report waits on this device (js/outbox.js) and goes out once it returns.
  async keepOffline(body, key) {
    try {
      await keep(body, key);
    } catch {
      return false; // no IndexedDB (a private window): the network error is shown instead
    }
    this.form.reset();
    this.point = null;
    this.showPoint();
    this.count();
    message(this.root.querySelector('#photos-chosen'), '');
    message(this.root.querySelector('#outbox-status'), t('report.keptOffline'));
    return true;
  }

  // The optional "when" (a date, times of day, days of the week), or null when none is given.
  when() {
    const checked = (name) => [...this.root.querySelectorAll(`input[name="${name}"]:checked`)].map((x) => x.value);
    const when = {};
    const date = this.root.querySelector('#r-when-date').value;
    if (date) when.date = date;
    const times = checked('when-time');
    if (times.length) when.times = times;
    const weekdays = checked('when-day');
    if (weekdays.length) when.weekdays = weekdays;
    return Object.keys(when).length ? when : null;
  }

  setBusy(busy) {
    this.busy = busy;
    const button = this.root.querySelector('#btn-submit');
    button.disabled = busy;
    button.textContent = t(busy ? 'report.sending' : 'report.submit');
  }

  showApiError(err) {
    if (!(err instanceof ApiError)) throw err;
    let placed = false;
    for (const f of err.fields) {
      const slot = FIELD_SLOTS[f.field];
      if (!slot) continue;
      const el = this.root.querySelector(`#${slot}`);
      const text = localise(f);
      // lat and lon often carry the same message: show it once.
      if (!el.hidden && el.textContent.includes(text)) continue;
      this.showError(slot, el.hidden ? text : `${el.textContent} ${text}`);
      placed = true;
    }
    if (placed) {
      this.focusFirstError();
      return;
    }
    const key = { 0: 'error.network', 413: 'error.tooLarge', 429: 'error.tooMany', 503: 'error.busy' }[err.status];
    message(this.root.querySelector('#err-report'), key ? t(key) : t('error.generic', { detail: err.message }));
  }

  trackingLink() {
    const url = new URL(window.location.href);
    url.hash = new URLSearchParams({ track: this.answer.id, token: this.answer.token }).toString();
    return url.toString();
  }

  renderAnswer() {
    const a = this.answer;
    const facts = this.root.querySelector('#done-facts');
    fill(facts,
      h('dt', {}, t('details.number')), h('dd', { class: 'report-number', id: 'done-number' }, String(a.id)),
      a.district ? [h('dt', {}, t('details.district')), h('dd', {}, a.district.name, h('br'), a.district.unit || '')] : null,
      a.deadlines && a.deadlines.take_up
        ? [h('dt', {}, t('details.deadline.take_up')), h('dd', {}, formatTime(a.deadlines.take_up))] : null,
      h('dt', {}, t('report.token')), h('dd', {}, h('code', { id: 'done-token' }, a.token)));
    this.root.querySelector('#done-link').value = this.trackingLink();
    this.root.querySelector('#done-warning').textContent = t('report.tokenWarning');
    this.root.querySelector('#copy-state').textContent = '';
  }

  async copy() {
    const input = this.root.querySelector('#done-link');
    const state = this.root.querySelector('#copy-state');
    try {
      await navigator.clipboard.writeText(input.value);
      state.textContent = t('report.copied');
    } catch {
      input.select(); // the clipboard may be refused (no permission): let the user copy it
      state.textContent = t('report.copyManually');
    }
  }
}
