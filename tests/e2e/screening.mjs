// screening.mjs - the officer's screening page (web/screening.html) in headless Chromium,
// against the real `tarcza serve` with watch-lists imported by `tarcza watchlist import`: an
// analyst logged in at the police console screens a person written in Cyrillic and sees the
// record with each name part explained, a passport number typed with an O for a 0 and sees the
// weaker hit with the position, a scanned MRZ whose number's check digit is wrong and sees the
// digit named and the passport found, a VIN with a wrong check digit and sees the digit expected and
// the hit by plate; the page switches to English; a query without a reason is not sent; axe-core
// finds no WCAG 2.1 A or AA violation in either language; every query is in the audit log.
// usage: node tests/e2e/screening.mjs TARCZA WEB_DIR OUT_DIR
// Screenshot: OUT_DIR/screening.png.

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  startRun, Runner, assert, watch, policeLogin, endRun, axeViolations,
} from './support.mjs';

const PERSONS = '{"id":"NK-1","schema":"Person","properties":{"name":["Ilham Aliyev"],'
  + '"birthDate":["1961-12-24"],"gender":["male"]}}\n';
const DOCUMENTS = 'id,number,type,country,status\nsltd-1,EA1234567,passport,POL,stolen\n'
  + 'sltd-2,XY0I1,id_card,DEU,lost\nsltd-9,L898902C3,passport,UTO,stolen\n';
// ICAO 9303's specimen passport, the number's check digit changed from 6 to 7.
const MRZ_BAD = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C37UTO7408122F1204159ZE184226B<<<<<10';
const VEHICLES = '{"id":"smv-1","vin":"1M8GDM9AXKP042788","plate":"WX 12345","plate_country":"PL",'
  + '"make":"Ford","status":"stolen"}\n';

function importList(tarcza, db, dir, name, text) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  execFileSync(tarcza, ['watchlist', 'import', file, '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function main() {
  const ctx = await startRun('screening', 20, { width: 1280, height: 900 });
  const { tarcza, web, out, tmp, db, server, browser } = ctx;
  const run = new Runner();
  const url = server.url;
  try {
    importList(tarcza, db, tmp, 'interpol.ftm', PERSONS);
    importList(tarcza, db, tmp, 'sltd.csv', DOCUMENTS);
    importList(tarcza, db, tmp, 'smv.json', VEHICLES);
    const page = await browser.newPage();
    let problems = [];
    const clean = async (what) => {
      const found = await axeViolations(page, web);
      assert(found.length === 0, `${what}: ${found.join('; ')}`);
    };

    await run.step('an analyst logged in at the console opens the page; axe finds nothing', async () => {
      await policeLogin(page, { tarcza, db, url }, 'scr.analyst', 'analyst');
      problems = watch(page); // from here: the console's own 401 before the login is not ours
      await page.goto(`${url}/screening.html`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      assert(await page.textContent('h1') === ' Sprawdzenie w wykazach i notach', `h1: ${await page.textContent('h1')}`);
      await clean('the empty page');
    }, 60000);

    await run.step('a query without a reason is not sent', async () => {
      await page.fill('#p-name', 'Алиев Ильхам');
      await page.click('#form-person button[type=submit]');
      const status = await page.textContent('#status');
      assert(status.includes('podstawę'), `status: ${status}`);
    });

    await run.step('a person in Cyrillic: the record, each part explained', async () => {
      await page.fill('#reason', 'kontrola graniczna 17/2026');
      await page.fill('#p-birth', '1961');
      await page.click('#form-person button[type=submit]');
      await page.waitForSelector('#hits .sc-hit', { timeout: 10000 });
      const head = await page.textContent('#hits .sc-hit h3');
      assert(head.includes('Ilham Aliyev') && head.includes('interpol / NK-1'), `hit: ${head}`);
      const hows = await page.locator('#hits .sc-why tbody td:nth-child(3)').allTextContents();
      assert(hows.length === 2 && hows.every((x) => x === 'transliteracja'), `how: ${hows.join(', ')}`);
      const facts = await page.textContent('#hits .sc-facts');
      assert(facts.includes('data urodzenia: zgodna w znanej części (+0.02)'), `facts: ${facts}`);
      await clean('a person\'s hits');
    }, 30000);

    await run.step('a passport number with O for 0: the weaker hit and where', async () => {
      await page.click('.sc-tab[data-kind=document]');
      assert(await page.locator('#form-person').isHidden(), 'the person form stays');
      await page.fill('#d-number', 'xyoi1');
      await page.click('#form-document button[type=submit]');
      await page.waitForSelector('#hits .sc-weak', { timeout: 10000 });
      const text = await page.textContent('#hits .sc-hit');
      assert(text.includes('sltd / sltd-2') && text.includes('dowód osobisty XY0I1 (DEU), utracony'), `hit: ${text}`);
      assert(text.includes('pozycje 3'), `why: ${text}`);
    }, 30000);

    await run.step('a scanned MRZ with a bad check digit: the digit named, the passport found', async () => {
      await page.fill('#d-number', '');
      await page.fill('#d-mrz', MRZ_BAD);
      await page.click('#form-document button[type=submit]');
      await page.waitForFunction(() => document.querySelector('#query').textContent.includes('MRZ'), null, { timeout: 10000 });
      const query = await page.textContent('#query');
      assert(query.includes('błędna cyfra kontrolna pola numer dokumentu (jest 7, powinno być 6)'), `query: ${query}`);
      const text = await page.textContent('#hits .sc-hit');
      assert(text.includes('sltd / sltd-9') && text.includes('ten sam numer i kraj'), `hit: ${text}`);
      await clean('a document with an MRZ');
    }, 30000);

    await run.step('a VIN with a wrong check digit and a plate: the digit expected, the hit by plate', async () => {
      await page.click('.sc-tab[data-kind=vehicle]');
      await page.fill('#v-vin', '1M8GDM9A1KP042788');
      await page.fill('#v-plate', 'wx-12345');
      await page.fill('#v-country', 'PL');
      await page.click('#form-vehicle button[type=submit]');
      // The document's answer is still on the page until the vehicle's replaces it.
      await page.waitForFunction(() => /VIN/.test(document.querySelector('#query')?.textContent || ''),
        null, { timeout: 10000 });
      await page.waitForSelector('#hits .sc-hit', { timeout: 10000 });
      const query = await page.textContent('#query');
      assert(query.includes('błędna cyfra kontrolna (jest 1, powinno być X)'), `query: ${query}`);
      const text = await page.textContent('#hits .sc-hit');
      assert(text.includes('smv / smv-1') && text.includes('ten sam numer rejestracyjny i kraj'), `hit: ${text}`);
    }, 30000);

    await run.step('in English: the same answer in English; axe finds nothing', async () => {
      await page.click('#btn-lang');
      const text = await page.textContent('#hits .sc-hit');
      assert(text.includes('the same plate and country') && text.includes('stolen'), `hit: ${text}`);
      assert(await page.textContent('#query').then((q) => q.includes('check digit wrong (1 written, X expected)')), 'query in English');
      assert(await page.getAttribute('html', 'lang') === 'en', 'lang attribute');
      await clean('vehicle hits, English');
      await page.screenshot({ path: path.join(out, 'screening.png'), fullPage: true });
    }, 30000);

    await run.step('every query is in the audit log with its reason', async () => {
      const n = Number(execFileSync('sqlite3', [db, "SELECT COUNT(*) FROM audit_log WHERE action = 'screening.query'"
        + " AND note = 'kontrola graniczna 17/2026' AND actor = 'scr.analyst'"], { encoding: 'utf8' }).trim());
      assert(n === 4, `audited queries: ${n}`);
    });

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
