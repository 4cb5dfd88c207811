// exchange-support.mjs - what the exchange's browser suites (exchange.mjs, exchange-events.mjs)
// share: a message put on file with `tarcza exchange import`, and a SPOC account's login at the
// police console that waits for the link to the exchange.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fillLogin } from './support.mjs';

// Imports message m (as received from a partner when inbound) through the command line; its
// receipt as the command prints it.
export function recordMessage(tarcza, db, tmp, name, m, inbound) {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(m));
  const out = execFileSync(tarcza, ['exchange', 'import', file, ...(inbound ? ['--direction', 'in'] : []), '--db', db],
    { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

// Logs name in at url's police console and waits until the exchange link shows; the console's own
// start is police.mjs's to test, so the problems seen so far are dropped.
export async function spocLogin(page, url, problems, name, secret) {
  await page.goto(`${url}/police.html`);
  await page.waitForSelector('#login-form', { state: 'visible' });
  await fillLogin(page, name, secret);
  await page.waitForSelector('#nav-exchange', { state: 'visible', timeout: 10000 });
  await page.waitForLoadState('networkidle');
  problems.length = 0;
}
