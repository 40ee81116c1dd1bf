// The consent manager in depth: keyboard use, accessibility, CSP, GPC, Consent Mode, embeds,
// late scripts, withdrawal, revisions, small screens, invalid config, the JS API.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, withBrowser, newPage, openShop, expectNoPageErrors, runAxe, formatAxeViolations } from './harness.mjs';

const W = '#privacy-widget';
const BANNER = `${W} .banner`;
const DIALOG = `${W} dialog.prefs`;
const button = (action) => `${W} [data-action="${action}"]`;
/** The shop's own "Personverninnstillinger" button in the page footer. */
const FOOTER_OPEN = 'footer [data-pw-open="preferences"]';

const consentCookie = async (context) => (await context.cookies()).find((c) => c.name === 'pw_consent');
const cookieFields = async (context) => decodeURIComponent((await consentCookie(context)).value).split('|');
/** Where keyboard focus is, looking through the widget's shadow root. */
const focused = (page) => page.evaluate(() => {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el ? (el.getAttribute('data-action') || el.getAttribute('data-category') || el.getAttribute('data-service') || el.tagName) : null;
});

describe('consent manager', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('keyboard only: banner first, dialog traps focus, Esc closes and returns focus (to the banner or the page), Space and Enter decide', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'accept-all', 'the banner comes first in the tab order');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'settings');
      await page.keyboard.press('Enter');
      await page.locator(DIALOG).waitFor({ state: 'visible' });
      assert.equal(await focused(page), 'close', 'focus moves into the dialog');

      const seen = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        seen.push(await focused(page));
      }
      assert.ok(!seen.includes('BODY') && !seen.includes(null), `focus never fell out to the page: ${seen.join(' → ')}`);
      const inside = await page.evaluate(() => {
        const root = document.querySelector('#privacy-widget').shadowRoot;
        return root.querySelector('dialog').contains(root.activeElement);
      });
      assert.ok(inside, `focus stayed in the dialog while tabbing: ${seen.join(' → ')}`);
      assert.ok(seen.includes('close') && seen.includes('save'), `Tab wraps around: ${seen.join(' → ')}`);
      await page.keyboard.down('Shift');
      while ((await focused(page)) !== 'close') await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.up('Shift');
      assert.equal(await focused(page), 'save', 'Shift+Tab from the first control wraps to the last');

      await page.keyboard.press('Escape');
      await page.locator(DIALOG).waitFor({ state: 'detached' });
      assert.equal(await focused(page), 'settings', 'focus returns to the button that opened the dialog');
      assert.equal(await consentCookie(context), undefined, 'Esc is not consent');

      // Opened from the page's own button while the banner still asks: Esc gives focus back to
      // that button, not to the banner's (WCAG 2.4.3), and the banner stays.
      const footerFocused = () => page.evaluate((sel) => document.activeElement === document.querySelector(sel), FOOTER_OPEN);
      const escFromFooter = async () => {
        await page.locator(FOOTER_OPEN).focus();
        await page.keyboard.press('Enter');
        await page.locator(DIALOG).waitFor({ state: 'visible' });
        assert.equal(await focused(page), 'close', 'focus moves into the dialog');
        await page.keyboard.press('Escape');
        await page.locator(DIALOG).waitFor({ state: 'detached' });
      };
      await escFromFooter();
      assert.ok(await footerFocused(), `focus returns to the footer button, found ${await focused(page)}`);
      assert.ok(await page.locator(BANNER).isVisible(), 'no decision yet: the banner still asks');
      assert.equal(await consentCookie(context), undefined, 'Esc is not consent');

      await page.locator(button('settings')).focus();
      await page.keyboard.press('Enter');
      await page.locator(DIALOG).waitFor({ state: 'visible' });
      while ((await focused(page)) !== 'analytics') await page.keyboard.press('Tab');
      await page.keyboard.press('Space');
      while ((await focused(page)) !== 'save') await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.locator(DIALOG).waitFor({ state: 'detached' });
      await page.waitForFunction(() => window.__gaRuns === 1);
      assert.equal((await cookieFields(context))[5], 's', 'saved from the dialog');

      // After the decision: the same steps from the footer give focus back there too.
      await escFromFooter();
      assert.ok(await footerFocused(), `after a decision focus returns to the footer button, found ${await focused(page)}`);
      assert.equal(await page.locator(BANNER).count(), 0, 'the banner stays away');
    });
  });

  test('keyboard focus on the page is never hidden behind the banner, the banner build\'s or the consent manager\'s (WCAG 2.2 focus not obscured)', async () => {
    await withBrowser({ viewport: { width: 1024, height: 480 }, reducedMotion: 'reduce' }, async (context) => {
      const page = await newPage(context);
      // The shop's own inline values must come back when the banner goes.
      // (Set as soon as the parser creates <html>: init scripts run before it exists.)
      await page.addInitScript(() => new MutationObserver((_, observer) => {
        if (!document.documentElement) return;
        observer.disconnect();
        document.documentElement.style.setProperty('scroll-padding-bottom', '7px');
        document.documentElement.style.setProperty('margin-bottom', '3px');
      }).observe(document, { childList: true }));
      await page.goto(`${server.url}/`);
      await page.locator(BANNER).waitFor({ state: 'visible' });
      const covered = () => page.evaluate(() => {
        const banner = document.querySelector('#privacy-widget').shadowRoot.querySelector('.banner');
        return Math.round(innerHeight - banner.getBoundingClientRect().top);
      });
      const room = () => page.evaluate(() => {
        const style = getComputedStyle(document.documentElement);
        return `${style.scrollPaddingBottom} ${style.marginBottom}`;
      });
      assert.equal(await room(), '7px 3px', 'nothing changes before focus enters the page (no relayout at start-up)');

      /** Tabs from the banner's first button through every focusable element of the page. */
      const tabThroughPage = async (whose, manager) => {
        await page.evaluate(() => document.querySelector('#privacy-widget').shadowRoot.querySelector('.banner button').focus());
        const seen = [];
        for (let i = 0; i < 60; i++) {
          await page.keyboard.press('Tab');
          const at = await page.evaluate(() => {
            let el = document.activeElement;
            if (!el || el === document.body || el.id === 'privacy-widget') return null;
            while (el.shadowRoot?.activeElement) el = el.shadowRoot.activeElement; // the newsletter form
            const r = el.getBoundingClientRect();
            const bannerTop = document.querySelector('#privacy-widget').shadowRoot.querySelector('.banner').getBoundingClientRect().top;
            return { what: `${el.tagName}#${el.id}.${el.className} ${el.textContent.trim().slice(0, 30)}`, bottom: r.bottom, top: r.top, bannerTop, pageBottom: r.bottom + scrollY };
          });
          if (at && !seen.length) {
            assert.equal(await room(), `${await covered()}px ${await covered()}px`,
              `${whose} banner: the page reserves exactly the strip the banner covers, and can scroll that far past its end`);
            assert.equal(await page.evaluate(() => typeof window.PrivacyWidget.getConsent === 'function'), manager,
              `${whose} banner is the one on screen`);
          }
          if (at) seen.push(at);
          else if (seen.length) break; // back at the banner (or the body): the page is done
        }
        assert.ok(seen.length >= 5, `tabbed through the page: ${seen.map((s) => s.what).join(' | ')}`);
        // Unscrolled, page and viewport coordinates agree: this element sat behind the banner.
        assert.ok(seen.some((s) => s.pageBottom > s.bannerTop),
          'some focusable element starts out behind the banner (else this test proves nothing)');
        // Fully visible where it fits above the banner (more than the criterion's "not entirely
        // hidden"); a taller element (a focusable scroll area) starts in view.
        for (const s of seen) {
          const fits = s.bottom - s.top <= s.bannerTop;
          assert.ok(s.top >= 0 && (fits ? s.bottom <= s.bannerTop + 1 : s.top < s.bannerTop),
            `${whose} banner: ${s.what} is visible above the banner: top ${s.top}, bottom ${s.bottom}, banner top ${s.bannerTop}`);
        }
        await page.evaluate(() => scrollTo(0, 0));
      };

      // The banner build's banner: keeping focus clear of it needs no consent manager.
      // (The footer's newsletter form, further on, starts it.)
      await tabThroughPage('the banner build\'s', false);
      // A narrower window wraps the buttons: the banner grows, and the next focus move measures it.
      const before = await covered();
      await page.setViewportSize({ width: 360, height: 640 });
      await page.keyboard.press('Shift+Tab');
      assert.ok((await covered()) > before);
      assert.equal(await room(), `${await covered()}px ${await covered()}px`);

      // The consent manager takes the banner over (the shop's code asked for the API): the room
      // follows its banner, and is given back when that one goes.
      await page.setViewportSize({ width: 1024, height: 480 });
      await page.evaluate(() => window.PrivacyWidget.ready.then(() => undefined));
      await page.waitForFunction(() => [...document.body.children].filter((e) => e.shadowRoot?.querySelector('.pw')).length === 1
        && typeof window.PrivacyWidget.getConsent === 'function');
      await tabThroughPage('the consent manager\'s', true);
      await page.click(button('reject-all'));
      await page.locator(BANNER).waitFor({ state: 'detached' });
      assert.equal(await room(), '7px 3px', "the page's own scroll padding and margin are back once the banner is gone");
    });
  });

  test('keyboard focus is kept clear of the banner build\'s banner until its decision, then the page\'s values are back', async () => {
    await withBrowser({ viewport: { width: 1024, height: 480 }, reducedMotion: 'reduce' }, async (context) => {
      const page = await newPage(context);
      const consentFiles = [];
      page.on('request', (req) => { if (req.url().includes('/dist/privacy-widget-consent')) consentFiles.push(req.url()); });
      await page.goto(`${server.url}/`);
      await page.locator(BANNER).waitFor({ state: 'visible' });
      // Into the page behind the banner, then back to the banner's "reject all", all by keyboard.
      await page.evaluate(() => document.querySelector('#privacy-widget').shadowRoot.querySelector('[data-action="settings"]').focus());
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      const padding = () => page.evaluate(() => document.documentElement.style.getPropertyValue('scroll-padding-bottom'));
      assert.match(await padding(), /^[1-9]\d*px$/, 'room made for the banner');
      while ((await focused(page)) !== 'reject-all') await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Enter');
      await page.locator(BANNER).waitFor({ state: 'detached' });
      await page.waitForFunction(() => !document.documentElement.style.getPropertyValue('scroll-padding-bottom'));
      assert.equal(await page.evaluate(() => document.documentElement.style.length), 0,
        'a page without inline style of its own has none left');
      assert.match(decodeURIComponent((await consentCookie(context)).value), /analytics:0/);
      // The files were fetched ahead at the focus on "customise", never started: the decision was the banner build's.
      assert.ok(consentFiles.length > 0, 'focus on "customise" fetches the manager ahead, as a pointer does');
      assert.equal(await page.evaluate(() => typeof window.PrivacyWidget.getConsent), 'undefined');
      expectNoPageErrors(page);
    });
  });

  test('a decision in another tab, or on the next page before Back, applies here without asking again', async () => {
    await withBrowser(async (context) => {
      // Two tabs with the banner; the visitor accepts in the second.
      const first = await openShop(context, `${server.url}/`);
      const second = await openShop(context, `${server.url}/`);
      await second.click(button('accept-all'));
      await second.waitForFunction(() => window.__gaRuns === 1);
      assert.equal(await first.evaluate(() => window.__gaRuns ?? 0), 0, 'nothing ran in the first tab yet');
      // Back to the first tab: it reads the cookie again when it regains focus.
      await first.bringToFront();
      // (Headless Chromium moves neither focus nor visibility between tabs: say it for it.)
      await first.evaluate(() => window.dispatchEvent(new Event('focus')));
      await first.locator(BANNER).waitFor({ state: 'detached' });
      await first.waitForFunction(() => window.__gaRuns === 1);
      const consent = await first.evaluate(() => window.PrivacyWidget.getConsent());
      assert.equal(consent.categories.analytics, true, 'the JS API reports the decision made in the other tab');
      const stored = () => server.admin(`/api/admin/consents?consent_id=${consent.consent_id}`).then((r) => r.events.length);
      for (let i = 0; i < 50 && (await stored()) === 0; i++) await first.waitForTimeout(100);
      await first.waitForTimeout(500); // time for a second POST, which must not come
      assert.equal(await stored(), 1, 'the adopted decision is not posted again');
    });
  });

  test('Back to a page from the back/forward cache: the decision made on the next page applies there', async () => {
    // Playwright turns the back/forward cache off by default; shop visitors have it on.
    await withBrowser({ ignoreDefaultArgs: ['--disable-back-forward-cache'] }, async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await page.evaluate(() => { window.__sameDocument = true; });
      await page.goto(`${server.url}/personopplysninger`);
      await page.locator(BANNER).waitFor({ state: 'visible' });
      await page.click(button('accept-all'));
      await page.locator(BANNER).waitFor({ state: 'detached' });
      await page.goBack({ waitUntil: 'commit' }); // a restored page fires pageshow, not load
      await page.waitForFunction(() => window.__sameDocument === true);
      await page.locator(BANNER).waitFor({ state: 'detached' });
      await page.waitForFunction(() => window.__gaRuns === 1);
    });
  });

  test('axe-core finds nothing on banner, dialog and placeholder, in bokmål, English and dark mode', async () => {
    for (const colorScheme of ['light', 'dark']) {
      await withBrowser({ colorScheme }, async (context) => {
        const shop = await openShop(context, `${server.url}/`);
        let violations = await runAxe(shop, W);
        assert.deepEqual(violations, [], `banner nb ${colorScheme}:\n${formatAxeViolations(violations)}`);
        await shop.click(button('settings'));
        await shop.locator(DIALOG).waitFor({ state: 'visible' });
        await shop.locator(`${DIALOG} details`).first().evaluate((d) => { d.open = true; });
        violations = await runAxe(shop, W);
        assert.deepEqual(violations, [], `dialog nb ${colorScheme}:\n${formatAxeViolations(violations)}`);

        const fixture = await openShop(context, `${server.url}/fixtures/embeds.html`);
        violations = await runAxe(fixture);
        assert.deepEqual(violations, [], `banner + placeholders en ${colorScheme}:\n${formatAxeViolations(violations)}`);
        await fixture.click(button('settings'));
        await fixture.locator(DIALOG).waitFor({ state: 'visible' });
        violations = await runAxe(fixture, W);
        assert.deepEqual(violations, [], `dialog en ${colorScheme}:\n${formatAxeViolations(violations)}`);
      });
    }
  });

  test('strict CSP and Trusted Types: the demo works with no violation, analytics starts after accept', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      const response = await page.request.get(`${server.url}/`);
      assert.match(response.headers()['content-security-policy'], /require-trusted-types-for 'script'/);
      await page.click(button('settings'));
      await page.locator(DIALOG).waitFor({ state: 'visible' });
      await page.click(button('accept-all'));
      await page.waitForFunction(() => window.__gaRuns === 1);
      expectNoPageErrors(page);
      assert.deepEqual(page.cspViolations, []);
    });
  });

  test('config texts with markup render as literal text', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/fixtures/embeds.html`);
      const title = await page.locator(`${BANNER} h2`).textContent();
      assert.equal(title, '<img src=x onerror="window.__xss=1">Cookies <script>window.__xss=2</script>');
      assert.equal(await page.locator(`${BANNER} img, ${BANNER} script`).count(), 0);
      await page.waitForTimeout(200);
      assert.equal(await page.evaluate(() => window.__xss), undefined);
    });
  });

  test('Global Privacy Control: told it was honoured, nothing optional runs, the decision records it', async () => {
    await withBrowser(async (context) => {
      await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
      const page = await openShop(context, `${server.url}/`);
      assert.match(await page.locator(`${BANNER} .notice`).textContent(), /Global Privacy Control/);
      await page.waitForTimeout(300);
      assert.equal(await page.evaluate(() => window.__gaRuns), undefined);
      await page.click(button('settings'));
      assert.equal(await page.locator(`${W} input[data-category="analytics"]`).isChecked(), false);
      await page.click(button('save'));
      const fields = await cookieFields(context);
      assert.equal(fields[6], 'g', 'GPC flag stored with the decision');
      assert.equal(fields[7], 'necessary:1/analytics:0');
      assert.equal(await page.evaluate(() => window.PrivacyWidget.getConsent().gpc), true);
      assert.equal(await page.evaluate(() => window.__gaRuns), undefined);
    });
  });

  test('Google Consent Mode v2: denied defaults first, then the update for the decision', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await page.click(button('accept-all'));
      await page.waitForFunction(() => window.__gaRuns === 1);
      const layer = await page.evaluate(() => window.dataLayer.map((a) => Array.from(a)));
      assert.deepEqual(layer[0].slice(0, 2), ['consent', 'default']);
      assert.equal(layer[0][2].analytics_storage, 'denied');
      assert.equal(layer[0][2].ad_user_data, 'denied');
      assert.equal(layer[0][2].wait_for_update, 500);
      const update = layer.find((a) => a[0] === 'consent' && a[1] === 'update');
      assert.deepEqual(update[2], {
        ad_storage: 'denied', analytics_storage: 'granted', ad_user_data: 'denied', ad_personalization: 'denied',
        functionality_storage: 'denied', personalization_storage: 'denied',
      });
      const isArguments = await page.evaluate(() => Object.prototype.toString.call(window.dataLayer[0]));
      assert.equal(isArguments, '[object Arguments]', 'gtag pushes its arguments object, as gtag.js expects');
    });
  });

  test('embeds: placeholder explains and allows one service; category-only embeds open the settings', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/fixtures/embeds.html`);
      assert.equal(await page.locator('#video').getAttribute('src'), null);
      assert.equal(await page.locator('#video').isHidden(), true);
      const placeholder = page.locator('[data-pw-placeholder] .ph').first();
      assert.match(await placeholder.textContent(), /DemoTube.*functional/);
      const adsPlaceholder = page.locator('[data-pw-placeholder] .ph').filter({ hasText: 'marketing' });
      assert.equal(await adsPlaceholder.locator('button').textContent(), 'Open settings');
      await placeholder.locator('button').click();
      await page.waitForFunction(() => document.querySelector('#video').getAttribute('src') === '/fixtures/video.html');
      assert.equal(await page.locator('[data-pw-placeholder]').count(), 1, 'only the allowed embed lost its placeholder');
      const fields = await cookieFields(context);
      assert.equal(fields[5], 'p');
      assert.equal(fields[8], 'video:1/stats:0');
      assert.equal(await page.evaluate(() => window.__inlineAnalytics), undefined);
      await adsPlaceholder.locator('button').click();
      await page.locator(DIALOG).waitFor({ state: 'visible' });
    });
  });

  test('scripts added after start-up wait for consent too', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/fixtures/embeds.html`);
      await page.click('#add-late');
      await page.waitForTimeout(300);
      assert.equal(await page.evaluate(() => window.__lateAnalytics), undefined, 'blocked before consent');
      await page.click(button('accept-all'));
      await page.waitForFunction(() => window.__lateAnalytics === 1);
      await page.click('#add-late');
      await page.waitForFunction(() => window.__lateAnalytics === 2, null, { timeout: 3000 });
      assert.equal(await page.evaluate(() => window.__inlineAnalytics), 1, 'inline blocked script ran once');
    });
  });

  test('withdrawal is one click from the floating button: cookies deleted, embeds unloaded', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/fixtures/embeds.html`);
      await page.click(button('accept-all'));
      await page.waitForFunction(() => document.cookie.includes('_st_x=1'));
      assert.equal(await page.locator('#video').getAttribute('src'), '/fixtures/video.html');
      await page.click(button('reopen'));
      await page.locator(DIALOG).waitFor({ state: 'visible' });
      await page.click(button('reject-all'));
      await page.locator(DIALOG).waitFor({ state: 'detached' });
      const names = (await context.cookies()).map((c) => c.name);
      assert.ok(!names.includes('_st') && !names.includes('_st_x'), `declared cookies deleted: ${names}`);
      assert.equal(await page.locator('#video').getAttribute('src'), null, 'embed unloaded');
      assert.equal(await page.locator('[data-pw-placeholder]').count(), 2);
      assert.equal(await focused(page), 'reopen', 'focus returns to the floating button');
    });
  });

  test('a new policy revision asks again', async () => {
    await withBrowser(async (context) => {
      const url = new URL(server.url);
      const old = '1|2025-06-01|0123456789abcdef0123456789abcdef|1|1764158400000|a||necessary:1/analytics:1|serviteur-shop:1/google-analytics:1';
      await context.addCookies([{ name: 'pw_consent', value: old, domain: url.hostname, path: '/' }]);
      const page = await openShop(context, `${server.url}/`);
      await page.waitForTimeout(200);
      assert.equal(await page.evaluate(() => window.__gaRuns), undefined, 'consent under an old revision does not count');
      const current = old.replace('2025-06-01', '2026-11-01');
      await context.addCookies([{ name: 'pw_consent', value: current, domain: url.hostname, path: '/' }]);
      const again = await openShop(context, `${server.url}/`, { banner: false });
      await again.waitForFunction(() => window.__gaRuns === 1);
      assert.equal(await again.locator(BANNER).count(), 0);
    });
  });

  test('320 px wide: banner and dialog fit without horizontal scrolling', async () => {
    await withBrowser({ viewport: { width: 320, height: 640 } }, async (context) => {
      const page = await openShop(context, `${server.url}/`);
      const fits = () => page.evaluate(() => {
        const root = document.querySelector('#privacy-widget').shadowRoot;
        const panel = root.querySelector('dialog[open]') || root.querySelector('.banner');
        const box = panel.getBoundingClientRect();
        // Nothing inside may stick out of the panel either (it would be clipped, not scrollable).
        const overflow = [...panel.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > box.right + 0.5).map((e) => e.className || e.tagName);
        return { scroll: document.documentElement.scrollWidth, left: box.left, right: box.right, overflow };
      });
      let m = await fits();
      assert.ok(m.scroll <= 320 && m.left >= 0 && m.right <= 320 && m.overflow.length === 0, JSON.stringify(m));
      await page.click(button('settings'));
      await page.locator(DIALOG).waitFor({ state: 'visible' });
      await page.locator(`${DIALOG} details`).first().evaluate((d) => { d.open = true; });
      m = await fits();
      assert.ok(m.left >= 0 && m.right <= 320 && m.overflow.length === 0, JSON.stringify(m));
    });
  });

  test('zoomed in (200 % of 1280×720, 400 % of 1280×1024): every control of banner and dialog is reached by Tab and shown whole', async () => {
    // WCAG 1.4.4 / 1.4.10: at these zoom levels the CSS viewport is 640×360 and 320×256 px. The
    // banner and the dialog must stay inside it and scroll themselves, and each control that
    // keyboard focus reaches must be inside the viewport and inside its panel's visible part.
    for (const viewport of [{ width: 640, height: 360 }, { width: 320, height: 256 }]) {
      await withBrowser({ viewport }, async (context) => {
        const page = await openShop(context, `${server.url}/`);
        const where = () => page.evaluate(() => {
          const root = document.querySelector('#privacy-widget').shadowRoot;
          const panel = root.querySelector('dialog[open]') || root.querySelector('.banner');
          const p = panel.getBoundingClientRect();
          const f = root.activeElement?.getBoundingClientRect();
          // The part of the panel not clipped by its own scrolling areas (the dialog's body).
          let clip = { top: p.top, bottom: p.bottom };
          for (let e = root.activeElement?.parentElement; e && e !== panel; e = e.parentElement) {
            if (/(auto|scroll)/.test(getComputedStyle(e).overflowY)) {
              const r = e.getBoundingClientRect();
              clip = { top: Math.max(clip.top, r.top), bottom: Math.min(clip.bottom, r.bottom) };
            }
          }
          return {
            panel: { top: p.top, bottom: p.bottom, left: p.left, right: p.right },
            focus: f && { top: f.top, bottom: f.bottom, left: f.left, right: f.right },
            clip,
            name: root.activeElement && (root.activeElement.getAttribute('data-action') || root.activeElement.getAttribute('data-category')
              || root.activeElement.getAttribute('data-service') || root.activeElement.textContent.trim().slice(0, 30)),
            vw: innerWidth, vh: innerHeight, scrollWidth: document.documentElement.scrollWidth,
          };
        });
        const inside = (m, what) => {
          const tag = `${viewport.width}×${viewport.height} ${what}: ${JSON.stringify(m)}`;
          assert.ok(m.panel.top >= -0.5 && m.panel.bottom <= m.vh + 0.5 && m.panel.left >= -0.5 && m.panel.right <= m.vw + 0.5, `panel inside the viewport, ${tag}`);
          assert.ok(m.scrollWidth <= m.vw, `no sideways scrolling, ${tag}`);
          if (!m.focus) return;
          assert.ok(m.focus.top >= Math.max(0, m.clip.top) - 0.5 && m.focus.bottom <= Math.min(m.vh, m.clip.bottom) + 0.5
            && m.focus.left >= -0.5 && m.focus.right <= m.vw + 0.5, `focused control shown whole, ${tag}`);
        };
        // Measured where the banner comes to rest, after its slide-in.
        await page.waitForFunction(() => document.querySelector('#privacy-widget').shadowRoot.getAnimations().length === 0);
        inside(await where(), 'banner');
        // Tab through the banner: its controls come first (accept, reject, settings, statement link).
        const bannerSeen = [];
        for (let i = 0; i < 4; i++) {
          await page.keyboard.press('Tab');
          const m = await where();
          bannerSeen.push(m.name);
          inside(m, `banner, Tab ${i + 1}`);
        }
        assert.deepEqual(bannerSeen.slice(0, 3), ['accept-all', 'reject-all', 'settings'], bannerSeen.join(' → '));
        while ((await focused(page)) !== 'settings') await page.keyboard.press('Shift+Tab');
        await page.keyboard.press('Enter');
        await page.locator(DIALOG).waitFor({ state: 'visible' });
        // Through the whole dialog once (focus is trapped, so it wraps to "close" at the end).
        const dialogSeen = [];
        do {
          const m = await where();
          dialogSeen.push(m.name);
          inside(m, `dialog at ${m.name}`);
          await page.keyboard.press('Tab');
        } while ((await focused(page)) !== 'close' && dialogSeen.length < 40);
        for (const control of ['close', 'analytics', 'save']) {
          assert.ok(dialogSeen.includes(control), `${control} reached: ${dialogSeen.join(' → ')}`);
        }
      });
    }
  });

  test('an invalid config names each mistaken field, one console error each, and fails closed', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/fixtures/invalid-config.html`, { banner: false });
      await page.waitForTimeout(200);
      const configErrors = page.consoleErrors.map((e) => e.text).filter((t) => t.startsWith('privacy-widget config:'));
      assert.equal(configErrors.length, 2, configErrors.join('\n'));
      assert.match(configErrors[0], /"categories\[1\]\.services\[0\]\.id" must be an id/);
      assert.match(configErrors[1], /"theme" must be "auto", "light" or "dark", found "blue"/);
      assert.equal(await page.locator(BANNER).count(), 0);
      assert.equal(await page.evaluate(() => window.__ran), undefined);
      assert.equal(await page.evaluate(() => window.PrivacyWidget.getConsent()), null);
    });
  });

  test('without a config: one console error, no banner, and the API still answers (no consent)', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.route('**/fixtures/no-config.html', (route) => route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>No config</title>'
          + '<script type="module" async src="/dist/privacy-widget.js"></script></head><body><main><h1>Shop</h1></main></body></html>',
      }));
      await page.goto(`${server.url}/fixtures/no-config.html`);
      const consent = await page.evaluate(() => Promise.race([
        window.PrivacyWidget.ready.then((api) => api.getConsent()),
        new Promise((resolve) => setTimeout(() => resolve('ready never resolved'), 5000)),
      ]));
      assert.equal(consent, null);
      assert.match(page.consoleErrors.map((e) => e.text).join('\n'), /privacy-widget: no config found/);
      assert.equal(await page.locator(BANNER).count(), 0);
    });
  });

  test('a wasm module that cannot be loaded is named in the error, and nothing blocked runs', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.route('**/dist/privacy-widget_bg.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
      await page.goto(`${server.url}/fixtures/embeds.html`);
      await page.waitForFunction(() => window.PrivacyWidget !== undefined);
      await page.waitForTimeout(300);
      const errors = page.pageErrors.map((e) => e.message).join('\n');
      assert.match(errors, /privacy-widget: could not load http:\/\/127\.0\.0\.1:\d+\/dist\/privacy-widget_bg\.wasm \(HTTP 404\)/);
      assert.equal(await page.locator(BANNER).count(), 0);
      assert.equal(await page.evaluate(() => window.__inlineAnalytics), undefined);
      assert.equal(await page.evaluate(() => window.gtag !== undefined && window.dataLayer[0][1]), 'default',
        'the Consent Mode defaults (all denied) are set before the wasm is needed');
    });
  });

  test('JS API: ready, onChange subscribers, unsubscribe, acceptedService, English from <html lang>', async () => {
    await withBrowser(async (context) => {
      // Code that runs before the widget started: the loader's object and its `ready` promise,
      // which resolves with the completed API (recorded the moment the loader defines the object).
      await context.addInitScript(() => {
        addEventListener('privacy-widget:ready', (e) => { window.__readyDetail = e.detail; }, { once: true });
        Object.defineProperty(window, 'PrivacyWidget', {
          configurable: true,
          set(loader) {
            Object.defineProperty(window, 'PrivacyWidget', { value: loader, writable: true, configurable: true });
            window.__early = Object.keys(loader).sort().join();
            loader.ready.then((api) => {
              window.__ready = api === window.PrivacyWidget && typeof api.getConsent === 'function' && api.getConsent();
            });
          },
        });
      });
      const page = await openShop(context, `${server.url}/fixtures/embeds.html`);
      await page.waitForFunction(() => window.__ready !== undefined);
      assert.equal(await page.evaluate(() => window.__early), 'loadExtras,ready', 'only the loader\'s part before the start');
      assert.equal(await page.evaluate(() => window.__ready), null, 'ready resolved with the full API; no decision yet');
      assert.equal(await page.evaluate(() => window.__readyDetail), null);
      assert.deepEqual(await page.locator(`${BANNER} .actions button`).allTextContents(), ['Accept all', 'Reject all', 'Customise']);
      await page.evaluate(() => {
        window.__calls = [];
        const off = window.PrivacyWidget.onChange((c) => window.__calls.push(c.action));
        window.__off = off;
      });
      await page.click(button('accept-all'));
      assert.deepEqual(await page.evaluate(() => window.__calls), ['accept_all']);
      assert.equal(await page.evaluate(() => window.PrivacyWidget.acceptedService('video')), true);
      await page.evaluate(() => window.__off());
      await page.evaluate(() => window.PrivacyWidget.showPreferences());
      await page.click(button('reject-all'));
      assert.deepEqual(await page.evaluate(() => window.__calls), ['accept_all'], 'no call after unsubscribing');
      assert.equal(await page.evaluate(() => window.PrivacyWidget.acceptedService('video')), false);
      assert.equal(await page.evaluate(() => window.PrivacyWidget.getConsent().seq), 2);
    });
  });

  test('showPreferences() the moment the API is ready opens the dialog, modal, though start-up has not shown the banner yet', async () => {
    await withBrowser(async (context) => {
      await context.addInitScript(() => {
        window.addEventListener('privacy-widget:ready', () => window.PrivacyWidget.showPreferences(), { once: true });
      });
      const page = await openShop(context, `${server.url}/`, { banner: false });
      await page.locator(DIALOG).waitFor({ state: 'visible' });
      const state = await page.evaluate(() => {
        const host = document.querySelector('#privacy-widget');
        const dialog = host.shadowRoot.querySelector('dialog');
        return { first: document.body.firstElementChild === host, open: dialog.open, modal: dialog.matches(':modal') };
      });
      assert.deepEqual(state, { first: true, open: true, modal: true });
      assert.equal(await focused(page), 'close', 'focus moved into the dialog');
      expectNoPageErrors(page);
    });
  });

  test('the receipt shows the consent id and downloads as JSON with the texts hash', async () => {
    await withBrowser(async (context) => {
      const page = await openShop(context, `${server.url}/`);
      await page.click(button('accept-all'));
      await page.click('footer [data-pw-open="preferences"]');
      await page.locator(DIALOG).waitFor({ state: 'visible' });
      const consent = await page.evaluate(() => window.PrivacyWidget.getConsent());
      assert.match(await page.locator(`${DIALOG} .receipt`).textContent(), new RegExp(consent.consent_id));
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(button('download-receipt'))]);
      assert.equal(download.suggestedFilename(), `samtykke-${consent.consent_id.slice(0, 8)}.json`);
      const stream = await download.createReadStream();
      let text = '';
      for await (const chunk of stream) text += chunk;
      const receipt = JSON.parse(text);
      assert.equal(receipt.consent_id, consent.consent_id);
      assert.match(receipt.texts_hash, /^[0-9a-f]{64}$/);
      const { events } = await server.admin(`/api/admin/consents?consent_id=${consent.consent_id}`);
      assert.equal(events[0].texts_hash, receipt.texts_hash, 'the backend holds the same proof of what was shown');
    });
  });
});
