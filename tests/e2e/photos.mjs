// photos.mjs - the report form's photo picker (issue 19): a citizen files a
// report with a photo through the form, the photo travels in base64 in the
// JSON body and is stored pending review (the answer says so; the public
// report shows none), a file the picker refuses (not an image) is said beside
// the field before anything is sent; an officer sees the pending photo in the
// police console and approves it; the reporter's tracking view then shows it.
// The form, the console and the tracking view with a photo stay clean under
// axe-core (WCAG 2.1 A and AA).
// usage: node tests/e2e/photos.mjs TARCZA WEB_DIR OUT_DIR

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startRun, Runner, assert, endRun, axeViolations, policeLogin,
} from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// A small JPEG with EXIF GPS (the fuzz harness's seed).
const JPEG = fs.readFileSync(path.join(here, '../../fuzz/corpus/fuzz_photo/exif.jpg'));

async function main() {
  const { tarcza, web, tmp, db, server, browser } = await startRun('photos', 20, { width: 1280, height: 900 });
  const run = new Runner();
  const url = server.url;
  const page = await browser.newPage();
  let sent = null;
  let filed = null;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/reports')) sent = r.postDataJSON();
  });
  const openForm = async () => {
    await page.goto(`${url}/#lang=en&c=50.0617,19.9373&z=17`);
    await page.waitForFunction(() => document.querySelector('#map').getAttribute('aria-busy') === 'false', null, { timeout: 15000 });
    await page.click('#btn-report');
    await page.waitForSelector('#report-form', { state: 'visible' });
    await page.click('#btn-centre');
    await page.selectOption('#r-category', 'illegal_parking');
  };
  try {
    await run.step('a file that is not an image is refused beside the picker, nothing sent', async () => {
      await openForm();
      await page.setInputFiles('#r-photos', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      await page.click('#btn-submit');
      await page.waitForSelector('#err-photos', { state: 'visible' });
      assert(/JPEG, PNG or WebP/.test(await page.textContent('#err-photos')), await page.textContent('#err-photos'));
      assert(sent === null, 'the form sent a report');
      const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
      assert(focused === 'r-photos', `focus on ${focused}`);
    }, 60000);

    await run.step('a report with a photo is filed and the photo waits for review', async () => {
      await openForm();
      await page.setInputFiles('#r-photos', { name: 'street.jpg', mimeType: 'image/jpeg', buffer: JPEG });
      assert((await page.textContent('#photos-chosen')).includes('1'), await page.textContent('#photos-chosen'));
      const found = await axeViolations(page, web);
      assert(found.length === 0, `the form with a photo: ${found.join('; ')}`);
      const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/reports'));
      await page.click('#btn-submit');
      const response = await answered;
      assert(response.status() === 201, `status ${response.status()}`);
      const answer = await response.json();
      assert(answer.photos_pending_review === 1, `answer: ${JSON.stringify(answer)}`);
      assert(Array.isArray(sent.photos) && sent.photos.length === 1, 'no photo in the body');
      assert(Buffer.from(sent.photos[0], 'base64').equals(JPEG), 'the photo was not sent as its bytes in base64');
      const pub = await (await fetch(`${url}/api/v1/reports/${answer.id}`)).json();
      assert(Array.isArray(pub.photos) && pub.photos.length === 0, `public before review: ${JSON.stringify(pub.photos)}`);
      filed = answer;
    }, 60000);

    await run.step('an officer sees the pending photo in the console and approves it (axe-core clean)', async () => {
      assert(filed, 'no report was filed');
      await policeLogin(page, { tarcza, db, url }, 'photo.officer', 'officer', ['--districts', filed.district.id]);
      await page.click(`#queue button[data-report-id="${filed.id}"]`);
      await page.waitForSelector('#photos-section', { state: 'visible' });
      const img = page.locator('#detail-photos img').first();
      await img.waitFor();
      assert(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the thumbnail did not load');
      assert((await page.textContent('#detail-photos')).includes('Waiting for review')
        || (await page.textContent('#detail-photos')).includes('Czeka'), await page.textContent('#detail-photos'));
      const found = await axeViolations(page, web);
      assert(found.length === 0, `the console with a photo: ${found.join('; ')}`);
      const reviewed = page.waitForResponse((r) => r.url().includes('/review'));
      await page.locator('#detail-photos button').first().click();
      assert((await reviewed).status() === 200, 'the review was refused');
      const photos = await (await fetch(`${url}/api/v1/reports/${filed.id}`)).json();
      assert(photos.photos.length === 1, `public after approval: ${JSON.stringify(photos.photos)}`);
    }, 60000);

    await run.step('the reporter\'s tracking view shows the approved photo', async () => {
      await page.goto(`${url}/#lang=en`);
      await page.waitForFunction(() => document.querySelector('#map').getAttribute('aria-busy') === 'false', null, { timeout: 15000 });
      await page.click('#btn-track');
      await page.waitForSelector('#track-form', { state: 'visible' });
      await page.fill('#t-id', String(filed.id));
      await page.fill('#t-token', filed.token);
      await page.click('#track-form button[type="submit"]');
      const img = page.locator('.photo-list img').first();
      await img.waitFor({ timeout: 15000 });
      assert(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the public thumbnail did not load');
      const found = await axeViolations(page, web);
      assert(found.length === 0, `the tracking view with a photo: ${found.join('; ')}`);
    }, 60000);
  } finally {
    await endRun({ browser, server, tmp }, run);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
