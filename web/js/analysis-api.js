// analysis-api.js - what the police analysis pages (analysis.html, patrol.html)
// share: reading the analysis endpoints with the police console's session,
// through the one fetch wrapper (api.js).

import { request } from './api.js';
import { t } from './i18n.js';

// Analysis is for the police: without a session (401) or the role (403) the page says so.
export async function getJson(path) {
  try {
    return await request(path);
  } catch (e) {
    const err = new Error(e.status === 401 ? t('an.err.login')
      : e.status === 403 ? t('an.err.role') : t('an.err.http', { path, status: e.status }));
    err.status = e.status;
    throw err;
  }
}
