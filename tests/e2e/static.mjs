// static.mjs - how tarcza serves the front end's files (src/http/static.c):
// headers, HEAD, ETags, and the paths it must refuse; then a copy of web/ with
// a tile server configured, links that leave the folder, a FIFO and a file
// too big, and the page with tiles in the browser.

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeDemo, startServer, startTileServer, rawRequest, copyWeb, assert, watch } from './support.mjs';

const PAGE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function expectNotFound(res, what) {
  assert(res.status === 404, `${what}: ${res.status}, expected 404`);
  assert((res.headers['content-type'] || '').startsWith('application/problem+json'), `${what}: not a problem document`);
}

export async function staticSteps({ run, url }) {
  await run.step('static: the page has its CSP, nosniff, no-referrer and no-cache', async () => {
    const res = await rawRequest(url, 'GET', '/');
    assert(res.status === 200, `GET / answered ${res.status}`);
    assert(res.headers['content-type'] === 'text/html; charset=utf-8', `type ${res.headers['content-type']}`);
    assert(res.headers['content-security-policy'] === PAGE_CSP, `CSP: ${res.headers['content-security-policy']}`);
    assert(res.headers['x-content-type-options'] === 'nosniff', 'no nosniff');
    assert(res.headers['referrer-policy'] === 'no-referrer', 'no Referrer-Policy');
    assert(res.headers['cache-control'] === 'no-cache', `Cache-Control ${res.headers['cache-control']}`);
    assert(res.body.toString().includes('<script type="module" src="js/app.js">'), 'not our index.html');
  });

  await run.step('static: HEAD, ETag revalidation, Leaflet under /vendor/leaflet/, content types', async () => {
    const head = await rawRequest(url, 'HEAD', '/');
    const get = await rawRequest(url, 'GET', '/');
    assert(head.status === 200 && head.body.length === 0, `HEAD: ${head.status}, ${head.body.length} body bytes`);
    assert(head.headers['content-length'] === String(get.body.length), 'HEAD and GET disagree on the length');
    for (const p of ['/', '/js/app.js']) {
      const first = await rawRequest(url, 'GET', p);
      const again = await rawRequest(url, 'GET', p, { 'If-None-Match': first.headers.etag });
      assert(first.headers.etag && again.status === 304 && again.body.length === 0, `${p}: revalidation answered ${again.status}`);
      // A browser merges a 304's headers into its cached copy: another policy there would replace the page's.
      const csp = again.headers['content-security-policy'];
      assert(csp === undefined || csp === first.headers['content-security-policy'], `${p}: the 304 carries the policy ${csp}`);
    }
    const types = {
      '/js/app.js': 'text/javascript; charset=utf-8',
      '/css/app.css': 'text/css; charset=utf-8',
      '/data/poland.geojson': 'application/geo+json; charset=utf-8',
      '/favicon.svg': 'image/svg+xml',
      '/vendor/leaflet/leaflet-src.esm.js': 'text/javascript; charset=utf-8',
      '/vendor/leaflet/leaflet.css': 'text/css; charset=utf-8',
      '/vendor/leaflet/images/layers.png': 'image/png',
    };
    for (const [p, type] of Object.entries(types)) {
      const res = await rawRequest(url, 'GET', p);
      assert(res.status === 200, `${p}: ${res.status}`);
      assert(res.headers['content-type'] === type, `${p}: ${res.headers['content-type']}`);
      assert(res.headers['x-content-type-options'] === 'nosniff', `${p}: no nosniff`);
      assert(/default-src 'none'/.test(res.headers['content-security-policy'] || ''), `${p}: no CSP`);
      assert(res.headers.etag, `${p}: no ETag`);
    }
  });

  await run.step('static: traversal, encoded traversal, backslashes, hidden files and node_modules are 404', async () => {
    const refused = ['/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/%2E%2E%2Fetc%2Fpasswd', '/js/../../README.md',
      '/vendor/leaflet/../../package.json', '/vendor/leaflet/%2e%2e/%2e%2e/package.json', '/js/%2e%2e/index.html',
      '/js\\app.js', '/js%5capp.js', '/.git/config', '/.hidden.js', '/js/.app.js', '/node_modules/leaflet/package.json',
      '/node_modules/playwright-core/index.mjs', '/js/', '/js', '/missing.html', '//etc/passwd', '/js//app.js',
      '/index.html%2500.js', '/vendor/leaflet/', '/vendor/leaflet/../../../../../../etc/passwd',
      '/vendor/leaflet/images/../../package.json', '/package-lock', '/index.HTML'];
    for (const p of refused) expectNotFound(await rawRequest(url, 'GET', p), p);
    // libmicrohttpd decodes %00 and ends the path there: what is left must still be checked as a whole.
    const nul = await rawRequest(url, 'GET', '/index.html%00../../etc/passwd');
    assert(nul.status === 404 || (nul.status === 200 && nul.body.toString().includes('tarcza-tiles')),
      `NUL: ${nul.status}`);
  });
}

// A copy of web/ with files it must not serve (the tile server comes from --tiles).
function makeTileRoot(web, dir) {
  copyWeb(web, dir);
  assert(fs.readFileSync(path.join(dir, 'index.html'), 'utf8').includes('<meta name="tarcza-tiles" content="">'),
    'the empty tiles meta tag was not found in index.html');
  const outside = path.join(dir, '..', 'outside.js');
  fs.writeFileSync(outside, 'secret();\n');
  fs.symlinkSync(outside, path.join(dir, 'escape.js'));
  fs.symlinkSync('/etc/hostname', path.join(dir, 'host.js'));
  fs.symlinkSync(path.join(dir, 'js', 'app.js'), path.join(dir, 'inside.js'));
  execFileSync('mkfifo', [path.join(dir, 'fifo.js')]);
  fs.writeFileSync(path.join(dir, 'big.js'), '');
  fs.truncateSync(path.join(dir, 'big.js'), 9 * 1024 * 1024);
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'notes\n');
  fs.writeFileSync(path.join(dir, '.secret.js'), 'secret();\n');
  fs.mkdirSync(path.join(dir, 'folder.js'));
}

export async function tileSteps({ run, browser, tarcza, web, tmp }) {
  const tiles = await startTileServer();
  const root = path.join(tmp, 'webcopy', 'web');
  fs.mkdirSync(root, { recursive: true });
  const db = path.join(tmp, 'tiles.db');
  let server = null;
  try {
    makeTileRoot(web, root);
    makeDemo(tarcza, db, 50);
    server = await startServer(tarcza, db, root,
      ['--tiles', `${tiles.origin}/{z}/{x}/{y}.png`, '--tiles-attribution', '© Test <b>tiles</b> & "co"']);
    const { url } = server;

    await run.step('static: links out of the folder, FIFOs, big files, other types and folders are 404', async () => {
      for (const p of ['/escape.js', '/host.js', '/fifo.js', '/big.js', '/notes.txt', '/.secret.js', '/folder.js']) {
        expectNotFound(await rawRequest(url, 'GET', p, {}, 3000), p);
      }
      const inside = await rawRequest(url, 'GET', '/inside.js');
      assert(inside.status === 200, `a link inside the folder answered ${inside.status}`);
    });

    await run.step('tiles: the CSP lets the configured tile host through, and the map shows its tiles', async () => {
      const res = await rawRequest(url, 'GET', '/');
      const csp = res.headers['content-security-policy'] || '';
      assert(csp.includes(`img-src 'self' data: ${tiles.origin};`), `CSP: ${csp}`);
      const page = await browser.newPage();
      const problems = watch(page);
      await page.goto(`${url}/`);
      await page.waitForFunction(() => document.querySelector('#map').getAttribute('aria-busy') === 'false');
      await page.waitForFunction(() => document.querySelectorAll('img.leaflet-tile-loaded').length > 0, null, { timeout: 8000 });
      assert(tiles.served.length > 0, 'the tile server got no request');
      const attribution = await page.textContent('.leaflet-control-attribution');
      assert(attribution.includes('© Test <b>tiles</b> & "co"'), `attribution: ${attribution}`);
      assert(await page.locator('.leaflet-control-attribution b').count() === 0, 'the attribution was taken as HTML');
      assert(await page.locator('path.tz-outline').count() === 0, 'the outline is drawn over the tiles');
      assert(problems.length === 0, problems.join('\n'));
      await page.close();
    });
  } finally {
    if (server) await server.stop();
    await tiles.stop();
  }
}
