// supercluster.mjs - the map index's benchmark run through supercluster (npm), the library a
// web map would reach for: the same points, viewports and filters as bench_mapindex.
//
//   bench_mapindex --export DIR && node --expose-gc bench/supercluster.mjs DIR
//
// supercluster has no filters: a filtered map means keeping the matching points and building
// a new index, and so does every new report or status change. It prints, key=value:
//   supercluster build points=... build_s=... heap_bytes_per_point=... rss_bytes_per_point=...
// (heap: the JS heap and typed arrays that the index adds, beyond the input features).
//   supercluster query view=city zoom=11 p50_us=... p99_us=... features=...
//   supercluster filtered filter=last30 points=... rebuild_s=... then_query_us=...
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Supercluster from 'supercluster';

// Clusters comparable to the index's 64-px cells at 256-px tiles: a radius of 60 px at
// supercluster's default 512-px extent (30 px at 256), for every zoom the index answers
// (MAXZOOM=16 for supercluster's default, which is faster to build).
const OPTIONS = { radius: 60, extent: 512, maxZoom: Number(process.env.MAXZOOM || 20), minPoints: 2 };

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node --expose-gc bench/supercluster.mjs DIR (from bench_mapindex --export DIR)');
  process.exit(2);
}

const gc = () => { if (globalThis.gc) globalThis.gc(); };
// supercluster keeps its index in typed arrays, outside the JS heap ("external").
const heap = () => { gc(); const m = process.memoryUsage(); return m.heapUsed + m.external; };
const rss = () => { gc(); return process.memoryUsage().rss; };

// points.bin: "TZMP0001", n (uint32) and 4 bytes of padding; then lon, lat, received_at,
// status_changed_at as float64 arrays and category, status as uint8 arrays, n of each.
function loadPoints(file) {
  const buf = readFileSync(file);
  if (buf.toString('latin1', 0, 8) !== 'TZMP0001') throw new Error(`${file}: not a points file`);
  const n = buf.readUInt32LE(8);
  const f64 = (k) => new Float64Array(buf.buffer.slice(buf.byteOffset + 16 + 8 * n * k,
                                                      buf.byteOffset + 16 + 8 * n * (k + 1)));
  const u8 = (k) => new Uint8Array(buf.buffer.slice(buf.byteOffset + 16 + 32 * n + n * k,
                                                    buf.byteOffset + 16 + 32 * n + n * (k + 1)));
  return { n, lon: f64(0), lat: f64(1), received: f64(2), changed: f64(3), category: u8(0), status: u8(1) };
}

function percentile(values, p) {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))];
}

const pts = loadPoints(join(dir, 'points.bin'));
const { queries, filters } = JSON.parse(readFileSync(join(dir, 'queries.json'), 'utf8'));

const heap0 = heap();
const rss0 = rss();
const features = new Array(pts.n);
for (let i = 0; i < pts.n; i++) {
  features[i] = { type: 'Feature', geometry: { type: 'Point', coordinates: [pts.lon[i], pts.lat[i]] },
                  properties: { i } };
}
const heap1 = heap();
let t0 = performance.now();
const index = new Supercluster(OPTIONS).load(features);
const buildS = (performance.now() - t0) / 1000;
const heap2 = heap();
const rss2 = rss();
console.log(`supercluster build points=${pts.n} build_s=${buildS.toFixed(3)} ` +
  `heap_bytes_per_point=${((heap2 - heap1) / pts.n).toFixed(1)} ` +
  `heap_with_features_bytes_per_point=${((heap2 - heap0) / pts.n).toFixed(1)} ` +
  `rss_bytes_per_point=${((rss2 - rss0) / pts.n).toFixed(1)} max_zoom=${OPTIONS.maxZoom}`);

// Unfiltered queries: the same viewports as bench_mapindex.
const byView = new Map();
for (const q of queries) {
  if (!byView.has(q.view)) byView.set(q.view, []);
  byView.get(q.view).push(q);
}
const all = [];
for (const [view, list] of byView) {
  const times = [];
  let count = 0;
  for (const q of list) {
    t0 = performance.now();
    const res = index.getClusters(q.bbox, q.zoom);
    times.push((performance.now() - t0) * 1000);
    count += res.length;
  }
  all.push(...times);
  console.log(`supercluster query view=${view} zoom=${list[0].zoom} p50_us=${percentile(times, 0.5).toFixed(0)} ` +
    `p99_us=${percentile(times, 0.99).toFixed(0)} features=${Math.round(count / list.length)}`);
}
console.log(`supercluster query_all queries=${all.length} p50_us=${percentile(all, 0.5).toFixed(0)} ` +
  `p99_us=${percentile(all, 0.99).toFixed(0)}`);

// A filtered map: keep the matching points, build a new index, then query (the city view).
function passes(f, i) {
  const s = pts.status[i];
  const r = pts.received[i];
  return ((f.status_mask[pts.category[i]] >> s) & 1) === 1 &&
    (!f.received_from || r >= f.received_from) && (!f.received_to || r < f.received_to) &&
    (!f.min_changed_at[s] || pts.changed[i] >= f.min_changed_at[s]);
}
const city = byView.get('city') ? byView.get('city')[0] : queries[0];
for (const [name, f] of Object.entries(filters)) {
  t0 = performance.now();
  const subset = [];
  for (let i = 0; i < pts.n; i++) if (passes(f, i)) subset.push(features[i]);
  const sub = new Supercluster(OPTIONS).load(subset);
  const rebuildS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  sub.getClusters(city.bbox, city.zoom);
  const queryUs = (performance.now() - t0) * 1000;
  console.log(`supercluster filtered filter=${name} points=${subset.length} rebuild_s=${rebuildS.toFixed(3)} ` +
    `then_query_us=${queryUs.toFixed(0)} total_ms=${(rebuildS * 1000 + queryUs / 1000).toFixed(0)}`);
}
