// The statement page without JavaScript, and where the widget cannot start (a CSP without
// 'wasm-unsafe-eval'): the pre-rendered statement is all there, its links work, nothing gated runs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, startServer, withBrowser, newPage, runAxe, formatAxeViolations } from './harness.mjs';

const statementDocument = async (lang) => JSON.parse(await readFile(path.join(REPO_ROOT, 'www', 'statement', `${lang}.json`), 'utf8'));
const ADDRESS = { nb: '/personopplysninger', nn: '/personopplysninger/nn', en: '/personopplysninger/en' };

/** Every section heading, right and contents link of `lang`'s statement is on the page. */
async function expectWholeStatement(page, lang) {
  const doc = await statementDocument(lang);
  const article = page.locator('#privacy-statement article.statement');
  assert.equal(await article.getAttribute('lang'), lang);
  assert.equal(await page.locator('#privacy-statement h2').textContent(), doc.title);
  assert.equal(await page.locator('#privacy-statement nav.toc li').count(), doc.sections.length);
  for (const section of doc.sections) {
    const heading = page.locator(`#privacy-statement #h-${section.id}`);
    assert.ok((await heading.textContent()).startsWith(section.heading), `${lang}: ${section.id}`);
    assert.ok(await heading.isVisible(), `${lang}: ${section.id} visible`);
  }
  const rights = doc.sections.find((s) => s.id === 'rettigheter');
  const text = await page.locator('#privacy-statement').textContent();
  for (const block of rights.blocks.filter((b) => b.type === 'list')) {
    for (const item of block.items) {
      const words = item.map((run) => (typeof run === 'string' ? run : run.em ?? run.link)).join('');
      assert.ok(text.includes(words), `${lang}: right "${words.slice(0, 40)}" present`);
    }
  }
}

/** The page is named by `lang`'s statement title: in its tab (before the shop's suffix) and its one `<h1>`. */
async function expectNamedInItsLanguage(page, lang) {
  const { title } = await statementDocument(lang);
  assert.equal(await page.title(), `${title} – Serviteur`, `${lang}: <title>`);
  assert.deepEqual(await page.locator('h1').allTextContents(), [title], `${lang}: <h1>`);
}

describe('without JavaScript or WebAssembly', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('every language has its address with the whole statement, hreflang links and working contents links', async () => {
    await withBrowser({ javaScriptEnabled: false }, async (context) => {
      const page = await newPage(context);
      for (const lang of ['nb', 'nn', 'en']) {
        const response = await page.goto(`${server.url}${ADDRESS[lang]}`);
        assert.equal(response.status(), 200, lang);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        await expectNamedInItsLanguage(page, lang);
        await expectWholeStatement(page, lang);
        for (const other of ['nb', 'nn', 'en']) {
          const link = page.locator(`#privacy-statement a.lang[hreflang="${other}"]`);
          assert.equal(await link.getAttribute('href'), ADDRESS[other]);
          assert.equal(await link.getAttribute('aria-current'), other === lang ? 'page' : null);
        }
      }
      await page.goto(`${server.url}/personopplysninger`);
      await page.locator('#privacy-statement nav.toc a[href="#lagringstid"]').click();
      assert.equal(new URL(page.url()).hash, '#lagringstid');
      const top = await page.locator('#h-lagringstid').evaluate((h) => h.getBoundingClientRect().top);
      // Within a pixel: lines of 1.6em put headings at fractional positions, scroll offsets are rounded.
      assert.ok(top > -1 && top < 50, `the section is scrolled to the top (at ${top})`);
      await page.locator('a.lang[hreflang="en"]').click();
      assert.equal(new URL(page.url()).pathname, '/personopplysninger/en');
      assert.equal(await page.locator('#privacy-statement h2').textContent(), (await statementDocument('en')).title);
    });
  });

  test('the settings link leads to the section on cookies and choices; nothing gated runs', async () => {
    await withBrowser({ javaScriptEnabled: false }, async (context) => {
      const page = await newPage(context);
      const scripts = [];
      page.on('request', (r) => { if (r.url().includes('analytics-demo')) scripts.push(r.url()); });
      await page.goto(`${server.url}/`);
      await page.locator('footer a[data-pw-open="preferences"]').click();
      await page.waitForURL(/\/personopplysninger#informasjonskapsler$/);
      assert.ok(await page.locator('#h-informasjonskapsler').isVisible());
      assert.deepEqual(scripts, [], 'the analytics stand-in was never fetched');
    });
  });

  test('axe finds no violations on the script-free statement page', async () => {
    // axe needs timers, which a page with JavaScript off does not run: the widget's files are
    // refused instead, so the page is exactly what a visitor without it gets.
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.route(/\/dist\//, (route) => route.abort());
      for (const address of Object.values(ADDRESS)) {
        await page.goto(`${server.url}${address}`);
        const violations = await runAxe(page, undefined, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
        assert.deepEqual(violations, [], `${address}:\n${formatAxeViolations(violations)}`);
      }
    });
  });

  test("under a CSP without 'wasm-unsafe-eval' the widget cannot start, and the statement is still all there", async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      const scripts = [];
      page.on('request', (r) => { if (r.url().includes('analytics-demo')) scripts.push(r.url()); });
      await page.route(/\/personopplysninger/, async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers() };
        headers['content-security-policy'] = headers['content-security-policy'].replace(" 'wasm-unsafe-eval'", '');
        await route.fulfill({ response, headers });
      });
      await page.goto(`${server.url}/personopplysninger`);
      await page.waitForTimeout(1500);
      assert.ok(!(await page.evaluate(() => document.querySelector('#privacy-statement').shadowRoot)), 'the widget did not take over');
      await expectWholeStatement(page, 'nb');
      assert.deepEqual(scripts, [], 'nothing gated ran');
      const errors = page.consoleErrors.length;
      await page.waitForTimeout(1000);
      assert.equal(page.consoleErrors.length, errors, 'no error loop');
    });
  });

  // The two other ways a widget fails on a shop: its module does not arrive, or the shop's config
  // is invalid. Either way the statement stays, nothing gated runs, and the widget stops trying:
  // no further console errors and no further requests once it has given up.
  for (const [failure, breakIt, expectedError] of [
    ['the wasm module answers 404', (page) => page.route(/privacy-widget_bg\.wasm/, (route) => route.fulfill({ status: 404, body: 'not found' })), /privacy-widget_bg\.wasm/],
    ['the config is invalid', (page) => page.route(/\/widget-config\.json/, (route) => route.fulfill({ contentType: 'application/json', body: '{"categories": 5}' })), /"categories"/],
  ]) {
    test(`when ${failure}, the statement is still all there and the widget gives up quietly`, async () => {
      await withBrowser(async (context) => {
        const page = await newPage(context);
        const gated = [];
        page.on('request', (r) => { if (r.url().includes('analytics-demo')) gated.push(r.url()); });
        await breakIt(page);
        await page.goto(`${server.url}/personopplysninger`);
        await page.waitForFunction(() => document.readyState === 'complete');
        await page.waitForTimeout(1500);
        const reported = () => [...page.consoleErrors.map((c) => `${c.text} ${c.url ?? ''}`), ...page.pageErrors.map((e) => e.message)];
        assert.ok(reported().some((e) => expectedError.test(e)), `an error names the cause: ${reported().join(' | ')}`);
        assert.ok(!(await page.evaluate(() => document.querySelector('#privacy-statement').shadowRoot)), 'the widget did not take over');
        await expectWholeStatement(page, 'nb');
        assert.deepEqual(gated, [], 'nothing gated ran');
        const errors = reported().length;
        let later = 0;
        page.on('request', () => { later += 1; });
        await page.waitForTimeout(1500);
        assert.equal(reported().length, errors, 'no error loop');
        assert.equal(later, 0, 'no request loop');
      });
    });
  }

  test('the pre-rendered statement and the one the widget shows carry the same text', async () => {
    const PARTS = 'section.part, nav.toc, p.intro, h2, .meta, .pw-cookie-declaration';
    let prerendered;
    await withBrowser({ javaScriptEnabled: false }, async (context) => {
      const page = await newPage(context);
      await page.goto(`${server.url}/personopplysninger`);
      prerendered = await page.locator('#privacy-statement').evaluate((root, sel) => [...root.querySelectorAll(sel)].map((e) => `${e.id}|${e.textContent}`), PARTS);
    });
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.goto(`${server.url}/personopplysninger`);
      await page.waitForFunction(() => document.querySelector('#privacy-statement').shadowRoot?.querySelector('#h-endringer'));
      const shown = await page.evaluate((sel) => [...document.querySelector('#privacy-statement').shadowRoot.querySelectorAll(sel)].map((e) => `${e.id}|${e.textContent}`), PARTS);
      assert.ok(prerendered.length > 14, 'sections, contents, intro, title and version compared');
      assert.ok(prerendered.some((p) => p.includes('pw_consent')), 'the cookie declaration in the section on cookies compared too');
      assert.deepEqual(shown, prerendered);
    });
  });
});
