// track.js - "Track my report": the report number and the secret token give
// the reporter's view, GET /api/v1/reports/{id}?token=, with the history of
// its status.

import { fill, message } from './dom.js';
import { t } from './i18n.js';
import { api, ApiError } from './api.js';
import { reportView } from './details.js';

const TOKEN_RE = /^[A-Za-z0-9_-]{1,128}$/;

export class TrackForm {
  constructor(root, catalog) {
    this.root = root;
    this.catalog = catalog;
    this.report = null;
    this.id = root.querySelector('#t-id');
    this.token = root.querySelector('#t-token');
    this.result = root.querySelector('#track-result');
    root.querySelector('#track-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.lookUp();
    });
  }

  fillIn(id, token) {
    this.id.value = id;
    this.token.value = token;
  }

  render() {
    if (this.report) fill(this.result, reportView(this.report, this.catalog));
  }

  setError(slot, input, text) {
    message(this.root.querySelector(`#${slot}`), text);
    if (input) input.toggleAttribute('aria-invalid', Boolean(text));
  }

  async lookUp() {
    const id = this.id.value.trim().replace(/^#/, '');
    const token = this.token.value.trim();
    this.setError('err-t-id', this.id, /^[1-9]\d{0,14}$/.test(id) ? '' : t('track.errNumber'));
    this.setError('err-t-token', this.token, TOKEN_RE.test(token) ? '' : t('track.errToken'));
    message(this.root.querySelector('#err-track'), '');
    if (this.id.getAttribute('aria-invalid') !== null) return this.id.focus();
    if (this.token.getAttribute('aria-invalid') !== null) return this.token.focus();
    this.report = null;
    fill(this.result, t('common.loading'));
    try {
      this.report = await api.report(id, token);
      this.render();
    } catch (err) {
      fill(this.result);
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 404) this.setError('err-t-id', this.id, t('track.notFound'));
      else if (err.status === 403) this.setError('err-t-token', this.token, t('track.badToken'));
      else message(this.root.querySelector('#err-track'), t(err.status ? 'error.generic' : 'error.network', { detail: err.message }));
    }
    return undefined;
  }
}
