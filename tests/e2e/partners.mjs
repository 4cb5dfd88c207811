// partners.mjs - the partner nodes page (web/partners.html, issue 17) in headless Chromium against
// a real `tarcza serve` that is a federation node (PL) whose one partner (AZ) is down: a message
// for AZ is queued, and the SPOC's supervisor, logged in at the police console, sees AZ with its
// state (unreachable, the reason the queue waits), one queued message, its oldest age and no
// delivery receipt yet; the page in English; axe-core finds no WCAG 2.1 A or AA violation in
// either language; no CSP violation, console error or unexpected HTTP error.
// usage: node tests/e2e/partners.mjs TARCZA WEB_DIR OUT_DIR
// Screenshot: OUT_DIR/partners.png.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  startRun, startServer, Runner, assert, watch, policeLogin, endRun, axeViolations,
} from './support.mjs';
import { recordMessage } from './exchange-support.mjs';

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// PL's identity, and AZ (whose port nobody listens on) in PL's directory.
function makeNode(tarcza, db, tmp) {
  const dir = path.join(tmp, 'node');
  const az = path.join(tmp, 'az');
  fs.mkdirSync(dir);
  fs.mkdirSync(az);
  execFileSync(tarcza, ['node', 'init', '--node-dir', dir, '--node', 'PL']);
  execFileSync(tarcza, ['node', 'init', '--node-dir', az, '--node', 'AZ']);
  const key = fs.readFileSync(path.join(az, 'sign.pub'), 'utf8').trim();
  execFileSync(tarcza, ['node', 'add', 'AZ', '--name', 'Azerbaijan NCB', '--country', 'AZE',
    '--endpoint', 'https://127.0.0.1:9', '--cert', path.join(az, 'tls.crt'), '--sign-key', key,
    '--node', 'PL', '--db', db]);
  return dir;
}

async function main() {
  const ctx = await startRun('partners', 0, { width: 1280, height: 800 });
  const { tarcza, web, out, tmp, db, browser } = ctx;
  const run = new Runner();
  try {
    await ctx.server.stop(); // started again as a node
    const dir = makeNode(tarcza, db, tmp);
    ctx.server = await startServer(tarcza, db, web, ['--node', 'PL', '--federation-port',
      String(await freePort()), '--node-dir', dir, '--node-ca', path.join(dir, 'tls.crt'),
      '--send-poll-ms', '50']);
    const url = ctx.server.url;
    recordMessage(tarcza, db, tmp, 'for-az', {
      type: 'information', subject: 'For the partner', originator: { node: 'PL', unit: 'KGP-SPOC' },
      addressees: [{ node: 'AZ', unit: 'AZ-SPOC' }], lang: 'en', handling: 'H0',
      evaluation: { source: 'A', information: '1' }, text: 'queued while AZ is down',
    }, false);
    const page = await browser.newPage();
    let problems = [];

    await run.step('the SPOC supervisor sees AZ down with one queued message; axe finds nothing', async () => {
      await policeLogin(page, { tarcza, db, url }, 'fed.supervisor', 'spoc_supervisor', ['--unit', 'KGP-SPOC']);
      problems = watch(page);
      await page.goto(`${url}/partners.html`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      assert(await page.textContent('#this-node') === 'PL', await page.textContent('#this-node'));
      // the sender has tried AZ by now, or does so soon: refresh until the reason shows
      for (let i = 0; i < 100 && !/unreachable/.test(await page.textContent('tr[data-node="AZ"]')); i++) {
        await page.waitForTimeout(100);
        await page.click('#btn-refresh');
      }
      const row = await page.textContent('tr[data-node="AZ"]');
      assert(/nieosiągalny/.test(row), `state: ${row}`);
      assert(/Azerbaijan NCB/.test(row), `name: ${row}`);
      const cells = await page.$$eval('tr[data-node="AZ"] td', (tds) => tds.map((td) => td.textContent));
      assert(cells[1] === '1', `queue: ${cells[1]}`);
      assert(/\d+ s/.test(cells[2]), `oldest: ${cells[2]}`);
      assert(cells[3] === 'jeszcze brak', `last receipt: ${cells[3]}`);
      assert(/unreachable \(próba \d+\)/.test(cells[5]), `why: ${cells[5]}`);
      const found = await axeViolations(page, web);
      assert(found.length === 0, `Polish: ${found.join('; ')}`);
    }, 60000);

    await run.step('in English, the same; axe finds nothing', async () => {
      await page.click('#btn-lang');
      assert(await page.textContent('h1') === ' Partner nodes', await page.textContent('h1'));
      const row = await page.textContent('tr[data-node="AZ"]');
      assert(/unreachable/.test(row) && /none yet/.test(row), row);
      const found = await axeViolations(page, web);
      assert(found.length === 0, `English: ${found.join('; ')}`);
      await page.screenshot({ path: path.join(out, 'partners.png'), fullPage: true });
      assert(problems.length === 0, `problems: ${problems.join('; ')}`);
    }, 60000);
  } finally {
    await endRun(ctx, run);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
