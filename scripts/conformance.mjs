#!/usr/bin/env node
// Backend conformance test: sends the widget's real requests to any backend (a shop's own, or
// the reference server) and reports, point by point, whether it keeps the contract of
// README "Backend API" / server/openapi.yaml. Exit status 1 on any FAIL, 2 on a usage error.
//
//   npm run conformance -- --base http://127.0.0.1:8080/api [--admin-token T] [--csrf-token T]
//                          [--origin https://shop.example] [--newsletter] [--rights]
//
// Every request carries what the widget's carries: `Content-Type: application/json`, a fresh
// `Idempotency-Key` (32 hex digits) and, with --csrf-token, `X-CSRF-Token`. Each point uses its
// own random consent id, so the run can be repeated against the same database.
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BODY_LIMIT = 16 * 1024;

const USAGE = `usage: npm run conformance -- --base URL [options]

  --base URL            the API base the widget's endpoints hang off, e.g. http://127.0.0.1:8080/api
                        (consent events go to URL/consent)
  --consent PATH        consent endpoint below --base (default /consent), or a full URL
  --admin-token TOKEN   bearer token for GET URL/admin/consents?consent_id=… (the reference server's
                        admin listing): stored rows are counted instead of trusting the answers
  --csrf-token TOKEN    the backend expects this token in X-CSRF-Token (or the beacon's "csrf")
  --origin ORIGIN       the shop's pages are on ORIGIN, another origin than the API: check CORS
  --newsletter [PATH]   also check the newsletter endpoints (default /newsletter/subscribe and
                        …/unsubscribe below --base)
  --rights [PATH]       also check the rights-request endpoint (default /rights-requests)
  --timeout MS          per request (default 10000, the widget's own timeout)
`;

class UsageError extends Error {}

/** Parses argv (without node and the script) into options; throws UsageError. */
export function parseArgs(argv) {
  const options = { timeoutMs: 10_000 };
  const takesValue = {
    '--base': 'base', '--consent': 'consent', '--admin-token': 'adminToken', '--csrf-token': 'csrfToken',
    '--origin': 'origin', '--timeout': 'timeoutMs',
  };
  const optionalValue = { '--newsletter': ['newsletter', '/newsletter/subscribe'], '--rights': ['rights', '/rights-requests'] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    if (flag === '--help' || flag === '-h') throw new UsageError('');
    if (takesValue[flag]) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
      options[takesValue[flag]] = value;
    } else if (optionalValue[flag]) {
      const [name, fallback] = optionalValue[flag];
      const next = inline ?? (argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : undefined);
      options[name] = next || fallback;
    } else {
      throw new UsageError(`unknown option ${argv[i]}`);
    }
  }
  if (!options.base) throw new UsageError('--base is required');
  let base;
  try {
    base = new URL(options.base);
  } catch {
    throw new UsageError(`--base ${options.base} is not a URL (expected e.g. http://127.0.0.1:8080/api)`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UsageError('--base must be http: or https:');
  options.base = base.href.replace(/\/$/, '');
  options.timeoutMs = Number(options.timeoutMs);
  if (!(options.timeoutMs > 0)) throw new UsageError('--timeout must be a positive number of milliseconds');
  if (options.origin && !/^https?:\/\/[^/]+$/.test(options.origin)) {
    throw new UsageError(`--origin ${options.origin} must be an origin like https://shop.example (no path)`);
  }
  return options;
}

/** An endpoint below the base, or an absolute URL as given. */
function endpointUrl(base, pathOrUrl) {
  return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : base + (pathOrUrl.startsWith('/') ? '' : '/') + pathOrUrl;
}

/**
 * One HTTP request with full control over the headers (fetch would refuse `Origin` and add its
 * own). Resolves {status, headers, text, json}; json is undefined when the body is not JSON.
 */
export function request(method, url, { headers = {}, body, timeoutMs = 10_000 } = {}) {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const payload = body === undefined ? undefined : Buffer.from(body);
  const allHeaders = { ...headers };
  if (payload) allHeaders['content-length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = client.request(target, { method, headers: allHeaders }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => reject(new Error(`${method} ${url}: ${error.message}`)));
    req.end(payload);
  });
}

const hex = (bytes) => randomBytes(bytes).toString('hex');
export const newKey = () => hex(16);
export const newConsentId = () => hex(16);

/** A consent event exactly as the widget builds it (src/core/consent.rs, event_body). */
export function consentEvent(consentId, seq, action = 'accept_all') {
  const granted = action !== 'reject_all';
  return {
    consent_id: consentId, seq, revision: '2026-11-01', action,
    categories: { necessary: true, analytics: granted, marketing: granted },
    services: { 'google-analytics': granted },
    timestamp: new Date(Date.UTC(2026, 10, 26, 12, 0, seq)).toISOString(),
    language: 'nb', texts_hash: 'a'.repeat(64), gpc: false,
  };
}

/** A short quote of an answer for a reason line. */
function answer(res) {
  const text = res.text.length > 160 ? `${res.text.slice(0, 160)}…` : res.text;
  return `${res.status}${text ? ` ${text.replace(/\s+/g, ' ')}` : ''}`;
}

const is2xx = (status) => status >= 200 && status < 300;
/** The widget counts a 2xx as delivered only when its body is empty or JSON. */
const delivered = (res) => is2xx(res.status) && (res.text.trim() === '' || res.json !== undefined);

/** Deep equality for JSON values (object key order does not matter). */
function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

/**
 * Runs every point against the backend. Returns [{point, status: 'PASS'|'FAIL'|'SKIP', reason}].
 * `log(result)` is called as each point finishes.
 */
export async function runConformance(options, log = () => {}) {
  const { base, timeoutMs, adminToken, csrfToken, origin } = options;
  const consentUrl = endpointUrl(base, options.consent || '/consent');
  const results = [];
  const record = (point, status, reason) => {
    const result = { point, status, reason };
    results.push(result);
    log(result);
  };
  const csrfHeader = csrfToken ? { 'x-csrf-token': csrfToken } : {};
  const originHeader = origin ? { origin } : {};
  /** A POST as the widget sends it; `headers` may override or (value undefined) remove one. */
  const post = (url, body, { key = newKey(), headers = {} } = {}) => {
    const all = { 'content-type': 'application/json', 'idempotency-key': key, ...csrfHeader, ...originHeader, ...headers };
    for (const [name, value] of Object.entries(all)) if (value === undefined) delete all[name];
    return request('POST', url, { headers: all, body: typeof body === 'string' ? body : JSON.stringify(body), timeoutMs });
  };
  const admin = async (consentId) => {
    const res = await request('GET', `${base}/admin/consents?consent_id=${consentId}`, {
      headers: { authorization: `Bearer ${adminToken}` }, timeoutMs,
    });
    if (res.status !== 200 || !Array.isArray(res.json?.events)) {
      throw new Error(`the admin listing GET ${base}/admin/consents?consent_id=… answered ${answer(res)}; ` +
        'expected 200 {"events": [...], "state": {...}} (check --admin-token)');
    }
    return res.json;
  };
  /** Runs one point; an exception (network error, timeout) is a FAIL naming it. */
  const point = async (name, check) => {
    try {
      const [status, reason] = await check();
      record(name, status, reason);
    } catch (error) {
      record(name, 'FAIL', error.message);
    }
  };

  // 1. A valid event is stored.
  const firstId = newConsentId();
  const firstKey = newKey();
  const firstBody = consentEvent(firstId, 1);
  let first;
  await point('consent.valid-event', async () => {
    first = await post(consentUrl, firstBody, { key: firstKey });
    if (!is2xx(first.status)) {
      const hint = first.status === 403 && !csrfToken ? ' (does the backend expect a CSRF token? pass --csrf-token)' : '';
      return ['FAIL', `POST ${consentUrl} answered ${answer(first)}; expected 2xx (201)${hint}`];
    }
    if (!delivered(first)) return ['FAIL', `answered ${answer(first)}: a 2xx whose body is neither empty nor JSON is retried by the widget`];
    return ['PASS', `answered ${answer(first)}`];
  });

  // 2. The same key and body: the same answer, stored once.
  await point('consent.replay', async () => {
    if (!first || !is2xx(first.status)) return ['FAIL', 'needs consent.valid-event to pass first'];
    const again = await post(consentUrl, firstBody, { key: firstKey });
    if (again.status !== first.status || !(sameJson(again.json, first.json) || again.text === first.text)) {
      return ['FAIL', `a retry with the same Idempotency-Key and body answered ${answer(again)}; ` +
        `expected the first answer again (${answer(first)}) without storing it twice`];
    }
    if (adminToken) {
      const { events } = await admin(firstId);
      if (events.length !== 1) return ['FAIL', `the admin listing shows ${events.length} rows for one event sent twice; expected 1`];
      return ['PASS', 'identical answer, one row in the admin listing'];
    }
    return ['PASS', 'identical answer (pass --admin-token to count stored rows too)'];
  });

  // 3. The same key with another body is refused.
  await point('consent.key-reuse-other-body', async () => {
    if (!first || !is2xx(first.status)) return ['FAIL', 'needs consent.valid-event to pass first'];
    const other = await post(consentUrl, consentEvent(firstId, 1, 'reject_all'), { key: firstKey });
    if (other.status !== 422) {
      return ['FAIL', `the same Idempotency-Key with another body answered ${answer(other)}; expected 422 ` +
        '(one key names one event: storing or replaying would lose or misreport a decision)'];
    }
    return ['PASS', 'answered 422'];
  });

  // 4. Missing or malformed Idempotency-Key.
  await point('consent.idempotency-key-missing', async () => {
    const res = await post(consentUrl, consentEvent(newConsentId(), 1), { headers: { 'idempotency-key': undefined } });
    return res.status === 400 ? ['PASS', 'answered 400']
      : ['FAIL', `a POST without Idempotency-Key answered ${answer(res)}; expected 400`];
  });
  await point('consent.idempotency-key-malformed', async () => {
    const bad = [['with spaces and !', 'not a key!'], ['129 characters', 'k'.repeat(129)]];
    for (const [what, key] of bad) {
      const res = await post(consentUrl, consentEvent(newConsentId(), 1), { key });
      if (res.status !== 400) return ['FAIL', `an Idempotency-Key ${what} answered ${answer(res)}; expected 400 (keys are 1-128 of A-Z a-z 0-9 _ -)`];
    }
    return ['PASS', 'both malformed keys answered 400'];
  });

  // 5. An older seq never overwrites a newer one.
  await point('consent.seq-order', async () => {
    const id = newConsentId();
    const newer = await post(consentUrl, consentEvent(id, 2, 'reject_all'));
    if (!is2xx(newer.status)) return ['FAIL', `seq 2 answered ${answer(newer)}; expected 2xx`];
    const older = await post(consentUrl, consentEvent(id, 1, 'accept_all'));
    if (!is2xx(older.status)) {
      return ['FAIL', `seq 1 after seq 2 answered ${answer(older)}; expected 2xx (the event is logged, it just is not current)`];
    }
    if (adminToken) {
      const { state } = await admin(id);
      if (!state) return ['FAIL', 'the admin listing has no "state" for the consent id after two events'];
      if (state.seq !== 2 || state.action !== 'reject_all') {
        return ['FAIL', `after seq 2 (reject_all) then seq 1 (accept_all) the current state is seq ${state.seq} ` +
          `(${state.action}); the older seq overwrote the newer`];
      }
      return ['PASS', 'the admin listing keeps seq 2 as the current state'];
    }
    if (older.json?.current === false && newer.json?.current === true) return ['PASS', 'seq 2 answered current: true, seq 1 current: false'];
    if (older.json && 'current' in older.json) {
      return ['FAIL', `seq 1 after seq 2 answered "current": ${JSON.stringify(older.json.current)}; the older seq overwrote the newer`];
    }
    return ['FAIL', 'cannot tell whether seq 1 overwrote seq 2: the answers have no "current" field (openapi.yaml ' +
      'ConsentStored) and no --admin-token was given'];
  });

  // 6. Unknown fields are refused.
  await point('consent.unknown-field', async () => {
    const body = { ...consentEvent(newConsentId(), 1), ip_address: '192.0.2.1' };
    const res = await post(consentUrl, body);
    return res.status === 400 ? ['PASS', 'answered 400']
      : ['FAIL', `an event with an unknown field "ip_address" answered ${answer(res)}; expected 400 ` +
        '(the event carries no more personal data than listed)'];
  });

  // 7. The sendBeacon envelope, and a beacon retry of a fetch under the same key.
  const envelope = (key, body) => JSON.stringify({ idempotency_key: key, ...(csrfToken ? { csrf: csrfToken } : {}), body });
  const beacon = (key, body) => post(consentUrl, envelope(key, body), {
    headers: { 'content-type': 'text/plain;charset=UTF-8', 'idempotency-key': undefined, 'x-csrf-token': undefined },
  });
  await point('consent.beacon-envelope', async () => {
    const res = await beacon(newKey(), consentEvent(newConsentId(), 1));
    return delivered(res) ? ['PASS', `answered ${answer(res)}`]
      : ['FAIL', `a text/plain envelope {"idempotency_key","csrf","body"} answered ${answer(res)}; expected 2xx with an empty or JSON body`];
  });
  await point('consent.beacon-retry-of-fetch', async () => {
    const id = newConsentId();
    const key = newKey();
    const body = consentEvent(id, 1);
    const fetched = await post(consentUrl, body, { key });
    if (!is2xx(fetched.status)) return ['FAIL', `the fetch answered ${answer(fetched)}; expected 2xx`];
    const retried = await beacon(key, body);
    if (retried.status !== fetched.status || !sameJson(retried.json, fetched.json)) {
      return ['FAIL', `the same event sent again as a beacon under the same key answered ${answer(retried)}; ` +
        `expected the fetch's answer again (${answer(fetched)}): the widget falls back to a beacon at page unload`];
    }
    if (adminToken) {
      const { events } = await admin(id);
      if (events.length !== 1) return ['FAIL', `a fetch and its beacon retry left ${events.length} rows; expected 1`];
    }
    return ['PASS', 'same answer as the fetch'];
  });

  // 8. CSRF, when the backend is configured with a token.
  await point('consent.csrf', async () => {
    if (!csrfToken) return ['SKIP', 'no --csrf-token given'];
    for (const [what, token] of [['without X-CSRF-Token', undefined], ['with a wrong X-CSRF-Token', `${csrfToken}x`]]) {
      const res = await post(consentUrl, consentEvent(newConsentId(), 1), { headers: { 'x-csrf-token': token } });
      if (res.status !== 403) return ['FAIL', `a POST ${what} answered ${answer(res)}; expected 403`];
    }
    const noCsrf = JSON.stringify({ idempotency_key: newKey(), body: consentEvent(newConsentId(), 1) });
    const res = await post(consentUrl, noCsrf, { headers: { 'content-type': 'text/plain', 'idempotency-key': undefined, 'x-csrf-token': undefined } });
    if (res.status !== 403) return ['FAIL', `a beacon envelope without "csrf" answered ${answer(res)}; expected 403`];
    return ['PASS', 'missing and wrong tokens answered 403, the right one 2xx (the other points send it)'];
  });

  // 9. CORS, when the pages are on another origin.
  await point('consent.cors', async () => {
    if (!origin) return ['SKIP', 'no --origin given (same-origin API)'];
    const preflight = await request('OPTIONS', consentUrl, {
      timeoutMs,
      headers: {
        origin, 'access-control-request-method': 'POST',
        'access-control-request-headers': `content-type,idempotency-key${csrfToken ? ',x-csrf-token' : ''}`,
      },
    });
    if (!is2xx(preflight.status)) return ['FAIL', `the preflight OPTIONS from ${origin} answered ${answer(preflight)}; expected 2xx (204)`];
    const allowOrigin = preflight.headers['access-control-allow-origin'];
    if (allowOrigin !== origin && allowOrigin !== '*') {
      return ['FAIL', `the preflight answered Access-Control-Allow-Origin: ${allowOrigin ?? '(none)'}; expected ${origin}`];
    }
    const allowHeaders = (preflight.headers['access-control-allow-headers'] ?? '').toLowerCase().split(/\s*,\s*/);
    const needed = ['content-type', 'idempotency-key', ...(csrfToken ? ['x-csrf-token'] : [])];
    const missing = allowHeaders.includes('*') ? [] : needed.filter((h) => !allowHeaders.includes(h));
    if (missing.length) return ['FAIL', `the preflight's Access-Control-Allow-Headers lacks ${missing.join(', ')}`];
    const res = await post(consentUrl, consentEvent(newConsentId(), 1));
    const actual = res.headers['access-control-allow-origin'];
    if (!is2xx(res.status) || (actual !== origin && actual !== '*')) {
      return ['FAIL', `the POST from ${origin} answered ${answer(res)} with Access-Control-Allow-Origin: ${actual ?? '(none)'}; ` +
        `expected 2xx and ${origin} (the browser hides the answer otherwise and the widget retries forever)`];
    }
    const stranger = 'https://conformance-not-allowed.invalid';
    const refused = await request('OPTIONS', consentUrl, {
      timeoutMs, headers: { origin: stranger, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' },
    });
    const strangerAllowed = refused.headers['access-control-allow-origin'];
    if (strangerAllowed === stranger) return ['FAIL', `a preflight from ${stranger} was allowed too: allow only the shop's origins`];
    return ['PASS', `preflight and POST allowed for ${origin}, not for another origin`];
  });

  // 10. The 16 KiB body limit: exactly 16 KiB is accepted, one byte more is 413.
  await point('consent.body-limit', async () => {
    const sized = (bytes) => {
      const json = JSON.stringify(consentEvent(newConsentId(), 1));
      return json + ' '.repeat(bytes - Buffer.byteLength(json)); // trailing whitespace: still valid JSON
    };
    const atLimit = await post(consentUrl, sized(BODY_LIMIT));
    if (!is2xx(atLimit.status)) {
      return ['FAIL', `a valid ${BODY_LIMIT}-byte body answered ${answer(atLimit)}; expected 2xx (the widget sends bodies up to 16 KiB)`];
    }
    const over = await post(consentUrl, sized(BODY_LIMIT + 1));
    if (over.status !== 413) return ['FAIL', `a ${BODY_LIMIT + 1}-byte body answered ${answer(over)}; expected 413`];
    return ['PASS', `${BODY_LIMIT} bytes accepted, ${BODY_LIMIT + 1} answered 413`];
  });

  // 11. Newsletter and rights requests, when asked for: the same transport rules.
  const formPoints = async (prefix, url, makeBody, expectedStatus) => {
    const key = newKey();
    const body = makeBody();
    let firstAnswer;
    await point(`${prefix}.valid`, async () => {
      firstAnswer = await post(url, body, { key });
      if (!delivered(firstAnswer)) return ['FAIL', `POST ${url} answered ${answer(firstAnswer)}; expected ${expectedStatus}`];
      return firstAnswer.status === expectedStatus ? ['PASS', `answered ${answer(firstAnswer)}`]
        : ['FAIL', `answered ${answer(firstAnswer)}; expected ${expectedStatus} (openapi.yaml)`];
    });
    await point(`${prefix}.replay`, async () => {
      if (!firstAnswer || !is2xx(firstAnswer.status)) return ['FAIL', `needs ${prefix}.valid to pass first`];
      const again = await post(url, body, { key });
      return again.status === firstAnswer.status && sameJson(again.json, firstAnswer.json) ? ['PASS', 'identical answer']
        : ['FAIL', `a retry with the same key and body answered ${answer(again)}; expected ${answer(firstAnswer)} again (and no second mail)`];
    });
    await point(`${prefix}.key-reuse-other-body`, async () => {
      if (!firstAnswer || !is2xx(firstAnswer.status)) return ['FAIL', `needs ${prefix}.valid to pass first`];
      const res = await post(url, makeBody(), { key });
      return res.status === 422 ? ['PASS', 'answered 422'] : ['FAIL', `the same key with another body answered ${answer(res)}; expected 422`];
    });
    await point(`${prefix}.unknown-field`, async () => {
      const res = await post(url, { ...makeBody(), phone: '+47 00000000' });
      return res.status === 400 ? ['PASS', 'answered 400'] : ['FAIL', `an unknown field "phone" answered ${answer(res)}; expected 400`];
    });
  };
  const email = () => `conformance-${hex(6)}@example.com`;
  if (options.newsletter) {
    const subscribeUrl = endpointUrl(base, options.newsletter);
    const text = 'Ja, send meg nyhetsbrev om nyheter og tilbud, omtrent én gang i måneden.';
    await formPoints('newsletter.subscribe', subscribeUrl, () => ({
      email: email(), consent_text: text, consent_text_version: 'b'.repeat(64), revision: '2026-11-01', language: 'nb',
    }), 202);
    // The widget's withdrawal URL: a last segment `subscribe` becomes `unsubscribe`.
    const unsubscribeUrl = /\/subscribe$/.test(subscribeUrl) ? subscribeUrl.replace(/subscribe$/, 'unsubscribe') : `${subscribeUrl}/unsubscribe`;
    await formPoints('newsletter.unsubscribe', unsubscribeUrl, () => ({ email: email(), language: 'nb' }), 202);
  } else {
    record('newsletter', 'SKIP', 'no --newsletter given');
  }
  if (options.rights) {
    await formPoints('rights-request', endpointUrl(base, options.rights), () => ({
      type: 'access', email: email(), message: 'Hvilke opplysninger har dere om meg?', consent_id: newConsentId(),
      language: 'nb', confirmed: true,
    }), 201);
  } else {
    record('rights-request', 'SKIP', 'no --rights given');
  }
  return results;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (!error.message) {
      process.stdout.write(USAGE); // --help: asked for, so not an error
      process.exit(0);
    }
    process.stderr.write(`conformance: ${error.message}\n\n`);
    process.stderr.write(USAGE);
    process.exit(2);
  }
  console.log(`privacy-widget backend conformance: ${options.base}`);
  const results = await runConformance(options, ({ point, status, reason }) => {
    console.log(`${status.padEnd(4)}  ${point.padEnd(44)}  ${reason}`);
  });
  const count = (status) => results.filter((r) => r.status === status).length;
  console.log(`\n${count('PASS')} passed, ${count('FAIL')} failed, ${count('SKIP')} skipped`);
  process.exit(count('FAIL') > 0 ? 1 : 0);
}

// Run as a command (also through a symlink, e.g. an npm bin link), not when imported by the tests.
const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (realpathSync(fileURLToPath(import.meta.url)) === invoked) await main();
