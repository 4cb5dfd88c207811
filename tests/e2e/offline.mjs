// offline.mjs - the public map as an installable web app (issue 19): its manifest is served and
// linked, its service worker keeps the app shell, and the page opens again without a network; a
// report written while the page's network is cut (playwright's context.setOffline) is kept on the
// device (IndexedDB) and sent when the network returns, and the server gets it exactly once (its
// request log counts the stored POSTs), also after the network drops and returns again; and a
// report whose answer was lost (the request reached the server) is sent again under its
// idempotency key and stored once.
// usage: node tests/e2e/offline.mjs TARCZA WEB_DIR OUT_DIR

import {
  startRun, Runner, assert, endRun, axeViolations,
} from './support.mjs';

async function main() {
  const { web, tmp, server, browser } = await startRun('offline', 20, { width: 1280, height: 900 });
  const run = new Runner();
  const url = server.url;
  const page = await browser.newPage();
  const stored = () => (server.stderr().match(/"method":"POST","route":"\/api\/v1\/reports","status":201/g) || []).length;
  const ready = async () => {
    await page.waitForFunction(() => document.querySelector('#map').getAttribute('aria-busy') === 'false', null, { timeout: 15000 });
  };
  let sent = null;
  try {
    await run.step('the manifest is linked and served, the service worker keeps the app shell', async () => {
      const res = await fetch(`${url}/manifest.webmanifest`);
      assert(res.status === 200 && res.headers.get('content-type') === 'application/manifest+json', `manifest: ${res.status} ${res.headers.get('content-type')}`);
      const manifest = await res.json();
      assert(manifest.display === 'standalone' && manifest.start_url && manifest.icons.length, JSON.stringify(manifest));
      await page.goto(`${url}/#lang=en`);
      await ready();
      assert(await page.getAttribute('link[rel="manifest"]', 'href') === 'manifest.webmanifest', 'no manifest link');
      await page.evaluate(() => navigator.serviceWorker.ready);
      await page.waitForFunction(async () => Boolean(await (await caches.open('tarcza-shell-v1')).match('index.html')), null, { timeout: 15000 });
    }, 60000);

    await run.step('offline, the page opens from the kept shell and a report is kept on the device', async () => {
      await page.reload(); // now under the worker's control, which also keeps the catalogue
      await ready();
      await browser.setOffline(true);
      await page.reload();
      // The catalogue from the worker's copy: once its categories are in the form, the page is up.
      await page.waitForFunction(() => document.querySelectorAll('#r-category option').length > 1, null, { timeout: 15000 });
      const before = stored();
      await page.click('#btn-report');
      await page.waitForSelector('#report-form', { state: 'visible' });
      await page.click('#btn-centre');
      await page.selectOption('#r-category', 'illegal_parking');
      await page.fill('#r-description', 'Zapisane bez sieci, test e2e.');
      await page.click('#btn-submit');
      await page.waitForFunction(() => /No network/.test(document.querySelector('#outbox-status').textContent), null, { timeout: 10000 });
      const kept = await page.evaluate(() => new Promise((resolve) => {
        const req = indexedDB.open('tarcza', 1);
        req.onsuccess = () => {
          const all = req.result.transaction('outbox').objectStore('outbox').getAll();
          all.onsuccess = () => { resolve(all.result.length); req.result.close(); };
        };
      }));
      assert(kept === 1, `${kept} reports kept on the device`);
      assert(stored() === before, 'the server got a report while offline');
      const found = await axeViolations(page, web);
      assert(found.length === 0, `the form after keeping a report: ${found.join('; ')}`);
    }, 60000);

    await run.step('when the network returns the report is sent, once', async () => {
      const before = stored();
      await browser.setOffline(false);
      await page.waitForFunction(() => /was sent/.test(document.querySelector('#outbox-status').textContent), null, { timeout: 15000 });
      const text = await page.textContent('#outbox-status');
      const m = text.match(/number (\d+), tracking code (\S+)\./);
      assert(m, text);
      sent = { id: m[1], token: m[2] };
      const mine = await (await fetch(`${url}/api/v1/reports/${sent.id}?token=${encodeURIComponent(sent.token)}`)).json();
      assert(mine.description === 'Zapisane bez sieci, test e2e.', JSON.stringify(mine));
      assert(stored() === before + 1, `stored ${stored() - before} times`);
      // Another drop and return sends nothing more: the outbox is empty.
      await browser.setOffline(true);
      await page.waitForTimeout(300);
      await browser.setOffline(false);
      await page.waitForTimeout(1500);
      assert(stored() === before + 1, `stored ${stored() - before} times after the network came back again`);
    }, 60000);

    await run.step('an answer lost on its way back: the report is sent again under its key and stored once', async () => {
      await page.reload();
      await ready();
      // The page's fetch reaches the server, which stores the report, but the answer of the
      // first report's POST is lost, as when the connection drops after the request went out.
      await page.evaluate(() => {
        const real = window.fetch;
        window.lostAnswer = null;
        window.fetch = async (input, init) => {
          const res = await real(input, init);
          if (!window.lostAnswer && init && init.method === 'POST' && String(input).endsWith('api/v1/reports')) {
            window.lostAnswer = { status: res.status, body: await res.json(), key: init.headers['Idempotency-Key'] };
            throw new TypeError('Failed to fetch');
          }
          return res;
        };
      });
      const before = stored();
      await page.click('#btn-report');
      await page.waitForSelector('#report-form', { state: 'visible' });
      await page.click('#btn-centre');
      await page.selectOption('#r-category', 'illegal_parking');
      await page.fill('#r-description', 'Odpowiedź zgubiona w drodze, test e2e.');
      await page.click('#btn-submit');
      await page.waitForFunction(() => /No network/.test(document.querySelector('#outbox-status').textContent), null, { timeout: 10000 });
      const lost = await page.evaluate(() => window.lostAnswer);
      assert(lost && lost.status === 201 && /^"[0-9a-f-]{36}"$/.test(lost.key), JSON.stringify(lost));
      assert(stored() === before + 1, 'the first sending was not stored');
      // The network "returns": the outbox sends the kept report again, under the same key.
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      await page.waitForFunction(() => /was sent/.test(document.querySelector('#outbox-status').textContent), null, { timeout: 15000 });
      const m = (await page.textContent('#outbox-status')).match(/number (\d+), tracking code (\S+)\./);
      assert(m && Number(m[1]) === lost.body.id && m[2] === lost.body.token, `${m && m[0]} vs ${JSON.stringify(lost.body)}`);
      const mine = await (await fetch(`${url}/api/v1/reports/${lost.body.id}?token=${encodeURIComponent(lost.body.token)}`)).json();
      assert(mine.description === 'Odpowiedź zgubiona w drodze, test e2e.', JSON.stringify(mine));
      // Exactly one report: nothing was stored after it.
      const next = await fetch(`${url}/api/v1/reports/${lost.body.id + 1}`);
      assert(next.status === 404, `a report ${lost.body.id + 1} exists: stored twice`);
      const pendingLeft = await page.evaluate(() => new Promise((resolve) => {
        const req = indexedDB.open('tarcza', 1);
        req.onsuccess = () => {
          const all = req.result.transaction('outbox').objectStore('outbox').getAll();
          all.onsuccess = () => { resolve(all.result.length); req.result.close(); };
        };
      }));
      assert(pendingLeft === 0, `${pendingLeft} reports left on the device`);
    }, 60000);
  } finally {
    await endRun({ browser, server, tmp }, run);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
