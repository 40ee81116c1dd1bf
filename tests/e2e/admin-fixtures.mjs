// Shared by tests/e2e/admin.test.mjs and scripts/screenshots.mjs: an operator password and its
// Argon2 hash (made by the server's own `hash-password`), data seeded through the public API
// (consents today; rights requests received 40, 25 and 0 days ago through the test clock,
// POST /__clock, which PW_FAULTS=1 enables), and signing in through the form.
import { spawnSync } from 'node:child_process';
import { SERVER_BIN } from './harness.mjs';

export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'e2e-operator-password';

/** ADMIN_PASSWORD_HASH for `password`, from `privacy-widget-server hash-password`. */
export function hashPassword(password = ADMIN_PASSWORD) {
  const run = spawnSync(SERVER_BIN, ['hash-password'], { input: `${password}\n`, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`hash-password failed (${run.status}): ${run.stderr}`);
  return run.stdout.trim();
}

/** Sets the server's clock to the wall clock plus `days` (negative: the past). */
export async function setClockOffsetDays(server, days) {
  const res = await fetch(`${server.url}/__clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ offset_seconds: Math.round(days * 86_400) }),
  });
  if (!res.ok) throw new Error(`POST /__clock -> ${res.status}: ${await res.text()}`);
}

const hex32 = (n) => n.toString(16).padStart(32, '0');

/** Posts one consent decision per entry of `analyticsChoices` (necessary always true). */
export async function seedConsents(server, analyticsChoices) {
  let n = 0;
  for (const analytics of analyticsChoices) {
    n += 1;
    const res = await fetch(`${server.url}/api/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': hex32(0xabc000 + n) },
      body: JSON.stringify({
        consent_id: hex32(0xc0ffee00 + n), seq: 1, revision: '2026-11-01',
        action: analytics ? 'accept_all' : 'reject_all',
        categories: { necessary: true, analytics },
        services: { 'google-analytics': analytics },
        timestamp: new Date().toISOString(), language: 'nb',
      }),
    });
    if (!res.ok) throw new Error(`POST /api/consent -> ${res.status}: ${await res.text()}`);
  }
}

/** Posts a rights request received `daysAgo` days ago; returns its reference. */
export async function seedRightsRequest(server, { daysAgo, email, type = 'access' }) {
  await setClockOffsetDays(server, -daysAgo);
  try {
    const res = await fetch(`${server.url}/api/rights-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': hex32(0x7777000 + daysAgo) },
      body: JSON.stringify({ type, email, message: `Request sent ${daysAgo} days ago.`, language: 'en', confirmed: true }),
    });
    const body = await res.json();
    if (res.status !== 201) throw new Error(`POST /api/rights-requests -> ${res.status}: ${JSON.stringify(body)}`);
    return body.reference;
  } finally {
    await setClockOffsetDays(server, 0);
  }
}

/** The three requests of the inbox tests: overdue, due within 7 days, and new. */
export async function seedInbox(server) {
  return {
    overdue: await seedRightsRequest(server, { daysAgo: 40, email: 'old@example.no', type: 'erasure' }),
    dueSoon: await seedRightsRequest(server, { daysAgo: 25, email: 'soon@example.no' }),
    fresh: await seedRightsRequest(server, { daysAgo: 0, email: 'new@example.no', type: 'rectification' }),
  };
}

/** Signs in through the form, with the keyboard only; resolves on the page after it. */
export async function signIn(page, server, password = ADMIN_PASSWORD) {
  await page.goto(`${server.url}/admin/sign-in`);
  await page.locator('#user').focus();
  await page.keyboard.type(ADMIN_USER);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}
