// Reliable delivery end to end: the widget's outbox against the real backend with injected
// faults (PW_FAULTS=1). Every test decides on the demo shop's banner and then asserts what the
// backend stored for the consent id, polling the admin endpoint (backoff starts at 1 s).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, withBrowser, newPage, openShop, apiReady, expectNoPageErrors } from './harness.mjs';

const W = '#privacy-widget';
const BANNER = `${W} .banner`;
const button = (action) => `${W} [data-action="${action}"]`;
const OUTBOX_KEY = 'privacy-widget-outbox';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Opens the shop with the banner showing; `page.posted` collects the consent POSTs. */
async function consentId(context) {
  const cookie = (await context.cookies()).find((c) => c.name === 'pw_consent');
  assert.ok(cookie, 'the decision is in the consent cookie');
  return decodeURIComponent(cookie.value).split('|')[2];
}

/** Polls the backend until `ready(record)` holds for the consent id (up to `timeoutMs`). */
async function stored(server, id, { ready = (r) => r.events.length > 0, timeoutMs = 15_000, page } = {}) {
  const until = Date.now() + timeoutMs;
  let record;
  while (Date.now() < until) {
    record = await server.admin(`/api/admin/consents?consent_id=${id}`);
    if (ready(record)) {
      // The page's request events come over CDP, not in step with the server's answers: give
      // `page.posted` (when asked) time to show the POSTs of what the server stored.
      const seen = () => record.events.every((e) => keysOf(page).includes(e.idempotency_key));
      for (let i = 0; page && i < 40 && !seen(); i++) await sleep(50);
      return record;
    }
    await sleep(150);
  }
  throw new Error(`the backend did not reach the expected state for ${id} in ${timeoutMs} ms: ${JSON.stringify(record)}`);
}

/** The fault plan as the server reports it ({mode, remaining, served}). */
async function faultPlan(server) {
  const res = await fetch(`${server.url}/__faults`, { headers: { authorization: `Bearer ${server.adminToken}` } });
  return res.json();
}

async function waitUntil(what, check, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const keysOf = (page) => [...new Set(page.posted.map((r) => r.headers()['idempotency-key']))];

describe('delivery: outbox against a failing backend', () => {
  let server;
  let context;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('500 three times, then OK: one row, delivered after retries with the same key and body', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await server.faults({ mode: 'status', status: 500, count: 3 });
      await page.click(button('accept-all'));
      await page.locator(BANNER).waitFor({ state: 'detached' });
      const id = await consentId(context);
      const { events, state } = await stored(server, id, { page });
      assert.equal(events.length, 1);
      assert.equal(state.action, 'accept_all');
      assert.equal(page.posted.length, 4, 'three failures and one success');
      assert.deepEqual(keysOf(page), [events[0].idempotency_key], 'one key on every attempt');
      assert.equal(new Set(page.posted.map((r) => r.postData())).size, 1, 'the same bytes on every attempt');
      await waitUntil('the outbox to empty', async () => (await page.evaluate((k) => sessionStorage.getItem(k), OUTBOX_KEY)) === null);
      // Chromium itself logs every 5xx answer; the widget logs nothing for a retryable failure.
      expectNoPageErrors(page, { ignore: [/Failed to load resource: the server responded with a status of 500/] });
    });
  });

  test('backend unreachable during the click (connection dropped), up later: one row', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await server.faults({ mode: 'drop', count: 2 });
      await page.click(button('reject-all'));
      const id = await consentId(context);
      const { events } = await stored(server, id, { page });
      assert.equal(events.length, 1);
      assert.equal(events[0].action, 'reject_all');
      assert.deepEqual(keysOf(page), [events[0].idempotency_key]);
      expectNoPageErrors(page, { ignore: [/Failed to load resource/] });
    });
  });

  test('reload while the backend is down: the next page resumes from sessionStorage', async () => {
    context = await launchBrowser();
    try {
      const page = await openShop(context, `${server.url}/`);
      await server.faults({ mode: 'drop', count: 1000 });
      await page.click(button('accept-all'));
      const id = await consentId(context);
      await waitUntil('the first attempt to fail', async () => (await faultPlan(server)).served >= 1);
      const saved = JSON.parse(await page.evaluate((k) => sessionStorage.getItem(k), OUTBOX_KEY));
      assert.equal(saved.v, 1);
      assert.equal(saved.entries.length, 1);
      const key = saved.entries[0].key;
      assert.equal(page.posted[0].headers()['idempotency-key'], key);

      // The reload's keepalive flush is dropped too: only the next page can deliver it.
      await page.reload();
      await page.waitForFunction(() => typeof window.PrivacyWidget?.getConsent === 'function');
      assert.equal((await server.admin(`/api/admin/consents?consent_id=${id}`)).events.length, 0);
      await server.faults({ mode: 'off' });
      const { events } = await stored(server, id);
      assert.equal(events.length, 1);
      assert.equal(events[0].idempotency_key, key, 'resent under the key it got on the first page');
      await waitUntil('the outbox to empty', async () => (await page.evaluate((k) => sessionStorage.getItem(k), OUTBOX_KEY)) === null);
    } finally {
      await server.faults({ mode: 'off' });
      await context.close();
    }
  });

  test('Retry-After is honoured, in seconds and as an HTTP date', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      const answered = [];
      await page.route('**/api/consent', async (route) => {
        answered.push(Date.now());
        if (answered.length === 1) {
          await route.fulfill({ status: 503, headers: { 'Retry-After': '2' }, contentType: 'application/json', body: '{"error":"unavailable"}' });
        } else if (answered.length === 2) {
          const at = new Date(Date.now() + 5000).toUTCString(); // whole seconds: 4–5 s from now
          await route.fulfill({ status: 429, headers: { 'Retry-After': at }, contentType: 'application/json', body: '{"error":"rate_limited"}' });
        } else {
          await route.continue();
        }
      });
      await page.click(button('accept-all'));
      const id = await consentId(context);
      const { events } = await stored(server, id);
      assert.equal(events.length, 1);
      assert.equal(answered.length, 3);
      const gaps = [answered[1] - answered[0], answered[2] - answered[1]];
      assert.ok(gaps[0] >= 1900, `waited for Retry-After: 2 (${gaps[0]} ms; backoff alone is at most 1 s)`);
      assert.ok(gaps[1] >= 3500, `waited for the Retry-After date (${gaps[1]} ms; backoff alone is at most 2 s)`);
      expectNoPageErrors(page, { ignore: [/Failed to load resource: the server responded with a status of (503|429)/] });
    });
  });

  test('slow backend (5 s): the banner closes at once, the page stays responsive, the row arrives later', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await server.faults({ mode: 'delay', ms: 5000, count: 1 });
      const clicked = Date.now();
      await page.click(button('accept-all'));
      await page.locator(BANNER).waitFor({ state: 'detached' });
      const closedAfter = Date.now() - clicked;
      assert.ok(closedAfter < 1000, `banner closed ${closedAfter} ms after the click`);
      const t = Date.now();
      assert.equal(await page.evaluate(() => window.PrivacyWidget.getConsent().action), 'accept_all');
      const roundTrip = Date.now() - t;
      assert.ok(roundTrip < 500, `page.evaluate round trip ${roundTrip} ms while the POST is pending`);
      const id = await consentId(context);
      assert.equal((await server.admin(`/api/admin/consents?consent_id=${id}`)).events.length, 0, 'still on its way');
      const { events } = await stored(server, id, { page });
      const arrivedAfter = Date.now() - clicked;
      assert.equal(events.length, 1);
      assert.ok(arrivedAfter >= 4500, `stored after the delay (${arrivedAfter} ms)`);
      assert.equal(page.posted.length, 1, 'a slow answer within the 10 s timeout is not retried');
      expectNoPageErrors(page);
    });
  });

  test('tab closed right after the click while the POST is pending: the keepalive flush delivers', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      // The normal request would be answered only after 10 s; the flush's request is not delayed.
      await server.faults({ mode: 'delay', ms: 10_000, count: 1 });
      await page.click(button('accept-all'));
      const id = await consentId(context);
      await waitUntil('the normal request to reach the server', async () => (await faultPlan(server)).served >= 1);
      const key = page.posted[0].headers()['idempotency-key'];
      const closed = Date.now();
      await page.close({ runBeforeUnload: true });
      const { events } = await stored(server, id, { timeoutMs: 6_000 });
      assert.equal(events.length, 1);
      assert.equal(events[0].idempotency_key, key);
      assert.ok(Date.now() - closed < 6_000, 'arrived well before the delayed request could have');
    });
  });

  test('offline, click, online: delivered once', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await context.setOffline(true);
      await page.click(button('accept-all'));
      await page.locator(BANNER).waitFor({ state: 'detached' });
      const id = await consentId(context);
      await sleep(1500);
      assert.equal((await server.admin(`/api/admin/consents?consent_id=${id}`)).events.length, 0);
      const whileOffline = page.posted.length;
      assert.equal(whileOffline, 0, 'nothing is sent while the browser says it is offline');
      const online = Date.now();
      await context.setOffline(false);
      const { events } = await stored(server, id, { page });
      assert.equal(events.length, 1);
      assert.ok(Date.now() - online < 3000, `sent when the browser came back online (${Date.now() - online} ms)`);
      assert.equal(keysOf(page).length, 1);
      expectNoPageErrors(page, { ignore: [/Failed to load resource/] });
    });
  });

  test('two rapid changes with the first in flight: the server ends with the later choice', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await server.faults({ mode: 'delay', ms: 1500, count: 1 });
      await page.evaluate(() => new Promise((resolve) => {
        const root = document.querySelector('#privacy-widget').shadowRoot;
        root.querySelector('[data-action="accept-all"]').click();
        setTimeout(() => {
          window.PrivacyWidget.showPreferences();
          root.querySelector('dialog [data-action="reject-all"]').click();
          resolve();
        }, 100);
      }));
      const id = await consentId(context);
      const { events, state } = await stored(server, id, { ready: (r) => r.state?.seq === 2 });
      assert.equal(state.action, 'withdraw', 'rejecting after accepting is a withdrawal');
      assert.deepEqual(events.map((e) => [e.seq, e.action]), [[1, 'accept_all'], [2, 'withdraw']], 'in order, each once');
      await sleep(500);
      const after = await server.admin(`/api/admin/consents?consent_id=${id}`);
      assert.equal(after.state.seq, 2);
      assert.equal(after.events.length, 2);
      expectNoPageErrors(page);
    });
  });

  test('garbage 200 answers are not acknowledgements: retried, no crash, one row', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await server.faults({ mode: 'garbage', count: 2 });
      await page.click(button('accept-all'));
      const id = await consentId(context);
      const { events } = await stored(server, id, { page });
      assert.equal(events.length, 1);
      assert.equal(page.posted.length, 3, 'two garbage answers, then the real one');
      assert.equal(keysOf(page).length, 1);
      assert.equal(page.pageErrors.length, 0);
      expectNoPageErrors(page);
    });
  });

  test('outbox.storage "local": the outbox is kept in localStorage', async () => {
    context = await launchBrowser();
    try {
      // The demo page with `"outbox": {"storage": "local"}` added to its inline config.
      await context.route(`${server.url}/`, async (route) => {
        const response = await route.fetch();
        const html = (await response.text()).replace('"endpoints":', '"outbox": {"storage": "local"}, "endpoints":');
        assert.match(html, /"outbox": \{"storage": "local"\}/);
        await route.fulfill({ response, body: html });
      });
      const page = await openShop(context, `${server.url}/`);
      await server.faults({ mode: 'status', status: 503, count: 1000 });
      await page.click(button('accept-all'));
      const id = await consentId(context);
      await waitUntil('the first attempt to fail', async () => (await faultPlan(server)).served >= 1);
      const saved = await page.evaluate((k) => [localStorage.getItem(k), sessionStorage.getItem(k)], OUTBOX_KEY);
      assert.equal(JSON.parse(saved[0]).entries.length, 1, 'in localStorage');
      assert.equal(saved[1], null, 'not in sessionStorage');
      await server.faults({ mode: 'off' });
      const { events } = await stored(server, id);
      assert.equal(events.length, 1);
      await waitUntil('localStorage to empty', async () => (await page.evaluate((k) => localStorage.getItem(k), OUTBOX_KEY)) === null);
    } finally {
      await server.faults({ mode: 'off' });
      await context.close();
    }
  });

  test('web storage that throws (sandboxed, private mode): kept in memory, one console warning, still delivered', async () => {
    await withBrowser(async (context) => {
      await context.addInitScript(() => {
        Object.defineProperty(window, 'sessionStorage', {
          get() { throw new DOMException('The document is sandboxed', 'SecurityError'); },
        });
      });
      const page = await openShop(context, `${server.url}/`);
      const warnings = [];
      page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
      await server.faults({ mode: 'status', status: 500, count: 1 });
      await page.click(button('accept-all'));
      const id = await consentId(context);
      const { events } = await stored(server, id, { page });
      assert.equal(events.length, 1);
      assert.equal(page.posted.length, 2);
      expectNoPageErrors(page, { ignore: [/Failed to load resource: the server responded with a status of 500/] });
      await page.reload();
      // Delivery is the consent manager's, which a returning visitor's page loads for the API.
      await apiReady(page);
      // (The listener was attached after the first page started; this is the reloaded page's.)
      // Delivery starts a few tasks after the API is there: wait for its warning, not the API.
      const storageWarnings = () => warnings.filter((w) => /sessionStorage failed.*kept in memory/.test(w)).length;
      for (let i = 0; i < 100 && storageWarnings() === 0; i++) await page.waitForTimeout(50);
      await page.waitForTimeout(300); // room for a second warning, which must not come
      assert.equal(storageWarnings(), 1, `one warning: ${warnings}`);
    });
  });

  test('a permanent 422 is reported once (console + onError) and never retried', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await page.evaluate(() => {
        window.__errors = [];
        window.PrivacyWidget.onError((e) => window.__errors.push(e));
      });
      await server.faults({ mode: 'status', status: 422, count: 1 });
      await page.click(button('accept-all'));
      await page.waitForFunction(() => window.__errors.length > 0);
      const [error] = await page.evaluate(() => window.__errors);
      assert.equal(error.endpoint, 'consent');
      assert.equal(error.status, 422);
      assert.equal(typeof error.error, 'string');
      assert.ok(page.consoleErrors.some((c) => /refused a consent event with HTTP 422/.test(c.text)), JSON.stringify(page.consoleErrors));
      await sleep(3000);
      assert.equal(page.posted.length, 1, 'no retries after a permanent rejection');
      assert.equal(await page.evaluate(() => window.__errors.length), 1);
      assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), OUTBOX_KEY), null, 'dropped from the outbox');
      const id = await consentId(context);
      assert.equal((await server.admin(`/api/admin/consents?consent_id=${id}`)).events.length, 0);
    });
  });
});

describe('delivery: CSRF', () => {
  let server;
  before(async () => { server = await startServer({ env: { CSRF_TOKEN: 'x-csrf-e2e' } }); });
  after(async () => { await server?.stop(); });

  test('the page\'s <meta name="csrf-token"> travels as X-CSRF-Token', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await page.click(button('accept-all'));
      const id = await consentId(context);
      const { events } = await stored(server, id, { page });
      assert.equal(events.length, 1);
      assert.equal(page.posted[0].headers()['x-csrf-token'], 'x-csrf-e2e');
      expectNoPageErrors(page);
    });
  });

  test('the banner build\'s own POST of a decision carries the token too', async () => {
    await withBrowser(async (context) => {
      // Not `openShop`, which waits for the consent manager: the banner build's banner decides.
      const page = await newPage(context);
      page.posted = [];
      page.on('request', (req) => { if (req.method() === 'POST' && req.url().endsWith('/api/consent')) page.posted.push(req); });
      await page.goto(`${server.url}/`);
      await page.click(button('reject-all'));
      const id = await consentId(context);
      const { events } = await stored(server, id, { page });
      assert.equal(events.length, 1);
      assert.equal(page.posted[0].headers()['x-csrf-token'], 'x-csrf-e2e');
      assert.equal(await page.evaluate(() => typeof window.PrivacyWidget.getConsent), 'undefined', 'the consent manager had no part in it');
      expectNoPageErrors(page);
    });
  });

  test('a wrong token is a permanent 403: console error, onError with the status, no endless retries', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await page.evaluate(() => {
        document.querySelector('meta[name="csrf-token"]').content = 'stale-token';
        window.__errors = [];
        window.PrivacyWidget.onError((e) => window.__errors.push(e));
      });
      await page.click(button('accept-all'));
      await page.locator(BANNER).waitFor({ state: 'detached' });
      await page.waitForFunction(() => window.__errors.length > 0);
      const [error] = await page.evaluate(() => window.__errors);
      assert.equal(error.endpoint, 'consent');
      assert.equal(error.status, 403);
      assert.match(error.error, /csrf/i);
      assert.match(error.key, /^[0-9a-f]{32}$/);
      const logged = page.consoleErrors.filter((c) => /privacy-widget: the backend refused a consent event with HTTP 403/.test(c.text));
      assert.equal(logged.length, 1, JSON.stringify(page.consoleErrors));
      await sleep(3000);
      assert.equal(page.posted.length, 1, 'sent once, never retried');
      const id = await consentId(context);
      assert.equal((await server.admin(`/api/admin/consents?consent_id=${id}`)).events.length, 0);
      expectNoPageErrors(page, { ignore: [/refused a consent event/, /Failed to load resource.*403/] });
    });
  });
});
