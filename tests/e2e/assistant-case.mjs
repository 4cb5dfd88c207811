// assistant-case.mjs - browser test of the assistant's panel beside every message, case and
// report: the real `tarcza serve` on a fresh demo database in headless Chromium.
// usage: node tests/e2e/assistant-case.mjs TARCZA WEB_DIR OUT_DIR
// A SPOC operator opens a case in the exchange pages: the case and each of its messages link to
// the assistant. Beside a message the panel analyses its text and adds the phone number found in
// it to the case in one action (a second time it says the case has it). Beside the case it shows
// the summary of its messages, each sentence citing its message, the timeline with the dates of
// the text, the table of what was found with the number marked as added, and answers a question
// with the passages (no model configured: labelled so). A citizen's report opened from the
// police console is analysed beside it. No console error, CSP violation or failed request; no
// axe-core WCAG 2.1 A/AA violation in Polish and English. Screenshot: OUT_DIR/assistant-case.png.

import path from 'node:path';
import {
  startRun, Runner, assert, watch, endRun, addPoliceAccount, fillLogin, axeViolations,
} from './support.mjs';
import { recordMessage, spocLogin } from './exchange-support.mjs';

const SPOC = 'KGP-SPOC';
const FROM_DE = { node: 'DE', unit: 'BKA-SPOC', officer: 'KOK Weber' };
const REQUEST = {
  type: 'request', subject: 'Abonent numeru', originator: FROM_DE, addressees: [{ node: 'PL', unit: SPOC }],
  lang: 'pl', handling: 'H1', evaluation: { source: 'B', information: '2' }, urgency: 'normal',
  text: 'Dnia 12.03.2026 r. obywatel Алиев dzwonił z numeru +48 601 234 567. '
    + 'Prosimy o dane abonenta tego numeru do 20.03.2026 r. <b>pilne</b>',
};
const MORE = (caseId) => ({
  type: 'information', case: caseId, originator: FROM_DE, addressees: [{ node: 'PL', unit: SPOC }],
  lang: 'pl', handling: 'H1', evaluation: { source: 'B', information: '2' },
  text: 'Pan Jan Kowalski mieszka w Krakowie i używa numeru +48 601 234 567.',
});
const RYNEK = { lat: 50.0617, lon: 19.9373 };

async function main() {
  const { tarcza, web, out, tmp, db, server, browser } = await startRun('assistant-case', 5, { width: 1280, height: 900 });
  const run = new Runner();
  const url = server.url;
  const page = await browser.newPage();
  const problems = watch(page);
  const clean = async (what) => {
    const found = await axeViolations(page, web);
    assert(found.length === 0, `${what}: ${found.join('; ')}`);
  };
  let req = null;
  let more = null;
  let operator = null;
  try {
    await run.step('setup: a request from Germany and a message in its case; a SPOC operator', async () => {
      req = recordMessage(tarcza, db, tmp, 'req', REQUEST, true);
      more = recordMessage(tarcza, db, tmp, 'more', MORE(req.case), true);
      assert(more.case === req.case, `not one case: ${JSON.stringify([req, more])}`);
      operator = addPoliceAccount(tarcza, db, 'ola.spoc', 'spoc_operator', ['--unit', SPOC]);
    });

    await run.step('the case and each of its messages link to the assistant', async () => {
      await spocLogin(page, url, problems, 'ola.spoc', operator);
      await page.goto(`${url}/exchange.html#case=${req.case}`);
      await page.waitForSelector(`#thread li[data-message-id="${more.id}"]`, { timeout: 15000 });
      assert(await page.getAttribute('#case-assistant', 'href') === `assistant.html?case=${req.case}`, 'no case link');
      const links = await page.$$eval('#thread a.x-assistant', (as) => as.map((a) => a.getAttribute('href')));
      assert(links.includes(`assistant.html?message=${req.id}`) && links.includes(`assistant.html?message=${more.id}`),
        `message links: ${links}`);
    });

    await run.step('beside a message: its text analysed, the phone added to the case in one action', async () => {
      await page.click(`#thread li[data-message-id="${req.id}"] a.x-assistant`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      await page.waitForSelector('body[data-done="true"]', { timeout: 30000 });
      const ctx = await page.textContent('#as-context');
      assert(ctx.includes(`Wiadomość ${req.id} ze sprawy ${req.case}`), `context line: ${ctx}`);
      assert(await page.textContent('#as-original mark[data-type="phone"]') === '+48 601 234 567', 'no phone mark');
      assert(await page.locator('#as-original b').count() === 0, 'markup in the message became an element');
      const row = page.locator('#as-entities tr[data-type="phone"]');
      await row.locator('button.as-add-btn').click();
      await page.waitForFunction(() => /Dodano/.test(document.querySelector('#as-entities tr[data-type="phone"] .as-add').textContent));
      await page.reload();
      await page.waitForSelector('body[data-done="true"]', { timeout: 30000 });
      await page.locator('#as-entities tr[data-type="phone"] button.as-add-btn').click();
      await page.waitForFunction(() => /Już w sprawie/.test(document.querySelector('#as-entities tr[data-type="phone"] .as-add').textContent));
      problems.splice(0, problems.length, ...problems.filter((p) => !/409/.test(p))); // the refusal it shows
      await clean('the message panel');
      assert(problems.length === 0, problems.join('; '));
    }, 90000);

    await run.step('beside the case: summary with its sources, timeline, entities, a question answered', async () => {
      await page.click('#as-context a');
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      await page.waitForSelector('#as-case-summary li', { timeout: 15000 });
      const cited = await page.$$eval('#as-case-summary li', (ls) => ls.map((l) => l.dataset.messageId));
      assert(cited.every((id) => id === String(req.id) || id === String(more.id)), `summary sources: ${cited}`);
      const whens = await page.$$eval('#as-timeline tr[data-kind="date"] td:first-child', (ts) => ts.map((x) => x.textContent));
      assert(whens.includes('2026-03-12') && whens.includes('2026-03-20'), `dates: ${whens}`);
      assert(await page.locator('#as-timeline tr[data-kind="received"]').count() === 2, 'no received events');
      const phone = await page.textContent('#as-case-entities tr[data-type="phone"]');
      assert(/\+48601234567/.test(phone) && /dodano do sprawy/.test(phone), `phone row: ${phone}`);
      await page.fill('#as-question', 'Gdzie mieszka Kowalski?');
      await page.click('#as-ask-submit');
      await page.waitForSelector('body[data-asked="true"]', { timeout: 30000 });
      assert(/ekstrakcyjna/.test(await page.textContent('#as-answer-label')), 'the answer is not labelled');
      const first = await page.textContent('#as-answer-passages li');
      assert(/Krakowie/.test(first), `passage: ${first}`);
      assert(await page.locator('#as-answer-cites a').count() >= 1, 'no sources');
      assert(problems.length === 0, problems.join('; '));
      await page.screenshot({ path: path.join(out, 'assistant-case.png'), fullPage: true });
      await clean('the case panel (pl)');
      await page.click('#btn-lang');
      assert(/Timeline/.test(await page.textContent('#as-timeline-title')), 'not in English');
      await clean('the case panel (en)');
    }, 90000);

    await run.step('beside a report: the police console links to the assistant, which analyses it', async () => {
      const res = await fetch(`${url}/api/v1/reports`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ category: 'vandalism', ...RYNEK, description: 'Sprawca dzwonił z numeru +48 601 234 567.' }),
      });
      assert(res.status === 201, `POST /api/v1/reports answered ${res.status}`);
      const report = await res.json();
      const secret = addPoliceAccount(tarcza, db, 'jan.dzielnicowy', 'officer', ['--districts', report.district.id]);
      await browser.clearCookies(); // the SPOC's session gone
      await page.goto(`${url}/police.html`);
      await page.waitForSelector('#login-form', { state: 'visible' });
      await fillLogin(page, 'jan.dzielnicowy', secret);
      await page.waitForSelector(`#queue button[data-report-id="${report.id}"]`, { timeout: 15000 });
      await page.click(`#queue button[data-report-id="${report.id}"]`);
      await page.waitForSelector('#detail', { state: 'visible' });
      const href = await page.getAttribute('#detail-assistant', 'href');
      assert(href === `assistant.html?report=${report.id}`, `report link: ${href}`);
      problems.length = 0; // the console's own start is police.mjs's to test
      await page.goto(`${url}/${href}`);
      await page.waitForSelector('body[data-done="true"]', { timeout: 30000 });
      assert(await page.textContent('#as-original mark[data-type="phone"]') === '+48 601 234 567', 'report not analysed');
      assert(await page.locator('#as-entities button.as-add-btn').count() === 0, 'a report has no case to add to');
      await clean('the report panel');
      assert(problems.length === 0, problems.join('; '));
    }, 90000);
  } finally {
    await endRun({ browser, server, tmp }, run);
  }
}

main().catch((err) => {
  console.log(`FAIL the test run itself: ${err && err.stack || err}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
