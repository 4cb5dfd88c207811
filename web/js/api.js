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
export async function request(path, { method = 'GET', body, signal, csrf } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
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
  submit: (report) => request('api/v1/reports', { method: 'POST', body: report }),
  addresses: (q, signal) => request(`api/v1/addresses?${query({ q, limit: 8 })}`, { signal }),
  subscribe: (body) => request('api/v1/alerts/subscriptions', { method: 'POST', body }),
  meToo: (id) => request(`api/v1/reports/${encodeURIComponent(id)}/me-too`, { method: 'POST' }),
};
