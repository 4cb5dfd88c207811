// address.mjs - the address search of the report form in headless Chromium,
// against the real `tarcza serve` on a fresh demo database (whose demo
// addresses include Floriańska): typing "florianska" lists the street,
// choosing it moves the pin (the page's marker, the shown point) there, and the
// report is filed at that very point.
// usage: node tests/e2e/address.mjs TARCZA WEB_DIR OUT_DIR
// Screenshot: OUT_DIR/address.png.

import path from 'node:path';
import { startRun, Runner, assert, watch, endRun } from './support.mjs';

async function main() {
  const ctx = await startRun('address', 200, { width: 1280, height: 900 });
  const { server, browser, out } = ctx;
  const run = new Runner();
  try {
    const page = await browser.newPage();
    const problems = watch(page);
    let hits = null;
    let sent = null;
    page.on('response', async (r) => {
      if (r.url().includes('/api/v1/addresses?')) hits = (await r.json()).addresses;
    });
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/reports')) sent = r.postDataJSON();
    });

    await run.step('typing "florianska" in the report form lists Floriańska', async () => {
      await page.goto(`${server.url}/#c=50.06,19.94&z=14`);
      await page.waitForSelector('#btn-report');
      await page.click('#btn-report');
      await page.waitForSelector('#report-form', { state: 'visible' });
      await page.locator('#r-address').pressSequentially('florianska', { delay: 30 });
      await page.waitForSelector('#address-list .address-hit', { timeout: 8000 });
      const first = await page.locator('#address-list .address-hit').first().textContent();
      assert(first.startsWith('Floriańska'), `first hit: ${first}`);
      assert(await page.getAttribute('#r-address', 'aria-expanded') === 'true', 'the list is not announced');
    });

    await run.step('choosing it moves the pin there', async () => {
      assert(hits && hits.length > 0, 'no answer from the address search');
      const chosen = hits[0];
      await page.locator('#address-list .address-hit').first().click();
      assert(await page.locator('#address-list').isHidden(), 'the list stays open');
      const shown = await page.textContent('#point-value');
      assert(shown.includes(chosen.lat.toFixed(5)) && shown.includes(chosen.lon.toFixed(5)),
        `point shown: ${shown}, chosen ${chosen.lat}, ${chosen.lon}`);
      await page.waitForSelector('.tz-pick', { timeout: 5000 });
      const pin = await page.locator('.tz-pick').boundingBox();
      const map = await page.locator('#map').boundingBox();
      // The map flew to the chosen address: the pin is near the middle of the map.
      assert(Math.abs(pin.x + pin.width / 2 - (map.x + map.width / 2)) < 60 &&
        Math.abs(pin.y + pin.height / 2 - (map.y + map.height / 2)) < 60,
        `pin at ${JSON.stringify(pin)}, map ${JSON.stringify(map)}`);
      shared.chosen = chosen;
    });

    await run.step('the report is filed at the chosen address', async () => {
      await page.selectOption('#r-category', 'illegal_parking');
      await page.click('#btn-submit');
      await page.waitForSelector('#done-number', { timeout: 10000 });
      const id = Number(await page.textContent('#done-number'));
      assert(id > 0, `number ${id}`);
      assert(sent && Math.abs(sent.lat - shared.chosen.lat) < 1e-6 && Math.abs(sent.lon - shared.chosen.lon) < 1e-6,
        `sent ${JSON.stringify(sent)}, chosen ${JSON.stringify(shared.chosen)}`);
      const report = await (await fetch(`${server.url}/api/v1/reports/${id}`)).json();
      assert(Math.abs(report.lat - shared.chosen.lat) < 1e-6, `stored at ${report.lat}, ${report.lon}`);
      await page.screenshot({ path: path.join(out, 'address.png') });
    });

    await run.step('no console errors, failed requests or CSP violations', async () => {
      assert(problems.length === 0, problems.join('\n'));
    });
  } finally {
    await endRun(ctx, run);
  }
}

const shared = {};
main();
