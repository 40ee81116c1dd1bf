// Shared helpers for the end-to-end tests (`node --test tests/e2e/`).
//
//   import { startServer, launchBrowser, newPage, openShop, runAxe, expectNoPageErrors } from './harness.mjs';
//
//   const server = await startServer();            // real target/debug/privacy-widget-server
//   const context = await launchBrowser();         // Debian Chromium via playwright-core
//   after(async () => { await context.close(); await server.stop(); });
//   const page = await newPage(context);
//   await page.goto(`${server.url}/`);
//   expectNoPageErrors(page);                       // console errors, page errors, CSP violations
//   const shop = await openShop(context, `${server.url}/`); // a new page, API ready, banner shown
//
// Prerequisites: `bash scripts/build.sh` (www/dist + server binary), Chromium at /usr/bin/chromium
// (`bash scripts/bootstrap.sh --browser`). `bash scripts/test.sh e2e` does both.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, readFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVER_BIN = path.join(process.env.CARGO_TARGET_DIR ? path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR) : path.join(REPO_ROOT, 'target'),
  'debug', 'privacy-widget-server');
export const ADMIN_TOKEN = 'test-admin-token';
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

// Children still alive when the test process exits (e.g. a test threw before stop()) are killed.
const liveChildren = new Set();
process.on('exit', () => { for (const child of liveChildren) child.kill('SIGKILL'); });

/**
 * Starts the reference server on a free port with a fresh, temporary DATA_DIR.
 * @param {{env?: Record<string,string>, timeoutMs?: number, bin?: string}} [options]
 *   env: extra/overriding environment variables (e.g. {ADMIN_TOKEN: '...'}; a value of
 *   undefined removes the variable).
 * @returns {Promise<{url: string, port: number, adminToken: string, dataDir: string,
 *   admin: (pathAndQuery: string) => Promise<any>, faults: (obj: object) => Promise<any>,
 *   output: () => {stdout: string, stderr: string}, stop: () => Promise<void>}>}
 *   url has no trailing slash: `${server.url}/personopplysninger`.
 */
export async function startServer({ env = {}, timeoutMs = 20_000, bin = SERVER_BIN } = {}) {
  try {
    await access(bin);
  } catch {
    throw new Error(`server binary ${bin} not found: run \`bash scripts/build.sh\` first`);
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pw-e2e-data-'));
  const childEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    WWW_DIR: path.join(REPO_ROOT, 'www'),
    ADMIN_TOKEN,
    PW_FAULTS: '1',
    DEMO_MAILBOX: '1',
    // Every e2e request comes from 127.0.0.1; tests of the limits pass their own low values.
    RATE_LIMIT_PER_IP: '1000/600',
    RATE_LIMIT_PER_ADDRESS: '1000/3600',
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const adminToken = childEnv.ADMIN_TOKEN;

  const child = spawn(bin, [], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  if (process.env.PW_E2E_SERVER_LOG) { // debugging aid: mirror server output
    child.stdout.on('data', (d) => process.stderr.write(`[server] ${d}`));
    child.stderr.on('data', (d) => process.stderr.write(`[server] ${d}`));
  }

  const stopChild = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    liveChildren.delete(child);
    await rm(dataDir, { recursive: true, force: true });
  };

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `server did not print "listening on" within ${timeoutMs} ms\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`)), timeoutMs);
      const onData = () => {
        const m = /listening on (https?:\/\/[^\s/]+)/.exec(stdout + '\n' + stderr);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      };
      child.stdout.on('data', (d) => { stdout += d; onData(); });
      child.stderr.on('data', (d) => { stderr += d; onData(); });
      child.once('error', (e) => { clearTimeout(timer); reject(new Error(`cannot spawn ${bin}: ${e.message}`)); });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited early (code ${code}, signal ${signal})\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
      });
    });
  } catch (e) {
    await stopChild();
    throw e;
  }
  // A test that forgets stop() must not keep its test file's process alive (the runner would
  // wait for it forever); the 'exit' hook above kills the server then.
  child.unref();
  child.stdout.unref();
  child.stderr.unref();

  async function admin(pathAndQuery) {
    const res = await fetch(url + pathAndQuery, { headers: { authorization: `Bearer ${adminToken}` } });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${pathAndQuery} -> ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async function faults(obj) {
    const res = await fetch(`${url}/__faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify(obj),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`POST /__faults ${JSON.stringify(obj)} -> ${res.status}: ${text}`);
    try { return text ? JSON.parse(text) : null; } catch { return text; }
  }

  return {
    url,
    port: Number(new URL(url).port),
    adminToken,
    dataDir,
    admin,
    faults,
    output: () => ({ stdout, stderr }),
    stop: stopChild,
  };
}

/**
 * Launches Debian's Chromium headless with a fresh temporary profile (a persistent context, so
 * cookies behave like a real profile). `await context.close()` also deletes the profile.
 * @param {import('playwright-core').BrowserContextOptions & {args?: string[]}} [options]
 *   passed to launchPersistentContext; e.g. {bypassCSP: true} for axe runs only (see runAxe),
 *   {viewport: {width: 375, height: 700}}, {locale: 'en-US'}. `args` are appended to CHROMIUM_ARGS.
 * @returns {Promise<import('playwright-core').BrowserContext & {profileDir: string}>}
 */
export async function launchBrowser({ args = [], ...options } = {}) {
  const profileDir = await mkdtemp(path.join(tmpdir(), 'pw-e2e-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, ...args],
      ...options,
    });
  } catch (e) {
    await rm(profileDir, { recursive: true, force: true });
    throw e;
  }
  const close = context.close.bind(context);
  context.close = async (...a) => {
    try { await close(...a); } finally { await rm(profileDir, { recursive: true, force: true }); }
  };
  context.profileDir = profileDir;
  return context;
}

/**
 * Runs `use(context)` in a fresh browser (see launchBrowser) and closes it afterwards, also when
 * `use` throws. Tests whose clean-up does more than close the browser use launchBrowser.
 * @param {Parameters<typeof launchBrowser>[0] | ((context: any) => Promise<void>)} options
 * @param {(context: any) => Promise<void>} [use]
 */
export async function withBrowser(options, use) {
  if (typeof options === 'function') [options, use] = [{}, options];
  const context = await launchBrowser(options);
  try {
    await use(context);
  } finally {
    await context.close();
  }
}

/**
 * Opens a page that records, for later assertions:
 *   page.consoleErrors  [{text, url}]   console.error + failed resource loads
 *   page.pageErrors     [Error]         uncaught exceptions / unhandled rejections
 *   page.cspViolations  [{violatedDirective, effectiveDirective, blockedURI, sourceFile,
 *                         lineNumber, sample, disposition, documentURI}]
 * The CSP listener is an init script (CDP-injected, so the page's CSP does not block it).
 */
export async function newPage(context) {
  const page = await context.newPage();
  page.consoleErrors = [];
  page.pageErrors = [];
  page.cspViolations = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.consoleErrors.push({ text: msg.text(), url: msg.location()?.url });
  });
  page.on('pageerror', (err) => page.pageErrors.push(err));
  await page.exposeBinding('__pwE2eCspViolation', (_source, v) => { page.cspViolations.push(v); });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      // eslint-disable-next-line no-undef
      globalThis.__pwE2eCspViolation({
        violatedDirective: e.violatedDirective,
        effectiveDirective: e.effectiveDirective,
        blockedURI: e.blockedURI,
        sourceFile: e.sourceFile,
        lineNumber: e.lineNumber,
        sample: e.sample,
        disposition: e.disposition,
        documentURI: e.documentURI,
      });
    }, true);
  });
  return page;
}

/**
 * Opens `url` in a new page (see newPage) as a visitor would and waits until the widget's API is
 * there and, unless `banner: false`, its banner shows. Records the consent POSTs it sends:
 *   page.posted  [Request]  POST requests to /api/consent, in the order sent
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} url
 * @param {{banner?: boolean}} [options]
 */
/**
 * Waits for the whole `window.PrivacyWidget` API. Reading `ready` is how shop code asks for it,
 * so this loads the consent manager also on a returning visitor's page, which otherwise needs
 * only the banner build (see banner-path.test.mjs).
 */
export async function apiReady(page) {
  await page.waitForFunction(() => window.PrivacyWidget?.ready);
  await page.evaluate(() => window.PrivacyWidget.ready.then(() => true));
}

export async function openShop(context, url, { banner = true } = {}) {
  const page = await newPage(context);
  page.posted = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && req.url().endsWith('/api/consent')) page.posted.push(req);
  });
  await page.goto(url);
  await apiReady(page);
  if (banner) await page.locator('#privacy-widget .banner').waitFor({ state: 'visible' });
  return page;
}

/**
 * Throws (with everything recorded) if the page logged console errors, threw, or violated its
 * CSP. `ignore`: regexes matched against console texts / error messages / violated directives.
 */
export function expectNoPageErrors(page, { ignore = [] } = {}) {
  const ok = (s) => !ignore.some((re) => re.test(String(s)));
  const problems = [
    ...page.consoleErrors.filter((c) => ok(c.text)).map((c) => `console.error: ${c.text} (${c.url ?? ''})`),
    ...page.pageErrors.filter((e) => ok(e.message)).map((e) => `page error: ${e.stack || e.message}`),
    ...page.cspViolations.filter((v) => ok(v.effectiveDirective) && ok(v.sample) && ok(v.blockedURI))
      .map((v) => `CSP violation: ${v.effectiveDirective} blocked ${v.blockedURI || '(inline)'} at ${v.sourceFile}:${v.lineNumber} ${v.sample}`),
  ];
  if (problems.length) throw new Error(`page at ${page.url()} reported problems:\n  ${problems.join('\n  ')}`);
}

let axeSource;
/**
 * Runs axe-core in the page and returns its `violations` array ([] = clean).
 * @param {import('playwright-core').Page} page
 * @param {string | import('playwright-core').ElementHandle | import('playwright-core').Locator} [target]
 *   what to check: a CSS selector, an element handle or locator (its subtree), default the document.
 *   axe descends into open shadow roots by itself, so '#privacy-widget-host' covers the widget.
 * @param {object} [options] axe.run options, e.g. {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa']}}.
 *
 * Works under the demo's strict CSP (script-src without 'unsafe-inline', require-trusted-types-for
 * 'script'): axe is evaluated through the DevTools protocol (page.evaluate), which CSP does not
 * govern, and no <script> element is inserted. If a page ever does block it, launch that
 * context with launchBrowser({bypassCSP: true}) — for axe runs only, never for tests that
 * assert on CSP behaviour.
 */
export async function runAxe(page, target, options = {}) {
  if (!axeSource) {
    const require = createRequire(import.meta.url);
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  }
  const loaded = await page.evaluate(() => typeof globalThis.axe?.run === 'function');
  if (!loaded) {
    // Evaluated as a function body so the UMD wrapper sees no `module`/`define` and sets window.axe.
    await page.evaluate(`(() => { ${axeSource}\n; return typeof axe; })()`);
  }
  let handle = null;
  if (target && typeof target === 'object' && typeof target.elementHandle === 'function') {
    handle = await target.elementHandle(); // Locator
  } else if (target && typeof target === 'object') {
    handle = target; // ElementHandle
  }
  const results = await page.evaluate(async ([sel, el, opts]) => {
    const context = el ?? (sel ? document.querySelector(sel) : document);
    if (!context) throw new Error(`runAxe: nothing matches ${sel}`);
    return globalThis.axe.run(context, { resultTypes: ['violations'], ...opts });
  }, [typeof target === 'string' ? target : null, handle, options]);
  return results.violations;
}

/** One line per violation, for assertion messages: `${v.id} (${v.impact}): ${v.help} — ${targets}`. */
export function formatAxeViolations(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`).join('\n');
}
