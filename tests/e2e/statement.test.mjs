// The privacy-statement viewer: inline on /personopplysninger and as a modal elsewhere.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, startServer, withBrowser, newPage, openShop, expectNoPageErrors, runAxe, formatAxeViolations } from './harness.mjs';

const W = '#privacy-widget';
const MODAL = '#privacy-widget-statement dialog.viewer';
const INLINE = '#privacy-statement';

/** The element focused inside whichever shadow root holds it. */
const focusedText = (page) => page.evaluate(() => {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el ? `${el.tagName}:${el.id}:${el.textContent.trim().slice(0, 40)}` : null;
});

/** Waits for the widget's statement: the pre-rendered one (for visitors without script) is there
 * at once, with the same selectors, until the widget's replaces it. */
const widgetStatement = (page) => page.waitForFunction(() => document.querySelector('#privacy-statement').shadowRoot?.querySelector('section.part'));

/** The statement content as served, e.g. `statementDocument('nn')`. */
const statementDocument = async (lang) => JSON.parse(await readFile(path.join(REPO_ROOT, 'www', 'statement', `${lang}.json`), 'utf8'));

describe('privacy statement viewer', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('inline on the statement page, with contents, version and a deep link that lands on its section', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/personopplysninger#lagringstid`, { banner: false });
      await widgetStatement(page);
      const heading = page.locator(`${INLINE} #h-lagringstid`);
      assert.equal(await page.locator(`${INLINE} h2`).first().textContent(), 'Personvernerklæring');
      assert.match(await page.locator(`${INLINE} .meta`).textContent(), /Versjon 2026-11-01, gjelder fra 2026-11-01/);
      assert.equal(await page.locator(`${INLINE} nav.toc li`).count(), 14);
      assert.match(await focusedText(page), /^H3:h-lagringstid:Hvor lenge vi lagrer/);
      // Within a pixel: lines of 1.6em put headings at fractional positions, scroll offsets are rounded.
      const top = await heading.evaluate((h) => h.getBoundingClientRect().top);
      assert.ok(top > -1 && top < (await page.evaluate(() => innerHeight)), `scrolled into view (at ${top})`);
      const text = await page.evaluate(() => document.querySelector('#privacy-statement').shadowRoot.textContent);
      for (const fact of ['Datatilsynet', 'bokføringsloven', 'IP-anonymisering', 'post@serviteur.no', 'Brønnøysundregistrene', 'EØS']) {
        assert.ok(text.includes(fact), `statement mentions ${fact}`);
      }
      expectNoPageErrors(page);
    });
  });

  test('keyboard: a contents link moves focus to its section and updates the address for copying', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/personopplysninger`, { banner: false });
      await widgetStatement(page);
      await page.locator(`${INLINE} nav.toc a`, { hasText: 'Dine rettigheter' }).focus();
      await page.keyboard.press('Enter');
      assert.match(await focusedText(page), /^H3:h-rettigheter:/);
      assert.equal(new URL(page.url()).hash, '#rettigheter');
      await page.locator(`${INLINE} [data-action="copy-link"][data-section="rettigheter"]`).click();
      assert.equal(await page.locator(`${INLINE} [data-section="rettigheter"]`).getAttribute('data-copied'), `${server.url}/personopplysninger#rettigheter`);
    });
  });

  test('opens as a modal from the banner, the preferences dialog and the JS API; Esc closes and returns focus', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`, { banner: false });
      await page.locator(`${W} .banner`).waitFor();
      await page.click(`${W} .banner [data-action="statement"]`);
      await page.locator(MODAL).waitFor({ state: 'visible' });
      assert.equal(new URL(page.url()).pathname, '/', 'opened in place, no navigation');
      await page.keyboard.press('Escape');
      await page.locator(MODAL).waitFor({ state: 'detached' });
      assert.match(await focusedText(page), /^A::Personvernerklæring/, 'focus back on the link');

      await page.click(`${W} [data-action="settings"]`);
      await page.click(`${W} dialog.prefs [data-action="statement"]`);
      await page.locator(MODAL).waitFor({ state: 'visible' });
      await page.click(`${MODAL} [data-action="close"]`);
      await page.locator(MODAL).waitFor({ state: 'detached' });
      assert.equal(await page.locator(`${W} dialog.prefs`).isVisible(), true, 'the preferences stay open underneath');
      await page.keyboard.press('Escape');

      await page.evaluate(() => window.PrivacyWidget.showStatement('nyhetsbrev'));
      await page.locator(`${MODAL} #h-nyhetsbrev`).waitFor();
      assert.match(await focusedText(page), /^H3:h-nyhetsbrev:Nyhetsbrev/);
      expectNoPageErrors(page);
    });
  });

  test('a closed modal stays closed when the choices or the language change, and opens again in the new language', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await page.evaluate(() => window.PrivacyWidget.showStatement());
      await page.locator(`${MODAL} section.part`).first().waitFor();
      await page.keyboard.press('Escape');
      await page.locator(MODAL).waitFor({ state: 'detached' });
      await page.click(`${W} .banner [data-action="accept-all"]`);
      await page.evaluate(() => window.PrivacyWidget.setLanguage('en'));
      await page.waitForTimeout(500);
      assert.equal(await page.locator(MODAL).count(), 0, 'not re-opened by the decision or the language');
      await page.evaluate(() => window.PrivacyWidget.showStatement());
      await page.waitForFunction(() => document.querySelector('#privacy-widget-statement').shadowRoot?.querySelector('dialog h2')?.textContent === 'Privacy statement');
      assert.equal(await page.locator(`${MODAL} .choices li`, { hasText: 'Analytics' }).locator('strong').textContent(), 'Allowed');
      expectNoPageErrors(page);
    });
  });

  test('language switch: English is kept in a session cookie and used by the whole widget after reload', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/personopplysninger`, { banner: false });
      await widgetStatement(page);
      await page.locator(`${INLINE} [data-lang="en"]`).click();
      await page.waitForFunction(() => document.querySelector('#privacy-statement').shadowRoot?.querySelector('h2')?.textContent === 'Privacy statement');
      const cookie = (await context.cookies()).find((c) => c.name === 'pw_lang');
      assert.equal(cookie.value, 'en');
      assert.equal(cookie.expires, -1, 'session cookie');
      assert.equal(await page.locator(`${W} .banner h2`).textContent(), 'We respect your privacy', 'the banner follows');
      await page.reload();
      await page.waitForFunction(() => document.querySelector('#privacy-statement').shadowRoot?.querySelector('h2')?.textContent === 'Privacy statement');
      assert.equal(await page.locator(`${INLINE} [data-lang="en"]`).getAttribute('aria-pressed'), 'true');
    });
  });

  test('nynorsk: a reader who chose nynorsk gets the nynorsk statement and can switch to bokmål, without axe violations', async () => {
    // The title is the same word in both, so the section headings tell the documents apart.
    const [nn, nb] = await Promise.all([statementDocument('nn'), statementDocument('nb')]);
    const headings = (doc) => doc.sections.map((s) => s.heading);
    assert.notDeepEqual(headings(nn), headings(nb));
    await withBrowser(async (context) => {
      const url = new URL(server.url);
      await context.addCookies([{ name: 'pw_lang', value: 'nn', domain: url.hostname, path: '/' }]);
      const page = await openShop(context, `${server.url}/personopplysninger`, { banner: false });
      /** Waits for `doc` to be shown, checks it and its language switch, and runs axe. */
      const expectShown = async (doc) => {
        await page.waitForFunction((h) => document.querySelector('#privacy-statement').shadowRoot?.querySelector('nav.toc a')?.textContent === h, doc.sections[0].heading);
        const shown = await page.evaluate(() => {
          const root = document.querySelector('#privacy-statement').shadowRoot;
          return {
            lang: root.querySelector('article').getAttribute('lang'),
            title: root.querySelector('h2').textContent,
            headings: [...root.querySelectorAll('nav.toc a')].map((a) => a.textContent),
            buttons: [...root.querySelectorAll('[data-action="lang"]')].map((b) => [b.textContent, b.lang, b.getAttribute('aria-pressed')]),
          };
        });
        const buttons = [['Bokmål', 'nb'], ['Nynorsk', 'nn'], ['English', 'en']].map(([label, lang]) => [label, lang, String(lang === doc.language)]);
        assert.deepEqual(shown, { lang: doc.language, title: doc.title, headings: headings(doc), buttons });
        const violations = await runAxe(page, INLINE);
        assert.deepEqual(violations, [], formatAxeViolations(violations));
      };

      await expectShown(nn);
      await page.locator(`${INLINE} [data-lang="nb"]`).click();
      await expectShown(nb);
      assert.equal((await context.cookies()).find((c) => c.name === 'pw_lang')?.value, 'nb');
      expectNoPageErrors(page);
    });
  });

  test('comfortable at 320 px and at 200 % zoom (640 CSS px): no horizontal scrolling, lines stay short, button labels and title unbroken', async () => {
    for (const width of [320, 640]) {
      await withBrowser({ viewport: { width, height: 800 } }, async (context) => {
        const page = await openShop(context, `${server.url}/personopplysninger`, { banner: false });
        // The pre-rendered statement is there at once; the widget's replaces it.
        await page.waitForFunction(() => document.querySelector('#privacy-statement').shadowRoot?.querySelector('section.part'));
        const m = await page.evaluate(() => {
          const root = document.querySelector('#privacy-statement').shadowRoot;
          const article = root.querySelector('.statement');
          const box = article.getBoundingClientRect();
          const wide = [...root.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > box.right + 0.5);
          const p = root.querySelector('section.part p');
          const chars = p.getBoundingClientRect().width / parseFloat(getComputedStyle(p).fontSize);
          // A one-word label split over two lines ("Nynor|sk") means the buttons were squeezed;
          // the one-word title ("Personvernerklæring") must not break mid-word either.
          const broken = [...root.querySelectorAll('.tools button, h2.title')].filter((b) => {
            const range = document.createRange();
            range.selectNodeContents(b);
            return range.getClientRects().length > 1;
          });
          return { scroll: document.documentElement.scrollWidth, wide: wide.map((e) => e.tagName), chars, broken: broken.map((b) => b.textContent) };
        });
        assert.ok(m.scroll <= width, `page scrolls sideways at ${width}px: ${JSON.stringify(m)}`);
        assert.deepEqual(m.wide, [], `nothing sticks out of the statement at ${width}px`);
        assert.ok(m.chars < 40, `line length stays readable (${m.chars.toFixed(1)} em)`);
        assert.deepEqual(m.broken, [], `button labels and the title stay on one line at ${width}px`);
      });
    }
  });

  test('print: every section is shown and no button or contents list is printed', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/personopplysninger`, { banner: false });
      await widgetStatement(page);
      await page.emulateMedia({ media: 'print' });
      const visible = await page.evaluate(() => {
        const root = document.querySelector('#privacy-statement').shadowRoot;
        const shown = (el) => el.checkVisibility();
        return {
          sections: [...root.querySelectorAll('section.part')].filter(shown).length,
          buttons: [...root.querySelectorAll('button')].filter(shown).length,
          toc: shown(root.querySelector('nav.toc')),
          banner: document.querySelector('#privacy-widget').shadowRoot.querySelector('.banner')?.checkVisibility() ?? false,
        };
      });
      assert.deepEqual(visible, { sections: 14, buttons: 0, toc: false, banner: false });
    });
  });

  test('after a policy change the banner offers what changed, computed from the two revisions', async () => {
    await withBrowser(async (context) => {
      const url = new URL(server.url);
      const old = '1|2025-06-01|0123456789abcdef0123456789abcdef|1|1750000000000|a||necessary:1/analytics:1|serviteur-shop:1/google-analytics:1';
      await context.addCookies([{ name: 'pw_consent', value: old, domain: url.hostname, path: '/' }]);
      const page = await openShop(context, `${server.url}/`, { banner: false });
      await page.click(`${W} .banner [data-action="statement-changes"]`);
      await page.locator(`${MODAL} .changes`).waitFor();
      assert.equal(await page.locator(`${MODAL} .changes h3`).textContent(), 'Endringer siden versjon 2025-06-01');
      const added = await page.locator(`${MODAL} .part.added h4`).allTextContents();
      assert.ok(added.some((h) => h.includes('Ditt valg om informasjonskapsler')), `new section listed: ${added}`);
      const deleted = await page.locator(`${MODAL} .part.changed del`).allTextContents();
      assert.ok(deleted.some((d) => /Google/.test(d)), `removed recipient shown as deleted: ${deleted}`);
      const inserted = await page.locator(`${MODAL} .part.changed ins`).allTextContents();
      assert.ok(inserted.some((d) => /regnskapsåret/.test(d)), `reworded retention shown as inserted: ${inserted}`);
      await page.click(`${MODAL} [data-action="show-reading"]`);
      await page.locator(`${MODAL} nav.toc`).waitFor();
    });
  });

  test('axe-core finds nothing inline or in the modal, in both languages', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/personopplysninger`, { banner: false });
      await widgetStatement(page);
      let violations = await runAxe(page, INLINE);
      assert.deepEqual(violations, [], formatAxeViolations(violations));
      const shop = await openShop(context, `${server.url}/`, { banner: false });
      await shop.evaluate(() => window.PrivacyWidget.showStatement());
      await shop.locator(`${MODAL} section.part`).first().waitFor();
      violations = await runAxe(shop, '#privacy-widget-statement');
      assert.deepEqual(violations, [], formatAxeViolations(violations));
      await shop.click(`${MODAL} [data-lang="en"]`);
      await shop.waitForFunction(() => document.querySelector('#privacy-widget-statement').shadowRoot?.querySelector('h2')?.textContent === 'Privacy statement');
      violations = await runAxe(shop, '#privacy-widget-statement');
      assert.deepEqual(violations, [], formatAxeViolations(violations));
    });
  });

  test('a statement with markup in its text is refused: console error and a plain link, nothing rendered from it', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.route('**/statement/nb.json', async (route) => {
        const response = await route.fetch();
        const doc = await response.json();
        doc.intro = ['<img src=x onerror="window.__xss=1">Hei'];
        await route.fulfill({ response, json: doc });
      });
      await page.goto(`${server.url}/personopplysninger`);
      await page.locator(`${INLINE} a`, { hasText: 'kunne ikke vises' }).waitFor();
      assert.ok(page.consoleErrors.some((e) => /privacy-widget statement: intro\[0\]/.test(e.text)), JSON.stringify(page.consoleErrors));
      assert.equal(await page.locator(`${INLINE} img`).count(), 0);
      assert.equal(await page.evaluate(() => window.__xss), undefined);
    });
  });
});
