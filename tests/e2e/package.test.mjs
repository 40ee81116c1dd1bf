// The npm package (target/npm/privacy-widget/, assembled by scripts/build.sh) outside this
// repository: `npm pack`, install the tarball offline into an empty folder, serve that folder
// with a tiny static server under the strict CSP, and in Chromium accept and reject the banner.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile, access } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, withBrowser, newPage, expectNoPageErrors } from './harness.mjs';

const PACKAGE_DIR = path.join(process.env.CARGO_TARGET_DIR ? path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR)
  : path.join(REPO_ROOT, 'target'), 'npm', 'privacy-widget');
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; require-trusted-types-for 'script'";
const CONFIG = {
  revision: '2026-11-01', privacyPolicyUrl: '/privacy', endpoints: { consent: '/api/consent' },
  categories: [{ id: 'necessary', required: true },
    { id: 'analytics', services: [{ id: 'google-analytics', name: 'Google Analytics' }] }],
};
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Runs a command; rejects with its output when it fails. */
function run(command, args, cwd, env = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed (${error.code}):\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Serves `root` (GET only, no directory listings) and records every POST /api/consent. */
async function staticServer(root) {
  const posts = [];
  const gets = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/api/consent') {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      posts.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"status":"stored"}');
      return;
    }
    if (url.pathname === '/favicon.ico') { // the browser asks for it; a 404 would be a console error
      res.writeHead(204).end();
      return;
    }
    const file = path.join(root, decodeURIComponent(url.pathname));
    if (req.method !== 'GET' || !file.startsWith(root + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      gets.push(url.pathname);
      const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, ...(type === 'text/html' ? { 'content-security-policy': CSP } : {}) });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`, posts, gets,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/** A shop page whose head is `scriptTag`, with the widget's inline config. */
const page = (scriptTag) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Package test shop</title>
${scriptTag}
<script type="application/json" id="privacy-widget-config">${JSON.stringify(CONFIG)}</script>
</head><body><h1>A shop</h1></body></html>
`;

describe('npm package, installed into an empty folder', () => {
  let work;
  let installed;
  let integrityJson;
  let server;
  before(async () => {
    try {
      await access(path.join(PACKAGE_DIR, 'package.json'));
    } catch {
      throw new Error(`${PACKAGE_DIR} not found: run \`bash scripts/build.sh\` first`);
    }
    work = await mkdtemp(path.join(tmpdir(), 'pw-e2e-package-'));
    const app = path.join(work, 'app');
    await mkdir(app);
    // A throw-away npm cache: the install must need nothing but the tarball.
    const npmEnv = { npm_config_cache: path.join(work, 'npm-cache'), npm_config_update_notifier: 'false' };
    const packed = JSON.parse(await run('npm', ['pack', PACKAGE_DIR, '--json', '--pack-destination', work], work, npmEnv));
    const tarball = path.join(work, packed[0].filename);
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], app, npmEnv);
    installed = path.join(app, 'node_modules', 'privacy-widget');
    // The README's embed snippet, as an integrator would copy it (hashed path + integrity).
    const readme = await readFile(path.join(installed, 'README.md'), 'utf8');
    const snippet = /<script type="module" async src="[^"]+"\s+integrity="[^"]+" crossorigin="anonymous"><\/script>/.exec(readme);
    assert.ok(snippet, 'README.md has an embed snippet with integrity=');
    await writeFile(path.join(app, 'accept.html'),
      page('<script type="module" async src="/node_modules/privacy-widget/privacy-widget.js"></script>'));
    await writeFile(path.join(app, 'reject.html'),
      page(snippet[0].replace('/static/privacy-widget/', '/node_modules/privacy-widget/')));
    integrityJson = JSON.parse(await readFile(path.join(installed, 'integrity.json'), 'utf8'));
    server = await staticServer(app);
  });
  after(async () => {
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('the package has the modules, types, README, LICENSE and exports for bundlers', async () => {
    const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8'));
    assert.equal(manifest.license, 'MIT');
    assert.deepEqual(manifest.exports['.'], { types: './privacy-widget.d.ts', default: './privacy-widget.js' });
    const { hash, integrity } = integrityJson;
    for (const file of ['privacy-widget.js', 'privacy-widget_bg.wasm', 'privacy-widget-consent.js', 'privacy-widget-consent_bg.wasm',
      'privacy-widget-extras.js', 'privacy-widget-extras_bg.wasm', 'privacy-widget-declaration.js', 'privacy-widget-declaration_bg.wasm',
      'privacy-widget-forms.js', 'privacy-widget-forms_bg.wasm']) {
      assert.equal(manifest.exports[`./${file}`], `./${file}`);
      const plain = await readFile(path.join(installed, file));
      assert.deepEqual(await readFile(path.join(installed, hash, file)), plain, `${hash}/${file} is a copy of ${file}`);
      assert.match(integrity[file], /^sha384-[A-Za-z0-9+/]{64}$/);
    }
    // Every JSON Schema of the repository travels along (none is fine too).
    const schemas = (await readdir(path.join(REPO_ROOT, 'schema')).catch(() => [])).filter((f) => f.endsWith('.json'));
    for (const name of schemas) {
      assert.deepEqual(await readFile(path.join(installed, 'schema', name)), await readFile(path.join(REPO_ROOT, 'schema', name)));
    }
    assert.equal(Boolean(manifest.exports['./schema/*']), schemas.length > 0);
    // The cookie audit ships as a bin; its help runs without playwright-core installed.
    assert.equal(manifest.bin['privacy-widget-audit'], './audit/run.mjs');
    assert.match(await run(path.join(installed, '..', '.bin', 'privacy-widget-audit'), ['--help'], installed), /--url/);
    assert.match(await readFile(path.join(installed, 'LICENSE'), 'utf8'), /^MIT License/);
    assert.match(await readFile(path.join(installed, 'privacy-widget.d.ts'), 'utf8'), /interface PrivacyWidgetApi/);
    assert.ok((await readFile(path.join(installed, 'README.md'), 'utf8')).includes(`integrity="${integrity['privacy-widget.js']}"`));
  });

  for (const [file, action, expected] of [['accept.html', 'accept-all', 'accept_all'], ['reject.html', 'reject-all', 'reject_all']]) {
    test(`${file}: the banner shows, ${action} posts the event with an Idempotency-Key`, async () => {
      await withBrowser(async (context) => {
        const tab = await newPage(context);
        const before = server.posts.length;
        await tab.goto(`${server.url}/${file}`);
        await tab.locator('#privacy-widget .banner').waitFor({ state: 'visible' });
        await tab.click(`#privacy-widget [data-action="${action}"]`);
        // The banner build posts it itself; the consent manager is not needed for it.
        for (let i = 0; i < 100 && server.posts.length === before; i++) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 300));
        const posted = server.posts.slice(before);
        assert.equal(posted.length, 1, JSON.stringify(posted));
        // A decision's key: its consent id and sequence number.
        assert.equal(posted[0].headers['idempotency-key'], `${posted[0].body.consent_id}-1`);
        assert.equal(await tab.evaluate(() => typeof window.PrivacyWidget.getConsent), 'undefined', 'the consent manager was not loaded');
        assert.equal(posted[0].headers['content-type'], 'application/json');
        assert.equal(posted[0].body.action, expected);
        assert.equal(posted[0].body.categories.analytics, expected === 'accept_all');
        expectNoPageErrors(tab);
      });
    });
  }

  test('the hashed copy was what the integrity page loaded, wasm included', () => {
    const { hash } = integrityJson;
    assert.ok(server.gets.includes(`/node_modules/privacy-widget/${hash}/privacy-widget.js`), server.gets.join('\n'));
    assert.ok(server.gets.includes(`/node_modules/privacy-widget/${hash}/privacy-widget_bg.wasm`), server.gets.join('\n'));
    assert.ok(server.gets.includes('/node_modules/privacy-widget/privacy-widget_bg.wasm'), server.gets.join('\n'));
  });
});
