// The cookie declaration (/informasjonskapsler): pre-rendered from the config with the checked-in
// audit's date and counts, enhanced in place by the widget (no layout shift) with each category's
// current choice, the preferences one click away and an in-place language switch.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, startServer, withBrowser, newPage, openShop, expectNoPageErrors, runAxe, formatAxeViolations } from './harness.mjs';

const CONFIG = JSON.parse(await readFile(path.join(REPO_ROOT, 'www', 'widget-config.json'), 'utf8'));
const AUDIT = JSON.parse(await readFile(path.join(REPO_ROOT, 'www', 'cookie-audit.json'), 'utf8')).summary;
const ADDRESS = { nb: '/informasjonskapsler', nn: '/informasjonskapsler/nn', en: '/informasjonskapsler/en' };
const DECLARATION = '[data-pw-cookie-declaration] .pw-cookie-declaration';
const STATEMENT = '#privacy-statement';
const TITLE = { nb: 'Informasjonskapsler', nn: 'Informasjonskapslar', en: 'Cookies' };
/** Every declared item of the config, in order (names or `prefix*` patterns). */
const DECLARED_ITEMS = CONFIG.categories.flatMap((c) => (c.services ?? []).flatMap((s) => (s.cookies ?? []).map((i) => i.name ?? i)));
const CHECKED = {
  nb: `Sist kontrollert 6. desember 2026 med en automatisk gjennomgang av ${AUDIT.pages} sider`,
  en: `Last checked on 6 December 2026 by an automatic scan of ${AUDIT.pages} pages`,
};

/** The declaration lists every category, service and declared item of the config. */
async function expectWholeDeclaration(page) {
  const root = page.locator(DECLARATION);
  const ids = await root.locator('[data-pw-choice]').evaluateAll((slots) => slots.map((s) => s.dataset.pwChoice));
  assert.deepEqual(ids, CONFIG.categories.map((c) => c.id));
  assert.equal(await root.locator('section.pw-cd-category').count(), CONFIG.categories.length);
  const services = await root.locator('.pw-cd-service > h3').allTextContents();
  assert.deepEqual(services, CONFIG.categories.flatMap((c) => (c.services ?? []).map((s) => s.name)));
  const items = await root.locator('th[scope="row"] code').allTextContents();
  assert.deepEqual(items, DECLARED_ITEMS);
  assert.ok(items.includes('pw_consent') && items.includes('privacy-widget-outbox*'), 'the widget declares its own storage');
}

/** Waits until the widget has rendered the declaration (only it marks the choices it shows). */
const enhanced = (page) => page.locator(`${DECLARATION} [data-pw-choice][data-pw-accepted]`).first().waitFor();
const choice = (page, id) => page.locator(`${DECLARATION} [data-pw-choice="${id}"]`);

describe('cookie declaration', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('the widget renders the whole declaration over the pre-rendered one, with no layout shift and no CSP violation', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.addInitScript(() => {
        window.__shifts = 0;
        new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__shifts += e.value; })
          .observe({ type: 'layout-shift', buffered: true });
      });
      await page.goto(`${server.url}${ADDRESS.nb}`);
      await enhanced(page);
      await expectWholeDeclaration(page);
      assert.ok((await page.locator(`${DECLARATION} .pw-cd-checked`).textContent()).startsWith(CHECKED.nb));
      assert.equal(await page.locator('[data-pw-cookie-declaration] > *').count(), 1, 'the pre-rendered declaration was replaced, not doubled');
      await page.waitForTimeout(300);
      assert.equal(await page.evaluate(() => window.__shifts), 0, 'layout shift');
      expectNoPageErrors(page);
      assert.deepEqual(page.cspViolations, []);
    });
  });

  test('each choice is shown and follows accept all and reject all; the button opens the preferences', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}${ADDRESS.nb}`);
      await enhanced(page);
      assert.equal(await choice(page, 'necessary').textContent(), 'Alltid på (nødvendig)');
      assert.equal(await choice(page, 'analytics').textContent(), 'Ikke tillatt');
      await page.locator('#privacy-widget .banner [data-action="accept-all"]').click();
      await page.waitForFunction(() => document.querySelector('[data-pw-choice="analytics"]').textContent === 'Tillatt');
      assert.equal(await choice(page, 'analytics').getAttribute('data-pw-accepted'), 'true');

      await page.locator(`${DECLARATION} .pw-cd-change`).click();
      const dialog = page.locator('#privacy-widget dialog');
      await dialog.waitFor({ state: 'visible' });
      assert.equal(new URL(page.url()).pathname, ADDRESS.nb, 'the link opened the dialog instead of navigating');
      await dialog.locator('[data-action="reject-all"]').click();
      await page.waitForFunction(() => document.querySelector('[data-pw-choice="analytics"]').textContent === 'Ikke tillatt');
      assert.equal(await choice(page, 'necessary').textContent(), 'Alltid på (nødvendig)');
      assert.equal(page.posted.length, 2, 'both decisions were posted');
    });
  });

  test('the language links switch in place: the declaration re-renders, the banner follows, focus stays', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}${ADDRESS.nb}`);
      await enhanced(page);
      await page.locator(`${DECLARATION} a.lang[hreflang="en"]`).click();
      await page.waitForFunction(() => document.querySelector('.pw-cookie-declaration')?.lang === 'en');
      assert.equal(new URL(page.url()).pathname, ADDRESS.nb, 'no navigation');
      assert.deepEqual(await page.locator(`${DECLARATION} section > h2`).allTextContents(), ['Necessary', 'Analytics']);
      assert.ok((await page.locator(`${DECLARATION} .pw-cd-checked`).textContent()).startsWith(CHECKED.en));
      assert.equal(await choice(page, 'analytics').textContent(), 'Not allowed');
      await expectWholeDeclaration(page);
      assert.equal(await page.evaluate(() => window.PrivacyWidget.language()), 'en');
      assert.equal(await page.locator('#privacy-widget .pw').getAttribute('lang'), 'en', 'the banner speaks English too');
      assert.ok((await context.cookies()).some((c) => c.name === 'pw_lang' && c.value === 'en'), 'kept for the next page');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('hreflang')), 'en', 'focus on the chosen language');
      assert.equal(await page.locator(`${DECLARATION} a.lang[aria-current="page"]`).getAttribute('hreflang'), 'en');
      expectNoPageErrors(page);
    });
  });

  test('without JavaScript every language has the whole declaration, and the change link reaches the statement', async () => {
    await withBrowser({ javaScriptEnabled: false }, async (context) => {
      const page = await newPage(context);
      for (const [lang, address] of Object.entries(ADDRESS)) {
        const response = await page.goto(`${server.url}${address}`);
        assert.equal(response.status(), 200, lang);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        assert.equal(await page.title(), `${TITLE[lang]} – Serviteur`, 'the page title in its language');
        assert.equal(await page.locator('h1').textContent(), TITLE[lang]);
        assert.equal(await page.locator(DECLARATION).getAttribute('lang'), lang);
        await expectWholeDeclaration(page);
        assert.equal(await page.locator(`${DECLARATION} a.lang[aria-current="page"]`).getAttribute('href'), address);
      }
      await page.goto(`${server.url}${ADDRESS.nb}`);
      assert.ok((await page.locator(`${DECLARATION} .pw-cd-checked`).textContent()).startsWith(CHECKED.nb));
      assert.equal(await choice(page, 'analytics').textContent(), 'Ikke tillatt', 'nothing optional runs without the widget');
      await page.locator(`${DECLARATION} .pw-cd-change`).click();
      await page.waitForURL(/\/personopplysninger#informasjonskapsler$/);
      // The statement's section on cookies links back to the declaration.
      await page.locator('#informasjonskapsler a[href="/informasjonskapsler"]').click();
      await page.waitForURL(/\/informasjonskapsler$/);
    });
  });

  test('the page loads the declaration build alone, the forms build when its form comes near; the statement opened there brings the extras, which leave both to them', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      const widgetFiles = [];
      page.on('request', (request) => {
        const { pathname } = new URL(request.url());
        if (pathname.startsWith('/dist/privacy-widget-')) widgetFiles.push(pathname.replace(/^\/dist\/privacy-widget-/, ''));
      });
      const loaded = () => widgetFiles.filter((f) => !f.startsWith('consent')).sort();
      await page.goto(`${server.url}${ADDRESS.nb}`);
      await enhanced(page);
      await page.waitForTimeout(300);
      assert.deepEqual(loaded(), ['declaration.js', 'declaration_bg.wasm'], 'the declaration alone, not the extras');
      // The footer's form container has nothing pre-rendered on this page: near the viewport it
      // brings the forms build beside the declaration build.
      await page.locator('#newsletter-signup').scrollIntoViewIfNeeded();
      await page.waitForFunction(() => document.querySelector('#newsletter-signup').shadowRoot?.querySelector('form'));
      assert.deepEqual(loaded(), ['declaration.js', 'declaration_bg.wasm', 'forms.js', 'forms_bg.wasm']);
      await page.locator('#newsletter-signup input[name=email]').click();
      await page.keyboard.type('ola@example.no');

      await page.evaluate(() => window.PrivacyWidget.showStatement());
      await page.waitForFunction(() => document.querySelector('#privacy-widget-statement')?.shadowRoot?.querySelector('dialog h2'));
      assert.ok(widgetFiles.includes('extras_bg.wasm'), 'the statement viewer is the extras build\'s');
      await page.keyboard.press('Escape');
      await page.locator('#privacy-widget-statement dialog.viewer').waitFor({ state: 'hidden' });
      assert.equal(await page.locator('[data-pw-cookie-declaration] > *').count(), 1, 'one declaration');
      assert.equal(await page.evaluate(() => document.querySelector('#newsletter-signup').shadowRoot.querySelectorAll('form').length), 1, 'one form');
      assert.equal(await page.evaluate(() => document.querySelector('#newsletter-signup').shadowRoot.querySelector('input[name=email]').value),
        'ola@example.no', 'the form the forms build took over keeps what was typed');
      // The declaration build still keeps its declaration: the choice and the language switch,
      // which the form in the other build follows.
      await page.locator('#privacy-widget .banner [data-action="accept-all"]').click();
      await page.waitForFunction(() => document.querySelector('[data-pw-choice="analytics"]').textContent === 'Tillatt');
      await page.locator(`${DECLARATION} a.lang[hreflang="en"]`).click();
      await page.waitForFunction(() => document.querySelector('.pw-cookie-declaration')?.lang === 'en');
      assert.equal(await choice(page, 'analytics').textContent(), 'Allowed');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('hreflang')), 'en', 'focus on the chosen language');
      await page.waitForFunction(() => document.querySelector('#newsletter-signup').shadowRoot.querySelector('.pw-form')?.lang === 'en');
      expectNoPageErrors(page);
    });
  });

  test('PrivacyWidget.setLanguage re-renders the declaration in the new language, with the current choice', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}${ADDRESS.nb}`);
      await enhanced(page);
      await page.locator('#privacy-widget .banner [data-action="accept-all"]').click();
      await page.waitForFunction(() => document.querySelector('[data-pw-choice="analytics"]').textContent === 'Tillatt');
      await page.evaluate(() => window.PrivacyWidget.setLanguage('en'));
      await page.waitForFunction(() => document.querySelector('.pw-cookie-declaration')?.lang === 'en');
      assert.deepEqual(await page.locator(`${DECLARATION} section > h2`).allTextContents(), ['Necessary', 'Analytics']);
      assert.equal(await choice(page, 'analytics').textContent(), 'Allowed');
      assert.ok((await page.locator(`${DECLARATION} .pw-cd-checked`).textContent()).startsWith(CHECKED.en), 'the audit line too');
      await page.evaluate(() => window.PrivacyWidget.setLanguage('nn'));
      await page.waitForFunction(() => document.querySelector('.pw-cookie-declaration')?.lang === 'nn');
      assert.equal(await choice(page, 'analytics').textContent(), 'Tillate');
      expectNoPageErrors(page);
    });
  });

  test('axe finds no violations, with the widget and without it', async () => {
    const rules = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } };
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}${ADDRESS.nb}`);
      await enhanced(page);
      const violations = await runAxe(page, undefined, rules);
      assert.deepEqual(violations, [], formatAxeViolations(violations));
    });
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.route(/\/dist\//, (route) => route.abort());
      for (const address of Object.values(ADDRESS)) {
        await page.goto(`${server.url}${address}`);
        const violations = await runAxe(page, undefined, rules);
        assert.deepEqual(violations, [], `${address}:\n${formatAxeViolations(violations)}`);
      }
    });
  });
});

describe('the cookie declaration in the privacy statement', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  /** The declaration in the statement's section on cookies (inside the viewer's shadow root when `shadow`). */
  const inStatement = (page, shadow) => page.evaluate((shadow) => {
    const host = document.querySelector('#privacy-statement');
    const root = shadow ? host.shadowRoot : host;
    const declaration = root?.querySelector('#informasjonskapsler .pw-cookie-declaration');
    if (!declaration) return null;
    return {
      lang: declaration.lang,
      text: declaration.textContent,
      categories: [...declaration.querySelectorAll('section > h4')].map((h) => h.textContent),
      items: [...declaration.querySelectorAll('th[scope="row"] code')].map((c) => c.textContent),
      choices: Object.fromEntries([...declaration.querySelectorAll('[data-pw-choice]')].map((c) => [c.dataset.pwChoice, c.textContent])),
      pageLink: !!root.querySelector('#informasjonskapsler a[href="/informasjonskapsler"]'),
    };
  }, shadow);

  test('without JavaScript the section on cookies lists every declared cookie, in each language', async () => {
    await withBrowser({ javaScriptEnabled: false }, async (context) => {
      const page = await newPage(context);
      for (const [lang, address] of Object.entries({ nb: '/personopplysninger', nn: '/personopplysninger/nn', en: '/personopplysninger/en' })) {
        await page.goto(`${server.url}${address}`);
        const shown = await inStatement(page, false);
        assert.ok(shown, `${lang}: a declaration in the section on cookies`);
        assert.equal(shown.lang, lang);
        assert.deepEqual(shown.items, DECLARED_ITEMS, lang);
        assert.ok(shown.items.includes('pw_consent') && shown.items.includes('pw_lang'), 'the widget declares its own cookies');
        assert.equal(shown.categories.length, CONFIG.categories.length);
        assert.equal(shown.pageLink, true, `${lang}: the link to the declaration's own page stays`);
      }
      await page.goto(`${server.url}/personopplysninger`);
      const shown = await inStatement(page, false);
      assert.deepEqual(shown.choices, { necessary: 'Alltid på (nødvendig)', analytics: 'Ikke tillatt' }, 'nothing optional runs without the widget');
    });
  });

  test('with the widget the section shows the same declaration with the current choice, and follows setLanguage', async () => {
    let prerendered;
    await withBrowser({ javaScriptEnabled: false }, async (context) => {
      const page = await newPage(context);
      await page.goto(`${server.url}/personopplysninger`);
      prerendered = await inStatement(page, false);
    });
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/personopplysninger`);
      await page.waitForFunction(() => document.querySelector('#privacy-statement').shadowRoot?.querySelector('#informasjonskapsler .pw-cookie-declaration'));
      assert.deepEqual(await inStatement(page, true), prerendered, 'the same text before a decision');

      await page.locator('#privacy-widget .banner [data-action="accept-all"]').click();
      await page.waitForFunction(() => document.querySelector('#privacy-statement').shadowRoot.querySelector('[data-pw-choice="analytics"]')?.textContent === 'Tillatt');
      const accepted = await inStatement(page, true);
      assert.deepEqual(accepted.choices, { necessary: 'Alltid på (nødvendig)', analytics: 'Tillatt' });
      assert.equal(accepted.text, prerendered.text.replace('Ikke tillatt', 'Tillatt'), 'only the choice differs');

      await page.evaluate(() => window.PrivacyWidget.setLanguage('en'));
      await page.waitForFunction(() => document.querySelector('#privacy-statement').shadowRoot.querySelector('#informasjonskapsler .pw-cookie-declaration')?.lang === 'en');
      const english = await inStatement(page, true);
      assert.deepEqual(english.categories, ['Necessary', 'Analytics']);
      assert.deepEqual(english.choices, { necessary: 'Always on (necessary)', analytics: 'Allowed' });
      assert.deepEqual(english.items, DECLARED_ITEMS);
      assert.equal(await page.locator(`${STATEMENT} h2`).first().textContent(), 'Privacy statement', 'the statement around it follows too');

      // The declaration's "change your choice" opens the preferences from inside the statement.
      await page.locator(`${STATEMENT} #informasjonskapsler .pw-cd-change`).click();
      await page.locator('#privacy-widget dialog').waitFor({ state: 'visible' });
      assert.equal(new URL(page.url()).pathname, '/personopplysninger', 'no navigation');
      expectNoPageErrors(page);
    });
  });
});
