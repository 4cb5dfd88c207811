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
    // Requests still running: leaving a page aborts those it started, which is no defect of the
    // page left behind (the console's dashboard, on a loaded machine).
    const inFlight = new Set();
    page.on('request', (r) => inFlight.add(r));
    page.on('requestfinished', (r) => inFlight.delete(r));
    page.on('requestfailed', (r) => inFlight.delete(r));

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
      // The analyst's console is done when its dashboard shows (it is asked for after the queue,
      // so on a loaded machine the network can be idle for a moment in between).
      await page.waitForSelector('#dashboard', { state: 'visible', timeout: 15000 });
      await page.waitForLoadState('networkidle');
      forgive(problems, 401); // GET api/v1/auth/me before logging in
      problems.length = 0;
    });

    await run.step('analysis page loads with no errors', async () => {
      const leftBehind = [...inFlight].map((r) => `request failed: ${r.url()} net::ERR_ABORTED`);
      await page.goto(`${server.url}/analysis.html`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      for (const gone of leftBehind) {
        const at = problems.indexOf(gone);
        if (at >= 0) problems.splice(at, 1);
      }
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

    await run.step('the language switch puts every visible string of the analysis page in English', async () => {
      await page.click('#btn-lang');
      await page.waitForFunction(() => /reports in \d+ cells of 500/.test(document.querySelector('#hs-summary').textContent),
        null, { timeout: 10000 });
      await page.waitForFunction(() => /\d+ reports/.test(document.querySelector('#trend-summary').textContent),
        null, { timeout: 10000 });
      assert(await page.getAttribute('html', 'lang') === 'en', 'the page does not say it is in English');
      assert(/Analysis for prevention/.test(await page.textContent('h1')), 'the title is not English');
      assert(/hot spot 99/.test(await page.textContent('#hs-legend')), 'the legend is not English');
      // No Polish letter left in what the page shows, but in district names (data, not words).
      const polish = await page.evaluate(() => {
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const left = [];
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
          if (n.parentElement.closest('#district, script, style')) continue;
          if (/[ąćęłńóśźż]/i.test(n.textContent)) left.push(n.textContent.trim());
        }
        for (const el of document.querySelectorAll('[aria-label], [title]')) {
          const text = `${el.getAttribute('aria-label') || ''} ${el.getAttribute('title') || ''}`;
          if (/[ąćęłńóśźż]/i.test(text)) left.push(text.trim());
        }
        return left;
      });
      assert(polish.length === 0, `Polish left: ${polish.join(' | ')}`);
      assert(/#lang=en/.test(await page.getAttribute('#patrol-link', 'href')), 'the patrol link loses the language');
      assert(problems.length === 0, problems.join('; '));
    });

    await run.step('patrol plan lists ranked places and prints on A4', async () => {
      const p2 = await browser.newPage();
      const pr = watch(p2);
      await p2.goto(`${server.url}/patrol.html?district=KRK-01`);
      await p2.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      const rows = await p2.locator('#rows tr').count();
      assert(rows >= 1, 'no rows');
      // Where to go: the nearest address of the demo's register, not bare coordinates.
      const places = await p2.locator('#rows td.place').allTextContents();
      assert(places.some((s) => /^\D+ \S+, Kraków · \d+ m$/.test(s)), `no address among ${places}`);
      // The reason in the page's language: Polish on the Polish page, English once switched.
      const first = await p2.locator('#rows tr:first-child td:nth-child(4)').textContent();
      assert(/zgłosze/.test(first) && !/report/.test(first), `reason on the Polish page: ${first}`);
      await p2.click('#btn-lang');
      await p2.waitForFunction(() => document.documentElement.lang === 'en');
      const english = await p2.locator('#rows tr:first-child td:nth-child(4)').textContent();
      assert(/report/.test(english), `reason: ${english}`);
      assert(/patrol plan/.test(await p2.textContent('h1')), 'the title is not English');
      await p2.click('#btn-lang');
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
