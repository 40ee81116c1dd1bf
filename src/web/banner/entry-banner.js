// Appended to the banner build's wasm-bindgen glue by scripts/build.sh, so the one script tag
// sets the Google Consent Mode v2 defaults, gives the banner build its browser operations,
// knows where the other modules are, and starts the banner build.
// The defaults deny everything and run at module evaluation, before the widget can activate
// any tag; the consent manager sends the matching `update` when a decision exists or is made.
window.dataLayer = window.dataLayer || [];
if (typeof window.gtag !== "function") {
  // gtag.js reads the `arguments` object itself, so this must be a real function, not an array.
  window.gtag = function gtag() { window.dataLayer.push(arguments); };
}
window.gtag("consent", "default", {
  ad_storage: "denied", analytics_storage: "denied", ad_user_data: "denied", ad_personalization: "denied",
  functionality_storage: "denied", personalization_storage: "denied", security_storage: "granted",
  wait_for_update: 500,
});
// A block, so the names cannot clash with the glue's top-level ones.
{
  // The consent manager, the statement viewer with the declaration and the forms, the
  // declaration alone and the forms alone are modules of their own, imported from beside this
  // file when needed. Each import settles once its module started.
  // Resolved by `import.meta.resolve`, not `new URL(…, import.meta.url)`: the first use of the
  // URL interface installs its bindings (7.5 KB of JS heap measured alone, 4 KB on the bench page).
  const consentUrl = import.meta.resolve("./privacy-widget-consent.js");
  const extrasUrl = import.meta.resolve("./privacy-widget-extras.js");
  let consent;
  let extras;
  const parts = {};
  const loadConsent = (intent) => {
    consent ||= import(consentUrl);
    consent.then((manager) => intent && manager.takeIntent(intent), (error) => console.error(error));
  };
  // The widget extends this object with the rest of its API once the consent manager has read
  // its config; `ready` resolves (with the object) then. Reading `ready` is shop code needing the
  // API, so it loads the consent manager (a returning visitor's page otherwise may never need it).
  const ready = new Promise((resolve) => {
    window.addEventListener("privacy-widget:ready", () => resolve(window.PrivacyWidget), { once: true });
  });
  window.PrivacyWidget = {
    loadExtras: () => (extras ||= import(extrasUrl)),
    get ready() {
      loadConsent("");
      return ready;
    },
  };
  // The shop's own "privacy settings" links (`data-pw-open`) before the consent manager listens
  // for them itself (it says so with `privacy-widget:ready`).
  const opener = (event) => {
    const link = event.target instanceof Element && event.target.closest("[data-pw-open]");
    if (!link) return;
    event.preventDefault();
    loadConsent(link.getAttribute("data-pw-open") === "banner" ? "banner" : "preferences");
  };
  document.addEventListener("click", opener);
  window.addEventListener("privacy-widget:ready", () => document.removeEventListener("click", opener), { once: true });

  // Keyboard focus on the page stays visible above the banner, whichever build shows it (WCAG
  // 2.2, 2.4.11 Focus Not Obscured): the banner does not block the page, so a keyboard user may
  // tab past it into the shop, and the browser would scroll a focused link into the strip the
  // banner covers. When focus enters the page while the banner is shown, the page's root gets a
  // `scroll-padding-bottom` as tall as that strip, which the browser honours when it then scrolls
  // the focused element into view, and a `margin-bottom` as tall, so the page can scroll its
  // last links (a footer) above the banner too. The margin moves no element of the page; it is
  // added only to a page that scrolls already, since a scrollbar appearing would narrow and
  // reflow the page. The preferences dialog needs none of this: it is modal, the page behind it
  // inert. Only on focus, not when the banner appears: changing the root's style lays the whole
  // page out again, a long task at start-up on a slow phone, which visitors who never tab into
  // the page do not need. Measured at each move: the banner grows and shrinks with the window.
  // A rule of layout, not of consent, so it lives here once and neither wasm build carries it.
  {
    const properties = ["scroll-padding-bottom", "margin-bottom"];
    const shownBanner = () => document.getElementById("privacy-widget")?.shadowRoot?.querySelector(".banner");
    // The page's own inline values while ours are set, given back once no banner is shown (a
    // decision, the dialog in its place); the watch follows the consent manager's host too,
    // which takes the banner build's place. Made at the first room, not at start-up: most
    // visitors never tab into the page.
    let pageValues;
    let watch;
    const giveBackWhenGone = () => {
      const banner = shownBanner();
      if (banner) return watch.observe(banner.getRootNode(), { childList: true, subtree: true });
      watch.disconnect();
      const style = document.documentElement.style;
      properties.forEach((property, i) => (pageValues[i] ? style.setProperty(property, pageValues[i]) : style.removeProperty(property)));
      pageValues = undefined;
    };
    document.addEventListener("focusin", (event) => {
      const banner = shownBanner();
      // Focus inside the widget reaches the document as focus on its host.
      if (!banner || event.target === banner.getRootNode().host) return;
      const root = document.documentElement;
      if (!pageValues) {
        pageValues = properties.map((property) => root.style.getPropertyValue(property));
        watch ||= new MutationObserver(giveBackWhenGone);
        watch.observe(document.body, { childList: true });
        watch.observe(banner.getRootNode(), { childList: true, subtree: true });
      }
      // From the banner's top edge (layout, not the entrance animation's transform) down to the
      // bottom of the viewport: the banner plus the gap below it.
      const covered = `${Math.max(0, innerHeight - banner.offsetTop)}px`;
      const scrolls = root.scrollHeight > innerHeight;
      for (const property of scrolls ? properties : properties.slice(0, 1)) root.style.setProperty(property, covered);
    }, true);
  }

  // The banner build's operations (src/web/banner/ops.rs): each does several DOM calls, so the
  // build needs a dozen imports. Elements are numbered; text only ever goes in as textContent.
  // The wasm calls them directly, without wasm-bindgen's wrappers (scripts/trim-glue.mjs), so
  // they take its own arguments: a slice as pointer and length (`text`, `bytes`), a bool as 0
  // or 1.
  const nodes = [];
  let blocked = [];
  let live;
  // Text for the banner build goes as its UTF-8 length; the build then takes the bytes (`take`),
  // which spares it wasm-bindgen's string return. Text from it comes as UTF-8 bytes. Both are
  // coded by the URI functions, which the engine has built in, not by TextEncoder and
  // TextDecoder, whose first use installs their bindings: 2.4 KB of JS heap (ops.rs). `escape`
  // and `unescape` turn between a string of byte values and `%XX` escapes, which the URI
  // functions read and write as UTF-8; a lone surrogate becomes U+FFFD, as TextEncoder has it.
  let kept;
  const keep = (value) =>
    (kept = [...unescape(encodeURIComponent(value.replace(/\p{Cs}/gu, "\ufffd")))].map((char) => char.charCodeAt(0))).length;
  // The glue's view of the wasm's memory.
  const bytes = getArrayU8FromWasm0;
  const text = (ptr, len) => decodeURIComponent(escape(String.fromCharCode(...bytes(ptr, len))));
  // Name-value pairs from the banner build, `name\u0001value` joined by `\u0001`.
  const pairs = (ptr, len) => {
    const parts = len ? text(ptr, len).split("\u0001") : [];
    const out = [];
    for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i], parts[i + 1]]);
    return out;
  };
  const storage = (local) => {
    try { return local ? localStorage : sessionStorage; } catch { return null; }
  };
  window.__privacyWidgetBanner = {
    // Not an operation of the banner build: the consent manager's way to the smaller builds of
    // the extras family ("declaration", "forms"; a page may need both), for a page without the
    // statement; not beside the extras build, which has everything they have.
    loadPart: (name) => extras || (parts[name] ||= import(import.meta.resolve(`./privacy-widget-${name}.js`))),
    config() {
      const element = document.getElementById("privacy-widget-config");
      if (!element || element.hasAttribute("data-src")) return keep("");
      // The browser's JSON.parse reads the text, so the banner build carries no parser: it gets
      // the value as NUL-separated tokens (json::from_tokens). What the tokens cannot carry (a
      // NUL in a key or string, a number that is not a safe integer) gives "", as does text
      // that is not JSON: the consent manager then reads the config and names the mistake.
      const tokens = [];
      const put = (value) => {
        if (Array.isArray(value)) {
          tokens.push("[");
          value.forEach(put);
          tokens.push("]");
        } else if (value && typeof value === "object") {
          tokens.push("{");
          for (const key of Object.keys(value)) tokens.push(":" + key), put(value[key]);
          tokens.push("}");
        } else if (typeof value === "string") tokens.push('"' + value);
        else if (Number.isSafeInteger(value)) tokens.push("#" + value);
        else if (typeof value === "boolean" || value === null) tokens.push(String(value)[0]);
        else throw value;
      };
      try {
        put(JSON.parse(element.textContent));
      } catch {
        return keep("");
      }
      const joined = tokens.join("\0");
      return keep(joined.split("\0").length === tokens.length ? joined : "");
    },
    cookies: () => keep(document.cookie),
    setCookie(ptr, len) { document.cookie = text(ptr, len); },
    hints: () => keep([navigator.globalPrivacyControl ? "1" : "", document.documentElement.lang, ...navigator.languages].join("\n")),
    https: () => location.protocol === "https:",
    stored(local, keyPtr, keyLen, wanted) {
      let value;
      try { value = storage(local)?.getItem(text(keyPtr, keyLen)); } catch {}
      return !value ? -1 : wanted ? keep(value) : 0;
    },
    store(local, keyPtr, keyLen, valuePtr, valueLen) {
      const key = text(keyPtr, keyLen);
      try {
        if (valueLen) storage(local).setItem(key, text(valuePtr, valueLen)); else storage(local).removeItem(key);
        return true;
      } catch { return false; }
    },
    mount(cssPtr, cssLen, themePtr, themeLen, langPtr, langLen) {
      const theme = text(themePtr, themeLen);
      // The consent manager got here first (a returning visitor's early start): the banner is its.
      if (document.getElementById("privacy-widget")) return -1;
      const host = document.createElement("div");
      host.id = "privacy-widget";
      if (theme) host.setAttribute("data-theme", theme);
      const root = host.attachShadow({ mode: "open" });
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text(cssPtr, cssLen));
      root.adoptedStyleSheets = [sheet];
      const container = document.createElement("div");
      container.className = "pw";
      container.lang = text(langPtr, langLen);
      live = document.createElement("div");
      live.className = "sr-only";
      live.setAttribute("aria-live", "polite");
      live.setAttribute("role", "status");
      root.append(container, live);
      // While a pointer presses inside, the consent manager waits with its take-over (the press's
      // release and click would land on another element, and the click would be lost). The mark
      // is the press's time, so a release the page never hears of holds nothing up for long.
      root.addEventListener("pointerdown", () => host.setAttribute("data-pw-pressed", Date.now()));
      for (const type of ["pointerup", "pointercancel"]) {
        window.addEventListener(type, () => setTimeout(() => host.removeAttribute("data-pw-pressed")), true);
      }
      root.addEventListener("click", (event) => {
        const button = event.target.closest("button[data-action]");
        if (button) bannerAction(keep(button.getAttribute("data-action")));
      });
      // First in the body, so keyboard and screen-reader users meet the banner before the page.
      document.body.prepend(host);
      return nodes.push(container) - 1;
    },
    el(parent, tagPtr, tagLen, attrsPtr, attrsLen, textPtr, textLen) {
      const content = text(textPtr, textLen);
      if (!tagLen) {
        nodes[parent].append(content);
        return parent;
      }
      const element = document.createElement(text(tagPtr, tagLen));
      for (const [name, value] of pairs(attrsPtr, attrsLen)) element.setAttribute(name, value);
      if (content) element.textContent = content;
      nodes[parent].append(element);
      return nodes.push(element) - 1;
    },
    clear(handle) { nodes[handle].textContent = ""; },
    now: () => Date.now(),
    random(ptr, len) { crypto.getRandomValues(bytes(ptr, len)); },
    take(ptr, len) { bytes(ptr, len).set(kept); },
    loadConsent: (ptr, len) => loadConsent(text(ptr, len)),
    tellConsent(ptr, len) {
      if (consent) loadConsent(text(ptr, len));
    },
    prepareConsent() {
      // A pointer (or keyboard focus) on a banner button that needs the consent manager (not
      // "accept all" or "reject all", which this build decides itself): its files, neither
      // compiled nor run, so the click finds them there. With `fetch`, which the page already
      // uses for the banner's wasm, not `<link rel=preload>`: the first link element a script
      // makes installs its bindings (7.8 KB of JS heap, measured on the bench page). The wasm's response is handed to the consent
      // module (`entry-module.js`), so it arrives once whatever the server's caching; the script
      // is read from the HTTP cache where the server lets it be cached.
      const root = document.getElementById("privacy-widget").shadowRoot;
      // Keyboard focus coming onto such a button counts as a pointer coming near.
      const moves = ["pointerover", "pointerdown", "focusin"];
      const near = (event) => {
        if (!event.target.closest?.("[data-action]:not([data-action$=-all])")) return;
        for (const type of moves) root.removeEventListener(type, near);
        fetch(consentUrl).catch(() => {});
        const url = consentUrl.replace(/\.js$/, "_bg.wasm");
        const response = fetch(url);
        // A failure nobody awaits (the manager never needed) is not an unhandled rejection.
        response.catch(() => {});
        window.__privacyWidgetBanner.preloaded = { url, response };
      };
      for (const type of moves) root.addEventListener(type, near);
    },
    deliver(urlPtr, urlLen, headersPtr, headersLen, csrfPtr, csrfLen, metaPtr, metaLen, bodyPtr, bodyLen, timeoutMs, intentPtr, intentLen) {
      const intent = text(intentPtr, intentLen);
      const headers = Object.fromEntries(pairs(headersPtr, headersLen));
      const csrf = document.querySelector(`meta[name="${text(metaPtr, metaLen)}"]`)?.content;
      if (csrf) headers[text(csrfPtr, csrfLen)] = csrf;
      fetch(text(urlPtr, urlLen), {
        method: "POST", headers, body: text(bodyPtr, bodyLen), credentials: "same-origin", keepalive: true,
        signal: AbortSignal.timeout(timeoutMs),
      }).then((response) => (response.ok ? bannerDelivered() : loadConsent(intent)), () => loadConsent(intent));
    },
    finishDecision(ptr, len) {
      const pending = text(ptr, len);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        bannerDecided(keep(pending));
      };
      requestAnimationFrame(() => setTimeout(finish));
      setTimeout(finish, 200);
      window.addEventListener("pagehide", finish, { once: true });
    },
    decided(detailPtr, detailLen, savedPtr, savedLen) {
      const detail = JSON.parse(text(detailPtr, detailLen));
      for (const type of ["privacy-widget:consent", "privacy-widget:change"]) {
        window.dispatchEvent(new CustomEvent(type, { detail }));
      }
      live.textContent = text(savedPtr, savedLen);
    },
    loadConsentForForms(ptr, len) {
      // The newsletter forms are the extras module's, which the consent manager loads for the
      // intent "forms". The page's own plain form (pre-rendered for visitors without script)
      // works as it is, and the widget's takes what was typed and the focus over from it: so it
      // comes at the visitor's first move in the form, and a page view that never touches the
      // form (a footer's, on most pages) loads neither module for it. A container with nothing
      // pre-rendered gets its form when it comes near the viewport. Listened for on the
      // document, so a container the page adds later counts too.
      const selector = text(ptr, len);
      const moves = ["focusin", "pointerdown"];
      const move = (event) => {
        if (!event.target.closest?.(selector)) return;
        for (const type of moves) document.removeEventListener(type, move, true);
        loadConsent("forms");
      };
      for (const type of moves) document.addEventListener(type, move, true);
      const empty = [...document.querySelectorAll(selector)].filter((target) => !target.querySelector("form"));
      if (!empty.length) return;
      const observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          observer.disconnect();
          loadConsent("forms");
        }
      }, { rootMargin: "400px" });
      empty.forEach((target) => observer.observe(target));
    },
    watchPage(ptr, len) {
      const selector = text(ptr, len);
      const observer = new MutationObserver((records) => {
        const added = records.some((record) => [...record.addedNodes].some((node) =>
          node instanceof Element && (node.matches(selector) || node.querySelector(selector))));
        if (added) loadConsent("");
        if (consent) observer.disconnect();
      });
      observer.observe(document, { childList: true, subtree: true });
      const resync = () => consent || document.hidden || bannerResync();
      for (const [target, type] of [[window, "pageshow"], [window, "focus"], [document, "visibilitychange"]]) {
        target.addEventListener(type, resync);
      }
    },
    found: (idPtr, idLen, selectorPtr, selectorLen) =>
      !!((idLen && document.getElementById(text(idPtr, idLen))) || document.querySelector(text(selectorPtr, selectorLen))),
    consentMode(ptr, len) {
      window.gtag("consent", "update", Object.fromEntries(text(ptr, len).split(",").map((pair) => pair.split(":"))));
    },
    blocked(ptr, len) {
      blocked = [...document.querySelectorAll(text(ptr, len))];
      return blocked.length;
    },
    blockedAttr(index, namePtr, nameLen) {
      const value = blocked[index].getAttribute(text(namePtr, nameLen));
      return value === null ? -1 : keep(value);
    },
    startScript(index) {
      // A script parsed as text/plain never ran, so a clone with the real type runs when
      // inserted; cloning keeps src, inline text and nonce as the shop wrote them (no Trusted
      // Types policy needed). Not async: the shop's order holds. Fetched with high priority unless
      // the shop chose one, as the parser fetches a script in the head (an inserted one would
      // otherwise wait behind the page's images; bench/README.md).
      const script = blocked[index];
      const clone = script.cloneNode(true);
      const type = script.getAttribute("data-type");
      if (type) clone.type = type; else clone.removeAttribute("type");
      clone.setAttribute("data-pw-started", "");
      clone.async = false;
      if (!clone.hasAttribute("fetchpriority")) clone.fetchPriority = "high";
      script.replaceWith(clone);
    },
  };

  // With the script tag's `async`, the module runs as soon as it is downloaded, so the wasm's
  // download and compile overlap the page's parsing; the start waits only until the page's
  // elements are all there (the blocked scripts, the body the banner goes in). Without `async`
  // the module runs just before DOMContentLoaded and nothing waits. The wasm is compiled from the
  // finished download: WebAssembly.instantiate(bytes) decodes on a worker thread, while a stream
  // that arrives in one piece (preloaded, cached) is decoded on the main thread. Streaming was
  // measured (bench/README.md): a returning visitor's script 10–40 ms earlier at CPU x1, but a
  // long task more at x4 and 8 KB more heap. All in one function, so the download is not kept
  // once the module has started.
  (async () => {
    const url = import.meta.resolve("./privacy-widget_bg.wasm");
    const parsed = document.readyState === "loading"
      && new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
    const response = await fetch(url);
    if (!response.ok) throw new Error(`privacy-widget: could not load ${url} (HTTP ${response.status})`);
    const { instance, module } = await WebAssembly.instantiate(await response.arrayBuffer(), __wbg_get_imports());
    await parsed;
    __wbg_finalize_init(instance, module); // privacy-widget: start the banner
  })();
}
