// screening_message.mjs - a screening hit on a published notice sent to the notice's owner in one
// action from the officer's screening page (web/screening.html), in headless Chromium against the
// real `tarcza serve`: a red notice received from INTERPOL (published at receipt, recorded with
// `tarcza exchange import`) is hit by a person query in Cyrillic; its hit carries the button, a
// watch-list's hit does not; the button sends the request and the page says to whom, in which
// case and by when the reply is due; the request is on file in the notice's case with the
// notice's subject, and its audit entry names the hit and the reason; axe-core finds no WCAG 2.1
// A or AA violation with the button on the page, in Polish and in English.
// usage: node tests/e2e/screening_message.mjs TARCZA WEB_DIR OUT_DIR

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  startRun, Runner, assert, watch, policeLogin, endRun, axeViolations,
} from './support.mjs';
import { recordMessage } from './exchange-support.mjs';

const NOTICE = {
  type: 'notice', subject: 'Red notice: Oleksandr Shevchenko', originator: { node: 'INTERPOL', unit: 'IPSG' },
  addressees: [{ node: 'PL', unit: 'KGP-SPOC' }], lang: 'en', handling: 'H0',
  evaluation: { source: 'A', information: '1' }, notice_type: 'red',
  entities: [{ ref: 'p1', kind: 'person', family: 'Shevchenko', given: 'Oleksandr', birth_date: '1975' }],
};
const LIST = 'id,name,birth_date\nW-1,Олександр Шевченко,1975\n';

function sql(db, query) {
  return execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim();
}

async function main() {
  const ctx = await startRun('screening-message', 5, { width: 1280, height: 900 });
  const { tarcza, web, out, tmp, db, server, browser } = ctx;
  const run = new Runner();
  const url = server.url;
  try {
    const notice = recordMessage(tarcza, db, tmp, 'notice', NOTICE, true);
    // A list imported after the notice: the server sees its lists move and reads the notices again.
    const file = path.join(tmp, 'wanted.csv');
    fs.writeFileSync(file, LIST);
    execFileSync(tarcza, ['watchlist', 'import', file, '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
    const page = await browser.newPage();
    let problems = [];
    const clean = async (what) => {
      const found = await axeViolations(page, web);
      assert(found.length === 0, `${what}: ${found.join('; ')}`);
    };

    await run.step('a liaison officer screens a person: the notice\'s hit has the button, the list\'s not', async () => {
      await policeLogin(page, { tarcza, db, url }, 'krk.liaison', 'liaison_officer', ['--unit', 'KWP-KRAKOW']);
      problems = watch(page);
      await page.goto(`${url}/screening.html`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      await page.fill('#reason', 'rejestr hotelowy 3/2026');
      await page.fill('#p-name', 'Шевченко Олександр');
      await page.click('#form-person button[type=submit]');
      await page.waitForSelector('#hits .sc-hit .sc-send', { timeout: 10000 });
      const hits = await page.locator('#hits .sc-hit').count();
      const buttons = await page.locator('#hits .sc-send').count();
      assert(hits === 2 && buttons === 1, `hits ${hits}, buttons ${buttons}`);
      const record = await page.getAttribute('#hits .sc-send', 'data-record');
      assert(record === `${notice.id}/p1`, `record: ${record}`);
      assert(await page.textContent('#hits .sc-send') === 'Wyślij zapytanie do właściciela noty', 'label');
      await clean('hits with the button');
    }, 60000);

    await run.step('one click sends the request; the page says to whom and by when', async () => {
      await page.click('#hits .sc-send');
      await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Wysłano'), null, { timeout: 10000 });
      const status = await page.textContent('#status');
      assert(status.includes('do INTERPOL/IPSG') && status.includes('odpowiedź do'), `status: ${status}`);
      assert(await page.isDisabled('#hits .sc-send'), 'the button stays enabled');
      await page.screenshot({ path: path.join(out, 'screening-message.png'), fullPage: true });
    }, 30000);

    await run.step('the request is on file in the notice\'s case, its audit entry names the hit', async () => {
      const row = sql(db, "SELECT m.type || '|' || (m.case_id = n.case_id) FROM x_messages m,"
        + ` x_messages n WHERE n.id = ${notice.id} AND m.id > n.id`);
      assert(row === 'request|1', `message: ${row}`);
      const note = sql(db, "SELECT note FROM audit_log WHERE action = 'exchange.send' AND actor = 'krk.liaison'");
      assert(note === `from screening hit notices/${notice.id}/p1: rejestr hotelowy 3/2026`, `note: ${note}`);
    });

    await run.step('in English: the button\'s label; axe finds nothing', async () => {
      await page.click('#btn-lang');
      assert(await page.textContent('#hits .sc-send') === 'Send a request to the notice’s owner', 'label in English');
      await clean('hits with the button, English');
    }, 30000);

    await run.step('no console errors, failed requests or CSP violations', async () => {
      assert(problems.length === 0, problems.join('\n'));
    });
  } finally {
    await endRun(ctx, run);
  }
}

main().catch((err) => {
  console.log(`FAIL the test run itself: ${err && err.stack || err}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
