// support.mjs - what the browser tests need around the browser: a tarcza
// server on a fresh database, raw HTTP requests (paths exactly as written,
// which fetch() would normalise), a stand-in tile server, and a tiny runner
// that prints each result and the closing "N passed, N failed".
import crypto from 'node:crypto';

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The common start of a browser test run as `node tests/e2e/NAME.mjs TARCZA WEB_DIR OUT_DIR`:
// a demo database of `reports` in a fresh temporary folder, the server on it and a headless
// Chromium. The caller stops the browser and the server and removes tmp.
export async function startRun(name, reports, viewport) {
  const [tarcza, webArg, outArg] = process.argv.slice(2);
  if (!tarcza || !webArg || !outArg) {
    console.log(`usage: node tests/e2e/${name}.mjs TARCZA WEB_DIR OUT_DIR`);
    process.exit(2);
  }
  const web = path.resolve(webArg);
  const out = path.resolve(outArg);
  fs.mkdirSync(out, { recursive: true });
  const { chromium } = createRequire(path.join(web, 'package.json'))('playwright-core');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `tarcza-${name}-`));
  const db = path.join(tmp, `${name}.db`);
  makeDemo(tarcza, db, reports);
  const server = await startServer(tarcza, db, web);
  const browser = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  return { tarcza, web, out, tmp, db, server, browser };
}

// Creates a demo database of `reports` reports at db.
export function makeDemo(tarcza, db, reports) {
  execFileSync(tarcza, ['demo', '--db', db, '--reports', String(reports)], { stdio: ['ignore', 'ignore', 'pipe'] });
}

// Starts `tarcza serve --port 0` and resolves once it has printed its URL.
export function startServer(tarcza, db, web, extra = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(tarcza, ['serve', '--port', '0', '--db', db, '--web', web, '--write-rate', '0', '--login-rate', '0', ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    // Should the test run die on its own, it must not leave the server behind.
    const reap = () => proc.kill('SIGKILL');
    process.once('exit', reap);
    proc.once('exit', () => process.removeListener('exit', reap));
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`tarcza serve printed no URL in 20 s: ${out}${err}`));
    }, 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/[0-9.]+:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], proc, stderr: () => err, stop: () => stopProcess(proc) });
      }
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tarcza serve exited (${code}): ${out}${err}`));
    });
  });
}

// SIGTERM, then SIGKILL if it is still there after 10 s; resolves with the exit code.
function stopProcess(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    proc.kill('SIGTERM');
  });
}

// One HTTP/1.1 request with the path sent byte for byte. Resolves with
// {status, headers (lower-case names), body (Buffer)}.
export function rawRequest(baseUrl, method, path, headers = {}, timeoutMs = 5000) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => {
      const lines = [`${method} ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close'];
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    });
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks)));
    });
  });
}

function parseResponse(raw) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, split < 0 ? raw.length : split).toString('latin1').split('\r\n');
  const status = Number((head[0] || '').split(' ')[1]);
  const headers = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: split < 0 ? Buffer.alloc(0) : raw.subarray(split + 4) };
}

// A stand-in tile server: any path answers a 1x1 PNG; counts what it served.
export function startTileServer() {
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==', 'base64');
  const served = [];
  const server = http.createServer((req, res) => {
    served.push(req.url);
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length });
    res.end(png);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      origin: `http://127.0.0.1:${server.address().port}`,
      served,
      stop: () => new Promise((done) => server.close(done)),
    }));
  });
}

// Copies the front end's own files (not node_modules, which is linked) into dir.
export function copyWeb(web, dir) {
  for (const entry of fs.readdirSync(web, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    fs.cpSync(`${web}/${entry.name}`, `${dir}/${entry.name}`, { recursive: true });
  }
  fs.symlinkSync(fs.realpathSync(`${web}/node_modules`), `${dir}/node_modules`);
}

// Records what must not happen on a page: console errors, uncaught
// exceptions, failed requests and Content-Security-Policy violations.
export function watch(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => {
    const why = (r.failure() && r.failure().errorText) || '';
    // The page aborts a map question that a newer one replaced: that is by design.
    if (!(why.includes('ERR_ABORTED') && r.url().includes('/api/v1/map'))) problems.push(`request failed: ${r.url()} ${why}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return problems;
}

// Drops the traces of an error answer that a step asked for on purpose: the
// response itself and the browser's console line about it.
export function forgive(problems, status) {
  const kept = problems.filter((p) => !p.startsWith(`HTTP ${status}:`) &&
    !p.includes(`responded with a status of ${status}`));
  problems.splice(0, problems.length, ...kept);
}

export function assert(ok, message) {
  if (!ok) throw new Error(message);
}

// Runs named steps in order; a failed step is reported and the run goes on.
export class Runner {
  constructor() {
    this.passed = 0;
    this.failed = 0;
  }

  async step(name, fn, timeoutMs = 20000) {
    const started = Date.now();
    let timer;
    try {
      const work = fn();
      work.catch(() => {}); // a step that timed out may still fail later: that is already counted
      await Promise.race([work, new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      })]);
      this.passed++;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
      return true;
    } catch (err) {
      this.failed++;
      console.log(`FAIL ${name}: ${String(err && err.message || err).split('\n').slice(0, 6).join('\n     ')}`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  summary() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0;
  }
}

// Authenticator codes for the police accounts the tests make (tarcza user add prints the seed).
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s) at the current time.
export function totp(secret) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = crypto.createHmac('sha1', secret).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1000000).padStart(6, '0');
}

export const POLICE_PASSWORD = 'correct horse battery';

// Makes a police account with `tarcza user add` (extra: e.g. ['--districts', 'KRK-01']);
// returns its TOTP seed from the enrolment URI it prints.
export function addPoliceAccount(tarcza, db, name, role, extra = []) {
  const text = execFileSync(tarcza, ['user', 'add', name, '--role', role, ...extra, '--db', db],
    { env: { ...process.env, TARCZA_PASSWORD: POLICE_PASSWORD }, encoding: 'utf8' });
  const m = text.match(/otpauth:\/\/totp\/[^?]+\?secret=([A-Z2-7]+)/);
  assert(m, `no enrolment URI in: ${text.slice(-300)}`);
  return base32Decode(m[1]);
}

// Fills the police console's login form (already shown) and sends it.
export async function fillLogin(page, name, secret) {
  await page.fill('#l-name', name);
  await page.fill('#l-password', POLICE_PASSWORD);
  await page.fill('#l-totp', totp(secret));
  await page.click('#btn-login');
}

// Makes a police account and logs page in as it through the police console; the session
// cookie then serves every page.
export async function policeLogin(page, { tarcza, db, url }, name, role, extra = []) {
  const secret = addPoliceAccount(tarcza, db, name, role, extra);
  await page.goto(`${url}/police.html`);
  await page.waitForSelector('#login-form', { state: 'visible' });
  await fillLogin(page, name, secret);
  await page.waitForSelector('#login', { state: 'hidden', timeout: 10000 });
  await page.waitForLoadState('networkidle'); // the console's own requests, before the caller moves on
}

// The common end of a browser test: closes the browser and the server, fails the run when the
// server (built with sanitizers) reported an error, removes tmp and exits with the run's result.
export async function endRun({ browser, server, tmp }, run) {
  await browser.close();
  await server.stop();
  const log = server.stderr();
  if (/AddressSanitizer|runtime error:|LeakSanitizer/.test(log)) {
    run.failed++;
    console.log(`FAIL the server reported a sanitizer error:\n${log.slice(0, 2000)}`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(run.summary() ? 0 : 1);
}

// axe-core (web/node_modules/axe-core, a devDependency) over the page as it is now, WCAG 2.1 A and
// AA rules only: the violations as "rule (impact): the first elements". axe is put in by the
// test's own evaluate, which the page's Content-Security-Policy does not govern.
export async function axeViolations(page, web) {
  const source = fs.readFileSync(path.join(web, 'node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}
