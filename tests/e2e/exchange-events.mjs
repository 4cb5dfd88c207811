// exchange-events.mjs - browser test of the event view and the retention queue of
// the exchange pages (web/exchange.html) against the real `tarcza serve`. A SPOC
// operator records a football event from Azerbaijan's NFIP with a risk assessment
// and supporter movements through the API, and two reports are sent to the threat
// map, one beside the venue and one 7 km away; the event view lists the event and
// shows its facts, its messages with their NFIP parts and, on the map and as text,
// the venue and the one report within the radius. Two requests recorded with
// `tarcza exchange import` are concluded with `tarcza exchange conclude`, one made
// due behind the server; the operator sees the queue, due first, with no review
// step; the SPOC's supervisor keeps one case's data (reasons required) and deletes
// the other's after a confirm dialog (a cancel deletes nothing). axe-core finds no
// WCAG 2.1 A/AA violation on these views in Polish and English, and the pages run
// under their CSP without errors. A liaison officer writes a new request to
// Germany: the composer offers the copy to the national SPOC (Art. 4), or an
// exception with its reasons, and the request opens a case with the copy.
// usage: node tests/e2e/exchange-events.mjs TARCZA WEB_DIR OUT_DIR

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  startRun, Runner, assert, watch, endRun, addPoliceAccount, axeViolations,
} from './support.mjs';
import { recordMessage, spocLogin } from './exchange-support.mjs';

const SPOC = 'KGP-SPOC';
const FROM_DE = { node: 'DE', unit: 'BKA-SPOC', officer: 'KOK Weber' };
const FROM_AZ = {
  originator: { node: 'AZ', unit: 'AZ-NFIP' }, addressees: [{ node: 'PL', unit: SPOC }], lang: 'en',
  handling: 'H0', evaluation: { source: 'A', information: '2' },
};
const VENUE = { lat: 50.0577, lon: 19.9192 }; // Cracovia's stadium, Kraków (the demo's districts)

function request(subject, name) {
  return {
    type: 'request', subject, originator: FROM_DE, addressees: [{ node: 'PL', unit: SPOC }], lang: 'pl',
    handling: 'H0', evaluation: { source: 'B', information: '2' }, urgency: 'normal', text: 'Prosimy o dane.',
    entities: [{ ref: 'p1', kind: 'person', family: name, given: 'Jan' }],
  };
}

// Records message m with `tarcza exchange import --direction in`; its receipt.
// A POST of the logged-in page's session (with its CSRF token); {status, json}.
function post(page, url, body) {
  return page.evaluate(async ({ url: u, body: b }) => {
    const me = await fetch('api/v1/auth/me').then((r) => r.json());
    const res = await fetch(u, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
      body: JSON.stringify(b), credentials: 'same-origin',
    });
    return { status: res.status, json: await res.json().catch(() => null) };
  }, { url, body });
}

function iso(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function main() {
  const { tarcza, web, out, tmp, db, server, browser } = await startRun('exchange-events', 0, { width: 1280, height: 900 });
  const run = new Runner();
  const url = server.url;
  let a = null;
  let b = null;
  let event = null;
  let near = null;
  let operator = null;
  let boss = null;
  let liaison = null;
  const page = await browser.newPage();
  const problems = watch(page);
  const clean = async (what) => {
    const found = await axeViolations(page, web);
    assert(found.length === 0, `${what}: ${found.join('; ')}`);
  };
  const login = (name, secret) => spocLogin(page, url, problems, name, secret);
  const retentionOf = (id) => page.evaluate(async (c) => {
    const q = await fetch('api/v1/exchange/retention').then((r) => r.json());
    return q.items.find((i) => i.case === c) || null;
  }, id);
  try {
    await run.step('setup: two requests concluded, one of them due for review; a SPOC operator and supervisor', async () => {
      a = recordMessage(tarcza, db, tmp, 'a', request('Sprawa Nowaka', 'Nowak'), true);
      b = recordMessage(tarcza, db, tmp, 'b', request('Sprawa Wiśniewskiego', 'Wiśniewski'), true);
      for (const m of [a, b]) {
        execFileSync(tarcza, ['exchange', 'conclude', '--case', String(m.case), '--reasons', 'wymiana zakończona', '--db', db]);
      }
      // B's review has come: its date moved behind the server, as test_exchange_events does.
      execFileSync('sqlite3', [db, `UPDATE x_retention SET review_due = 1000 WHERE case_id = ${Number(b.case)}`]);
      operator = addPoliceAccount(tarcza, db, 'ola.spoc', 'spoc_operator', ['--unit', SPOC]);
      boss = addPoliceAccount(tarcza, db, 'szef.spoc', 'spoc_supervisor', ['--unit', SPOC]);
      liaison = addPoliceAccount(tarcza, db, 'jan.lo', 'liaison_officer', ['--unit', 'KWP-Krakow']);
    });

    await run.step('the operator records a football event, its risk assessment and supporter movements; two reports nearby', async () => {
      await login('ola.spoc', operator);
      const kickoff = iso(Date.now() + 3600 * 1000);
      const ev = await post(page, 'api/v1/exchange/events?direction=in', {
        ...FROM_AZ, type: 'nfip_event', subject: 'Cracovia – Qarabağ FK',
        event: {
          competition: 'UEFA Conference League', home: 'Cracovia', away: 'Qarabağ FK', venue: 'Stadion Cracovii',
          country: 'PL', lat: VENUE.lat, lon: VENUE.lon, kickoff, risk: 'high',
        },
      });
      assert(ev.status === 201, `the event: ${JSON.stringify(ev)}`);
      event = ev.json;
      const path1 = `api/v1/exchange/events/${event.id}/messages?direction=in`;
      const risk = await post(page, path1, { ...FROM_AZ, type: 'nfip_risk', nfip: { phase: 'operational', risk: 'high' } });
      assert(risk.status === 201, `the risk assessment: ${JSON.stringify(risk)}`);
      const mv = await post(page, path1, {
        ...FROM_AZ, type: 'nfip_movement',
        nfip: { supporters: 3500, risk_supporters: 120, transport: 'air', route: 'GYD-KRK charters' },
      });
      assert(mv.status === 201, `the movements: ${JSON.stringify(mv)}`);
      const r1 = await post(page, 'api/v1/reports', { category: 'vandalism', lat: VENUE.lat + 0.0004, lon: VENUE.lon + 0.0005 });
      const r2 = await post(page, 'api/v1/reports', { category: 'vandalism', lat: VENUE.lat + 0.012, lon: VENUE.lon + 0.09 });
      assert(r1.status === 201 && r2.status === 201, `reports: ${JSON.stringify([r1, r2])}`);
      near = r1.json.id;
    });

    await run.step('the event view: the event, its messages with NFIP parts, the venue and the near report on the map', async () => {
      await page.goto(`${url}/exchange.html#view=events`);
      await page.waitForSelector(`#event-items a[data-event-id="${event.id}"]`);
      assert(/Wydarzenia: 1/.test(await page.textContent('#events-summary')), 'events summary');
      await page.click(`#event-items a[data-event-id="${event.id}"]`);
      await page.waitForSelector('#event-messages li[data-message-id]');
      const facts = await page.textContent('#event-facts');
      assert(/UEFA Conference League/.test(facts) && /Stadion Cracovii/.test(facts), `facts: ${facts}`);
      assert(/Cracovia – Qarabağ FK/.test(await page.textContent('#event-title')), 'title');
      const msgs = await page.textContent('#event-messages');
      assert(await page.locator('#event-messages li').count() === 3, `messages: ${msgs}`);
      assert(/GYD-KRK charters/.test(msgs) && /120/.test(msgs), `no NFIP part: ${msgs}`);
      const reports = await page.$$eval('#event-reports li', (ls) => ls.map((l) => l.dataset.reportId));
      assert(reports.join() === String(near), `reports listed: ${reports.join()}`);
      assert(/3000 m|3 000 m|3\u00a0000 m/.test(await page.textContent('#event-reports-summary')), 'radius');
      assert(await page.locator('#emap path.em-venue').count() === 1, 'no venue on the map');
      assert(await page.locator('#emap path.pm').count() === 1, 'the map does not show the one near report');
      assert(await page.getAttribute('#event-case', 'href') === `#case=${event.case}`, 'no link to the case');
      await clean('the event view');
      await page.screenshot({ path: path.join(out, 'exchange-event.png') });
      await page.click('#btn-lang');
      await page.waitForFunction(() => /The event’s messages/.test(document.querySelector('#event-messages-title').textContent));
      await page.waitForFunction(() => /high/.test(document.querySelector('#event-facts').textContent));
      await clean('the event view, English');
    });

    await run.step('the operator sees the retention queue, the due review first, and no review step', async () => {
      await page.goto(`${url}/exchange.html#view=retention`);
      await page.waitForSelector('#retention-items li');
      const cases = await page.$$eval('#retention-items li', (ls) => ls.map((l) => l.dataset.caseId));
      assert(cases.join() === `${b.case},${a.case}`, `order: ${cases.join()}`);
      assert(await page.getAttribute('#retention-items li:first-child .x-due', 'data-due') === 'true', 'B is not due');
      assert(/do przeglądu teraz: 1/.test(await page.textContent('#retention-summary')), 'summary');
      assert(await page.locator('#retention-items button').count() === 0, 'the operator is offered a review');
      assert(await page.isVisible('#retention-who'), 'no word on who reviews');
      await clean('the retention queue (operator)');
    });

    await run.step('the supervisor keeps B\'s data with reasons: it is no longer due', async () => {
      await page.goto(`${url}/police.html`);
      await page.click('#btn-logout');
      await login('szef.spoc', boss);
      await page.goto(`${url}/exchange.html#view=retention`);
      const item = `#retention-items li[data-case-id="${b.case}"]`;
      await page.waitForSelector(`${item} button[data-decision="keep"]`);
      await clean('the retention queue (supervisor)');
      await page.click(`${item} button[data-decision="keep"]`);
      await page.waitForSelector(`#r-err-${b.case}`, { state: 'visible' }); // no reasons: nothing sent
      await page.fill(`#r-reasons-${b.case}`, 'Postępowanie przygotowawcze trwa.');
      await page.click(`${item} button[data-decision="keep"]`);
      await page.waitForSelector(`#retention-items li[data-case-id="${b.case}"][data-state="kept"]`);
      const r = await retentionOf(b.case);
      assert(r.state === 'kept' && !r.due && r.reviews === 1, `B: ${JSON.stringify(r)}`);
      assert(/Postępowanie przygotowawcze trwa/.test(await page.textContent(`#retention-items li[data-case-id="${b.case}"]`)), 'reasons');
    });

    await run.step('deleting A asks first; a cancel deletes nothing, a confirm deletes irrevocably', async () => {
      const item = `#retention-items li[data-case-id="${a.case}"]`;
      await page.fill(`#r-reasons-${a.case}`, 'Dane zbędne.');
      await page.click(`${item} button[data-decision="delete"]`);
      await page.waitForSelector('#r-confirm', { state: 'visible' });
      assert(new RegExp(`#${a.case}`).test(await page.textContent('#r-confirm-text')), 'the dialog names no case');
      await clean('the deletion dialog');
      await page.click('#r-confirm-no');
      await page.waitForSelector('#r-confirm', { state: 'hidden' });
      assert((await retentionOf(a.case)).state === 'concluded', 'a cancelled deletion deleted');
      await page.click('#btn-lang');
      await page.waitForFunction(() => /Retention review/.test(document.querySelector('#retention-title').textContent));
      await clean('the retention queue, English');
      await page.fill(`#r-reasons-${a.case}`, 'No longer needed.');
      await page.click(`${item} button[data-decision="delete"]`);
      await page.waitForSelector('#r-confirm', { state: 'visible' });
      await page.click('#r-confirm-yes');
      // A deleted case leaves the queue: there is nothing left to review.
      await page.waitForSelector(item, { state: 'detached' });
      assert(/Case #\d+: the personal data is deleted/.test(await page.textContent('#announce')), 'not announced');
      assert(await retentionOf(a.case) === null, 'a deleted case is still in the queue');
      const v = await page.evaluate((id) => fetch(`api/v1/exchange/messages/${id}`).then((r) => r.json()), a.id);
      // What stays is what Art. 18's statistics count: no entities, no text, no officer's name.
      assert(!(v.entities && v.entities.length) && !v.text && !v.originator.officer, `A's message: ${JSON.stringify(v)}`);
      await page.screenshot({ path: path.join(out, 'exchange-retention.png') });
    });

    await run.step('a liaison officer\'s new request abroad: the composer offers Art. 4\'s copy to the SPOC', async () => {
      await page.goto(`${url}/police.html`);
      await page.click('#btn-logout');
      await login('jan.lo', liaison);
      await page.goto(`${url}/exchange.html#view=new`);
      await page.waitForSelector('#n-type option[value="request"]', { state: 'attached' });
      assert(await page.isHidden('#tab-retention'), 'the liaison officer is offered the retention queue');
      const types = await page.$$eval('#n-type option', (os) => os.map((o) => o.value));
      assert(types.join() === 'request,information', `types offered: ${types.join()}`);
      assert(/PL \/ KWP-Krakow/.test(await page.textContent('#n-from')), 'not from the reader\'s unit');
      await page.fill('#n-subject', 'Pojazd z Niemiec');
      await page.fill('#n-crime', 'kradzież pojazdów');
      await page.fill('#n-node', 'DE');
      await page.fill('#n-unit', 'BKA-SPOC');
      await page.fill('#n-lang', 'de');
      await page.selectOption('#n-urgency', 'urgent_indirect');
      await page.fill('#n-text', 'Bitte um Angaben zum Halter.');
      await page.waitForSelector('#n-art4', { state: 'visible' });
      assert(await page.isChecked('#n-copy') && /PL \/ KGP-SPOC/.test(await page.textContent('#n-art4')), 'no copy to the SPOC offered');
      await page.uncheck('#n-copy');
      await page.waitForSelector('#n-exception', { state: 'visible' });
      await page.click('#n-send'); // an exception without reasons: the page says so and sends nothing
      await page.waitForSelector('#err-new', { state: 'visible' });
      await clean('the new message composer');
      await page.check('#n-copy');
      await page.selectOption('#n-type', 'information');
      assert(await page.isHidden('#n-urgency-field') && await page.isHidden('#n-art4'), 'information offered an urgency or Art. 4');
      await page.selectOption('#n-type', 'request');
      await page.click('#n-send');
      await page.waitForFunction(() => /case=\d+/.test(location.hash));
      const caseId = Number(await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('case')));
      await page.waitForSelector('#thread li.x-out');
      const { items } = await page.evaluate((c) => fetch(`api/v1/exchange/cases/${c}`).then((r) => r.json()), caseId);
      const v = await page.evaluate((id) => fetch(`api/v1/exchange/messages/${id}`).then((r) => r.json()), items[0].id);
      const to = v.addressees.map((x) => `${x.node}/${x.unit}${x.cc ? ' cc' : ''}`).join();
      assert(v.type === 'request' && v.urgency === 'urgent_indirect' && v.lang === 'de' && to === 'DE/BKA-SPOC,PL/KGP-SPOC cc',
        `the request: ${JSON.stringify(v)}`);
      assert(v.originator.unit === 'KWP-Krakow' && v.originator.node === 'PL', `from ${JSON.stringify(v.originator)}`);
      await page.goto(`${url}/exchange.html#lang=en&view=new`);
      await page.waitForFunction(() => /New message/.test(document.querySelector('#new-title').textContent));
      await page.waitForSelector('#n-type option[value="information"]', { state: 'attached' });
      await clean('the new message composer, English');
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
