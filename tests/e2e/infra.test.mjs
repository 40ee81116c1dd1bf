// Tests of the build/test infrastructure itself: what scripts/build.sh ships, how the server
// serves it, and that the harness's browser helpers work under a strict CSP.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  REPO_ROOT, startServer, launchBrowser, newPage, runAxe, expectNoPageErrors, formatAxeViolations,
} from './harness.mjs';

const DIST = path.join(REPO_ROOT, 'www', 'dist');
// Regression guard on the brotli transfer size of js + wasm (see the sizes test below).
const BROTLI_GUARD_BYTES = 68_000;
const EXTRAS_BROTLI_GUARD_BYTES = 96_000;

/** Raw GET that does not normalise the path (fetch() would resolve "/../" away). */
function rawGet(url, rawPath) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('built assets served by the server', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('/dist/privacy-widget.js is text/javascript and starts the widget', async () => {
    const res = await fetch(`${server.url}/dist/privacy-widget.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript\b/);
    const js = await res.text();
    // The wasm-bindgen glue with src/web/consent/entry.js appended, minified by scripts/build.sh: the
    // init function is the default export, and entry.js calls it with the downloaded bytes.
    const init = js.match(/export\{[^}]*?\b([\w$]+) as default\b[^}]*\}/)?.[1];
    assert.ok(init, 'the wasm-bindgen init function is the default export');
    assert.ok(js.includes(`${init}({module_or_path:`), 'the start call from entry.js passes the wasm bytes');
    assert.ok(js.includes('window.PrivacyWidget='), 'entry.js is appended (and minified)');
    assert.equal(js, await readFile(path.join(DIST, 'privacy-widget.js'), 'utf8'));
  });

  test('/dist/privacy-widget_bg.wasm is application/wasm', async () => {
    const res = await fetch(`${server.url}/dist/privacy-widget_bg.wasm`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/wasm\b/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], 'wasm magic number');
    assert.ok(WebAssembly.validate(bytes), 'the optimized module validates');
  });

  test('path traversal out of www/ is refused', async () => {
    const plain = await rawGet(server.url, '/../Cargo.toml');
    assert.equal(plain.status, 404);
    for (const p of ['/%2e%2e/Cargo.toml', '/dist/..%2f..%2fCargo.toml', '/dist/%2e%2e/%2e%2e/Cargo.toml', '/..%5cCargo.toml']) {
      const res = await rawGet(server.url, p);
      assert.ok(res.status >= 400 && res.status < 500, `${p} -> ${res.status}`);
      assert.doesNotMatch(res.body, /\[workspace\]/, `${p} leaked Cargo.toml`);
    }
  });
});

test('www/dist/sizes.txt: brotli totals (js + wasm) of both modules within their regression guards', async () => {
  // A regression guard on what every page loads (the consent module; the statement viewer and
  // forms load on demand): 68 KB against 62.0 KB measured on 2026-11-27 (+10 %), so a broken
  // build (wasm-opt skipped, debug build, name section kept, long import names back, the extras
  // linked into the banner's module, a serde-sized dependency) fails loudly; a 2 KB step back
  // does not. The real budget (smaller than vanilla-cookieconsent's 14 KB brotli) is not met
  // yet; the benchmarks (npm run bench) measure it. The extras (statement viewer and forms) get
  // the same kind of guard: 96 KB against 86.9 KB.
  const txt = await readFile(path.join(DIST, 'sizes.txt'), 'utf8');
  const rows = Object.fromEntries(txt.split('\n').filter((l) => l && !l.startsWith('#'))
    .map((l) => l.trim().split(/\s+/)).map(([name, raw, gzip, brotli]) => [name, { raw: +raw, gzip: +gzip, brotli: +brotli }]));
  for (const name of ['privacy-widget.js', 'privacy-widget_bg.wasm', 'total', 'privacy-widget-extras.js', 'privacy-widget-extras_bg.wasm', 'extras']) {
    assert.ok(rows[name]?.brotli > 0, `sizes.txt has a ${name} row: ${txt}`);
  }
  assert.equal(rows.total.brotli, rows['privacy-widget.js'].brotli + rows['privacy-widget_bg.wasm'].brotli);
  const wasm = await readFile(path.join(DIST, 'privacy-widget_bg.wasm'));
  assert.equal(rows['privacy-widget_bg.wasm'].raw, wasm.length, 'sizes.txt is stale');
  assert.ok(rows.total.brotli < BROTLI_GUARD_BYTES,
    `brotli total ${rows.total.brotli} B >= ${BROTLI_GUARD_BYTES} B guard (js ${rows['privacy-widget.js'].brotli} B, `
    + `wasm ${rows['privacy-widget_bg.wasm'].brotli} B); see www/dist/sizes.txt`);
  assert.equal(rows.extras.brotli, rows['privacy-widget-extras.js'].brotli + rows['privacy-widget-extras_bg.wasm'].brotli);
  assert.ok(rows.extras.brotli < EXTRAS_BROTLI_GUARD_BYTES,
    `extras brotli ${rows.extras.brotli} B >= ${EXTRAS_BROTLI_GUARD_BYTES} B guard; see www/dist/sizes.txt`);
});

describe('harness browser helpers under a strict CSP with Trusted Types', () => {
  const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    + "require-trusted-types-for 'script'; trusted-types 'none'; base-uri 'none'; object-src 'none'";
  const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CSP fixture</title>
<link rel="icon" href="data:,"></head><body><main><h1>Fixture</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="no-alt">
<div id="ok"><p>Fine text</p></div>
<script>document.title = 'inline ran';</script>
<script src="/app.js"></script></main></body></html>`;
  // /app.js: a Trusted Types sink with a plain string -> TypeError + CSP violation report.
  const APP = `try { document.getElementById('ok').insertAdjacentHTML('beforeend', '<b>x</b>'); } catch (e) { console.error('blocked: ' + e.name); }`;
  let fixture;
  let url;
  let context;
  before(async () => {
    fixture = http.createServer((req, res) => {
      if (req.url === '/app.js') {
        res.writeHead(200, { 'content-type': 'text/javascript', 'content-security-policy': CSP });
        res.end(APP);
      } else {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP });
        res.end(PAGE);
      }
    });
    await new Promise((r) => fixture.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${fixture.address().port}/`;
    context = await launchBrowser();
  });
  after(async () => {
    await context?.close();
    await new Promise((r) => (fixture ? fixture.close(r) : r()));
  });

  test('newPage records CSP violations and console errors', async () => {
    const page = await newPage(context);
    await page.goto(url);
    await page.waitForFunction(() => true);
    await page.waitForTimeout(100); // violation reports are dispatched asynchronously
    assert.notEqual(await page.title(), 'inline ran', 'the inline script must be blocked');
    const directives = page.cspViolations.map((v) => v.effectiveDirective).sort();
    assert.deepEqual(directives, ['require-trusted-types-for', 'script-src-elem'], JSON.stringify(page.cspViolations));
    assert.ok(page.consoleErrors.some((c) => c.text === 'blocked: TypeError'), JSON.stringify(page.consoleErrors));
    assert.throws(() => expectNoPageErrors(page), /CSP violation: script-src-elem/);
    assert.doesNotThrow(() => expectNoPageErrors(page, { ignore: [/.*/] }));
    await page.close();
  });

  test('runAxe works without bypassCSP and returns violations', async () => {
    const page = await newPage(context);
    await page.goto(url);
    // The page's own two violations are reported asynchronously (later on a busy machine):
    // count only after they are in, so anything more is axe's doing.
    for (let i = 0; i < 100 && page.cspViolations.length < 2; i++) await page.waitForTimeout(50);
    const before = page.cspViolations.length;
    assert.equal(before, 2, JSON.stringify(page.cspViolations));
    const all = await runAxe(page);
    assert.ok(all.some((v) => v.id === 'image-alt'), formatAxeViolations(all));
    assert.deepEqual(await runAxe(page, '#ok'), [], 'a selector limits the check to that subtree');
    assert.deepEqual(await runAxe(page, page.locator('#ok')), [], 'so does a locator');
    const img = await runAxe(page, await page.$('#no-alt'), { runOnly: ['image-alt'] });
    assert.deepEqual(img.map((v) => v.id), ['image-alt']);
    assert.equal(page.cspViolations.length, before, 'running axe itself caused no CSP violation');
    await page.close();
  });
});
