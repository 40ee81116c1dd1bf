// The lean banner path (#15): a first visit's banner and its decision come from the banner build
// alone; the consent manager arrives when something needs it, and a decision is neither lost nor
// sent twice. In Chromium against the demo and the reference backend.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, withBrowser, newPage, openShop, apiReady, expectNoPageErrors } from './harness.mjs';

const CONSENT_MODULE = '**/dist/privacy-widget-consent*';
const PENDING_KEY = 'privacy-widget-decision';

/** Holds every request for the consent manager's files until `release()`. */
async function holdConsentManager(page) {
  const held = [];
  let released = false;
  await page.route(CONSENT_MODULE, (route) => (released ? route.continue() : held.push(route)));
  return {
    held,
    release: async () => {
      released = true;
      await Promise.all(held.splice(0).map((route) => route.continue()));
    },
  };
}

async function storedEvents(server, consentId) {
  return (await server.admin(`/api/admin/consents?consent_id=${consentId}`)).events;
}

async function poll(fn, ready, what) {
  for (let i = 0; i < 100; i++) {
    const value = await fn();
    if (ready(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The widget's files a page requested, by path. */
function distRequests(page) {
  const paths = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/dist/')) paths.push(pathname);
  });
  return paths;
}

const managerLoaded = (paths) => paths.some((p) => p.startsWith('/dist/privacy-widget-consent'));

/** A visitor who accepted everything on an earlier page, with the event delivered. */
async function returningVisitor(context, server) {
  const first = await openShop(context, server.url + '/');
  await first.locator('#privacy-widget .banner [data-action="accept-all"]').click();
  const consentId = (await consentCookie(context)).split('|')[2];
  await poll(() => storedEvents(server, consentId), (e) => e.length === 1, 'the decision to be delivered');
  await first.close();
}

const consentCookie = async (context) => (await context.cookies()).find((c) => c.name === 'pw_consent')?.value;

describe('the banner path', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('before the banner shows, the page fetched only the banner build: its script and its wasm', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      // When the banner's host with its banner enters the page, by the page's own clock, so it can
      // be compared with the resource timings' start times.
      await page.addInitScript(() => {
        new MutationObserver((_, observer) => {
          if (document.getElementById('privacy-widget')?.shadowRoot?.querySelector('.banner')) {
            window.bannerAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      });
      // Held until the banner shows, so the consent manager cannot race ahead of it.
      const consent = await holdConsentManager(page);
      await page.goto(server.url + '/');
      await page.locator('#privacy-widget .banner').waitFor({ state: 'visible' });
      // The banner build's banner is the whole first layer, with equal buttons and a real link.
      const banner = page.locator('#privacy-widget .banner');
      assert.deepEqual(await banner.locator('.actions button').allTextContents(), ['Godta alle', 'Avvis alle', 'Tilpass']);
      assert.equal(await banner.locator('a.link').getAttribute('href'), '/personopplysninger');
      // Nothing more while the visitor only reads: a decision at the banner needs nothing else.
      await new Promise((r) => setTimeout(r, 800));
      assert.equal(consent.held.length, 0, 'the consent manager is not fetched ahead of a need');
      await banner.locator('[data-action="accept-all"]').hover();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(consent.held.length, 0, 'nor for a pointer on "accept all", which this build decides');
      // A pointer on "customise", which needs the manager: its files, so the click finds them.
      await banner.locator('[data-action="settings"]').hover();
      await poll(() => consent.held.length, (n) => n >= 2, 'the consent manager\'s files to be fetched ahead');
      await consent.release();
      // Fetched, not started: no compile, no heap and no long task until the visitor moves.
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await page.evaluate(() => typeof window.PrivacyWidget.getConsent), 'undefined',
        'not started at a pointer coming near: a take-over between press and release would lose the click');
      // Started when something needs it: here the shop's code asks for the API.
      await page.evaluate(() => window.PrivacyWidget.ready.then(() => undefined));
      const started = await page.evaluate(() => performance.getEntriesByType('resource')
        .filter((r) => new URL(r.name).pathname.startsWith('/dist/'))
        .map((r) => ({ path: new URL(r.name).pathname, beforeBanner: r.startTime < window.bannerAt })));
      assert.deepEqual(started.filter((r) => r.beforeBanner).map((r) => r.path).sort(),
        ['/dist/privacy-widget.js', '/dist/privacy-widget_bg.wasm'], JSON.stringify(started));
      // The manager's files came after the banner; its wasm once: the start took the preloaded
      // response. Its script the import asks for again here, as the demo serves it `no-cache`
      // (a server that lets it be cached answers that from the cache).
      const after = started.filter((r) => !r.beforeBanner).map((r) => r.path);
      assert.equal(after.filter((p) => p === '/dist/privacy-widget-consent_bg.wasm').length, 1, JSON.stringify(started));
      assert.deepEqual([...new Set(after)].sort(),
        ['/dist/privacy-widget-consent.js', '/dist/privacy-widget-consent_bg.wasm'], JSON.stringify(started));
      // The banner build's host is gone once the consent manager's banner is on screen.
      await page.waitForFunction(() => [...document.body.children].filter((e) => e.shadowRoot?.querySelector('.pw')).length === 1);
      assert.equal(await page.locator('#privacy-widget .banner').count(), 1, 'one banner after the take-over');
      expectNoPageErrors(page);
    });
  });

  test('a file fetched ahead that failed is fetched again when the consent manager starts', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      let wasmRequests = 0;
      await page.route('**/dist/privacy-widget-consent_bg.wasm', (route) => (++wasmRequests === 1 ? route.abort('connectionreset') : route.continue()));
      await page.goto(server.url + '/');
      await page.locator('#privacy-widget .banner [data-action="settings"]').hover();
      await poll(() => wasmRequests, (n) => n === 1, 'the consent manager\'s wasm fetched ahead');
      await page.evaluate(() => window.PrivacyWidget.ready.then(() => undefined));
      assert.equal(wasmRequests, 2, 'the start asked once more, and only once');
      // The browser's own line for the reset request; nothing from the widget (no unhandled rejection).
      expectNoPageErrors(page, { ignore: [/^Failed to load resource: net::ERR_CONNECTION_RESET$/] });
    });
  });

  test('"accept all" is the banner build\'s alone: the cookie, the scripts, the shop\'s events, the announcement and the event delivered once, with the consent manager\'s hash', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      const paths = distRequests(page);
      const posts = [];
      page.on('request', (req) => { if (req.method() === 'POST' && req.url().endsWith('/api/consent')) posts.push(req); });
      await page.goto(server.url + '/');
      await page.evaluate(() => {
        window.heard = [];
        for (const type of ['privacy-widget:consent', 'privacy-widget:change']) {
          window.addEventListener(type, (e) => window.heard.push([type, e.detail]));
        }
      });
      await page.locator('#privacy-widget .banner [data-action="accept-all"]').click();
      await page.locator('#privacy-widget .banner').waitFor({ state: 'detached' });
      const value = await consentCookie(context);
      assert.match(value ?? '', /^1\|/, 'the cookie is written at the click');
      const consentId = value.split('|')[2];
      const events = await poll(() => storedEvents(server, consentId), (e) => e.length > 0, 'the event');
      assert.equal(events[0].action, 'accept_all');
      assert.equal(posts.length, 1);
      assert.equal(posts[0].headers()['idempotency-key'], `${consentId}-1`, 'the key the consent manager would use');
      await poll(() => page.evaluate((key) => sessionStorage.getItem(key), PENDING_KEY), (v) => v === null, 'the pending copy to go once delivered');
      // Put in force here: the analytics script ran, Consent Mode heard of it, the button is there.
      await page.waitForFunction(() => window.__gaRuns === 1);
      const update = await page.evaluate(() => window.dataLayer.map((a) => Array.from(a)).find((a) => a[0] === 'consent' && a[1] === 'update'));
      assert.equal(update?.[2].analytics_storage, 'granted');
      await page.locator('#privacy-widget .reopen').waitFor({ state: 'visible' });
      assert.equal(await page.evaluate(() => document.getElementById('privacy-widget').shadowRoot.querySelector('[aria-live]').textContent),
        'Valget ditt er lagret.');
      const heard = await page.evaluate(() => window.heard);
      assert.deepEqual(heard.map(([type]) => type), ['privacy-widget:consent', 'privacy-widget:change']);
      assert.equal(heard[0][1].consent_id, consentId);
      assert.equal(heard[0][1].receipt, 'privacy-widget consent receipt v1');
      assert.equal(heard[0][1].categories.analytics, true);
      assert.equal(managerLoaded(paths), false, 'the consent manager was never needed');

      // The consent manager, once the shop's code asks for it, agrees on every field and sends nothing again.
      const consent = await page.evaluate(() => window.PrivacyWidget.ready.then((pw) => pw.getConsent()));
      assert.deepEqual(consent, heard[0][1]);
      assert.equal(consent.texts_hash, events[0].texts_hash, 'the texts hash the banner build sent is the consent manager\'s');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await storedEvents(server, consentId)).length, 1, 'delivered exactly once');
      assert.equal(posts.length, 1);
      expectNoPageErrors(page);
    });
  });

  test('a decision the backend could not take: the consent manager takes it over and delivers it once', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      const paths = distRequests(page);
      let posts = 0;
      await page.route('**/api/consent', (route) => (++posts === 1 ? route.fulfill({ status: 503, body: 'down' }) : route.continue()));
      await page.goto(server.url + '/');
      await page.locator('#privacy-widget .banner [data-action="reject-all"]').click();
      const consentId = (await consentCookie(context)).split('|')[2];
      const events = await poll(() => storedEvents(server, consentId), (e) => e.length > 0, 'the event, sent again');
      assert.equal(events[0].action, 'reject_all');
      assert.ok(managerLoaded(paths), 'the consent manager retried it');
      await page.waitForFunction((key) => sessionStorage.getItem(key) === null, PENDING_KEY);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await storedEvents(server, consentId)).length, 1);
      assert.equal(posts, 2);
      // The refusal is the browser's line for the 503, nothing else.
      expectNoPageErrors(page, { ignore: [/status of 503/] });
    });
  });

  test('the visitor moves on before the decision is delivered: the next page\'s banner build delivers it once, without the consent manager', async () => {
    await withBrowser(async (context) => {
      const first = await newPage(context);
      await first.route('**/api/consent', (route) => route.abort());
      await first.route(CONSENT_MODULE, (route) => route.abort());
      await first.goto(server.url + '/');
      await first.locator('#privacy-widget .banner [data-action="reject-all"]').click();
      const value = await consentCookie(context);
      const consentId = value.split('|')[2];
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await storedEvents(server, consentId)).length, 0);

      // The next page of the same tab (the pending decision is in its session storage).
      await first.unrouteAll();
      const paths = distRequests(first);
      await first.goto(server.url + '/');
      const events = await poll(() => storedEvents(server, consentId), (e) => e.length > 0, 'the event from the next page');
      assert.equal(events[0].action, 'reject_all');
      assert.equal(await first.locator('#privacy-widget .banner').count(), 0, 'no banner: the decision holds');
      await first.waitForFunction((key) => sessionStorage.getItem(key) === null, PENDING_KEY);
      assert.equal(managerLoaded(paths), false);
      await first.reload();
      await apiReady(first);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await storedEvents(server, consentId)).length, 1, 'not again on the page after');
    });
  });

  test('the visitor leaves in the click\'s own task: the decision is posted as the page goes (keepalive), with no later page needed', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.goto(server.url + '/');
      await page.locator('#privacy-widget .banner').waitFor({ state: 'visible' });
      // The click and the navigation in one task: no frame is painted between them, so only
      // `pagehide` runs the decision's rest. The page it goes to has no widget that could send it.
      await page.evaluate(() => {
        document.getElementById('privacy-widget').shadowRoot.querySelector('[data-action="accept-all"]').click();
        location.href = '/no-such-page';
      });
      await page.waitForURL('**/no-such-page');
      const consentId = (await consentCookie(context)).split('|')[2];
      const events = await poll(() => storedEvents(server, consentId), (e) => e.length > 0, 'the event posted at pagehide');
      assert.equal(events.length, 1);
      assert.equal(events[0].action, 'accept_all');
    });
  });

  test('"customise" before the consent manager arrives opens the dialog once it has', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      const consent = await holdConsentManager(page);
      await page.goto(server.url + '/');
      await page.locator('#privacy-widget .banner [data-action="settings"]').click();
      await poll(() => consent.held.length, (n) => n > 0, 'the consent manager to be requested');
      await consent.release();
      const dialog = page.locator('#privacy-widget dialog');
      await dialog.waitFor({ state: 'visible' });
      assert.equal(await dialog.evaluate((d) => d.matches(':modal')), true);
      assert.equal(await page.evaluate(() => document.getElementById('privacy-widget').shadowRoot.activeElement?.className), 'close');
      expectNoPageErrors(page);
    });
  });

  test('a started script keeps the fetch priority the shop gave its tag', async () => {
    await withBrowser(async (context) => {
      await returningVisitor(context, server);
      const page = await newPage(context);
      await page.route((url) => url.pathname === '/', async (route) => {
        const html = await (await route.fetch()).text();
        const tag = '<script type="text/plain" data-category="analytics"';
        assert.ok(html.includes(tag));
        await route.fulfill({ contentType: 'text/html; charset=utf-8', body: html.replace(tag, tag.replace('<script ', '<script fetchpriority="low" ')) });
      });
      await page.goto(server.url + '/');
      await page.waitForFunction(() => window.__gaRuns === 1);
      assert.equal(await page.evaluate(() => document.querySelector('script[data-pw-started]').getAttribute('fetchpriority')), 'low');
      expectNoPageErrors(page);
    });
  });

  test('a returning visitor: the banner build alone puts the decision in force, and its floating button opens the preferences', async () => {
    await withBrowser(async (context) => {
      await returningVisitor(context, server);
      const page = await newPage(context);
      const paths = distRequests(page);
      await page.goto(server.url + '/');
      await page.waitForFunction(() => window.__gaRuns === 1);
      assert.equal(await page.evaluate(() => document.querySelector('script[data-pw-started]').getAttribute('fetchpriority')), 'high',
        'the started script is fetched as the parser would fetch it');
      const reopen = page.locator('#privacy-widget .reopen');
      await reopen.waitFor({ state: 'visible' });
      assert.equal(await reopen.textContent(), 'Personverninnstillinger');
      assert.equal(await page.locator('#privacy-widget .banner').count(), 0);
      // Consent Mode's update for the stored choices, after the loader's all-denied defaults.
      const consentCalls = await page.evaluate(() => window.dataLayer.map((a) => Array.from(a)).filter((a) => a[0] === 'consent'));
      assert.deepEqual(consentCalls.map((a) => a[1]), ['default', 'update']);
      assert.equal(consentCalls[1][2].analytics_storage, 'granted');
      assert.equal(consentCalls[1][2].ad_storage, 'denied');
      await new Promise((r) => setTimeout(r, 800));
      assert.deepEqual([...new Set(paths)].sort(), ['/dist/privacy-widget.js', '/dist/privacy-widget_bg.wasm'],
        'a returning visitor needs nothing else until the page asks');
      // Withdrawal is one click away: the button loads the consent manager, which opens the dialog.
      await reopen.click();
      const dialog = page.locator('#privacy-widget dialog');
      await dialog.waitFor({ state: 'visible' });
      assert.equal(await dialog.evaluate((d) => d.matches(':modal')), true);
      assert.ok(managerLoaded(paths));
      assert.equal(await page.evaluate(() => document.querySelectorAll('#privacy-widget').length), 1);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await page.evaluate(() => document.getElementById('privacy-widget').shadowRoot.activeElement?.className), 'reopen',
        'focus goes back to the floating button');
      assert.equal(await page.evaluate(() => window.__gaRuns), 1, 'the allowed script ran once');
      expectNoPageErrors(page);
    });
  });

  test('text beyond ASCII reaches the banner build whole: the config\'s texts, a cookie before the consent cookie, the pressed button', async () => {
    // Letters of two and three UTF-8 bytes and an emoji of four (two UTF-16 units): the page hands
    // text over as its UTF-8 length and bytes (ops::text), so a length counted in anything else
    // would cut it short or leave the config unreadable.
    const accept = 'Godta alle – ÆØÅ 🍪';
    const reopen = 'Personvern 🍪 – innstillinger';
    await withBrowser(async (context) => {
      // Fetched here once: the browser's request carries the emoji cookie, which Node's fetch refuses.
      const html = await (await fetch(server.url + '/')).text();
      // The first is the bokmål texts' (the page's language).
      const marker = '"newsletterSender": "Serviteur"';
      assert.ok(html.includes(marker));
      const texts = `"acceptAll": ${JSON.stringify(accept)}, "reopenButton": ${JSON.stringify(reopen)}`;
      await context.route((url) => url.pathname === '/', (route) =>
        route.fulfill({ contentType: 'text/html; charset=utf-8', body: html.replace(marker, `${marker}, ${texts}`) }));
      await context.addInitScript(() => { document.cookie = 'pw_note=blåbær 🍪; path=/'; });
      const first = await newPage(context);
      const consent = await holdConsentManager(first);
      await first.goto(server.url + '/');
      const button = first.locator('#privacy-widget .banner [data-action="accept-all"]');
      assert.equal(await button.textContent(), accept);
      await button.click();
      await first.locator('#privacy-widget .banner').waitFor({ state: 'detached' });
      const value = await consentCookie(context);
      assert.match(value ?? '', /^1\|/, 'the banner build read the pressed button\'s action and wrote the cookie');
      await consent.release();
      await poll(() => storedEvents(server, value.split('|')[2]), (e) => e.length === 1, 'the decision to be delivered');
      await first.close();

      // The consent cookie now comes after the one with the emoji in `document.cookie`.
      const page = await newPage(context);
      const held = await holdConsentManager(page);
      await page.goto(server.url + '/');
      assert.match(await page.evaluate(() => document.cookie), /^pw_note=blåbær 🍪; .*pw_consent=/);
      const button2 = page.locator('#privacy-widget .reopen');
      await button2.waitFor({ state: 'visible' });
      assert.equal(await button2.textContent(), reopen);
      assert.equal(await page.locator('#privacy-widget .banner').count(), 0, 'the decision was found in the cookie jar');
      assert.equal(held.held.length, 0, 'the banner build alone');
      expectNoPageErrors(page);
      expectNoPageErrors(first);
    });
  });

  test('with `async`, a module that runs while the page is still parsed waits for it: the banner, and a returning visitor\'s scripts below it', async () => {
    // The demo's product page with a parser-blocking script right after the widget's tag, held for
    // a while: the widget's module (async) runs meanwhile, before the config, the blocked script
    // and the body exist.
    const slowParse = async (page) => {
      await page.route((url) => url.search === '?slow-parse', async (route) => {
        const html = await (await route.fetch()).text();
        const tag = '<script type="module" async src="/dist/privacy-widget.js"></script>';
        assert.ok(html.includes(tag));
        await route.fulfill({ contentType: 'text/html; charset=utf-8', body: html.replace(tag, tag + '<script src="/parser-held.js"></script>') });
      });
      await page.route('**/parser-held.js', async (route) => {
        await new Promise((r) => setTimeout(r, 1500));
        await route.fulfill({ contentType: 'text/javascript', body: 'window.__parserHeld = true;' });
      });
      // The document's state when the widget's module ran (it defines its operations first).
      await page.addInitScript(() => {
        Object.defineProperty(window, '__privacyWidgetBanner', {
          configurable: true,
          set(value) {
            window.__moduleRanWhile = document.readyState;
            Object.defineProperty(window, '__privacyWidgetBanner', { value, writable: true, configurable: true });
          },
        });
      });
    };
    await withBrowser(async (context) => {
      const first = await newPage(context);
      await slowParse(first);
      await first.goto(server.url + '/?slow-parse');
      await first.locator('#privacy-widget .banner').waitFor({ state: 'visible' });
      assert.equal(await first.evaluate(() => window.__moduleRanWhile), 'loading', 'the module ran before the page was parsed');
      assert.equal(await first.evaluate(() => document.body.firstElementChild.id), 'privacy-widget');
      await first.locator('#privacy-widget .banner [data-action="accept-all"]').click();
      await first.close();

      const returning = await newPage(context);
      await slowParse(returning);
      await returning.goto(server.url + '/?slow-parse');
      await returning.waitForFunction(() => window.__gaRuns === 1);
      assert.equal(await returning.evaluate(() => window.__moduleRanWhile), 'loading');
      await returning.locator('#privacy-widget .reopen').waitFor({ state: 'visible' });
      assert.equal(await returning.locator('#privacy-widget .banner').count(), 0);
      expectNoPageErrors(returning);
    });
  });

  test('a server that sends the wasm without its MIME type: the banner still shows (it is compiled from its bytes, which need none)', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.route('**/dist/privacy-widget_bg.wasm', async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), 'content-type': 'application/octet-stream' } });
      });
      await page.goto(server.url + '/');
      await page.locator('#privacy-widget .banner').waitFor({ state: 'visible' });
      expectNoPageErrors(page);
    });
  });

  test('a returning visitor\'s page loads the consent manager when it needs it: the first move in a form, an empty form container near the viewport, the API, a blocked script added later, another tab\'s decision', async () => {
    await withBrowser(async (context) => {
      await returningVisitor(context, server);
      const opened = async (prepare) => {
        const page = await newPage(context);
        const paths = distRequests(page);
        await prepare?.(page);
        await page.goto(server.url + '/');
        await page.waitForFunction(() => window.__gaRuns === 1);
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(managerLoaded(paths), false, 'not before the page needs it');
        return { page, paths };
      };
      // On a page with neither statement nor declaration, the forms build: the newsletter forms alone.
      const formsLoaded = (paths) => paths.some((p) => p.startsWith('/dist/privacy-widget-forms'))
        && !paths.some((p) => p.startsWith('/dist/privacy-widget-extras'));
      const widgetForm = (page) => page.waitForFunction(() => document.querySelector('#newsletter-signup').shadowRoot?.querySelector('form'));

      // The footer's pre-rendered plain form works as it is: seeing it loads nothing, the
      // visitor's first move in it loads both modules, and the widget's form keeps the focus.
      const form = await opened();
      const below = await form.page.evaluate(() => document.querySelector('[data-pw-newsletter]').getBoundingClientRect().top - innerHeight);
      assert.ok(below > 400, `the form starts ${below} px below the viewport (the test needs it far)`);
      await form.page.locator('[data-pw-newsletter]').scrollIntoViewIfNeeded();
      await new Promise((r) => setTimeout(r, 700));
      assert.deepEqual([managerLoaded(form.paths), formsLoaded(form.paths)], [false, false], 'a form in view but untouched loads nothing');
      await form.page.locator('#newsletter-signup input[name=email]').click();
      await form.page.keyboard.type('ola@example.no');
      await widgetForm(form.page);
      assert.ok(managerLoaded(form.paths) && formsLoaded(form.paths), JSON.stringify(form.paths));
      const taken = await form.page.evaluate(() => {
        const root = document.querySelector('#newsletter-signup').shadowRoot;
        return [root.activeElement?.name, root.querySelector('input[name=email]').value];
      });
      assert.deepEqual(taken, ['email', 'ola@example.no'], 'the widget\'s form has what was typed, and the focus');
      await form.page.close();

      // A container with nothing pre-rendered has no form to work meanwhile: near the viewport it loads them.
      const empty = await opened((page) => page.route(server.url + '/', async (route) => {
        const response = await route.fetch();
        const body = (await response.text()).replace(/(data-pw-newsletter>)<!-- privacy-widget:newsletter -->[\s\S]*?<!-- \/privacy-widget:newsletter -->/, '$1');
        assert.match(body, /data-pw-newsletter><\/div>/, 'the demo page pre-renders its footer form');
        await route.fulfill({ response, body });
      }));
      await empty.page.locator('[data-pw-newsletter]').scrollIntoViewIfNeeded();
      await widgetForm(empty.page);
      assert.ok(managerLoaded(empty.paths) && formsLoaded(empty.paths), JSON.stringify(empty.paths));
      await empty.page.close();

      const api = await opened();
      assert.equal(await api.page.evaluate(() => window.PrivacyWidget.ready.then((pw) => pw.acceptedCategory('analytics'))), true);
      assert.ok(managerLoaded(api.paths));
      await api.page.close();

      const late = await opened();
      await late.page.evaluate(() => {
        const script = document.createElement('script');
        script.type = 'text/plain';
        script.dataset.category = 'analytics';
        // The demo requires Trusted Types: the shop's tag manager would have a policy like this.
        script.src = trustedTypes.createPolicy('tag-manager', { createScriptURL: (url) => url })
          .createScriptURL('/assets/analytics-demo.js');
        document.body.append(script);
      });
      await late.page.waitForFunction(() => window.__gaRuns === 2);
      assert.ok(managerLoaded(late.paths));
      await late.page.close();

      // Another tab withdrew; this page learns of it when it is focused again.
      const other = await opened();
      const withdrawn = (await consentCookie(context)).replace('necessary:1/analytics:1', 'necessary:1/analytics:0')
        .replace('google-analytics:1', 'google-analytics:0');
      const { hostname } = new URL(server.url);
      await context.addCookies([{ name: 'pw_consent', value: withdrawn, domain: hostname, path: '/' }]);
      await other.page.evaluate(() => window.dispatchEvent(new Event('focus')));
      await poll(() => managerLoaded(other.paths), Boolean, 'the consent manager for the changed decision');
      assert.equal(await other.page.evaluate(() => window.PrivacyWidget.ready.then((pw) => pw.acceptedCategory('analytics'))), false);
      expectNoPageErrors(other.page);
    });
  });

  test('a press on the banner is never lost to the consent manager\'s take-over, and focus from a pointer does not load it', async () => {
    await withBrowser(async (context) => {
      const page = await newPage(context);
      await page.goto(server.url + '/');
      const accept = page.locator('#privacy-widget .banner [data-action="accept-all"]');
      const box = await accept.boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      // The press focused the button; a pointer's focus is no reason to start the manager.
      assert.equal(await page.evaluate(() => document.getElementById('privacy-widget').shadowRoot.activeElement?.dataset.action), 'accept-all');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await page.evaluate(() => typeof window.PrivacyWidget.getConsent), 'undefined', 'not started at a pointer\'s focus');
      // Something else needs the manager (shop code asks for the API) while the press lasts.
      await page.evaluate(() => { void window.PrivacyWidget.ready; });
      await page.waitForFunction(() => typeof window.PrivacyWidget.getConsent === 'function');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await page.evaluate(() => document.getElementById('privacy-widget').hasAttribute('data-pw-pressed')), true,
        'the banner build\'s banner stays under the press');
      await page.mouse.up();
      const value = await poll(() => consentCookie(context), Boolean, 'the decision');
      assert.match(value, /\|a\|/);
      await page.waitForFunction(() => window.PrivacyWidget.getConsent()?.action === 'accept_all');
      await page.locator('#privacy-widget .banner').waitFor({ state: 'detached' });
      expectNoPageErrors(page);
    });
  });
});
