// assistant.mjs - browser test of the police assistant's panel (web/assistant.html): the real
// `tarcza serve` on a fresh demo database in headless Chromium.
// usage: node tests/e2e/assistant.mjs TARCZA WEB_DIR OUT_DIR
// Without a session the panel says to log in. An analyst pastes a message: the panel shows its
// language, the entities highlighted where they stand (marks built as elements: markup in the
// text stays text), their normalised values in the table, the summary's sentences and the
// translation's side, labelled (here: no engine for the pair, which it says); in Polish and in
// English, with no console error, CSP violation or failed request, and no axe-core WCAG 2.1
// A/AA violation. Screenshot: OUT_DIR/assistant.png.

import path from 'node:path';
import { startRun, Runner, assert, watch, forgive, policeLogin, endRun, axeViolations } from './support.mjs';

const TEXT = 'Pan Jan Kowalski dzwonił wczoraj z numeru +48 601 234 567 i podał rachunek '
  + 'PL61 1090 1014 0000 0712 1981 2874. <img src=x onerror="window.pwned=1"> '
  + 'Kowalski przyjechał do Krakowa samochodem. Pogoda była ładna.';

async function main() {
  const { tarcza, web, out, tmp, db, server, browser } = await startRun('assistant', 50, { width: 1280, height: 900 });
  const run = new Runner();
  try {
    const page = await browser.newPage();
    const problems = watch(page);
    // Requests still running when the test leaves the console (its dashboard, on a loaded
    // machine) are aborted by leaving, which is no defect of the panel.
    const inFlight = new Set();
    page.on('request', (r) => inFlight.add(r));
    page.on('requestfinished', (r) => inFlight.delete(r));
    page.on('requestfailed', (r) => inFlight.delete(r));

    await run.step('without a session the panel says to log in', async () => {
      await page.goto(`${server.url}/assistant.html`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      assert(/Zaloguj/.test(await page.textContent('#as-status')), 'no log-in hint');
      forgive(problems, 401);
      problems.length = 0;
    });

    await run.step('an analyst logs in at the police console, which links to the panel', async () => {
      await policeLogin(page, { tarcza, db, url: server.url }, 'ala.analityk', 'analyst');
      assert(await page.getAttribute('#link-assistant', 'href') === 'assistant.html', 'no link to the panel');
      await page.waitForSelector('#dashboard', { state: 'visible', timeout: 15000 });
      await page.waitForLoadState('networkidle');
      forgive(problems, 401);
      problems.length = 0;
    });

    await run.step('a message analysed: language, highlighted entities, values, summary, translation', async () => {
      const leftBehind = [...inFlight].map((r) => `request failed: ${r.url()} net::ERR_ABORTED`);
      await page.goto(`${server.url}/assistant.html`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      for (const gone of leftBehind) {
        const at = problems.indexOf(gone);
        if (at >= 0) problems.splice(at, 1);
      }
      await page.fill('#as-text', TEXT);
      await page.fill('#as-reference', '2026-03-12');
      await page.selectOption('#as-to', 'en');
      await page.click('#as-submit');
      await page.waitForSelector('body[data-done="true"]', { timeout: 30000 });
      assert(/pl/.test(await page.textContent('#as-language')), 'no language');
      const phone = await page.textContent('#as-original mark[data-type="phone"]');
      assert(phone === '+48 601 234 567', `phone mark: ${phone}`);
      assert(await page.locator('#as-original mark[data-type="person"]').count() >= 1, 'no person marked');
      assert(await page.locator('#as-original mark[data-type="iban"]').count() === 1, 'no IBAN marked');
      const values = await page.locator('#as-entities .as-value').allTextContents();
      assert(values.includes('+48601234567'), `values: ${values}`);
      assert(values.includes('PL61109010140000071219812874'), `values: ${values}`);
      assert(values.includes('2026-03-11'), `"wczoraj" not resolved: ${values}`);
      // the text went in as text: the tag is shown, never made an element
      assert(await page.locator('#as-original img').count() === 0, 'markup in the text became an element');
      assert((await page.textContent('#as-original')).includes('<img src=x'), 'the tag is not shown as text');
      assert(!(await page.evaluate(() => window.pwned)), 'a script of the text ran');
      assert(await page.locator('#as-summary li').count() >= 1, 'no summary');
      const label = await page.textContent('#as-translation-label');
      assert(/tłumaczen/i.test(label), `translation label: ${label}`);
      assert(/Oryginał/.test(await page.textContent('#as-original-title')), 'the original is not beside it');
      assert(problems.length === 0, problems.join('; '));
      await page.screenshot({ path: path.join(out, 'assistant.png'), fullPage: true });
    }, 60000);

    await run.step('axe-core: no WCAG 2.1 A/AA violation, in Polish and English', async () => {
      let found = await axeViolations(page, web);
      assert(found.length === 0, `pl: ${found.join('; ')}`);
      await page.click('#btn-lang');
      assert(await page.getAttribute('html', 'lang') === 'en', 'not switched to English');
      assert(/Analyse/.test(await page.textContent('#as-submit')), 'button not in English');
      found = await axeViolations(page, web);
      assert(found.length === 0, `en: ${found.join('; ')}`);
    }, 60000);
  } finally {
    await endRun({ browser, server, tmp }, run);
  }
}

main().catch((err) => {
  console.log(`FAIL the test run itself: ${err && err.stack || err}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
