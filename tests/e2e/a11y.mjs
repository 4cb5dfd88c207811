// a11y.mjs - axe-core over every page, public and police, in the states a
// user sees: the public map, its report and tracking forms, the police
// console's login, an officer's queue with a report open, a supervisor's
// dashboard, an administrator's accounts, the analysis page and the patrol
// plan, each in Polish and English. No WCAG 2.1 A or AA violation may be
// found. The checker is first shown a page with planted violations, so a
// checker that finds nothing cannot pass for a clean page.
// usage: node tests/e2e/a11y.mjs TARCZA WEB_DIR OUT_DIR

import {
  startRun, Runner, assert, policeLogin, endRun, axeViolations,
} from './support.mjs';

async function main() {
  const { tarcza, web, tmp, db, server, browser } = await startRun('a11y', 200, { width: 1280, height: 900 });
  const run = new Runner();
  const url = server.url;
  const page = await browser.newPage();
  const clean = async (what) => {
    const found = await axeViolations(page, web);
    assert(found.length === 0, `${what}: ${found.join('; ')}`);
  };
  try {
    await run.step('the checker finds planted violations (an image without text, an unlabelled field)', async () => {
      await page.setContent('<!doctype html><html lang="en"><title>t</title><main><img src="data:,">'
        + '<input type="text"><p style="color:#eee;background:#fff">faint</p></main></html>');
      const found = await axeViolations(page, web);
      const rules = found.map((f) => f.split(' ')[0]);
      assert(['image-alt', 'label', 'color-contrast'].every((r) => rules.includes(r)), `found: ${found.join('; ')}`);
    });

    for (const lang of ['pl', 'en']) {
      await run.step(`public map (${lang}): the map, the report form and the tracking form`, async () => {
        await page.goto(`${url}/${lang === 'en' ? '#lang=en' : ''}`);
        await page.waitForFunction(() => document.querySelector('#map').getAttribute('aria-busy') === 'false', null, { timeout: 15000 });
        await clean('the map');
        await page.click('#btn-report');
        await page.waitForSelector('#panel', { state: 'visible' });
        await clean('the report form');
        await page.click('#btn-track');
        await clean('the tracking form');
      }, 60000);
    }

    await run.step('police console: the login form', async () => {
      await page.goto(`${url}/police.html`);
      await page.waitForSelector('#login-form', { state: 'visible' });
      await clean('login');
    });

    await run.step('police console: an officer\'s queue with a report open', async () => {
      await policeLogin(page, { tarcza, db, url }, 'a11y.officer', 'officer', ['--districts', 'KRK-01']);
      const first = page.locator('#queue button').first();
      if (await first.count()) {
        await first.click();
        await page.waitForSelector('#detail', { state: 'visible' });
      }
      await clean('officer');
    }, 60000);

    await run.step('police console: a supervisor\'s dashboard and district control, an administrator\'s accounts', async () => {
      await page.click('#btn-logout');
      await policeLogin(page, { tarcza, db, url }, 'a11y.supervisor', 'supervisor', ['--unit', 'Komisariat Policji I w Krakowie']);
      await page.waitForSelector('#reassign-form', { state: 'visible' });
      await clean('supervisor');
      await page.click('#btn-lang');
      await clean('supervisor, English');
      await page.click('#btn-logout');
      await policeLogin(page, { tarcza, db, url }, 'a11y.admin', 'admin');
      await page.waitForSelector('#admin-form', { state: 'visible' });
      await clean('admin');
    }, 60000);

    await run.step('analysis and the patrol plan, in Polish and English', async () => {
      await page.click('#btn-logout');
      await policeLogin(page, { tarcza, db, url }, 'a11y.analyst', 'analyst');
      for (const hash of ['', '#lang=en']) {
        await page.goto(`${url}/analysis.html${hash}`);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
        await page.waitForSelector('#chart canvas', { timeout: 10000 });
        await clean(`analysis ${hash}`);
        await page.goto(`${url}/patrol.html?district=KRK-01${hash}`);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
        await clean(`patrol ${hash}`);
      }
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
