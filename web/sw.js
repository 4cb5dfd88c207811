// sw.js - the public map's service worker (issue 19): it keeps the app shell (the page, its
// scripts, styles, translations and Leaflet) so that the map opens and a report can be written
// without a network, and the catalogue and districts as last seen. Reports themselves never pass
// through here: a report written offline waits in the page's IndexedDB outbox (js/outbox.js) and
// is sent by the page once the network returns. Nothing of the police side is cached.
const CACHE = 'tarcza-shell-v1';
const SHELL = [
  './', 'index.html', 'favicon.svg', 'manifest.webmanifest', 'css/app.css',
  'js/app.js', 'js/alerts.js', 'js/api.js', 'js/basemap.js', 'js/catalog.js', 'js/details.js', 'js/dom.js',
  'js/filters.js', 'js/i18n.js', 'js/mapview.js', 'js/outbox.js', 'js/panel.js', 'js/report.js',
  'js/state.js', 'js/track.js', 'i18n/pl.js', 'i18n/en.js', 'data/poland.geojson',
  'vendor/leaflet/leaflet.css', 'vendor/leaflet/leaflet-src.esm.js',
];
// GET answers kept as last seen, for a page opened offline (network first).
const LAST_SEEN = ['/api/v1/categories', '/api/v1/districts'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// The network first, the cache when there is none: the shell stays current while online.
async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const kept = await cache.match(request, { ignoreSearch: true });
    if (kept) return kept;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const shell = !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/police')
    && !url.pathname.startsWith('/analysis') && !url.pathname.startsWith('/patrol');
  if (shell || LAST_SEEN.includes(url.pathname)) event.respondWith(networkFirst(event.request));
});
