// The consent slice end to end: the demo shop served by the real backend, driven in Chromium.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, startServer, withBrowser, openShop, apiReady, expectNoPageErrors } from './harness.mjs';

const BANNER = '#privacy-widget .banner';
const button = (action) => `#privacy-widget [data-action="${action}"]`;

/** Opens the shop's product page and waits until the widget has rendered or decided not to. */
async function consentCookie(context) {
  return (await context.cookies()).find((c) => c.name === 'pw_consent');
}

/** Polls the backend until `ready(record)` holds for the consent id, then returns the record. */
async function storedEvents(server, consentId, ready = (r) => r.events.length > 0) {
  let record;
  for (let i = 0; i < 50; i++) {
    record = await server.admin(`/api/admin/consents?consent_id=${consentId}`);
    if (ready(record)) return record;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the backend did not reach the expected state for ${consentId}: ${JSON.stringify(record)}`);
}

describe('consent banner on the demo shop', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('first visit: banner in bokmål with three equally prominent choices, analytics blocked', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      assert.equal(await page.locator(`${BANNER} h2`).textContent(), 'Vi tar vare på personvernet ditt');
      const labels = await page.locator(`${BANNER} .actions button`).allTextContents();
      assert.deepEqual(labels, ['Godta alle', 'Avvis alle', 'Tilpass']);
      const looks = await page.locator(`${BANNER} .actions button`).evaluateAll((buttons) => buttons.map((b) => {
        const s = getComputedStyle(b);
        const r = b.getBoundingClientRect();
        return { tag: b.tagName, bg: s.backgroundColor, color: s.color, font: s.fontSize + s.fontWeight, border: s.borderStyle + s.borderWidth, w: Math.round(r.width), h: Math.round(r.height) };
      }));
      for (const look of looks.slice(1)) {
        assert.deepEqual({ ...look, w: 0 }, { ...looks[0], w: 0 }, 'same element, colours, font and height');
        assert.ok(Math.abs(look.w - looks[0].w) <= 2, `same width: ${JSON.stringify(looks)}`);
      }
      assert.equal(await page.evaluate(() => window.__gaRuns), undefined, 'analytics must not run before consent');
      assert.equal(await consentCookie(context), undefined);
      assert.equal(page.posted.length, 0);
      assert.equal(await page.evaluate(() => window.PrivacyWidget.getConsent()), null);
      expectNoPageErrors(page);
    });
  });

  test('accept all: analytics runs, session cookie stored, event stored by the backend, reload keeps it', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      const changed = page.evaluate(() => new Promise((resolve) => {
        window.addEventListener('privacy-widget:consent', (e) => resolve(e.detail), { once: true });
      }));
      await page.click(button('accept-all'));
      await page.locator(BANNER).waitFor({ state: 'detached' });
      await page.waitForFunction(() => window.__gaRuns === 1);
      assert.equal(await page.evaluate(() => document.querySelector('script[data-pw-started]').getAttribute('fetchpriority')), 'high',
        'the started script is fetched as the parser would fetch it');
      const detail = await changed;
      assert.equal(detail.action, 'accept_all');
      assert.equal(detail.categories.analytics, true);

      const cookie = await consentCookie(context);
      assert.ok(cookie, 'pw_consent cookie set');
      assert.equal(cookie.expires, -1, 'session cookie: no Expires/Max-Age');
      assert.equal(cookie.path, '/');
      assert.equal(cookie.sameSite, 'Lax');
      assert.equal(cookie.secure, false, 'plain http on loopback: no Secure attribute');
      const fields = decodeURIComponent(cookie.value).split('|');
      assert.equal(fields[0], '1', 'format version');
      assert.equal(fields[1], '2026-11-01', 'policy revision');
      assert.match(fields[2], /^[0-9a-f]{32}$/, 'consent id');
      assert.equal(fields[5], 'a', 'action accept all');
      assert.equal(fields[7], 'necessary:1/analytics:1');
      assert.equal(fields[8], 'serviteur-shop:1/google-analytics:1');

      const { events, state } = await storedEvents(server, fields[2]);
      assert.equal(events.length, 1);
      assert.equal(events[0].action, 'accept_all');
      assert.equal(events[0].revision, '2026-11-01');
      assert.equal(events[0].language, 'nb');
      assert.equal(events[0].categories.analytics, true);
      assert.equal(state.seq, 1);

      const request = page.posted[0];
      assert.match(request.headers()['idempotency-key'], /^[0-9a-f]{32}$/);
      assert.equal(request.headers()['content-type'], 'application/json');

      await page.reload();
      await page.waitForFunction(() => window.__gaRuns === 1);
      assert.equal(await page.locator(BANNER).count(), 0, 'no banner for a returning visitor');
      await apiReady(page);
      assert.equal(await page.evaluate(() => window.PrivacyWidget.acceptedCategory('analytics')), true);
      expectNoPageErrors(page);
    });
  });

  test('reject all: analytics never runs, not even after reload, and the shop keeps working', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await page.click(button('reject-all'));
      await page.locator(BANNER).waitFor({ state: 'detached' });
      const fields = decodeURIComponent((await consentCookie(context)).value).split('|');
      assert.equal(fields[7], 'necessary:1/analytics:0');
      const { events } = await storedEvents(server, fields[2]);
      assert.equal(events[0].action, 'reject_all');
      await page.reload();
      await apiReady(page);
      await page.waitForTimeout(300);
      assert.equal(await page.evaluate(() => window.__gaRuns), undefined);
      assert.equal(await page.locator(BANNER).count(), 0);
      assert.equal(await page.evaluate(() => window.PrivacyWidget.acceptedCategory('analytics')), false);
      await page.click('a.cart');
      await page.waitForURL(/handlekurv/);
      assert.equal(await page.evaluate(() => window.__gaRuns), undefined);
    });
  });

  test('a tampered cookie means no consent yet: the banner shows and nothing runs', async () => {
    await withBrowser(async (context) => {
      const url = new URL(server.url);
      for (const value of ['yes', '1|2026-11-01|zz|1|0|a||necessary:1/analytics:1|serviteur-shop:1/google-analytics:1', '%00%ff']) {
        await context.clearCookies();
        await context.addCookies([{ name: 'pw_consent', value, domain: url.hostname, path: '/' }]);
        const page = await openShop(context, `${server.url}/`);
        assert.equal(await page.evaluate(() => window.__gaRuns), undefined, `value ${value}`);
        assert.equal(await page.evaluate(() => window.PrivacyWidget.getConsent()), null);
        await page.close();
      }
    });
  });

  test('the same event posted twice is stored once', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await page.click(button('accept-all'));
      await page.locator(BANNER).waitFor({ state: 'detached' });
      const consentId = decodeURIComponent((await consentCookie(context)).value).split('|')[2];
      await storedEvents(server, consentId);
      const original = page.posted[0];
      const replay = () => fetch(`${server.url}/api/consent`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': original.headers()['idempotency-key'] },
        body: original.postData(),
      });
      const first = await replay();
      const second = await replay();
      assert.equal(first.status, second.status);
      assert.deepEqual(await first.json(), await second.json());
      const { events } = await server.admin(`/api/admin/consents?consent_id=${consentId}`);
      assert.equal(events.length, 1, 'replays of the same Idempotency-Key store nothing new');
    });
  });

  test('the footer link re-opens the choice and a new decision replaces the old one', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await page.click(button('accept-all'));
      await page.locator(BANNER).waitFor({ state: 'detached' });
      await page.click('footer [data-pw-open="preferences"]');
      const dialog = page.locator('#privacy-widget dialog.prefs');
      await dialog.waitFor({ state: 'visible' });
      assert.equal(await page.locator('#privacy-widget input[data-category="analytics"]').isChecked(), true);
      await page.click(button('reject-all'));
      await dialog.waitFor({ state: 'detached' });
      const fields = decodeURIComponent((await consentCookie(context)).value).split('|');
      assert.equal(fields[3], '2', 'second decision under the same consent id');
      assert.equal(fields[7], 'necessary:1/analytics:0');
      const names = (await context.cookies()).map((c) => c.name);
      assert.ok(!names.some((n) => n.startsWith('_ga')), `analytics cookies deleted on withdrawal: ${names}`);
      assert.equal(fields[5], 'w', 'a reject all after accepting is a withdrawal');
      const { state } = await storedEvents(server, fields[2], (r) => r.state?.seq === 2);
      assert.equal(state.action, 'withdraw');
    });
  });

  test('the inline demo config is the same as the served widget-config.json', async () => {
    const html = await readFile(path.join(REPO_ROOT, 'www', 'index.html'), 'utf8');
    const inline = html.match(/<script type="application\/json" id="privacy-widget-config">([\s\S]*?)<\/script>/)[1];
    const served = await readFile(path.join(REPO_ROOT, 'www', 'widget-config.json'), 'utf8');
    assert.deepEqual(JSON.parse(inline), JSON.parse(served));
  });
});
