// police.mjs - browser test of the police console (web/police.html) against
// the real `tarcza serve`: an officer logs in with password and TOTP code,
// takes a report up from the queue and confirms it, and the public map then
// shows the report in its new status. Also: the session cookie (HttpOnly,
// Secure, SameSite=Strict) is kept by Chromium over http://127.0.0.1 and
// survives a reload; the page runs under its CSP without violations; the
// actions offered on a report are the transitions the server sends with it.
// usage: node tests/e2e/police.mjs TARCZA WEB_DIR OUT_DIR

import path from 'node:path';
import {
  startRun, Runner, assert, watch, forgive, totp, endRun, addPoliceAccount, fillLogin, POLICE_PASSWORD,
} from './support.mjs';

const RYNEK = { lat: 50.0617, lon: 19.9373 };

async function main() {
  const { tarcza, out, tmp, db, server, browser } = await startRun('police', 200, { width: 1280, height: 800 });
  const run = new Runner();
  const url = server.url;
  let report = null;
  let secret = null;
  try {
    await run.step('a citizen files a report; an officer account is made for its district', async () => {
      const res = await fetch(`${url}/api/v1/reports`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ category: 'vandalism', ...RYNEK }),
      });
      assert(res.status === 201, `POST /api/v1/reports answered ${res.status}`);
      report = await res.json();
      secret = addPoliceAccount(tarcza, db, 'jan.dzielnicowy', 'officer', ['--districts', report.district.id]);
    });

    const page = await browser.newPage();
    const problems = watch(page);
    await run.step('the console asks for name, password and TOTP code', async () => {
      await page.goto(`${url}/police.html`);
      await page.waitForSelector('#login-form', { state: 'visible' });
      forgive(problems, 401); // GET api/v1/auth/me before logging in
      assert(await page.isHidden('#work'), 'the work area shows before login');
    });

    await run.step('a wrong code is refused with a message', async () => {
      await page.fill('#l-name', 'jan.dzielnicowy');
      await page.fill('#l-password', POLICE_PASSWORD);
      await page.fill('#l-totp', totp(secret) === '000000' ? '111111' : '000000');
      await page.click('#btn-login');
      await page.waitForSelector('#err-login', { state: 'visible' });
      forgive(problems, 401);
      assert(/kod/.test(await page.textContent('#err-login')), 'no login error shown');
    });

    await run.step('the officer logs in; the queue lists the new report, nearest deadline first', async () => {
      await page.fill('#l-password', POLICE_PASSWORD);
      await page.fill('#l-totp', totp(secret));
      await page.click('#btn-login');
      await page.waitForSelector(`#queue button[data-report-id="${report.id}"]`, { timeout: 10000 });
      const cookies = await browser.cookies(url);
      const c = cookies.find((k) => k.name === 'tz_session');
      assert(c && c.httpOnly && c.secure && c.sameSite === 'Strict',
        `the session cookie is ${JSON.stringify(c)}`);
      assert(await page.evaluate(() => document.cookie) === '', 'the page can read the session cookie');
      assert(/jan\.dzielnicowy/.test(await page.textContent('#who')), 'no account name shown');
      assert(await page.locator('path.pm').count() > 0, 'no report drawn on the map');
      await page.screenshot({ path: path.join(out, 'police-queue.png') });
    });

    await run.step('the session survives a reload (the Secure cookie is kept over http://127.0.0.1)', async () => {
      await page.reload();
      await page.waitForSelector(`#queue button[data-report-id="${report.id}"]`, { timeout: 10000 });
      assert(await page.isHidden('#login'), 'the login form is back after a reload');
    });

    await run.step('the actions offered are the transitions the server sends with the report', async () => {
      const view = await page.evaluate((id) => fetch(`api/v1/police/reports/${id}`).then((r) => r.json()), report.id);
      const sent = view.transitions.map((a) => a.to);
      assert(sent.join() === 'verifying,rejected', `the server offers ${sent.join()}`);
      // The server says what may be done: the page offers exactly that, whatever the status.
      const pattern = `**/api/v1/police/reports/${report.id}`;
      await page.route(pattern, async (route) => {
        const res = await route.fetch();
        const json = await res.json();
        json.transitions = [{ to: 'rejected', note_required: true, referral_required: false }];
        await route.fulfill({ response: res, json });
      });
      await page.click(`#queue button[data-report-id="${report.id}"]`);
      await page.waitForSelector('#detail-actions button[data-to="rejected"]');
      const shown = await page.$$eval('#detail-actions button', (bs) => bs.map((b) => b.dataset.to));
      assert(shown.join() === 'rejected', `the page offers ${shown.join()}`);
      assert(await page.isHidden('#referral-field'), 'the referral field shows without a referral');
      await page.unroute(pattern);
      await page.click(`#queue button[data-report-id="${report.id}"]`);
      await page.waitForSelector('#detail-actions button[data-to="verifying"]');
      const again = await page.$$eval('#detail-actions button', (bs) => bs.map((b) => b.dataset.to));
      assert(again.join() === sent.join(), `the page offers ${again.join()}, the server ${sent.join()}`);
    });

    await run.step('the officer takes the report up and confirms it', async () => {
      await page.click(`#queue button[data-report-id="${report.id}"]`);
      await page.waitForSelector('#detail-actions button[data-to="verifying"]');
      await page.click('#detail-actions button[data-to="verifying"]');
      await page.waitForSelector('#detail-actions button[data-to="confirmed"]');
      await page.fill('#d-note', 'Sprawdzone na miejscu');
      await page.click('#detail-actions button[data-to="confirmed"]');
      await page.waitForSelector('#detail-actions button[data-to="eliminated"]');
      const history = await page.textContent('#detail-history');
      assert(/potwierdzone/.test(history) && /Sprawdzone na miejscu/.test(history), `history: ${history}`);
      await page.screenshot({ path: path.join(out, 'police-detail.png') });
      const res = await fetch(`${url}/api/v1/reports/${report.id}?token=${report.token}`);
      const body = await res.json();
      assert(body.status === 'confirmed', `the report is ${body.status}`);
      assert(body.history.length === 2 && body.history[1].note === 'Sprawdzone na miejscu',
        `the reporter's history: ${JSON.stringify(body.history)}`);
    });

    await run.step('the public map shows the report as confirmed', async () => {
      const pub = await browser.newPage();
      const pubProblems = watch(pub);
      await pub.goto(`${url}/#c=${RYNEK.lat},${RYNEK.lon}&z=18`);
      await pub.waitForSelector(`.tz-pin.st-confirmed[data-report-id="${report.id}"]`, { state: 'attached', timeout: 15000 });
      await pub.screenshot({ path: path.join(out, 'police-public-map.png') });
      assert(pubProblems.length === 0, pubProblems.join('\n'));
      await pub.close();
    });

    await run.step('a public note with a change reaches city systems (Open311 servicerequestupdates)', async () => {
      await page.waitForSelector('#detail-actions button[data-to="eliminated"]');
      await page.fill('#d-public-note', 'Zagrożenie usunięte.');
      await page.click('#detail-actions button[data-to="eliminated"]');
      await page.waitForFunction(() => /Zagrożenie usunięte/.test(document.querySelector('#detail-history').textContent));
      const res = await fetch(`${url}/open311/v2/servicerequestupdates.json`);
      assert(res.status === 200, `servicerequestupdates answered ${res.status}`);
      const mine = (await res.json()).filter((u) => u.service_request_id === report.id);
      const last = mine[mine.length - 1];
      assert(mine.length === 3 && last.description === 'Zagrożenie usunięte.' && last.status === 'CLOSED',
        `updates: ${JSON.stringify(mine)}`);
      assert(!JSON.stringify(mine).includes('Sprawdzone na miejscu'), 'the reporter\'s note went public');
    });

    await run.step('logout ends the session', async () => {
      await page.click('#btn-logout');
      await page.waitForSelector('#login-form', { state: 'visible' });
      const res = await page.evaluate(() => fetch('api/v1/auth/me').then((r) => r.status));
      forgive(problems, 401);
      assert(res === 401, `GET api/v1/auth/me after logout answered ${res}`);
      assert(problems.length === 0, problems.join('\n'));
    });

    await run.step('an administrator adds an account (QR code shown) and disables the officer', async () => {
      await fillLogin(page, 'ada.admin', addPoliceAccount(tarcza, db, 'ada.admin', 'admin'));
      await page.waitForSelector('#admin-form', { state: 'visible' });
      assert(await page.isHidden('#queue'), 'an administrator sees a queue');
      await page.fill('#a-name', 'ewa.nowa');
      await page.selectOption('#a-role', 'officer');
      await page.fill('#a-districts', report.district.id);
      await page.fill('#a-password', 'another good password');
      await page.click('#admin-form button[type="submit"]');
      await page.waitForSelector('#enrol', { state: 'visible' });
      const src = await page.getAttribute('#enrol-qr', 'src');
      assert(src.startsWith('data:image/svg+xml;base64,'), `the QR image is ${src.slice(0, 40)}`);
      assert(await page.evaluate(() => document.querySelector('#enrol-qr').naturalWidth > 0), 'the QR code did not render');
      assert(/^otpauth:\/\/totp\/tarcza:ewa\.nowa\?secret=/.test(await page.textContent('#enrol-uri')), 'no enrolment URI');
      await page.screenshot({ path: path.join(out, 'police-admin.png') });
      await page.click('button[data-account="jan.dzielnicowy"]');
      await page.waitForFunction(() => document.querySelector('button[data-account="jan.dzielnicowy"]').textContent === 'Włącz');
      assert(problems.length === 0, problems.join('\n'));
    });

    await run.step('a supervisor sees the unit\'s dashboard and hands a report to another officer', async () => {
      await page.click('#btn-logout');
      await page.waitForSelector('#login-form', { state: 'visible' });
      await fillLogin(page, 'szef.komisariatu',
        addPoliceAccount(tarcza, db, 'szef.komisariatu', 'supervisor', ['--unit', report.district.unit]));
      await page.waitForSelector('#dashboard', { state: 'visible' });
      assert(await page.locator('#dash-rows tr').count() > 0, 'the dashboard has no districts');
      const first = page.locator('#queue button').first();
      const id = await first.getAttribute('data-report-id');
      await first.click();
      await page.waitForSelector('#assign-field', { state: 'visible' });
      await page.fill('#d-assign', 'ewa.nowa');
      await page.click('#btn-assign');
      await page.waitForFunction(() => /ewa\.nowa/.test(document.querySelector('#detail-facts').textContent));
      await page.waitForFunction((rid) => !document.querySelector(`#queue button[data-report-id="${rid}"]`), id);
      await page.screenshot({ path: path.join(out, 'police-supervisor.png') });
      forgive(problems, 401);
      assert(problems.length === 0, problems.join('\n'));
    });

    await run.step('the supervisor moves the district to another officer, whose queue then holds its reports', async () => {
      const olek = addPoliceAccount(tarcza, db, 'olek.nowy', 'officer');
      const res = await fetch(`${url}/api/v1/reports`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ category: 'vandalism', ...RYNEK }),
      });
      assert(res.status === 201, `POST /api/v1/reports answered ${res.status}`);
      const fresh = await res.json();
      await page.waitForSelector('#reassign-form', { state: 'visible' });
      await page.selectOption('#r-district', report.district.id);
      await page.fill('#r-officer', 'olek.nowy');
      await page.click('#reassign-form button[type="submit"]');
      await page.waitForSelector('#reassign-done', { state: 'visible' });
      const done = await page.textContent('#reassign-done');
      assert(done.includes(report.district.id) && /olek\.nowy/.test(done), `the page says: ${done}`);
      await page.click('#btn-logout');
      await page.waitForSelector('#login-form', { state: 'visible' });
      await fillLogin(page, 'olek.nowy', olek);
      await page.waitForSelector(`#queue button[data-report-id="${fresh.id}"]`, { timeout: 10000 });
      forgive(problems, 401);
      assert(problems.length === 0, problems.join('\n'));
    });
    await page.close();
  } finally {
    await endRun({ browser, server, tmp }, run);
  }
}

main().catch((err) => {
  console.log(`FAIL the test run itself: ${err && err.stack || err}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
