// The newsletter signup (double opt-in through the demo mailbox) and the rights-request form,
// in Chromium against the real backend.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, withBrowser, newPage, openShop, expectNoPageErrors, runAxe, formatAxeViolations } from './harness.mjs';

const NL = '#newsletter-signup';
const STATEMENT = '#privacy-statement';

async function shop(context, server, path = '/') {
  const page = await openShop(context, server.url + path, { banner: false });
  if (await page.evaluate(() => window.PrivacyWidget.getConsent()) === null) {
    await page.locator('#privacy-widget .banner').waitFor();
    await page.click('#privacy-widget [data-action="reject-all"]');
  }
  // On the front page the forms' module loads at the visitor's first move in the footer's form.
  if (path === '/') await page.locator(`${NL} input[name=email]`).focus();
  // Until then the page's plain form (for visitors without script) is what a click reaches.
  await page.waitForFunction((sel) => document.querySelector(sel).shadowRoot?.querySelector('form'), NL);
  await statementTakenOver(page);
  return page;
}

/** The statement and its rights-request form on the statement page: until the widget renders them,
 * the page's plain copy (for visitors without script) is what a locator finds and a click posts. */
async function statementTakenOver(page) {
  await page.waitForFunction((sel) => !document.querySelector(sel) || document.querySelector(sel).shadowRoot?.querySelector('section.part'), STATEMENT);
}

async function poll(fn, ready, what) {
  let value;
  for (let i = 0; i < 80; i++) {
    value = await fn();
    if (ready(value)) return value;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
}

const mailsTo = (server, to) => server.admin(`/api/admin/mailbox?to=${encodeURIComponent(to)}`).then((r) => r.mails);
const subscribers = (server) => server.admin('/api/admin/newsletter').then((r) => r.subscribers);
const focused = (page) => page.evaluate(() => {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el && (el.name || el.className || el.tagName);
});

describe('newsletter signup', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('double opt-in: footer form → mail in the demo mailbox → confirmation link and button → confirmed, e-mail only', async () => {
    await withBrowser(async (context) => {
      const page = await shop(context, server);
      const form = page.locator(NL);
      assert.equal(await form.locator('input[name=consent]').isChecked(), false, 'never pre-ticked');
      const label = await form.locator('label[for="nl-consent"]').textContent();
      assert.match(label, /Serviteur.*omtrent én gang i måneden/);
      await form.locator('input[name=email]').fill('ola.nordmann@example.no');
      await form.locator('input[name=consent]').check();
      await form.locator('button[type=submit]').click();
      await form.locator('.done').waitFor();
      assert.match(await form.locator('.done').textContent(), /Sjekk e-posten din/);

      const [mail] = await poll(() => mailsTo(server, 'ola.nordmann@example.no'), (m) => m.length === 1, 'the confirmation mail');
      const link = mail.body.match(/https?:\/\/\S+\/newsletter\/confirm\?token=\S+/)[0];
      const confirm = await newPage(context);
      await confirm.goto(link);
      // Opening the link (what a mail scanner does too) confirms nothing; its button does.
      assert.equal((await subscribers(server))[0].status, 'pending');
      await confirm.getByRole('button', { name: 'Bekreft påmeldingen' }).click();
      await confirm.waitForLoadState();
      assert.match(await confirm.textContent('h1'), /Takk! Du er nå påmeldt/);
      const [subscriber] = await subscribers(server);
      assert.equal(subscriber.email, 'ola.nordmann@example.no');
      assert.equal(subscriber.status, 'confirmed');
      assert.equal(subscriber.consent.text ?? subscriber.consent.consent_text, label, 'proof of the exact text ticked');

      await confirm.goto(link);
      assert.doesNotMatch(await confirm.textContent('body'), /Takk/, 'a used token does not confirm again');
      expectNoPageErrors(page);
    });
  });

  test('a signup the backend cannot take yet waits in the page\'s one outbox; the next page delivers it without loading the forms', async () => {
    await withBrowser(async (context) => {
      const page = await shop(context, server);
      // Refused at the network level until unrouted, on this page and the next one (the unload
      // flush included), so the next page's consent manager is what delivers it.
      const down = (route) => route.abort('connectionrefused');
      await page.route('**/api/newsletter/subscribe', down);
      const form = page.locator(NL);
      await form.locator('input[name=email]').fill('senere@example.no');
      await form.locator('input[name=consent]').check();
      await form.locator('button[type=submit]').click();
      const saved = await poll(() => page.evaluate(() => [sessionStorage.getItem('privacy-widget-outbox'), sessionStorage.getItem('privacy-widget-outbox-forms')]),
        ([outbox]) => outbox?.includes('senere@example.no'), 'the signup in the outbox');
      assert.deepEqual(JSON.parse(saved[0]).entries.map((e) => e.endpoint), ['newsletter'], 'in the consent manager\'s outbox, the page\'s only one');
      assert.equal(saved[1], null, 'no outbox of the forms\' own');

      const paths = [];
      page.on('request', (request) => paths.push(new URL(request.url()).pathname));
      await page.goto(server.url + '/');
      await poll(() => paths.some((p) => p.startsWith('/dist/privacy-widget-consent')), Boolean, 'the consent manager for the undelivered signup');
      await page.unroute('**/api/newsletter/subscribe', down);
      const signedUp = await poll(async () => (await subscribers(server)).filter((s) => s.email === 'senere@example.no'), (l) => l.length > 0, 'the signup stored');
      assert.equal(signedUp.length, 1);
      await poll(() => page.evaluate(() => sessionStorage.getItem('privacy-widget-outbox')), (o) => o === null, 'the outbox emptied');
      assert.equal(paths.some((p) => /^\/dist\/privacy-widget-(extras|forms)/.test(p)), false, 'the untouched form\'s module was not loaded');
    });
  });

  test('errors sit next to the field, are announced, and the typed address stays', async () => {
    const context = await launchBrowser();
    try {
      const page = await shop(context, server);
      const form = page.locator(NL);
      await form.locator('button[type=submit]').click();
      assert.equal(await form.locator('#nl-email-error').textContent(), 'Skriv inn e-postadressen din.');
      assert.equal(await form.locator('#nl-email').getAttribute('aria-invalid'), 'true');
      assert.match(await form.locator('#nl-email').getAttribute('aria-describedby'), /nl-email-error/);
      assert.equal(await focused(page), 'email', 'focus on the first invalid field');

      await form.locator('input[name=email]').fill('kari@eksempel');
      await form.locator('button[type=submit]').click();
      assert.match(await form.locator('#nl-email-error').textContent(), /\./, 'missing top-level domain explained');
      assert.equal(await form.locator('input[name=email]').inputValue(), 'kari@eksempel');
      assert.equal(await form.locator('#nl-consent-error').isVisible(), true);

      await server.faults({ mode: 'status', status: 500, count: 50 });
      await form.locator('input[name=email]').fill('kari@eksempel.no');
      await form.locator('input[name=consent]').check();
      await form.locator('button[type=submit]').click();
      await form.locator('.status', { hasText: 'Noe gikk galt' }).waitFor();
      assert.equal(await form.locator('input[name=email]').inputValue(), 'kari@eksempel.no', 'kept after a server error');
      assert.match(await form.locator('button[type=submit]').textContent(), /Prøv igjen/);
      assert.match(await form.locator('.live').textContent(), /Noe gikk galt/, 'announced in the live region');

      await server.faults({ mode: 'off' });
      await form.locator('.done').waitFor({ timeout: 20_000 });
      const mails = await poll(() => mailsTo(server, 'kari@eksempel.no'), (m) => m.length >= 1, 'the mail after recovery');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await mailsTo(server, 'kari@eksempel.no')).length, mails.length);
      assert.equal(mails.length, 1, 'delivered exactly once after the backend came back');
    } finally {
      await server.faults({ mode: 'off' });
      await context.close();
    }
  });

  test('the newsletter form privacy-statement link opens the viewer at the newsletter section', async () => {
    await withBrowser(async (context) => {
      const modules = [];
      context.on('request', (request) => {
        const name = new URL(request.url()).pathname.match(/^\/dist\/privacy-widget-(extras|forms)\.js$/)?.[1];
        if (name) modules.push(name);
      });
      const page = await shop(context, server);
      // A page with neither statement nor declaration: its form is the forms build's, the
      // newsletter forms alone; the viewer, which that build does not carry, loads with the link.
      assert.deepEqual(modules, ['forms'], 'the forms alone for the footer\'s form');
      await page.locator(`${NL} input[name=email]`).fill('lenke@example.no');
      await page.locator(`${NL} .policy a`).click();
      await page.locator('#privacy-widget-statement dialog.viewer #h-nyhetsbrev').waitFor();
      assert.equal(new URL(page.url()).pathname, '/', 'opened in place');
      const focusedId = await page.evaluate(() => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el?.id;
      });
      assert.equal(focusedId, 'h-nyhetsbrev');
      assert.deepEqual(modules, ['forms', 'extras']);
      // The extras build leaves the form the forms build took over: one form, what was typed kept.
      await page.keyboard.press('Escape');
      await page.locator('#privacy-widget-statement dialog.viewer').waitFor({ state: 'hidden' });
      assert.deepEqual(await page.evaluate((sel) => {
        const root = document.querySelector(sel).shadowRoot;
        return [root.querySelectorAll('form').length, root.querySelector('input[name=email]').value];
      }, NL), [1, 'lenke@example.no']);
      expectNoPageErrors(page);
    });
  });

  test('the honeypot silently drops bots: success shown, nothing posted', async () => {
    await withBrowser(async (context) => {
      const page = await shop(context, server);
      const posts = [];
      page.on('request', (r) => { if (r.url().includes('/api/newsletter')) posts.push(r.url()); });
      const form = page.locator(NL);
      await form.locator('input[name=website]').fill('http://spam.example');
      await form.locator('input[name=email]').fill('bot@example.no');
      await form.locator('input[name=consent]').check();
      await form.locator('button[type=submit]').click();
      await form.locator('.done').waitFor();
      await page.waitForTimeout(500);
      assert.deepEqual(posts, []);
      assert.ok(!(await subscribers(server)).some((s) => s.email === 'bot@example.no'));
    });
  });

  test('keyboard only, and axe-core finds nothing in the form, its errors or its success', async () => {
    await withBrowser(async (context) => {
      const page = await shop(context, server);
      let violations = await runAxe(page, NL);
      assert.deepEqual(violations, [], formatAxeViolations(violations));
      await page.locator(`${NL} input[name=email]`).focus();
      await page.keyboard.press('Enter');
      violations = await runAxe(page, NL);
      assert.deepEqual(violations, [], `errors shown: ${formatAxeViolations(violations)}`);
      await page.keyboard.type('per@example.no');
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'consent');
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'submit', 'the honeypot is skipped');
      await page.keyboard.press('Enter');
      await page.locator(`${NL} .done`).waitFor();
      assert.match(await focused(page), /done/, 'focus moves to the success message');
      violations = await runAxe(page, NL);
      assert.deepEqual(violations, [], formatAxeViolations(violations));
    });
  });

  test('the same answer for a new and an already subscribed address', async () => {
    await withBrowser(async (context) => {
      const texts = [];
      for (let i = 0; i < 2; i++) {
        const page = await shop(context, server);
        const form = page.locator(NL);
        await form.locator('input[name=email]').fill('same@example.no');
        await form.locator('input[name=consent]').check();
        await form.locator('button[type=submit]').click();
        await form.locator('.done').waitFor();
        texts.push(await form.locator('.done').textContent());
        await page.close();
      }
      assert.equal(texts[0], texts[1]);
      assert.equal((await subscribers(server)).filter((s) => s.email === 'same@example.no').length, 1);
    });
  });

  test('unsubscribe from the statement page: a confirmation mail, and its link removes the address', async () => {
    await withBrowser(async (context) => {
      const page = await shop(context, server);
      const form = page.locator(NL);
      await form.locator('input[name=email]').fill('leave@example.no');
      await form.locator('input[name=consent]').check();
      await form.locator('button[type=submit]').click();
      await form.locator('.done').waitFor();
      await poll(() => mailsTo(server, 'leave@example.no'), (m) => m.length === 1, 'signup mail');

      const statementPage = await newPage(context);
      await statementPage.goto(`${server.url}/personopplysninger`);
      const leave = statementPage.locator('[data-pw-newsletter="unsubscribe"]');
      // As in shop(): until the widget takes the plain form over, a click posts it without script.
      await statementPage.waitForFunction(() => document.querySelector('[data-pw-newsletter="unsubscribe"]').shadowRoot?.querySelector('form'));
      await leave.locator('input[name=email]').fill('leave@example.no');
      await leave.locator('button[type=submit]').click();
      await leave.locator('.done').waitFor();
      const mails = await poll(() => mailsTo(server, 'leave@example.no'), (m) => m.length === 2, 'unsubscribe mail');
      const link = mails.map((m) => m.body.match(/https?:\/\/\S+\/newsletter\/unsubscribe\?token=\S+/)?.[0]).find(Boolean);
      const confirm = await newPage(context);
      await confirm.goto(link);
      await confirm.locator('form button, form input[type=submit]').first().click();
      await confirm.waitForLoadState();
      assert.ok(!(await subscribers(server)).some((s) => s.email === 'leave@example.no'), 'address deleted');
    });
  });
});

describe('newsletter rate limiting', () => {
  let server;
  before(async () => { server = await startServer({ env: { RATE_LIMIT_PER_ADDRESS: '1/3600' } }); });
  after(async () => { await server?.stop(); });

  test('a second signup for the same address is told to wait, and the input stays', async () => {
    await withBrowser(async (context) => {
      for (const attempt of [1, 2]) {
        const page = await shop(context, server);
        const form = page.locator(NL);
        await form.locator('input[name=email]').fill('often@example.no');
        await form.locator('input[name=consent]').check();
        await form.locator('button[type=submit]').click();
        if (attempt === 1) {
          await form.locator('.done').waitFor();
        } else {
          await form.locator('.status', { hasText: 'for mange forsøk' }).waitFor();
          assert.equal(await form.locator('input[name=email]').inputValue(), 'often@example.no');
        }
        await page.close();
      }
      assert.equal((await mailsTo(server, 'often@example.no')).length, 1);
    });
  });
});

describe('rights requests', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('an access request reaches the backend with the consent id, and the reference number is shown', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.goto(`${server.url}/personopplysninger`);
      await page.locator('#privacy-widget .banner').waitFor();
      await page.click('#privacy-widget [data-action="accept-all"]');
      await statementTakenOver(page);
      const consentId = await page.evaluate(() => window.PrivacyWidget.getConsent().consent_id);
      const form = page.locator(`${STATEMENT} .rights-form`);
      await form.waitFor();
      assert.match(await form.textContent(), new RegExp(consentId), 'prefilled with the consent id');
      assert.match(await page.locator(`${STATEMENT} .complaint`).textContent(), /Datatilsynet/);
      assert.equal(await page.locator(`${STATEMENT} .complaint a`).getAttribute('href'), 'https://www.datatilsynet.no/');

      await form.locator('button[type=submit]').click();
      assert.equal(await form.locator('#rr-type-error').isVisible(), true);
      await form.locator('#rr-type-access').check();
      await form.locator('input[name=email]').fill('kunde@example.no');
      await form.locator('textarea').fill('Jeg vil vite hva dere har lagret om meg.');
      await form.locator('input[name=confirm]').check();
      await form.locator('button[type=submit]').click();
      const status = page.locator(`${STATEMENT} #pw-rights .status`, { hasText: 'PV-' });
      await status.waitFor();
      const reference = (await status.textContent()).match(/PV-\d{4}-\d+/)?.[0];
      assert.ok(reference, await status.textContent());
      const { requests } = await server.admin('/api/admin/rights-requests');
      const stored = requests.find((r) => r.reference === reference);
      assert.equal(stored.type, 'access');
      assert.equal(stored.email, 'kunde@example.no');
      assert.equal(stored.consent_id, consentId);
      assert.equal(stored.status, 'received');
      expectNoPageErrors(page);
    });
  });

  test('keyboard only through the contents and the form, and axe-core finds nothing', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.goto(`${server.url}/personopplysninger`);
      await page.click('#privacy-widget [data-action="reject-all"]');
      await statementTakenOver(page);
      const form = page.locator(`${STATEMENT} .rights-form`);
      await form.waitFor();
      let violations = await runAxe(page, STATEMENT);
      assert.deepEqual(violations, [], formatAxeViolations(violations));
      await form.locator('#rr-type-erasure').focus();
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'email');
      await page.keyboard.type('slett@example.no');
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'message');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.locator(`${STATEMENT} #pw-rights .status`, { hasText: /PV-\d{4}-\d+/ }).waitFor();
      violations = await runAxe(page, STATEMENT);
      assert.deepEqual(violations, [], formatAxeViolations(violations));
    });
  });

  test('without an endpoint the form becomes a prefilled e-mail to the shop', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.goto(`${server.url}/fixtures/rights-mailto.html`);
      const form = page.locator('#statement .rights-form');
      await form.waitFor();
      await form.locator('#rr-type-rectification').check();
      await form.locator('input[name=email]').fill('kunde@example.no');
      await form.locator('textarea').fill('Adressen min er feil: Storgata 1 & 2');
      await form.locator('input[name=confirm]').check();
      await form.locator('button[type=submit]').click();
      const link = page.locator('#statement a.mailto');
      await link.waitFor();
      const href = await link.getAttribute('href');
      assert.match(href, /^mailto:post@serviteur\.no\?subject=/);
      const body = decodeURIComponent(href.split('&body=')[1]);
      assert.match(body, /kunde@example\.no/);
      assert.match(body, /Storgata 1 & 2/);
    });
  });
});
