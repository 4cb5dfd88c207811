// outbox.js - reports written while offline (issue 19), kept on this device in IndexedDB until
// the network returns, then sent once each. A report leaves the outbox only when the server has
// answered: 201 (stored; the answer, with its tracking token, goes to the caller) or a refusal
// (4xx other than 429: sending it again would not help; the caller shows why). One flush runs at a
// time, so an "online" event during a flush cannot send a report twice; and each is sent under its
// own idempotency key, so a report whose answer was lost is stored once however often it is sent.

import { newIdempotencyKey } from './api.js';

const DB = 'tarcza';
const STORE = 'outbox';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key', autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// Runs fn(store) in one transaction of mode; resolves with the value of the request fn returns.
async function tx(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req ? req.result : undefined);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

// Keeps a report's body (as POST /api/v1/reports takes it) for later, with the idempotency key
// it was (perhaps) already sent under: when the request reached the server and only the answer
// was lost, sending it again under the same key returns the first answer and stores nothing.
export function keep(body, idem = newIdempotencyKey()) {
  return tx('readwrite', (s) => s.add({ body, idem, at: Date.now() }));
}

export function pending() {
  return tx('readonly', (s) => s.getAll());
}

function drop(key) {
  return tx('readwrite', (s) => s.delete(key));
}

let flushing = null;

// Sends every kept report with send(body) (resolves with the answer, rejects with an ApiError);
// sent(answer) or refused(err) for each that leaves. Stops at the first network failure.
export function flush(send, { sent, refused }) {
  if (!flushing) {
    flushing = (async () => {
      for (const item of await pending()) {
        try {
          if (!item.idem) { // kept by an older page: the key is written down before it is used
            item.idem = newIdempotencyKey();
            await tx('readwrite', (s) => s.put(item));
          }
          const answer = await send(item.body, item.idem);
          await drop(item.key);
          sent(answer);
        } catch (err) {
          if (!err.status || err.status === 429 || err.status >= 500) break; // later
          await drop(item.key);
          refused(err);
        }
      }
    })().finally(() => { flushing = null; });
  }
  return flushing;
}
