// The operator pages under /admin in Chromium against the real server: sign-in with the
// keyboard and without JavaScript, a wrong password refused, forged forms refused (no token, a
// wrong token), sign-in attempts limited with a 429 page, the inbox's deadlines for requests of
// different ages, the overview's charts and table with the seeded numbers, a status change
// recorded, sign-out, and axe with 0 violations on every page.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, withBrowser, newPage, runAxe, formatAxeViolations, expectNoPageErrors } from './harness.mjs';
import { ADMIN_PASSWORD, hashPassword, seedConsents, seedInbox, signIn } from './admin-fixtures.mjs';

const NO_JS = { javaScriptEnabled: false };
const AXE = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } };
const PASSWORD_HASH = hashPassword();

/** Chromium logs every error status of a document; these pages answer them on purpose. */
const INTENDED_STATUS = /responded with a status of (400|401)/;
const today = () => new Date().toISOString().slice(0, 10);
const inboxRow = (page, reference) => page.locator('#inbox tbody tr', { has: page.locator(`a:text-is("${reference}")`) });

describe('operator pages', () => {
  let server;
  let references;
  before(async () => {
    server = await startServer({ env: { ADMIN_PASSWORD_HASH: PASSWORD_HASH } });
    await seedConsents(server, [true, true, true, false]);
    references = await seedInbox(server);
  });
  after(async () => { await server?.stop(); });

  test('without a password hash, /admin does not exist', async () => {
    const plain = await startServer();
    try {
      for (const path of ['/admin', '/admin/sign-in']) {
        assert.equal((await fetch(plain.url + path, { redirect: 'manual' })).status, 404, path);
      }
    } finally {
      await plain.stop();
    }
  });

  test('sign-in without JavaScript: a wrong password is refused, the right one opens the overview', async () => {
    await withBrowser(NO_JS, async (context) => {
      const page = await newPage(context);
      await page.goto(`${server.url}/admin`);
      assert.equal(new URL(page.url()).pathname, '/admin/sign-in', 'signed out: sent to the sign-in page');

      await signIn(page, server, 'not the password');
      assert.equal(new URL(page.url()).pathname, '/admin/sign-in');
      assert.equal(await page.locator('[role=alert]').textContent(), 'The account name or the password is wrong.');
      assert.equal((await context.cookies()).filter((c) => c.name === 'pw_admin_session').length, 0);
      expectNoPageErrors(page, { ignore: [INTENDED_STATUS] });

      await signIn(page, server);
      assert.equal(new URL(page.url()).pathname, '/admin');
      assert.equal(await page.locator('h1').textContent(), 'Consent overview');
      const [session] = (await context.cookies()).filter((c) => c.name === 'pw_admin_session');
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, 'Strict');
      assert.equal(session.path, '/admin');
      assert.equal(session.expires, -1, 'a session cookie');
    });
  });

  test('the overview charts and tables the seeded decisions', async () => {
    await withBrowser(NO_JS, async (context) => {
      const page = await newPage(context);
      await signIn(page, server);
      const charts = page.locator('figure.chart svg[role=img]');
      assert.equal(await charts.count(), 2);
      assert.equal(await charts.nth(0).locator('title').textContent(), 'Consent decisions per day');
      assert.match(await charts.nth(0).locator('desc').textContent(), /^4 decisions from .* at most 4 on one day/);
      // A marker per day on the decisions line (30 days), drawn by plotters.
      assert.equal(await charts.nth(0).locator('circle').count(), 30);
      // analytics (circles) and necessary (triangles) have a point today only.
      assert.equal(await charts.nth(1).locator('circle').count(), 1);
      assert.equal(await charts.nth(1).locator('polygon').count(), 1);
      assert.deepEqual(await page.locator('.legend li').allTextContents(), ['analytics (circles)', 'necessary (triangles)']);

      const headers = await page.locator('#consent-table thead th').allTextContents();
      assert.deepEqual(headers, ['Day', 'Decisions', 'analytics accepted', 'necessary accepted']);
      const row = page.locator('#consent-table tbody tr').first();
      assert.equal(await row.locator('th').textContent(), today());
      assert.deepEqual(await row.locator('td').allTextContents(), ['4', '75.0 % (3 of 4)', '100.0 % (4 of 4)']);
      assert.deepEqual(await page.locator('#consent-table tbody tr').nth(1).locator('td').allTextContents(), ['0', '–', '–']);
    });
  });

  test('the inbox flags overdue and due-within-7-days requests in words, not colour alone', async () => {
    await withBrowser(NO_JS, async (context) => {
      const page = await newPage(context);
      await signIn(page, server);
      await page.click('nav a:text-is("Rights requests")');
      assert.equal(await page.locator('nav a[aria-current=page]').textContent(), 'Rights requests');
      const overdue = inboxRow(page, references.overdue);
      assert.equal(await overdue.getAttribute('class'), 'overdue');
      // One calendar month is 28 to 31 days, so the day counts depend on when this runs.
      assert.match(await overdue.locator('.flag').textContent(), /^Overdue by (9|10|11|12) days$/);
      assert.equal(await overdue.locator('td').nth(3).textContent(), '40 days');
      const dueSoon = inboxRow(page, references.dueSoon);
      assert.equal(await dueSoon.getAttribute('class'), 'due-soon');
      assert.match(await dueSoon.locator('.flag').textContent(), /^Due soon: [2-5] days left$/);
      const fresh = inboxRow(page, references.fresh);
      assert.equal(await fresh.getAttribute('class'), 'open');
      assert.match(await fresh.locator('.flag').textContent(), /^(27|28|29|30) days left$/);
      assert.match(await page.locator('#inbox-summary').textContent(), /^1 overdue, 1 due within 7 days, of 3 requests/);
    });
  });

  test('a status change through the form is recorded with who and when', async () => {
    await withBrowser(NO_JS, async (context) => {
      const page = await newPage(context);
      await signIn(page, server);
      await page.goto(`${server.url}/admin/requests/${references.dueSoon}`);
      await page.selectOption('#status', 'completed');
      await Promise.all([page.waitForNavigation(), page.click('button:text-is("Change status")')]);
      assert.equal(await page.locator('[role=status]').textContent(), 'Status changed to Completed.');
      assert.equal(await page.locator('#request-status').textContent(), 'Completed');
      assert.match(await page.locator('#history li').last().textContent(), /^\d{4}-\d\d-\d\dT[\d:.]+Z: status set to Completed by admin$/);
      const { requests } = await server.admin('/api/admin/rights-requests');
      assert.equal(requests.find((r) => r.reference === references.dueSoon).status, 'completed');
      await page.click('a:text-is("Back to the inbox")');
      assert.equal(await inboxRow(page, references.dueSoon).getAttribute('class'), 'closed', 'answered: no longer flagged');
    });
  });

  test('forms without the session token or with a wrong one are refused and change nothing', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await signIn(page, server);
      await page.goto(`${server.url}/admin/requests/${references.overdue}`);
      const statusForm = 'form[action$="/status"]';
      await page.locator(`${statusForm} input[name=csrf_token]`).evaluate((input) => input.remove());
      await page.selectOption('#status', 'rejected');
      await Promise.all([page.waitForNavigation(), page.click('button:text-is("Change status")')]);
      assert.equal(await page.locator('h1').textContent(), 'Form refused');

      await page.goto(`${server.url}/admin/requests/${references.overdue}`);
      await page.locator(`${statusForm} input[name=csrf_token]`).evaluate((input) => { input.value = 'f'.repeat(64); });
      await page.selectOption('#status', 'rejected');
      const [response] = await Promise.all([page.waitForNavigation(), page.click('button:text-is("Change status")')]);
      assert.equal(response.status(), 403);

      await context.clearCookies({ name: 'pw_admin_session' });
      await page.goto(`${server.url}/admin/sign-in`);
      await page.locator('input[name=csrf_token]').evaluate((input) => { input.value = '0'.repeat(64); });
      await page.fill('#user', 'admin');
      await page.fill('#password', ADMIN_PASSWORD);
      const [signInResponse] = await Promise.all([page.waitForNavigation(), page.click('button:text-is("Sign in")')]);
      assert.equal(signInResponse.status(), 403, 'the sign-in form has its own token');

      const { requests } = await server.admin('/api/admin/rights-requests');
      assert.equal(requests.find((r) => r.reference === references.overdue).status, 'received');
    });
  });

  test('proof lookup and export forms check their input and say what is not available yet', async () => {
    await withBrowser(NO_JS, async (context) => {
      const page = await newPage(context);
      await signIn(page, server);
      await page.click('nav a:text-is("Proof lookup")');
      // The field's pattern stops this in the browser; the server checks it too.
      const bad = await page.goto(`${server.url}/admin/proof?id=not-an-id`);
      assert.equal(bad.status(), 400);
      assert.match(await page.locator('[role=alert]').textContent(), /^`id`: found "not-an-id"; expected/);
      await page.fill('#consent-id', 'c0ffee01'.padStart(32, '0'));
      const [valid] = await Promise.all([page.waitForNavigation(), page.click('button:text-is("Look up")')]);
      assert.equal(valid.status(), 501);
      assert.match(await page.locator('[role=status]').textContent(), /^Not available yet\. .*GET \/api\/admin\/proof\/0+c0ffee01\.$/);

      await page.click('nav a:text-is("Exports")');
      const form = page.locator('form[action="/admin/export/consent-events"]');
      await form.locator('input[value=jsonl]').check();
      await form.locator('input[name=from]').fill('2026-12-01');
      await form.locator('input[name=to]').fill('2026-11-01');
      const [reversed] = await Promise.all([page.waitForNavigation(), form.locator('button').click()]);
      assert.equal(reversed.status(), 400);
      assert.match(await page.locator('[role=alert]').textContent(), /`to`: found "2026-11-01"; expected a date on or after from/);
      assert.equal(await page.locator('form[action="/admin/export/consent-events"] input[name=from]').inputValue(), '2026-12-01', 'input kept');
      await page.locator('form[action="/admin/export/consent-events"] input[name=to]').fill('2026-12-31');
      const [ok] = await Promise.all([page.waitForNavigation(), page.locator('form[action="/admin/export/consent-events"] button').click()]);
      assert.equal(ok.status(), 501);
      assert.match(await page.locator('[role=status]').textContent(), /GET \/api\/admin\/export\/consent-events\?format=jsonl&from=2026-12-01&to=2026-12-31\.$/);
    });
  });

  test('sign-out ends the session', async () => {
    await withBrowser(NO_JS, async (context) => {
      const page = await newPage(context);
      await signIn(page, server);
      const stolen = (await context.cookies()).find((c) => c.name === 'pw_admin_session').value;
      await page.locator('.sign-out button').focus();
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.equal(new URL(page.url()).pathname, '/admin/sign-in');
      const replay = await fetch(`${server.url}/admin`, { headers: { cookie: `pw_admin_session=${stolen}` }, redirect: 'manual' });
      assert.equal(replay.status, 303, 'the old session id no longer works anywhere');
      assert.equal(replay.headers.get('location'), '/admin/sign-in');
    });
  });

  test('axe finds no violations on any operator page', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      const check = async (what) => {
        const violations = await runAxe(page, undefined, AXE);
        assert.deepEqual(violations, [], `${what}:\n${formatAxeViolations(violations)}`);
        expectNoPageErrors(page, { ignore: [INTENDED_STATUS] });
      };
      await page.goto(`${server.url}/admin/sign-in`);
      await check('sign-in');
      await signIn(page, server, 'wrong password here');
      await check('sign-in with its error');
      await signIn(page, server);
      await check('consent overview');
      await page.goto(`${server.url}/admin/requests`);
      await check('inbox');
      await page.goto(`${server.url}/admin/requests/${references.overdue}?updated=1`);
      await check('request page');
      await page.goto(`${server.url}/admin/proof?id=xyz`);
      await check('proof lookup with an error');
      await page.goto(`${server.url}/admin/export/subscribers?from=2026-13-01`);
      await check('exports with an error');
    });
  });
});

describe('operator sign-in limits', () => {
  test('after too many wrong passwords even the right one gets a 429 page with Retry-After', async () => {
    const server = await startServer({ env: { ADMIN_PASSWORD_HASH: PASSWORD_HASH, ADMIN_SIGN_IN_LIMIT_PER_IP: '2/600' } });
    try {
      await withBrowser(async (context) => {
        const page = await newPage(context);
        await signIn(page, server, 'guess number one');
        await signIn(page, server, 'guess number two');
        await page.goto(`${server.url}/admin/sign-in`);
        await page.fill('#user', 'admin');
        await page.fill('#password', ADMIN_PASSWORD);
        const [response] = await Promise.all([page.waitForNavigation(), page.click('button:text-is("Sign in")')]);
        assert.equal(response.status(), 429);
        const retryAfter = Number(response.headers()['retry-after']);
        assert.ok(retryAfter > 590 && retryAfter <= 600, `Retry-After ${retryAfter}`);
        assert.equal(await page.locator('h1').textContent(), 'Too many sign-in attempts');
        assert.match(await page.locator('main').textContent(), /Try again in 10 minutes\./);
        assert.equal((await context.cookies()).filter((c) => c.name === 'pw_admin_session').length, 0);
        const violations = await runAxe(page, undefined, AXE);
        assert.deepEqual(violations, [], formatAxeViolations(violations));
      });
    } finally {
      await server.stop();
    }
  });
});
