// analysis-api.js - what the police analysis pages (analysis.html, patrol.html)
// share: reading the analysis endpoints with the police console's session.

// Analysis is for the police: without a session (401) or the role (403) the page says so.
export async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) {
    const err = new Error(res.status === 401
      ? 'zaloguj się w konsoli policji (police.html) / log in at the police console'
      : res.status === 403 ? 'brak uprawnień do analizy / your role may not use analysis'
        : `${path}: HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return res.json();
}
