// Soak load generator: an open loop at a fixed rate (wrk keeps a fixed number of requests in
// flight instead, and wrk2's -R is not packaged in Debian). Request i is due at start + i/rate
// whatever happened to the ones before it, and its latency is measured from that due time, so a
// server that falls behind shows it in the percentiles (no coordinated omission).
//   node bench/soak.mjs PORT SERVER_PID SECONDS RATE [POST_SHARE]
// 90 % GET /api/v1/map (random viewports, zooms, filters, modes; as bench/map_query.lua),
// 10 % POST /api/v1/reports (random points in Kraków's old town). Prints progress lines with the
// server's resident memory every 10 s, then one summary line.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [port, pid, seconds, rate] = process.argv.slice(2).map(Number);
const postShare = process.argv[6] === undefined ? 0.1 : Number(process.argv[6]);
if (!port || !pid || !seconds || !rate) {
  console.error('usage: node soak.mjs PORT SERVER_PID SECONDS RATE');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const filters = ['', '', '&category=illegal_parking', '&status=new,verifying',
  '&group=road,public_order', '&from=2026-10-25', '&category=speeding&from=2026-06-01'];
const categories = ['illegal_parking', 'illegal_parking', 'speeding', 'public_drinking', 'vandalism'];
const pick = (a) => a[Math.floor(Math.random() * a.length)];

function mapPath() {
  const zoom = 6 + Math.floor(Math.random() * 13);
  const spanLon = (1280 * 360) / (256 * 2 ** zoom), spanLat = spanLon * 0.6;
  const [lat, lon] = zoom < 9 ? [52.0, 19.4] : [50.0 + Math.random() * 0.12, 19.82 + Math.random() * 0.36];
  const mode = Math.random() < 0.2 ? '&mode=hex' : '';
  const f = (x) => x.toFixed(5);
  return `/api/v1/map?bbox=${f(lon - spanLon / 2)},${f(lat - spanLat / 2)},${f(lon + spanLon / 2)},` +
    `${f(lat + spanLat / 2)}&zoom=${zoom}${pick(filters)}${mode}`;
}

function reportBody() {
  return JSON.stringify({ category: pick(categories), lat: 50.055 + Math.random() * 0.015,
    lon: 19.925 + Math.random() * 0.025, description: 'Soak test report.' });
}

function rssKb() {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) : 0;
}

const latMap = [], latPost = [];
let sent = 0, done = 0, errors = 0, posted = 0, maxInFlight = 0;
const errorKinds = new Map();
function fail(kind) {
  errors++;
  errorKinds.set(kind, (errorKinds.get(kind) || 0) + 1);
}

function send(due) {
  const post = Math.random() < postShare;
  const body = post ? reportBody() : null;
  const req = http.request({ port, host: '127.0.0.1', agent, method: post ? 'POST' : 'GET',
    path: post ? '/api/v1/reports' : mapPath(),
    headers: post ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} },
  (res) => {
    res.on('data', () => {});
    res.on('end', () => {
      done++;
      const ms = performance.now() - due;
      (post ? latPost : latMap).push(ms);
      const ok = post ? res.statusCode === 201 : res.statusCode === 200;
      if (!ok) fail(`${post ? 'POST' : 'GET'} ${res.statusCode}`);
      else if (post) posted++;
    });
  });
  req.on('error', (e) => { done++; fail(e.code || 'socket'); });
  if (body) req.write(body);
  req.end();
  sent++;
}

const rssStart = rssKb();
const t0 = performance.now();
const total = Math.floor(seconds * rate);
let nextReport = 10;
console.log(`soak_progress t=0s rss_kb=${rssStart}`);
const timer = setInterval(() => {
  const now = performance.now();
  while (sent < total && t0 + (sent * 1000) / rate <= now) send(t0 + (sent * 1000) / rate);
  maxInFlight = Math.max(maxInFlight, sent - done);
  if ((now - t0) / 1000 >= nextReport) {
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(`soak_progress t=${nextReport}s sent=${sent} done=${done} errors=${errors} ` +
      `max_in_flight=${maxInFlight} loadavg=${load} rss_kb=${rssKb()}`);
    nextReport += 10;
  }
  if (sent >= total) {
    clearInterval(timer);
    const wait = setInterval(() => {
      if (done < sent && performance.now() - t0 < seconds * 1000 + 30000) return;
      clearInterval(wait);
      finish();
    }, 20);
  }
}, 2);

function pct(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

function finish() {
  const elapsed = (performance.now() - t0) / 1000;
  const all = latMap.concat(latPost).sort((a, b) => a - b);
  latMap.sort((a, b) => a - b);
  latPost.sort((a, b) => a - b);
  const f = (x) => x.toFixed(2);
  const kinds = [...errorKinds].map(([k, v]) => `${k}:${v}`).join(',') || 'none';
  console.log(`soak seconds=${seconds} rate=${rate} requests=${done} throughput_per_s=${(done / elapsed).toFixed(1)} ` +
    `p50_ms=${f(pct(all, 50))} p99_ms=${f(pct(all, 99))} p999_ms=${f(pct(all, 99.9))} max_ms=${f(all[all.length - 1] || 0)} ` +
    `map_p99_ms=${f(pct(latMap, 99))} post_p99_ms=${f(pct(latPost, 99))} reports_added=${posted} ` +
    `errors=${errors} (${kinds}) max_in_flight=${maxInFlight} rss_start_kb=${rssStart} rss_end_kb=${rssKb()}`);
  agent.destroy();
  process.exitCode = errors ? 1 : 0;
}
