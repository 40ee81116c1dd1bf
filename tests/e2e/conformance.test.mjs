// `npm run conformance` (scripts/conformance.mjs) against the reference server, where every point
// must pass, and against a small node:http backend with one deliberate flaw at a time, where
// exactly the point that checks that rule must fail, by name, with a non-zero exit.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { REPO_ROOT, startServer } from './harness.mjs';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'conformance.mjs');

/** Runs the CLI; resolves {code, stdout, stderr} whatever the exit status. */
function conformance(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

/** The point names of one status in the CLI's report (`FAIL  consent.replay  reason`). */
const points = (stdout, status) =>
  stdout.split('\n').filter((line) => line.startsWith(`${status}  `)).map((line) => line.split(/\s+/)[1]);

const EVENT_FIELDS = ['consent_id', 'seq', 'revision', 'action', 'categories', 'services', 'timestamp', 'language',
  'texts_hash', 'gpc', 'history'];
const KEY = /^[A-Za-z0-9_-]{1,128}$/;

/** JSON with sorted keys, so the same event matches however it was spaced or wrapped. */
const canonical = (v) => (v && typeof v === 'object' && !Array.isArray(v)
  ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`
  : Array.isArray(v) ? `[${v.map(canonical).join(',')}]` : JSON.stringify(v));

/**
 * A minimal shop backend for POST /api/consent and the admin listing, correct except for the
 * given flaw: 'stores-duplicates' (ignores the idempotency key: a replay stores again),
 * 'accepts-reused-key' (the same key with another body is stored, 201), 'ignores-seq' (the last
 * event received is current, whatever its seq), 'has-no-body-limit', 'accepts-unknown-fields'.
 */
async function flawedBackend(flaw) {
  const events = [];
  const stateById = new Map();
  const answers = new Map(); // idempotency key -> {fingerprint, status, body}
  const server = http.createServer((req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/api/admin/consents') {
      if (req.headers.authorization !== 'Bearer admin') return reply(401, { error: 'unauthorized' });
      const id = url.searchParams.get('consent_id');
      return reply(200, { events: events.filter((e) => e.consent_id === id), state: stateById.get(id) ?? null });
    }
    if (req.method !== 'POST' || url.pathname !== '/api/consent') return reply(404, { error: 'not_found' });
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => { size += chunk.length; chunks.push(chunk); });
    req.on('end', () => {
      if (size > 16 * 1024 && flaw !== 'has-no-body-limit') return reply(413, { error: 'payload_too_large' });
      let parsed;
      try { parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { return reply(400, { error: 'invalid_json' }); }
      let key = req.headers['idempotency-key'];
      let body = parsed;
      if ((req.headers['content-type'] ?? '').startsWith('text/plain')) {
        key = parsed.idempotency_key;
        body = parsed.body;
      }
      if (typeof key !== 'string' || !KEY.test(key)) return reply(400, { error: 'invalid_idempotency_key' });
      if (!body || typeof body !== 'object') return reply(400, { error: 'invalid_body' });
      const unknown = Object.keys(body).find((field) => !EVENT_FIELDS.includes(field));
      if (unknown && flaw !== 'accepts-unknown-fields') return reply(400, { error: 'unknown_field', field: unknown });
      const fingerprint = canonical(body);
      const earlier = answers.get(key);
      if (earlier && flaw !== 'stores-duplicates') {
        if (earlier.fingerprint === fingerprint) return reply(earlier.status, earlier.body);
        if (flaw !== 'accepts-reused-key') return reply(422, { error: 'idempotency_key_reused' });
      }
      const receipt = events.push({ ...body, idempotency_key: key });
      const current = stateById.get(body.consent_id);
      const isCurrent = flaw === 'ignores-seq' || !current || body.seq > current.seq;
      if (isCurrent) stateById.set(body.consent_id, { ...body });
      const answer = { status: 'stored', receipt, consent_id: body.consent_id, seq: body.seq, current: isCurrent };
      answers.set(key, { fingerprint, status: 201, body: answer });
      reply(201, answer);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}/api`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

describe('npm run conformance', () => {
  let server;
  before(async () => {
    server = await startServer({ env: { CSRF_TOKEN: 'conformance-csrf', CORS_ALLOW_ORIGINS: 'https://shop.example' } });
  });
  after(async () => { await server?.stop(); });

  test('the reference server passes every point, newsletter and rights requests included', async () => {
    const run = await conformance(['--base', `${server.url}/api`, '--admin-token', server.adminToken,
      '--csrf-token', 'conformance-csrf', '--origin', 'https://shop.example', '--newsletter', '--rights']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(points(run.stdout, 'FAIL'), []);
    assert.deepEqual(points(run.stdout, 'SKIP'), []);
    for (const name of ['consent.replay', 'consent.key-reuse-other-body', 'consent.seq-order', 'consent.csrf', 'consent.cors',
      'consent.body-limit', 'consent.beacon-envelope', 'newsletter.subscribe.valid', 'rights-request.replay']) {
      assert.ok(points(run.stdout, 'PASS').includes(name), `${name} passed:\n${run.stdout}`);
    }
  });

  test('a missing CSRF token is reported, with a hint, and fails the run', async () => {
    const run = await conformance(['--base', `${server.url}/api`]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^FAIL {2}consent\.valid-event .*403.*pass --csrf-token/m);
  });

  test('a usage error exits 2 and shows the usage', async () => {
    const run = await conformance(['--admin-token', 'x']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--base is required/);
    assert.match(run.stderr, /usage: npm run conformance/);
  });

  test('the node fake backend without a flaw passes (so each flaw below is the only difference)', async () => {
    const backend = await flawedBackend(null);
    try {
      const run = await conformance(['--base', backend.base, '--admin-token', 'admin']);
      assert.equal(run.code, 0, run.stdout);
    } finally {
      await backend.close();
    }
  });

  const flaws = [
    // Ignoring the key also means a reused key with another body is stored.
    ['stores-duplicates', ['--admin-token', 'admin'], ['consent.replay', 'consent.key-reuse-other-body',
      'consent.beacon-retry-of-fetch']],
    ['accepts-reused-key', ['--admin-token', 'admin'], ['consent.key-reuse-other-body']],
    ['ignores-seq', ['--admin-token', 'admin'], ['consent.seq-order']],
    ['has-no-body-limit', [], ['consent.body-limit']],
    ['accepts-unknown-fields', [], ['consent.unknown-field']],
    // Without the admin listing the seq rule is judged from the documented "current" field.
    ['ignores-seq', [], ['consent.seq-order']],
  ];
  for (const [flaw, args, expected] of flaws) {
    test(`a backend that ${flaw.replaceAll('-', ' ')} fails exactly ${expected.join(' and ')} (${args.length ? 'admin listing' : 'answers only'})`, async () => {
      const backend = await flawedBackend(flaw);
      try {
        const run = await conformance(['--base', backend.base, ...args]);
        assert.equal(run.code, 1, run.stdout);
        assert.deepEqual(points(run.stdout, 'FAIL'), expected, run.stdout);
        assert.match(run.stdout, /\d+ passed, [1-9]\d* failed/);
      } finally {
        await backend.close();
      }
    });
  }
});
