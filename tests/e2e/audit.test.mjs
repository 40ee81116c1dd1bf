// The cookie audit (scripts/audit/run.mjs) run for real: against a fixture shop whose config is
// out of date it finds exactly what the fixture does wrong, in the right states, and exits 1;
// against the clean demo shop it exits 0. A second server on 127.0.0.2 stands in for a third party.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, REPO_ROOT } from './harness.mjs';

let server;
let thirdParty;
const thirdPartyHits = [];
let outDir;

before(async () => {
  server = await startServer();
  thirdParty = createServer((req, res) => { thirdPartyHits.push(req.url); res.end(); });
  await new Promise((resolve) => thirdParty.listen(0, '127.0.0.2', resolve));
  outDir = await mkdtemp(path.join(tmpdir(), 'pw-audit-out-'));
});
after(async () => {
  await server?.stop();
  thirdParty?.close();
  await rm(outDir, { recursive: true, force: true });
});

function runAudit(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts/audit/run.mjs'), ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the fixture: an undeclared cookie and storage key before consent, an undeclared host after accept, exit 1', async () => {
  const out = path.join(outDir, 'fixture');
  const port = thirdParty.address().port;
  const { code, stdout, stderr } = await runAudit(['--url', server.url, '--pages', `/fixtures/audit-shop.html?tp=${port}`, '--links', '1', '--out', out]);
  assert.equal(code, 1, `${stdout}\n${stderr}`);
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
  const found = report.violations.map((v) => [v.kind, v.type ?? 'request', v.name ?? v.host, v.state]);
  assert.deepEqual(found, [
    ['undeclared', 'cookie', 'fixture_visit', 'before-decision'],
    ['undeclared', 'localStorage', 'fixture-seen', 'before-decision'],
    ['undeclared-host', 'request', `127.0.0.2:${port}`, 'after-accept'],
  ], stdout);
  assert.deepEqual(report.violations[2].states, ['after-accept'], 'the third party is asked only after accept');
  assert.ok(thirdPartyHits.length > 0, 'the stand-in third party was really requested');
  assert.deepEqual(report.violations[0].states, ['before-decision', 'after-reject', 'after-accept']);
  assert.ok(report.suggestions.some((s) => s.hosts?.[0] === `127.0.0.2:${port}`));
  assert.ok(report.suggestions.some((s) => s.cookies?.[0].name === 'fixture_visit' && s.cookies[0].lifetime === 'Session'));
  assert.ok(!report.violations.some((v) => v.name === 'pw_consent'), 'the widget cookie is declared');
  assert.match(stdout, /3 violation\(s\)/);
  assert.match(stdout, /VIOLATION undeclared cookie fixture_visit \(first in before-decision\)/);
  const html = await readFile(path.join(out, 'report.html'), 'utf8');
  assert.ok(!/<script|<style|\sstyle=/i.test(html), 'no inline script or style in the report');
  for (const title of ['Before a decision', 'After “reject all”', 'After “accept all”']) assert.ok(html.includes(title), title);
  assert.ok(html.includes('fixture_visit'));
  await readFile(path.join(out, 'report.css'), 'utf8');
});

test('the clean demo shop: no violations, the widget cookies pass, exit 0', async () => {
  const out = path.join(outDir, 'demo');
  const { code, stdout, stderr } = await runAudit(['--url', `${server.url}/`, '--pages', '/,/personopplysninger', '--out', out]);
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
  assert.deepEqual(report.violations, []);
  const seen = new Set(report.observations.flatMap((o) => o.items.map((i) => i.name)));
  assert.ok(seen.has('pw_consent'), 'the consent cookie was seen and passed');
  assert.ok(seen.has('_ga'), 'analytics ran after accept');
  const analyticsBefore = report.observations.filter((o) => o.state !== 'after-accept').flatMap((o) => o.items.map((i) => i.name));
  assert.ok(!analyticsBefore.includes('_ga'), 'and not before');
  // Every declared cookie was either seen or is warned about as never seen.
  for (const name of ['pw_consent', 'pw_lang', '_ga', '_ga_*']) {
    const warned = report.warnings.some((w) => w.kind === 'never-seen' && w.name === name);
    const matched = [...seen].some((n) => (name.endsWith('*') ? n.startsWith(name.slice(0, -1)) : n === name));
    assert.ok(warned !== matched, `${name}: seen ${matched}, warned ${warned}`);
  }
  assert.equal(report.summary.pages, 2);
});

test('bad usage exits 2 with a message naming the option', async () => {
  const { code, stderr } = await runAudit(['--pages', '/']);
  assert.equal(code, 2);
  assert.match(stderr, /--url is missing/);
});
