// api.js - calls to tarcza's JSON API (docs/api.md). Paths are relative to
// the page, so the front end also works behind a proxy under a sub-path.
// Errors become ApiError, carrying the RFC 9457 problem when there is one.
// Every page calls the API through request() below.

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;          // 0: no answer (network, server down)
    this.problem = problem || null;
    this.fields = (problem && Array.isArray(problem.errors)) ? problem.errors : [];
    this.retryAfter = retryAfter || null;
  }
}

// The one fetch wrapper of the front end (public pages, police console,
// analysis): JSON in and out, same-origin credentials (the police session
// cookie), and csrf, when given, sent in X-CSRF-Token with every change.
export async function request(path, { method = 'GET', body, signal, csrf, idempotencyKey } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  // A structured-field string (draft-ietf-httpapi-idempotency-key-header): a report sent again
  // under the same key is stored once (docs/photos.md, "the offline outbox").
  if (idempotencyKey) headers['Idempotency-Key'] = `"${idempotencyKey}"`;
  let res;
  try {
    res = await fetch(path, {
      method,
      signal,
      headers,
      body: body !== undefined ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, null);
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(res.status, data, res.headers.get('Retry-After'));
  return data;
}

// A new idempotency key: a random UUID (version 4), made with getRandomValues, which unlike
// crypto.randomUUID also works outside a secure context.
export function newIdempotencyKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') q.set(key, value);
  }
  return q.toString().replace(/%2C/g, ',');
}

export const api = {
  categories: () => request('api/v1/categories'),
  districts: () => request('api/v1/districts'),
  outline: () => request('data/poland.geojson'),
  map: (params, signal) => request(`api/v1/map?${query(params)}`, { signal }),
  report: (id, token) => request(`api/v1/reports/${encodeURIComponent(id)}${token ? `?${query({ token })}` : ''}`),
  submit: (report, idempotencyKey) => request('api/v1/reports', { method: 'POST', body: report, idempotencyKey }),
  addresses: (q, signal) => request(`api/v1/addresses?${query({ q, limit: 8 })}`, { signal }),
  subscribe: (body) => request('api/v1/alerts/subscriptions', { method: 'POST', body }),
  meToo: (id) => request(`api/v1/reports/${encodeURIComponent(id)}/me-too`, { method: 'POST' }),
};
