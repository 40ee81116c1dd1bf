#!/usr/bin/env node
// `npm run audit -- --url http://127.0.0.1:8080/ --pages /,/personopplysninger`: visits a shop's
// pages in Chromium in three consent states (no decision, reject all, accept all), each in a fresh
// profile, records what they store and request, and compares it with the widget config
// (compare.mjs). Writes an HTML report (report.css beside it, no inline script or style), a JSON
// report and a terminal summary; exits 1 on violations, 2 when the audit could not run.
import { mkdtemp, rm, mkdir, writeFile, copyFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATES, compare } from './compare.mjs';
import { renderHtml } from './report.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];
const USAGE = `Usage: npm run audit -- --url <site> [--pages /,/other] [--links 2] [--out cookie-audit] [--config <url>]

--url      the site's address (its origin is first party)
--pages    comma-separated paths to visit in each state (default /)
--links    same-origin links to follow from each page in each state (default 2)
--out      folder for report.html, report.css, report.json and summary.json (default ./cookie-audit)
--config   where the widget config is, if not in the page's #privacy-widget-config element
Exit status: 0 no violations, 1 violations, 2 the audit could not run.`;

function parseArgs(argv) {
  const options = { pages: ['/'], links: 2, out: 'cookie-audit' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--help' || flag === '-h') return { help: true };
    if (value === undefined) throw new Error(`${flag} needs a value\n\n${USAGE}`);
    i++;
    if (flag === '--url') options.url = new URL(value).href;
    else if (flag === '--pages') options.pages = value.split(',').map((p) => p.trim()).filter(Boolean);
    else if (flag === '--links') options.links = Number(value);
    else if (flag === '--out') options.out = value;
    else if (flag === '--config') options.config = value;
    else throw new Error(`unknown option ${flag}\n\n${USAGE}`);
  }
  if (!options.url) throw new Error(`--url is missing\n\n${USAGE}`);
  if (!Number.isInteger(options.links) || options.links < 0) throw new Error('--links must be a whole number ≥ 0');
  return options;
}

/** The config: --config, or the page's config element (inline JSON or its data-src). */
async function loadConfig(page, options) {
  const source = options.config ?? await page.evaluate(() => {
    const el = document.getElementById('privacy-widget-config');
    if (!el) return null;
    return el.dataset.src ? { url: new URL(el.dataset.src, location.href).href } : { text: el.textContent };
  });
  if (!source) throw new Error(`no #privacy-widget-config element on ${page.url()}; pass --config <url>`);
  const text = typeof source === 'string' || source.url
    ? await (await fetch(new URL(source.url ?? source, options.url))).text()
    : source.text;
  return JSON.parse(text);
}

async function decide(page, state) {
  // The profile keeps the decision made on an earlier page of this state.
  if (state === 'before-decision' || await page.evaluate(() => window.PrivacyWidget.getConsent() != null)) return;
  const action = state === 'after-accept' ? 'accept-all' : 'reject-all';
  await page.locator(`#privacy-widget [data-action="${action}"]`).first().click();
  await page.waitForFunction(() => window.PrivacyWidget?.getConsent?.() != null);
}

/** Everything the page can tell about what it stored. */
async function storedItems(context, page, site) {
  const cookies = (await context.cookies()).map((c) => {
    const host = c.domain.replace(/^\./, '');
    return {
      type: 'cookie', name: c.name, domain: c.domain, path: c.path, secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite,
      thirdParty: !(new URL(site).hostname === host || new URL(site).hostname.endsWith(`.${host}`)),
      ...(c.expires > 0 ? { expires: Math.round(c.expires - Date.now() / 1000) } : {}),
    };
  });
  const storage = await page.evaluate(async () => ({
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    indexedDB: indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [],
  }));
  const web = Object.entries(storage).flatMap(([type, names]) => names.map((name) => ({ type, name })));
  return [...cookies, ...web];
}

/** Which gated scripts and embeds ran (the widget turns `text/plain` into a running script). */
async function gatedElements(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-category]')].map((el) => ({
    tag: el.tagName.toLowerCase(), category: el.dataset.category, service: el.dataset.service ?? null,
    src: el.getAttribute('src') ?? el.dataset.src ?? null,
    ran: el.tagName === 'SCRIPT' ? el.type !== 'text/plain' : Boolean(el.getAttribute('src')),
  })));
}

/** playwright-core, loaded only to audit (so --help works without it); the npm package names it as an optional peer. */
async function loadChromium() {
  try {
    return (await import('playwright-core')).chromium;
  } catch {
    throw new Error('playwright-core is not installed: npm install --save-dev playwright-core (and a Chromium, or set CHROMIUM_PATH)');
  }
}

async function visitState(state, options) {
  const chromium = await loadChromium();
  const profile = await mkdtemp(path.join(tmpdir(), 'pw-audit-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
  });
  const observations = [];
  let config = null;
  try {
    for (const pagePath of options.pages) {
      const page = await context.newPage();
      const requests = [];
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      cdp.on('Network.requestWillBeSent', (e) => {
        const frame = e.initiator?.stack?.callFrames?.[0]?.url || e.initiator?.url || null;
        requests.push({ url: e.request.url, initiator: frame });
      });
      const url = new URL(pagePath, options.url).href;
      await page.goto(url, { waitUntil: 'load' });
      // Reading `ready` loads the consent manager, as a visitor's first move would: what it
      // stores counts too.
      await page.waitForFunction(() => window.PrivacyWidget?.ready, null, { timeout: 15_000 });
      await page.evaluate(() => { void window.PrivacyWidget.ready; });
      await page.waitForFunction(() => typeof window.PrivacyWidget.getConsent === 'function', null, { timeout: 15_000 });
      config ??= await loadConfig(page, options);
      await decide(page, state);
      await page.reload({ waitUntil: 'load' });
      await page.waitForTimeout(500);
      const visited = [url];
      const links = await page.evaluate((origin) => [...new Set([...document.querySelectorAll('a[href]')]
        .map((a) => a.href.split('#')[0]).filter((h) => h.startsWith(origin)))], new URL(options.url).origin);
      for (const link of links.filter((l) => !visited.includes(l)).slice(0, options.links)) {
        await page.goto(link, { waitUntil: 'load' });
        await page.waitForTimeout(300);
        visited.push(link);
      }
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForTimeout(500);
      observations.push({
        state, page: pagePath, visited, items: await storedItems(context, page, options.url), requests,
        gated: await gatedElements(page),
      });
      await page.close();
    }
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
  return { observations, config };
}

export async function audit(options) {
  const observations = [];
  let config = null;
  for (const state of STATES) {
    const result = await visitState(state, options);
    observations.push(...result.observations);
    config ??= result.config;
  }
  const origin = new URL(options.url).origin;
  const { violations, warnings, suggestions } = compare(config, observations, { origin });
  const items = new Set(observations.flatMap((o) => o.items.map((i) => `${i.type}|${i.name}`)));
  return {
    tool: 'privacy-widget audit',
    site: options.url,
    summary: {
      checkedAt: new Date().toISOString(), pages: options.pages.length, items: items.size,
      violations: violations.length, warnings: warnings.length,
    },
    violations, warnings, suggestions, observations,
  };
}

function terminalSummary(report, out) {
  const s = report.summary;
  const lines = [`[audit] ${report.site}: ${s.pages} page(s), ${s.items} cookies and storage keys, ${s.violations} violation(s), ${s.warnings} warning(s)`];
  for (const v of report.violations) lines.push(`  VIOLATION ${v.kind} ${v.type ?? 'request'} ${v.name ?? v.host} (first in ${v.state})`);
  for (const w of report.warnings) lines.push(`  warning   ${w.kind} ${w.type} ${w.name}`);
  lines.push(`[audit] report: ${path.join(out, 'report.html')}, report.json and summary.json`);
  return lines.join('\n');
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`privacy-widget audit: ${e.message}`);
    return 2;
  }
  if (options.help) { console.log(USAGE); return 0; }
  let report;
  try {
    report = await audit(options);
  } catch (e) {
    console.error(`privacy-widget audit: could not audit ${options.url}: ${e.message}`);
    return 2;
  }
  await mkdir(options.out, { recursive: true });
  await writeFile(path.join(options.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  // The date and counts alone, for the cookie declaration's "last checked" (a page fetches it).
  const { tool, site, summary } = report;
  await writeFile(path.join(options.out, 'summary.json'), `${JSON.stringify({ tool, site, summary }, null, 2)}\n`);
  await writeFile(path.join(options.out, 'report.html'), renderHtml(report));
  await copyFile(path.join(HERE, 'report.css'), path.join(options.out, 'report.css'));
  console.log(terminalSummary(report, options.out));
  return report.violations.length > 0 ? 1 : 0;
}

// Run as a command (also through the npm package's bin symlink), not when imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
