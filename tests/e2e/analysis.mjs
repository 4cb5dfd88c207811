// analysis.mjs - browser tests of the police analysis pages: the real
// `tarcza serve` on a fresh demo database in headless Chromium.
// usage: node tests/e2e/analysis.mjs TARCZA WEB_DIR OUT_DIR
// analysis.html loads with no console error, CSP violation or failed request,
// draws the hot-spot hexagons with their legend and the trend chart, and
// redraws for another cell size; patrol.html lists the ranked places.
// Screenshots: OUT_DIR/analysis.png, OUT_DIR/patrol.png.

import path from 'node:path';
import { startRun, Runner, assert, watch, forgive, policeLogin, endRun } from './support.mjs';

async function main() {
  const { tarcza, out, tmp, db, server, browser } = await startRun('analysis', 3000, { width: 1280, height: 900 });
  const run = new Runner();
  try {
    const page = await browser.newPage();
    const problems = watch(page);

    await run.step('analysis is for the police: without a session the page says to log in', async () => {
      await page.goto(`${server.url}/analysis.html`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      assert(/zaloguj/.test(await page.textContent('#hs-summary')), 'no log-in hint');
      forgive(problems, 401);
      problems.length = 0; // the refused requests and their console lines are expected here
    });

    await run.step('an analyst logs in at the police console', async () => {
      await policeLogin(page, { tarcza, db, url: server.url }, 'anna.analityk', 'analyst');
      // Let the console finish its own requests (the dashboard): leaving the page while one is
      // in flight aborts it, which a loaded machine made happen now and then.
      await page.waitForLoadState('networkidle');
      forgive(problems, 401); // GET api/v1/auth/me before logging in
      problems.length = 0;
    });

    await run.step('analysis page loads with no errors', async () => {
      await page.goto(`${server.url}/analysis.html`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      assert(problems.length === 0, problems.join('; '));
    });

    await run.step('hot-spot layer draws hexagons, hot ones among them, with a legend', async () => {
      const hexes = await page.locator('path.hs').count();
      const hot = await page.locator('path.hs-p3, path.hs-p2, path.hs-p1').count();
      assert(hexes > 0, 'no hexagon drawn');
      assert(hot > 0, 'no hot spot drawn');
      const legend = await page.locator('#hs-legend .legend-row').count();
      assert(legend === 6, `legend has ${legend} rows`);
      const summary = await page.locator('#hs-summary').textContent();
      assert(/zgłoszeń w \d+ komórkach 250/.test(summary), `summary: ${summary}`);
    });

    await run.step('trend chart renders both series', async () => {
      await page.waitForSelector('#chart canvas', { timeout: 10000 });
      const series = await page.locator('#chart .u-legend .u-series').count();
      assert(series >= 3, `legend series: ${series}`);
      const text = await page.locator('#trend-summary').textContent();
      assert(/\d+ zgłoszeń/.test(text), `trend summary: ${text}`);
      await page.screenshot({ path: path.join(out, 'analysis.png'), fullPage: true });
    });

    await run.step('another cell size and category redraw the layer', async () => {
      await page.selectOption('#cell', '500');
      await page.selectOption('#category', 'illegal_parking');
      await page.click('#controls button[type="submit"]');
      await page.waitForFunction(() => /komórkach 500/.test(document.querySelector('#hs-summary').textContent),
        null, { timeout: 10000 });
      assert(problems.length === 0, problems.join('; '));
    });

    await run.step('patrol plan lists ranked places and prints on A4', async () => {
      const p2 = await browser.newPage();
      const pr = watch(p2);
      await p2.goto(`${server.url}/patrol.html?district=KRK-01`);
      await p2.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      const rows = await p2.locator('#rows tr').count();
      assert(rows >= 1, 'no rows');
      const first = await p2.locator('#rows tr:first-child td:nth-child(4)').textContent();
      assert(/report/.test(first), `reason: ${first}`);
      await p2.emulateMedia({ media: 'print' });
      assert(!(await p2.locator('#pick').isVisible()), 'the form is printed');
      await p2.screenshot({ path: path.join(out, 'patrol.png'), fullPage: true });
      assert(pr.length === 0, pr.join('; '));
      await p2.close();
    });
  } finally {
    await endRun({ browser, server, tmp }, run);
  }
}

main().catch((err) => {
  console.log(`FAIL ${err.stack || err}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
