// The newsletter and rights-request forms without JavaScript or WebAssembly: the pre-rendered
// plain forms post to the backend, which answers with HTML pages (double opt-in through the demo
// mailbox, a reference number, errors with the input kept); axe on those pages; the same where
// the widget cannot start (a CSP without 'wasm-unsafe-eval'); and the widget taking a plain form
// over with what the visitor had typed.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, withBrowser, newPage, runAxe, formatAxeViolations } from './harness.mjs';

const NO_JS = { javaScriptEnabled: false };
const FOOTER = '#newsletter-signup';
const AXE = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } };

const mailsTo = (server, to) => server.admin(`/api/admin/mailbox?to=${encodeURIComponent(to)}`).then((r) => r.mails);
const subscribers = (server) => server.admin('/api/admin/newsletter').then((r) => r.subscribers);
const rightsRequests = (server) => server.admin('/api/admin/rights-requests').then((r) => r.requests);

/** Fills and sends the footer's plain signup form. */
async function signUp(page, email) {
  const form = page.locator(`${FOOTER} form`);
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=consent]').check();
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
}

/** The shop's pages with their CSP minus 'wasm-unsafe-eval': the widget's module cannot compile. */
async function withoutWasm(page) {
  await page.route((url) => !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/dist/'), async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    if (headers['content-security-policy']) headers['content-security-policy'] = headers['content-security-policy'].replace(" 'wasm-unsafe-eval'", '');
    await route.fulfill({ response, headers });
  });
}

describe('forms without JavaScript', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('newsletter signup from the footer → answer page → mail → confirmation → confirmed subscriber', async () => {
    await withBrowser(NO_JS, async (context) => {
      const page = await newPage(context);
      await page.goto(`${server.url}/`);
      assert.equal(await page.locator(`${FOOTER} input[name=consent]`).isChecked(), false, 'never pre-ticked');
      await signUp(page, 'uten.skript@example.no');
      assert.equal(new URL(page.url()).pathname, '/api/newsletter/subscribe');
      assert.equal(await page.getAttribute('html', 'lang'), 'nb');
      assert.match(await page.textContent('main'), /Sjekk e-posten din/);
      assert.equal(await page.locator('main a', { hasText: 'Tilbake' }).getAttribute('href'), '/', 'a link back to the page the form was on');

      const [mail] = await mailsTo(server, 'uten.skript@example.no');
      const link = mail.body.match(/https?:\/\/\S+\/newsletter\/confirm\?token=\S+/)[0];
      assert.equal((await subscribers(server))[0].status, 'pending', 'double opt-in: pending until the link is used');
      await page.goto(link);
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Bekreft påmeldingen' }).click()]);
      assert.match(await page.textContent('h1'), /Takk! Du er nå påmeldt/);
      const [subscriber] = await subscribers(server);
      assert.equal(subscriber.email, 'uten.skript@example.no');
      assert.equal(subscriber.status, 'confirmed');
      assert.match(subscriber.consent.text, /Serviteur.*omtrent én gang i måneden/, 'the proof is the wording the visitor saw');
    });
  });

  test('a rights request from the English statement page is stored, and its reference shown', async () => {
    await withBrowser(NO_JS, async (context) => {
      const page = await newPage(context);
      await page.goto(`${server.url}/personopplysninger/en#pw-rights`);
      const form = page.locator('#pw-rights form');
      await form.getByLabel('Erasure').check();
      await form.getByLabel('E-mail address').fill('no.script@example.no');
      await form.locator('textarea[name=message]').fill('Please delete my account.');
      await form.locator('input[name=confirmed]').check();
      await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      const reference = (await page.textContent('main')).match(/Your reference number is (PV-\d{4}-\d{6})\./)?.[1];
      assert.ok(reference, await page.textContent('main'));
      const stored = (await rightsRequests(server)).find((r) => r.reference === reference);
      assert.equal(stored.type, 'erasure');
      assert.equal(stored.email, 'no.script@example.no');
      assert.equal(stored.language, 'en');
      assert.equal(await page.locator('main a', { hasText: 'Back' }).getAttribute('href'), '/personopplysninger/en');
    });
  });

  test('a mistake comes back next to its field with the typed address kept, and the fixed form goes through', async () => {
    await withBrowser(NO_JS, async (context) => {
      const page = await newPage(context);
      await page.goto(`${server.url}/`);
      // The browser's own check lets this through (it is a valid address in HTML); ours does not.
      await signUp(page, 'kari@localhost');
      assert.equal(await page.title(), 'Sjekk skjemaet');
      const email = page.locator('#pw-nl-email');
      assert.equal(await email.inputValue(), 'kari@localhost');
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      const error = await page.locator('#pw-nl-email-error').textContent();
      assert.ok(error.length > 10, error);
      assert.equal(await page.locator(`.pw-answer a[href="#pw-nl-email"]`).textContent(), error, 'the summary names the same error');
      assert.equal(await page.locator('#pw-nl-consent').isChecked(), true, 'the tick is kept too');
      await email.fill('kari@example.no');
      await Promise.all([page.waitForNavigation(), page.locator('button[type=submit]').click()]);
      assert.match(await page.textContent('main'), /Sjekk e-posten din/);
      assert.equal(await page.locator('main a', { hasText: 'Tilbake' }).getAttribute('href'), '/', 'still back to the page the form was first on');
      assert.equal((await mailsTo(server, 'kari@example.no')).length, 1);
    });
  });

  test('axe finds no violations on the answer pages', async () => {
    // axe needs script; the widget's files are refused, so the pages are the script-free ones.
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.route(/\/dist\//, (route) => route.abort());
      const check = async (what) => {
        const violations = await runAxe(page, undefined, AXE);
        assert.deepEqual(violations, [], `${what}:\n${formatAxeViolations(violations)}`);
      };
      await page.goto(`${server.url}/`);
      await signUp(page, 'kari@localhost');
      await check('the signup form shown again with its error');
      await page.locator('#pw-nl-email').fill('axe@example.no');
      await Promise.all([page.waitForNavigation(), page.locator('button[type=submit]').click()]);
      await check('the signup answer');
      await page.goto(`${server.url}/personopplysninger`);
      await Promise.all([page.waitForNavigation(), page.locator('#pw-rights form').evaluate((f) => f.submit()) /* skips the browser's own check */]);
      await check('the rights form shown again with its errors');
      assert.ok(await page.locator('.pw-answer li').count() >= 3, 'type, address and confirmation are missing');
    });
  });

  test("under a CSP without 'wasm-unsafe-eval' the widget fails, the plain form still posts, and nothing loops", async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await withoutWasm(page);
      await page.goto(`${server.url}/`);
      // The visitor's first move in the form is what starts the widget's take-over.
      await page.locator(`${FOOTER} input[name=email]`).focus();
      await page.waitForTimeout(1500);
      assert.equal(await page.evaluate((sel) => document.querySelector(sel).shadowRoot, FOOTER), null, 'the widget did not take over');
      const errors = page.consoleErrors.length;
      let requests = 0;
      page.on('request', () => { requests += 1; });
      await page.waitForTimeout(2000);
      assert.equal(page.consoleErrors.length, errors, `no error loop (${errors} errors at start-up)`);
      assert.equal(requests, 0, 'no retry loop of requests');
      await signUp(page, 'csp@example.no');
      assert.match(await page.textContent('main'), /Sjekk e-posten din/);
      assert.equal((await mailsTo(server, 'csp@example.no')).length, 1);
    });
  });

  test('the statement pages name their language versions in the head', async () => {
    await withBrowser(NO_JS, async (context) => {
      const page = await newPage(context);
      for (const address of ['/personopplysninger', '/personopplysninger/nn', '/personopplysninger/en']) {
        await page.goto(`${server.url}${address}`);
        const links = await page.locator('head link[rel=alternate]').evaluateAll((ls) => ls.map((l) => `${l.hreflang} ${l.getAttribute('href')}`));
        assert.deepEqual(links, ['nb /personopplysninger', 'nn /personopplysninger/nn', 'en /personopplysninger/en', 'x-default /personopplysninger'], address);
      }
    });
  });
});

/** Every layout shift on the page from navigation on, as a PerformanceObserver sees them. */
async function observeShifts(page) {
  await page.addInitScript(() => {
    window.__pwShifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__pwShifts.push({ value: entry.value, sources: entry.sources.map((s) => s.node?.id || s.node?.nodeName) });
    }).observe({ type: 'layout-shift', buffered: true });
  });
  return () => page.evaluate(() => window.__pwShifts);
}

describe('the widget takes the plain form over', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('layout shift 0 while the widget replaces the pre-rendered statement and the plain footer form', async () => {
    for (const [path, ready] of [
      ['/personopplysninger', () => document.querySelector('#privacy-statement').shadowRoot?.querySelector('section.part')],
      ['/', () => document.querySelector('#newsletter-signup').shadowRoot?.querySelector('form')],
    ]) {
      await withBrowser({ viewport: { width: 1200, height: 3000 } }, async (context) => {
        const page = await newPage(context);
        const shifts = await observeShifts(page);
        await page.goto(`${server.url}${path}`);
        // The footer's form is taken over at the visitor's first move in it.
        if (path === '/') await page.locator('#newsletter-signup input[name=email]').focus();
        await page.waitForFunction(ready);
        assert.equal(await page.locator('#privacy-widget .banner').isVisible(), true, 'the widget runs');
        await page.waitForTimeout(500);
        assert.deepEqual(await shifts(), [], `${path}: no layout shift`);
      });
    }
  });

  /** The front page with the forms' module held back until `release()`, and its plain footer form;
   * `takenOver()` waits for the widget's form. */
  async function frontPageWithFormsHeld(context) {
    const page = await newPage(context);
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route(/privacy-widget-forms\.js/, async (route) => { await held; await route.continue(); });
    await page.goto(`${server.url}/`);
    const takenOver = () => page.waitForFunction((sel) => document.querySelector(sel).shadowRoot?.querySelector('form'), FOOTER);
    return { page, plain: page.locator(`${FOOTER} form`), release, takenOver };
  }

  test('what the visitor typed before the widget started moves into its form; one form, not two', async () => {
    await withBrowser(async (context) => {
      const { page, plain, release, takenOver } = await frontPageWithFormsHeld(context);
      await plain.locator('input[name=email]').fill('tidlig@example.no');
      await plain.locator('input[name=consent]').check();
      await plain.locator('input[name=email]').focus();
      release();
      await takenOver();
      const widgetForm = page.locator(`${FOOTER} form`); // Playwright pierces the shadow root
      assert.equal(await widgetForm.count(), 1, 'the plain form is no longer shown beside the widget\'s');
      assert.equal(await widgetForm.locator('input[name=email]').inputValue(), 'tidlig@example.no');
      assert.equal(await widgetForm.locator('input[name=consent]').isChecked(), true);
      const focused = await page.evaluate((sel) => document.querySelector(sel).shadowRoot.activeElement?.name, FOOTER);
      assert.equal(focused, 'email', 'the focus stays in the address field');
    });
  });

  test('a keyboard user who reached the plain form\'s button before the widget took over is on the widget\'s button after', async () => {
    await withBrowser(async (context) => {
      const { page, plain, release, takenOver } = await frontPageWithFormsHeld(context);
      await plain.locator('input[name=email]').focus();
      await page.keyboard.type('tastatur@example.no');
      await plain.locator('input[name=consent]').focus();
      await page.keyboard.press('Space');
      await plain.locator('button[type=submit]').focus();
      assert.equal(await page.evaluate(() => document.activeElement.type), 'submit', 'the plain form\'s button has the focus');
      release();
      await takenOver();
      const active = await page.evaluate((sel) => {
        const root = document.querySelector(sel).shadowRoot;
        return { type: root.activeElement?.getAttribute('type'), email: root.querySelector('input[name=email]').value, consent: root.querySelector('input[name=consent]').checked };
      }, FOOTER);
      assert.deepEqual(active, { type: 'submit', email: 'tastatur@example.no', consent: true });
    });
  });
});
