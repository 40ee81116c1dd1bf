//! The banner build's only way to the browser: a few coarse operations, defined in
//! `entry-banner.js` on `window.__privacyWidgetBanner`. Each stands for several DOM calls, so the
//! build carries a dozen small imports instead of one per web-sys method (about 45 B of glue and
//! a wasm shim each). Elements are numbered handles; text goes in as `textContent`, attributes
//! one by one: no markup string ever reaches the page. The wasm calls the operations themselves,
//! without wasm-bindgen's JS wrapper around each (`scripts/trim-glue.mjs` replaces them, and
//! fails the build on a wrapper that converts more than this): so their arguments stay slices
//! (pointer and length), integers and bools, which cross as they are.
//!
//! Text goes to the page as UTF-8 bytes, which `entry-banner.js` decodes itself, and comes back
//! from the page in two calls: the operation returns its UTF-8 length and keeps
//! the bytes, and `take` copies them into a buffer of that length. A `String` return would go
//! through wasm-bindgen's `Box<[u8]>` conversion, whose never-taken shrink path, panic message
//! and realloc export cost more than the copy (bench/README.md). What may be absent (a handle, an
//! attribute's length) comes back as an `i32`, -1 for none: an `Option<u32>` would cross as an
//! `f64`, converted on each side. Neither direction uses `TextDecoder` or `TextEncoder`, whose
//! first use installs their bindings: 2.4 KB of JS heap on the bench page, for the few hundred
//! bytes of text that cross here.

use crate::prelude::*;
use alloc::vec;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_namespace = __privacyWidgetBanner)]
extern "C" {
    /// The inline config as the browser's `JSON.parse` read it, in `json::from_tokens`' form;
    /// empty when the config is fetched (`data-src`), absent, not JSON or not in that form.
    #[wasm_bindgen(js_name = config)]
    fn config_text() -> u32;
    /// `document.cookie`.
    #[wasm_bindgen(js_name = cookies)]
    fn cookies_text() -> u32;
    /// Sets one cookie (`document.cookie = assignment`).
    #[wasm_bindgen(js_name = setCookie)]
    pub fn set_cookie(assignment: &[u8]);
    /// Lines: "1" when the browser sends Global Privacy Control (else empty), `<html lang>`,
    /// then `navigator.languages`.
    #[wasm_bindgen(js_name = hints)]
    fn hints_text() -> u32;
    /// Whether the page was served over HTTPS (the cookie gets `Secure`).
    pub fn https() -> bool;
    /// The value session (`local` false) or local storage holds under `key` (kept for `take`
    /// only when `value`; else its length is 0); -1 for none or when storage is unavailable.
    #[wasm_bindgen(js_name = stored)]
    fn stored_text(local: bool, key: &[u8], value: bool) -> i32;
    /// Stores (or, with an empty value, removes) a value; false when storage refused it.
    pub fn store(local: bool, key: &[u8], value: &[u8]) -> bool;
    /// Puts the widget's host first in the body, with an open shadow root styled by `css`
    /// (a constructable stylesheet) and `theme` as its `data-theme` (none when empty); returns
    /// the handle of the container the views go into (`div.pw`, in language `lang`); -1 when
    /// the consent manager's host is there already.
    #[wasm_bindgen(js_name = mount)]
    fn mount_handle(css: &[u8], theme: &[u8], lang: &[u8]) -> i32;
    /// A new element under `parent`: attributes as `name\u{1}value` pairs separated by `\u{1}`,
    /// then `text` as its `textContent` (none when empty). With no tag, a text node.
    pub fn el(parent: u32, tag: &[u8], attrs: &[u8], text: &[u8]) -> u32;
    /// Removes everything inside `handle`.
    pub fn clear(handle: u32);
    /// Milliseconds since the epoch.
    pub fn now() -> f64;
    /// Fills `bytes` from `crypto.getRandomValues`.
    pub fn random(bytes: &mut [u8]);
    /// Loads the consent manager (once) and hands it `intent`: what the visitor asked for that
    /// the banner build leaves to it ("" when it is only the rest arriving).
    #[wasm_bindgen(js_name = loadConsent)]
    pub fn load_consent(intent: &[u8]);
    /// Hands `intent` to the consent manager if it is loaded or on its way; nothing otherwise.
    #[wasm_bindgen(js_name = tellConsent)]
    pub fn tell_consent(intent: &[u8]);
    /// While the banner asks: fetches the consent manager's files, without starting it, when a
    /// pointer or keyboard focus comes onto a banner button that needs it, so its click finds
    /// them there.
    #[wasm_bindgen(js_name = prepareConsent)]
    pub fn prepare_consent();
    /// POSTs `body` (JSON) to `url` with `keepalive` and same-origin credentials: the headers as
    /// `name\u{1}value` pairs separated by `\u{1}`, plus `csrf_header` with the `content` of the
    /// page's `<meta name="{csrf_meta}">` when it has a non-empty one; aborted after `timeout_ms`.
    /// A 2xx answer calls `bannerDelivered`; any other answer or a failure loads the consent
    /// manager with `intent`.
    pub fn deliver(
        url: &[u8],
        headers: &[u8],
        csrf_header: &[u8],
        csrf_meta: &[u8],
        body: &[u8],
        timeout_ms: u32,
        intent: &[u8],
    );
    /// Calls `bannerDecided` with `pending` once the next frame is painted, at the latest after
    /// 200 ms (a hidden tab paints no frames) or when the page goes away.
    #[wasm_bindgen(js_name = finishDecision)]
    pub fn finish_decision(pending: &[u8]);
    /// A decision made at the banner: `privacy-widget:consent` and `privacy-widget:change` on
    /// `window` with `detail` (JSON) as their detail, and `saved` announced to screen readers.
    pub fn decided(detail: &[u8], saved: &[u8]);
    /// Loads the consent manager with the intent "forms" (it loads the forms' module) at the
    /// visitor's first move in an element matching `selector`, and when one without a `form`
    /// inside (nothing pre-rendered) comes near the viewport.
    #[wasm_bindgen(js_name = loadConsentForForms)]
    pub fn load_consent_for_forms(selector: &[u8]);
    /// Until the consent manager loads: loads it when an element matching `selector` is added
    /// to the page, and calls `bannerResync` when the page comes back into view or focus.
    #[wasm_bindgen(js_name = watchPage)]
    pub fn watch_page(selector: &[u8]);
    /// Whether the page has an element with this id (none when empty) or matching `selector`.
    pub fn found(id: &[u8], selector: &[u8]) -> bool;
    /// `gtag('consent', 'update', …)` from `signal:granted` / `signal:denied` pairs joined by `,`.
    #[wasm_bindgen(js_name = consentMode)]
    pub fn consent_mode(update: &[u8]);
    /// Collects the elements matching `selector`, in document order, for `blocked_attr` and
    /// `start_script`; returns how many there are.
    pub fn blocked(selector: &[u8]) -> u32;
    /// An attribute of the collected element `index`; -1 when it has none.
    #[wasm_bindgen(js_name = blockedAttr)]
    fn blocked_attr_text(index: u32, name: &[u8]) -> i32;
    /// Starts the collected blocked script `index`: a clone with its real type (`data-type`, else
    /// none) replaces it, keeping the shop's order and exactly what the shop wrote.
    #[wasm_bindgen(js_name = startScript)]
    pub fn start_script(index: u32);
    /// Copies the text the last text-returning operation kept, as UTF-8, into `bytes` (as long
    /// as that operation said).
    fn take(bytes: &mut [u8]);
}

// The operations above that hand back text or an absent value, in Rust's types.

/// `mount`'s container; `None` when the consent manager's host is there already.
pub fn mount(css: &str, theme: &str, lang: &str) -> Option<u32> {
    u32::try_from(mount_handle(css.as_bytes(), theme.as_bytes(), lang.as_bytes())).ok()
}

pub fn config() -> String {
    text(config_text())
}

pub fn cookies() -> String {
    text(cookies_text())
}

pub fn hints() -> String {
    text(hints_text())
}

pub fn stored(local: bool, key: &[u8]) -> Option<String> {
    u32::try_from(stored_text(local, key, true)).ok().map(text)
}

/// Whether storage holds `key`, without copying the value (the outbox's may be long).
pub fn holds(local: bool, key: &[u8]) -> bool {
    stored_text(local, key, false) >= 0
}

pub fn blocked_attr(index: u32, name: &str) -> Option<String> {
    u32::try_from(blocked_attr_text(index, name.as_bytes())).ok().map(text)
}

/// The text of `len` bytes the page kept for this build (see the module's comment).
pub fn text(len: u32) -> String {
    let mut bytes = vec![0; len as usize];
    take(&mut bytes);
    // SAFETY: `take` copies what `keep` in entry-banner.js encoded with `encodeURIComponent`,
    // UTF-8 by definition (a lone surrogate is made U+FFFD first), and throws rather than copy
    // more than fits; the rest stays zeros, UTF-8 too. The trust wasm-bindgen's own `String`
    // return places in its glue, without `from_utf8`'s validation (356 B brotli).
    unsafe { String::from_utf8_unchecked(bytes) }
}
