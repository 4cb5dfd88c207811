// maps.mjs - browser test of the police maps over a WMTS and a WMS base map:
// the real `tarcza serve --tiles ...` on a demo database, with a test double
// for the map service (support.mjs's tile server: it answers every request
// with a PNG tile and keeps the URLs it was asked). The police console, the
// analysis page and the printed patrol plan each ask the service for tiles
// in the form configured and draw the district boundaries over them; the
// patrol plan numbers its places on the map as in its table.
// usage: node tests/e2e/maps.mjs TARCZA WEB_DIR OUT_DIR

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import {
  CHROMIUM_ARGS, Runner, assert, watch, forgive, policeLogin, makeDemo, startServer, startTileServer, rawRequest,
} from './support.mjs';

const MERCATOR = 20037508.35; // half the width of the Web Mercator plane, metres

// Waits for tiles drawn in the map `selector`.
async function tilesDrawn(page, selector) {
  await page.waitForFunction((sel) => document.querySelectorAll(`${sel} img.leaflet-tile-loaded`).length > 0,
    selector, { timeout: 15000 });
}

// One server run with a base map: a fresh officer logs in; the caller's steps follow.
async function withServer({ tarcza, db, web, browser, run }, tiles, name, steps) {
  const server = await startServer(tarcza, db, web, ['--tiles', tiles, '--tiles-attribution', 'Test map service']);
  await browser.clearCookies(); // the session of the run before would skip the login
  const page = await browser.newPage();
  const seen = watch(page);
  // Leaflet cancels the tiles it no longer needs when the map moves (fitBounds): not a defect.
  const problems = {
    get length() { return this.list().length; },
    list: () => seen.filter((p) => !(p.startsWith('request failed: http://127.0.0.1') && /\/(wmts|wms)[/?].*ERR_ABORTED$/.test(p))),
    join: (sep) => problems.list().join(sep),
  };
  try {
    await policeLogin(page, { tarcza, db, url: server.url }, name, 'officer', ['--districts', 'KRK-01']);
    forgive(seen, 401); // GET api/v1/auth/me before logging in
    await steps(page, server.url, problems);
  } catch (err) {
    run.failed++;
    console.log(`FAIL with --tiles ${tiles}: ${err && err.stack || err}`);
  } finally {
    await page.close();
    await server.stop();
    const log = server.stderr();
    if (/AddressSanitizer|runtime error:|LeakSanitizer/.test(log)) {
      run.failed++;
      console.log(`FAIL the server reported a sanitizer error:\n${log.slice(0, 2000)}`);
    }
  }
}

async function main() {
  const [tarcza, webArg, outArg] = process.argv.slice(2);
  const web = path.resolve(webArg);
  const out = path.resolve(outArg);
  fs.mkdirSync(out, { recursive: true });
  const { chromium } = createRequire(path.join(web, 'package.json'))('playwright-core');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tarcza-maps-'));
  const db = path.join(tmp, 'maps.db');
  makeDemo(tarcza, db, 300);
  const double = await startTileServer();
  const browser = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const run = new Runner();
  const ctx = { tarcza, db, web, browser, run };
  try {
    const wmts = `${double.origin}/wmts/topo/{TileMatrix}/{TileRow}/{TileCol}.png`;
    await withServer(ctx, wmts, 'mapa.wmts', async (page, url, problems) => {
      await run.step('WMTS (RESTful): the console asks the service for tiles under the officer\'s district', async () => {
        const res = await rawRequest(url, 'GET', '/police.html');
        assert((res.headers['content-security-policy'] || '').includes(double.origin),
          `the policy does not name the map service: ${res.headers['content-security-policy']}`);
        await tilesDrawn(page, '#pmap');
        const asked = double.served.filter((u) => /^\/wmts\/topo\/\d+\/\d+\/\d+\.png$/.test(u));
        assert(asked.length > 0, `the service was asked: ${double.served.slice(0, 5).join(' ')}`);
        assert(await page.locator('#pmap path.pm-district').count() === 1, 'not the officer\'s one district boundary');
        await page.screenshot({ path: path.join(out, 'maps-police-wmts.png') });
        assert(problems.length === 0, problems.join('\n'));
      });

      await run.step('WMTS: the analysis page draws the base map under the districts', async () => {
        await page.goto(`${url}/analysis.html`);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
        await tilesDrawn(page, '#map');
        assert(await page.locator('#map path.district').count() > 0, 'no district boundary');
        assert(problems.length === 0, problems.join('\n'));
      });

      await run.step('the patrol plan\'s map numbers its places as the table does, on the base map', async () => {
        await page.goto(`${url}/patrol.html?district=KRK-01`);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
        await tilesDrawn(page, '#pmap');
        const ranks = await page.$$eval('#rows tr td:first-child', (tds) => tds.map((td) => td.textContent));
        const numbers = await page.$$eval('#pmap .patrol-num', (ms) => ms.map((m) => m.textContent));
        assert(ranks.length >= 1 && numbers.join() === ranks.join(), `table ${ranks.join()}, map ${numbers.join()}`);
        assert(await page.locator('#pmap path.patrol-district').count() === 1, 'no district boundary');
        await page.emulateMedia({ media: 'print' });
        assert(await page.locator('#pmap').isVisible(), 'the map is not printed');
        await page.screenshot({ path: path.join(out, 'maps-patrol.png'), fullPage: true });
        await page.emulateMedia({ media: 'screen' });
        assert(problems.length === 0, problems.join('\n'));
      });
    });

    const kvp = `${double.origin}/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=topo&STYLE=default`
      + '&TILEMATRIXSET=EPSG:3857&TILEMATRIX=EPSG:3857:{TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}&FORMAT=image/png';
    await withServer(ctx, kvp, 'mapa.kvp', async (page, url, problems) => {
      await run.step('WMTS (KVP GetTile): the console asks for tiles by matrix, row and column', async () => {
        await tilesDrawn(page, '#pmap');
        const asked = double.served.filter((u) => /^\/wmts\?SERVICE=WMTS&REQUEST=GetTile&.*TILEMATRIX=EPSG:3857:\d+&TILEROW=\d+&TILECOL=\d+&/.test(u));
        assert(asked.length > 0, `the service was asked: ${double.served.slice(-3).join(' ')}`);
        assert(await page.locator('#pmap path.pm-district').count() === 1, 'no district boundary');
        assert(problems.length === 0, problems.join('\n'));
      });
    });

    const wms = `${double.origin}/wms?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=ortofotomapa&STYLES=&FORMAT=image/png`;
    await withServer(ctx, wms, 'mapa.wms', async (page, url, problems) => {
      await run.step('WMS: the console asks GetMap for each tile with its box in EPSG:3857', async () => {
        await tilesDrawn(page, '#pmap');
        const asked = double.served.filter((u) => u.startsWith('/wms?'));
        assert(asked.length > 0, 'the WMS was not asked');
        for (const u of asked) {
          const q = new URLSearchParams(u.slice(5));
          const box = (q.get('BBOX') || '').split(',').map(Number);
          assert(q.get('REQUEST') === 'GetMap' && q.get('SERVICE') === 'WMS' && q.get('LAYERS') === 'ortofotomapa', u);
          assert(q.getAll('REQUEST').length === 1, `REQUEST twice: ${u}`);
          assert(q.get('SRS') === 'EPSG:3857' && q.get('WIDTH') === '256' && q.get('HEIGHT') === '256', u);
          assert(box.length === 4 && box.every((v) => Number.isFinite(v) && Math.abs(v) <= MERCATOR)
            && box[0] < box[2] && box[1] < box[3], `BBOX: ${q.get('BBOX')}`);
          // Kraków lies near 2.2e6 m east, 6.4e6 m north in Web Mercator.
          assert(box[0] > 2.0e6 && box[2] < 2.5e6 && box[1] > 6.2e6 && box[3] < 6.6e6, `BBOX not over Kraków: ${q.get('BBOX')}`);
        }
        assert(await page.locator('#pmap path.pm-district').count() === 1, 'no district boundary');
        await page.screenshot({ path: path.join(out, 'maps-police-wms.png') });
        assert(problems.length === 0, problems.join('\n'));
      });
    });
  } finally {
    await browser.close();
    await double.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    process.exit(run.summary() ? 0 : 1);
  }
}

main().catch((err) => {
  console.log(`FAIL the test run itself: ${err && err.stack || err}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
