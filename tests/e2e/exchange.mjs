// exchange.mjs - browser test of the exchange pages (web/exchange.html)
// against the real `tarcza serve`: three requests from Germany and a draft
// notice are recorded with `tarcza exchange import`; a SPOC operator logs in
// through the police console (password and TOTP code), finds the requests in
// the inbox with their deadlines and handling markings, opens a case (its
// entities, links and the cross-check hit), replies to one request and
// refuses another on a ground of the server's list, asks for clarification
// on the third (its clock stops); the notice goes to
// review, and the SPOC's supervisor publishes it (with the neutrality
// check) and cancels it (with a reason). axe-core finds no WCAG 2.1 A/AA
// violation on any of these views, in Polish and English, and the pages run
// under their CSP without errors.
// usage: node tests/e2e/exchange.mjs TARCZA WEB_DIR OUT_DIR

import path from 'node:path';
import {
  startRun, Runner, assert, watch, endRun, addPoliceAccount, axeViolations,
} from './support.mjs';
import { recordMessage, spocLogin } from './exchange-support.mjs';

const SPOC = 'KGP-SPOC';
const FROM_DE = { node: 'DE', unit: 'BKA-SPOC', officer: 'KOK Weber' };
const TO_PL = [{ node: 'PL', unit: SPOC }];

// Request A (urgent, H1): a person and her passport, linked.
const REQUEST_A = {
  type: 'request', subject: 'Skradziony samochód', crime_area: 'kradzież pojazdów', originator: FROM_DE,
  addressees: TO_PL, lang: 'pl', handling: 'H1', evaluation: { source: 'B', information: '2' },
  urgency: 'urgent_indirect', text: 'Prosimy o dane właściciela.',
  entities: [
    { ref: 'p1', kind: 'person', family: 'Mammadov', given: 'Elvin', original: 'Məmmədov', nationalities: ['AZ'] },
    { ref: 'd1', kind: 'document', doc_type: 'passport', number: 'C01234567', country: 'AZE' },
  ],
  links: [{ from: 'p1', to: 'd1', role: 'holder_of' }],
};
// Request B (H3 with its restriction): the same passport, so the cross-check finds A's.
const REQUEST_B = {
  type: 'request', subject: 'Fałszywa tożsamość', originator: FROM_DE, addressees: TO_PL, lang: 'pl',
  handling: 'H3', restriction: 'Tylko dla SPOC, bez kopii', evaluation: { source: 'C', information: '3' },
  urgency: 'normal', text: 'Czy paszport był zgłoszony?',
  entities: [{ ref: 'd1', kind: 'document', doc_type: 'passport', number: 'C 0123-4567', country: 'AZ' }],
};
// Request C (H2): not to be passed on without the provider's permission.
const REQUEST_C = {
  type: 'request', subject: 'Numer telefonu', originator: FROM_DE, addressees: TO_PL, lang: 'pl', handling: 'H2',
  evaluation: { source: 'A', information: '2' }, urgency: 'urgent_direct',
  entities: [{ ref: 'c1', kind: 'comm', comm_kind: 'phone', value: '+48600100200' }],
};
// A red notice this node drafts.
const NOTICE = {
  type: 'notice', subject: 'Czerwona nota: Jan Kowalski', originator: { node: 'PL', unit: SPOC },
  addressees: [{ node: 'INTERPOL', unit: 'IPSG' }], lang: 'pl', handling: 'H0',
  evaluation: { source: 'A', information: '1' }, notice_type: 'red',
  entities: [{ ref: 'p1', kind: 'person', family: 'Kowalski', given: 'Jan', birth_date: '1980' }],
};

// Records message m with `tarcza exchange import` (as the SPOC's supervisor); its receipt.
async function main() {
  const { tarcza, web, out, tmp, db, server, browser } = await startRun('exchange', 5, { width: 1280, height: 900 });
  const run = new Runner();
  const url = server.url;
  let a = null;
  let b = null;
  let c = null;
  let notice = null;
  let operator = null;
  let boss = null;
  const page = await browser.newPage();
  const problems = watch(page);
  const clean = async (what) => {
    const found = await axeViolations(page, web);
    assert(found.length === 0, `${what}: ${found.join('; ')}`);
  };
  const login = (name, secret) => spocLogin(page, url, problems, name, secret);
  try {
    await run.step('setup: three requests from Germany and a draft notice; a SPOC operator and supervisor', async () => {
      a = recordMessage(tarcza, db, tmp, 'a', REQUEST_A, true);
      b = recordMessage(tarcza, db, tmp, 'b', REQUEST_B, true);
      c = recordMessage(tarcza, db, tmp, 'c', REQUEST_C, true);
      notice = recordMessage(tarcza, db, tmp, 'notice', NOTICE, false);
      assert(a.due && b.due, `no deadlines: ${JSON.stringify([a, b])}`);
      assert(b.hits.length === 1 && b.hits[0].message === a.id, `B's hits at receipt: ${JSON.stringify(b.hits)}`);
      operator = addPoliceAccount(tarcza, db, 'ola.spoc', 'spoc_operator', ['--unit', SPOC]);
      boss = addPoliceAccount(tarcza, db, 'szef.spoc', 'spoc_supervisor', ['--unit', SPOC]);
    });

    await run.step('the operator logs in with password and TOTP code and goes to the exchange', async () => {
      await login('ola.spoc', operator);
      await page.click('#nav-exchange');
      await page.waitForSelector(`#box-items a[data-message-id="${a.id}"]`, { timeout: 10000 });
      assert(/ola\.spoc · operator SPOC/.test(await page.textContent('#who')), `who: ${await page.textContent('#who')}`);
    });

    await run.step('the inbox lists the requests with their time left and their handling markings', async () => {
      const itemA = page.locator('#box-items li', { has: page.locator(`a[data-message-id="${a.id}"]`) });
      const itemB = page.locator('#box-items li', { has: page.locator(`a[data-message-id="${b.id}"]`) });
      const textA = await itemA.textContent();
      assert(/Skradziony samochód/.test(textA) && /zostało: 2 d\. 23 godz\./.test(textA), `A: ${textA}`);
      assert(/NIE DO UŻYTKU SĄDOWEGO/.test(textA), `A has no H1 marking: ${textA}`);
      const textB = await itemB.textContent();
      assert(/zostało: 6 d\. 23 godz\./.test(textB), `B: ${textB}`);
      assert(/OGRANICZENIA: Tylko dla SPOC, bez kopii/.test(textB), `B has no H3 text: ${textB}`);
      const textC = await page.locator('#box-items li', { has: page.locator(`a[data-message-id="${c.id}"]`) }).textContent();
      assert(/zostało: 7 godz\. 59 min/.test(textC), `C: ${textC}`);
      assert(/NIE PRZEKAZYWAĆ BEZ ZGODY DOSTAWCY/.test(textC), `C has no H2 marking: ${textC}`);
      assert(/Wiadomości: 3, po terminie: 0/.test(await page.textContent('#box-summary')), 'summary');
      await clean('the inbox');
      await page.screenshot({ path: path.join(out, 'exchange-inbox.png') });
    });

    await run.step('an overdue request is shown first and as overdue, as the server orders and marks it', async () => {
      const pattern = '**/api/v1/exchange/inbox?*';
      await page.route(pattern, async (route) => {
        const res = await route.fetch();
        const json = await res.json();
        const late = json.items.find((i) => i.id === b.id);
        late.overdue = true;
        late.due = new Date(Date.now() - 3 * 3600 * 1000 - 60000).toISOString();
        json.items = [late, ...json.items.filter((i) => i.id !== b.id)];
        await route.fulfill({ response: res, json });
      });
      await page.evaluate(() => { location.hash = 'view=inbox&again=1'; });
      await page.waitForSelector('#box-items li.overdue-item');
      const first = page.locator('#box-items li').first();
      assert(await first.locator(`a[data-message-id="${b.id}"]`).count() === 1, 'the overdue request is not first');
      assert(/po terminie o 3 godz\. 1 min/.test(await first.textContent()), `first: ${await first.textContent()}`);
      await page.unroute(pattern);
    });

    await run.step('case A: the thread, markings, entities in their own script, links; reply, refuse or clarify offered', async () => {
      await page.click(`#box-items a[data-message-id="${a.id}"]`);
      await page.waitForSelector(`#thread li[data-message-id="${a.id}"]`);
      const text = await page.textContent('#thread');
      for (const want of ['NIE DO UŻYTKU SĄDOWEGO', 'Məmmədov', 'C01234567', 'Azerbejdżan', 'paszport', 'Prosimy o dane właściciela.']) {
        assert(text.includes(want), `the case page lacks ${want}: ${text.slice(0, 400)}`);
      }
      assert(/Elvin Mammadov — .+ — C01234567/.test(await page.textContent('.x-links')), 'the link is not shown');
      assert(await page.getAttribute('.x-text', 'lang') === 'pl', 'the free text has no language tag');
      const offered = await page.$$eval(`#m-${a.id} button[data-answer]`, (bs) => bs.map((x) => x.dataset.answer));
      assert(offered.join() === 'reply,refusal,clarification', `offered: ${offered.join()}`);
    });

    await run.step('the operator replies to A in the request\'s language; the request is answered', async () => {
      await page.click(`#m-${a.id} button[data-answer="reply"]`);
      await page.waitForSelector('#composer', { state: 'visible' });
      assert(/\bpl\b/.test(await page.textContent('#c-lang')), 'the reply\'s language is not the request\'s');
      await page.fill('#c-text', 'Właściciel: Elvin Mammadov, paszport ważny.');
      await clean('the composer (reply)');
      await page.click('#c-send');
      await page.waitForSelector('#thread li.x-out');
      await page.waitForFunction(() => /odpowiedziano/.test(document.querySelector('#thread').textContent));
      assert(await page.locator('#thread button[data-answer]').count() === 0, 'an answered request still offers answers');
      const view = await page.evaluate((id) => fetch(`api/v1/exchange/messages/${id}`).then((r) => r.json()), a.id);
      assert(view.state === 'answered', `A is ${view.state}`);
      await page.screenshot({ path: path.join(out, 'exchange-case.png') });
    });

    await run.step('case B: its cross-check hit names A\'s passport; B is refused on a ground of the server\'s list', async () => {
      await page.goto(`${url}/exchange.html#case=${b.case}`);
      await page.waitForSelector('.x-hit');
      assert(/doc:AZ:C01234567/.test(await page.textContent('.x-hits')), 'no hit shown');
      assert(await page.locator(`.x-hit a[href="#case=${a.case}"]`).count() === 1, 'the hit does not lead to A\'s case');
      assert(/Tylko dla SPOC, bez kopii/.test(await page.textContent('#thread .x-markings')), 'no H3 text on the case page');
      await page.click(`#m-${b.id} button[data-answer="refusal"]`);
      await page.waitForSelector('#c-grounds-field', { state: 'visible' });
      const grounds = await page.$$eval('#c-grounds input', (is) => is.map((i) => i.value));
      const table = await page.evaluate(() => fetch('api/v1/exchange/codes?lang=pl').then((r) => r.json()));
      assert(grounds.join() === table.tables.refusal_ground.map((r) => r.code).join(), `grounds: ${grounds.join()}`);
      await page.click('#c-send'); // no ground: the page says so and sends nothing
      await page.waitForSelector('#err-composer', { state: 'visible' });
      await clean('the composer (refusal)');
      await page.check('#g-a');
      await page.fill('#c-reasons', 'Paszport nie figuruje w naszych zbiorach.');
      await page.click('#c-send');
      await page.waitForFunction(() => /odmówiono/.test(document.querySelector('#thread').textContent));
      const view = await page.evaluate((id) => fetch(`api/v1/exchange/messages/${id}`).then((r) => r.json()), b.id);
      assert(view.state === 'refused', `B is ${view.state}`);
      await clean('case B, refused');
    });

    await run.step('a clarification request on C stops its clock; then only a reply or a refusal is offered', async () => {
      await page.goto(`${url}/exchange.html#case=${c.case}`);
      await page.click(`#m-${c.id} button[data-answer="clarification"]`);
      await page.waitForSelector('#composer', { state: 'visible' });
      assert(await page.isHidden('#c-grounds-field'), 'a clarification is offered refusal grounds');
      await page.selectOption('#c-handling', 'H3');
      await page.waitForSelector('#c-restriction', { state: 'visible' });
      await page.fill('#c-restriction', 'Tylko dla BKA');
      await page.fill('#c-text', 'Czyj to numer według Państwa danych?');
      await page.click('#c-send');
      await page.waitForFunction(() => /termin wstrzymany/.test(document.querySelector('#thread').textContent));
      const offered = await page.$$eval(`#m-${c.id} button[data-answer]`, (bs) => bs.map((x) => x.dataset.answer));
      assert(offered.join() === 'reply,refusal', `a paused request offers ${offered.join()}`);
      assert(/Tylko dla BKA/.test(await page.textContent('#thread li.x-out .x-markings')), 'the H3 text is not on the clarification');
      const view = await page.evaluate((id) => fetch(`api/v1/exchange/messages/${id}`).then((r) => r.json()), c.id);
      assert(view.state === 'paused' && !view.overdue, `C is ${view.state}`);
    });

    await run.step('the outbox holds the reply and the refusal; the pages in English', async () => {
      await page.click('#tab-outbox');
      await page.waitForFunction(() => /odmowa/.test(document.querySelector('#box-items').textContent));
      const types = await page.textContent('#box-items');
      assert(/odpowiedź/.test(types) && /odmowa/.test(types) && /wniosek o wyjaśnienie/.test(types), `outbox: ${types}`);
      await page.click('#btn-lang');
      await page.waitForFunction(() => /Outbox/.test(document.querySelector('#box-title').textContent));
      await clean('the outbox, English');
      await page.goto(`${url}/exchange.html#lang=en&case=${a.case}`);
      await page.waitForFunction(() => /NOT FOR JUDICIAL USE/.test(document.querySelector('#thread').textContent));
      assert(/Azerbaijan/.test(await page.textContent('#thread')), 'no English country label');
      await clean('case A, English');
    });

    await run.step('notice review: the operator sends the draft for review, and has no further step', async () => {
      await page.goto(`${url}/exchange.html#view=notices`);
      await page.click(`#notice-items a[data-notice-id="${notice.id}"]`);
      await page.waitForSelector('#notice-actions button[data-to="review"]');
      const offered = await page.$$eval('#notice-actions button', (bs) => bs.map((x) => x.dataset.to));
      assert(offered.join() === 'review', `a draft offers ${offered.join()}`);
      await clean('notice review (draft)');
      await page.click('#notice-actions button[data-to="review"]');
      await page.waitForSelector(`#notice-items a[data-notice-id="${notice.id}"][data-state="review"]`);
      assert(await page.isHidden('#notice-step'), 'the operator is offered a step from review');
    });

    await run.step('the supervisor publishes it with the neutrality check, then cancels it with a reason', async () => {
      await page.goto(`${url}/police.html`);
      await page.click('#btn-logout');
      await login('szef.spoc', boss);
      await page.goto(`${url}/exchange.html#notice=${notice.id}`);
      await page.waitForSelector('#notice-actions button[data-to="published"]');
      const offered = await page.$$eval('#notice-actions button', (bs) => bs.map((x) => x.dataset.to));
      assert(offered.sort().join() === 'draft,published', `review offers ${offered.join()}`);
      await page.click('#notice-actions button[data-to="published"]');
      await page.waitForSelector('#err-notice', { state: 'visible' }); // no check: nothing sent
      await page.check('#n-neutral');
      await clean('notice review (review)');
      await page.click('#notice-actions button[data-to="published"]');
      await page.waitForSelector('#notice-actions button[data-to="cancelled"]');
      await page.click('#notice-actions button[data-to="cancelled"]');
      await page.waitForSelector('#err-notice', { state: 'visible' }); // no reason: nothing sent
      await page.fill('#n-note', 'Osoba zatrzymana.');
      await page.click('#notice-actions button[data-to="cancelled"]');
      await page.waitForSelector(`#notice-items a[data-notice-id="${notice.id}"][data-state="cancelled"]`);
      const v = await page.evaluate((id) => fetch(`api/v1/exchange/notices/${id}`).then((r) => r.json()), notice.id);
      assert(v.notice_state === 'cancelled' && v.transitions.length === 0, `the notice: ${v.notice_state}`);
      await page.screenshot({ path: path.join(out, 'exchange-notice.png') });
    });

    await run.step('no console error, failed request or CSP violation on the exchange pages', async () => {
      assert(problems.length === 0, problems.join('\n'));
    });
    await page.close();
  } finally {
    await endRun({ browser, server, tmp }, run);
  }
}

main().catch((err) => {
  console.log(`FAIL the test run itself: ${err && err.stack || err}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
