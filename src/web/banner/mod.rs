//! The banner build: what a page needs before the consent manager, and nothing else. It reads
//! the config's banner fields (`config::banner`) and the cookie, then either
//! - puts a returning visitor's decision in force: Consent Mode's update, the blocked scripts it
//!   allows, and the floating button that reopens the preferences; or
//! - shows the core's banner tree, and at "accept all" or "reject all" records the decision (the
//!   cookie, and the decision as pending in the outbox's storage, so it is never lost), puts it in
//!   force, tells the shop's code and delivers its event (`deliver`).
//!
//! Everything else (the dialog, retries, placeholders, the API, the statement and the forms) is
//! the consent manager's, which this build loads when it is needed: at a click that needs it, a
//! delivery that failed, when keyboard focus moves while the banner asks, and otherwise only for
//! what the page asks of it (`load_consent_when_needed`). Its files are fetched ahead when a
//! pointer comes onto a banner button that needs it; not started then: the manager's take-over of
//! the banner between a button's press and its release would lose that click. A first decision
//! thus costs this build's bytes alone.
//!
//! Separators go into strings as one-character strs: `String::push(char)` would bring a UTF-8
//! encoder into this build, which needs none.
#![allow(clippy::single_char_add_str)]

mod ops;

use crate::prelude::*;

use core::cell::{Cell, OnceCell};
use privacy_widget_core::banner::{self, BannerState};
use privacy_widget_core::blocking::{self, BLOCKED_FRAMES, BLOCKED_SCRIPTS};
use privacy_widget_core::config::{banner as config_banner, Config, OutboxStorage, Theme};
use privacy_widget_core::consent::{Choices, ConsentRecord, Decision, EventContext};
use privacy_widget_core::cookie::{self, PendingDecision, PENDING_DECISION_KEY};
use privacy_widget_core::declaration;
use privacy_widget_core::i18n::BannerText;
use privacy_widget_core::json::{self, Json};
use privacy_widget_core::lang::{Lang, LANG_COOKIE};
use privacy_widget_core::markup::{Element, Node};
use privacy_widget_core::newsletter;
use privacy_widget_core::outbox::{IdempotencyKey, CONSENT_OUTBOX_KEY, REQUEST_TIMEOUT_MS};
use privacy_widget_core::separated;
use privacy_widget_core::ui;
use privacy_widget_core::wire::{self, Action};
use wasm_bindgen::prelude::*;

/// The widget's host is `position: fixed` (`:host`), out of the page's flow, so putting it first
/// in the body does not lay the shop's page out again (the layout after the start: 19 instead of
/// 30 ms at CPU ×4, bench/README.md); its `z-index` keeps everything in it above the page. The
/// banner and the button repeat their `position: fixed; z-index`, which brotli stores as one
/// back-reference: 15 B less than without.
const CSS: &str = include_str!("banner.css");

struct Page {
    config: Config,
    lang: Lang,
    gpc: bool,
    /// The banner's container while the banner asks; `None` on a returning visitor's page.
    banner: Option<u32>,
    /// The consent cookie as this page last saw or wrote it: another tab deciding changes it.
    seen: Cell<Option<String>>,
}

crate::page_state! {
    /// Set once at the start, only read after that: a `OnceCell` has no borrow that could fail,
    /// so no panic message (and none of `core::fmt`) is linked for it.
    static PAGE: OnceCell<Page> = const { OnceCell::new() };
}

pub fn start() {
    // Before anything that may end the start early: a page whose config this build cannot read
    // (or whose stored events the consent manager delivers) has its forms all the same.
    ops::load_consent_for_forms(newsletter::CONTAINERS.as_bytes());
    let Some(config) = json::from_tokens(&ops::config()).and_then(|root| config_banner::read(&root)) else {
        // A fetched config, none, or one this reader cannot use: the consent manager reads it
        // and names every mistake.
        ops::load_consent(b"");
        return;
    };
    let hints = ops::hints();
    let mut lines = separated::split(&hints, b'\n');
    let gpc = lines.next() == Some("1");
    let html_lang = lines.next().filter(|l| !l.is_empty());
    let jar = ops::cookies();
    let visitor_lang = cookie::find(&jar, LANG_COOKIE).and_then(Lang::from_tag);
    let lang = Lang::choose(visitor_lang, config.language, html_lang, lines);
    let seen = cookie::find(&jar, &config.cookie.name).map(String::from);
    let stored = seen.as_deref().and_then(|value| cookie::decode(value, &config).ok());
    let theme = match config.theme {
        Theme::Auto => "",
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    let banner = match stored {
        Some(record) if record.is_current(&config) => {
            apply(&config, &record.choices);
            if config.floating_button {
                if let Some(container) = ops::mount(CSS, theme, lang.tag()) {
                    build(container, &banner::reopen_button(&config, lang));
                }
            }
            None
        }
        // A decision recorded here while the cookie was refused: the consent manager delivers it.
        _ if has(&config, PENDING_DECISION_KEY) => {
            ops::load_consent(b"");
            return;
        }
        stored => {
            let revision_changed = BannerState::revision_changed(&config, stored.is_some());
            let Some(container) = ops::mount(CSS, theme, lang.tag()) else { return };
            build(container, &banner::banner(&config, BannerState { lang, gpc, revision_changed }));
            ops::prepare_consent();
            Some(container)
        }
    };
    load_consent_when_needed(&config);
    PAGE.with(|p| p.set(Page { config, lang, gpc, banner, seen: Cell::new(seen) }).ok());
}

/// A returning visitor's decision in force, as the consent manager would put it at its start:
/// Consent Mode's update, then the blocked scripts the choices allow, in document order.
fn apply(config: &Config, choices: &Choices) {
    let mut update = String::new();
    for (signal, granted) in choices.consent_mode(config) {
        if !update.is_empty() {
            update.push_str(",");
        }
        update.push_str(signal.name());
        update.push_str(if granted { ":granted" } else { ":denied" });
    }
    ops::consent_mode(update.as_bytes());
    for index in 0..ops::blocked(BLOCKED_SCRIPTS.as_bytes()) {
        let (service, category) = (ops::blocked_attr(index, "data-service"), ops::blocked_attr(index, "data-category"));
        if blocking::allows(choices, service.as_deref(), category.as_deref()) {
            ops::start_script(index);
        }
    }
}

/// Without a visitor's move, a page loads the consent manager only for what is its alone:
/// events earlier pages left undelivered, placeholders for blocked embeds, the
/// statement or a cookie declaration (the extras module it starts), blocked scripts or embeds the
/// page adds later, and a decision made in another tab. A click that needs it, keyboard focus
/// while the banner asks, the visitor's first move in a newsletter form (or a form still to
/// render coming near the viewport: `ops::load_consent_for_forms`) and the API
/// (`PrivacyWidget.ready`) load it too (`entry-banner.js`).
fn load_consent_when_needed(config: &Config) {
    // A decision an earlier page recorded and did not see delivered (it closed first): delivered
    // from here, the consent manager only when that fails.
    // One this config cannot read (another config's ids, a tampered value) is dropped, as the
    // consent manager drops it: the cookie alone still holds.
    if let Some(pending) = stored(config, PENDING_DECISION_KEY) {
        match PendingDecision::decode(&pending, config) {
            Some(decision) => deliver(config, &decision, &pending, &event_body(config, &decision)),
            None => forget_pending(config),
        }
    }
    let container = config.statement.as_ref().and_then(|s| s.container.as_deref()).unwrap_or("");
    if has(config, CONSENT_OUTBOX_KEY)
        || ops::found(container.as_bytes(), BLOCKED_FRAMES.as_bytes())
        || ops::found(b"", declaration::CONTAINERS.as_bytes())
    {
        ops::load_consent(b"");
        return;
    }
    ops::watch_page(blocking::BLOCKED.as_bytes());
}

/// The page came back into view or focus (`ops::watch_page`): when another tab changed the
/// decision meanwhile, the consent manager puts the new one in force.
#[wasm_bindgen(js_name = bannerResync)]
pub fn banner_resync() {
    let changed = PAGE.with(|p| {
        p.get().is_some_and(|p| {
            let seen = p.seen.take();
            let changed = cookie::find(&ops::cookies(), &p.config.cookie.name) != seen.as_deref();
            p.seen.set(seen);
            changed
        })
    });
    if changed {
        ops::load_consent(b"");
    }
}

/// A button of the banner was pressed (the delegated listener in `entry-banner.js`); `action` is
/// the length of its `data-action`, taken like every text from the page (`ops::text`).
#[wasm_bindgen(js_name = bannerAction)]
pub fn banner_action(action: u32) {
    let action = ops::text(action);
    let (pressed, all) = match action.as_str() {
        "accept-all" => (Action::AcceptAll, true),
        "reject-all" => (Action::RejectAll, false),
        // The dialog and the statement's "what changed" are the consent manager's.
        other => {
            ops::load_consent(other.as_bytes());
            return;
        }
    };
    let mut random_id = [0u8; 16];
    ops::random(&mut random_id);
    PAGE.with(|b| {
        let Some((b, container)) = b.get().and_then(|b| Some((b, b.banner?))) else { return };
        let config = &b.config;
        let choices = if all { Choices::all(config) } else { Choices::none(config) };
        let at = Decision { now_ms: ops::now() as u64, random_id, gpc: b.gpc };
        let record = ConsentRecord::decided(config, None, pressed, choices, at);
        let value = cookie::encode(&record);
        // Pending first: a cookie without it would be a decision the backend never hears of.
        let pending = PendingDecision::encode(b.lang, &value);
        ops::store(config.outbox_storage == OutboxStorage::Local, PENDING_DECISION_KEY.as_bytes(), pending.as_bytes());
        ops::set_cookie(cookie::set_cookie_string(&config.cookie, &value, ops::https()).as_bytes());
        ops::clear(container);
        // A consent manager on its way would otherwise show its banner again.
        let mut decided = String::from("decided\n");
        decided.push_str(&value);
        ops::tell_consent(decided.as_bytes());
        b.seen.set(Some(value));
        ops::finish_decision(pending.as_bytes());
    });
}

/// The rest of a decision at the banner, once the banner's removal is painted
/// (`ops::finish_decision`): put in force, the floating button, the event delivered, the shop's
/// code and screen readers told. Its first run compiles this code (V8 compiles wasm lazily), which
/// at the click would keep the banner on screen for tens of milliseconds more on a slow phone.
#[wasm_bindgen(js_name = bannerDecided)]
pub fn banner_decided(pending: u32) {
    let pending = ops::text(pending);
    PAGE.with(|b| {
        let Some(b) = b.get() else { return };
        let config = &b.config;
        let Some(decision) = PendingDecision::decode(&pending, config) else { return };
        apply(config, &decision.record.choices);
        if let Some(container) = b.banner.filter(|_| config.floating_button) {
            build(container, &banner::reopen_button(config, b.lang));
        }
        let body = event_body(config, &decision);
        deliver(config, &decision, &pending, &body);
        let detail = ui::receipt(config, body).to_json();
        ops::decided(detail.as_bytes(), config.text(decision.lang, BannerText::Saved).as_bytes());
    });
}

/// The event the consent manager would queue for a decision recorded at a banner.
fn event_body(config: &Config, decision: &PendingDecision) -> Json {
    let texts_hash = ui::texts_hash(config, decision.lang);
    decision.record.event_body(&EventContext { language: decision.lang, texts_hash: &texts_hash })
}

/// Posts a decision recorded at a banner (`pending`: `PendingDecision`'s text, `decision` read
/// from it, `body` its `event_body`) to the consent endpoint as the consent manager would queue
/// it: the same event body and idempotency key, so a second delivery of it is recognised as the
/// same event. With `keepalive`,
/// so it goes out even when the page closes at once. Delivered, the stored copy goes
/// (`banner_delivered`); refused or failed, the consent manager takes it over and retries (the
/// intent `deliver`).
fn deliver(config: &Config, decision: &PendingDecision, pending: &str, body: &Json) {
    let Some(url) = &config.endpoints.consent else {
        // Nowhere to post it: done, as for the consent manager.
        forget_pending(config);
        return;
    };
    let key = IdempotencyKey::for_decision(&decision.record.consent_id, decision.record.seq);
    let mut headers = String::from("Content-Type\u{1}application/json\u{1}");
    headers.push_str(wire::IDEMPOTENCY_KEY_HEADER);
    headers.push_str("\u{1}");
    headers.push_str(key.as_str());
    let mut intent = String::from("deliver\n");
    intent.push_str(pending);
    ops::deliver(
        url.as_bytes(),
        headers.as_bytes(),
        wire::CSRF_HEADER.as_bytes(),
        wire::CSRF_META.as_bytes(),
        body.to_json().as_bytes(),
        REQUEST_TIMEOUT_MS as u32,
        intent.as_bytes(),
    );
}

/// The backend confirmed a decision `deliver` posted (`entry-banner.js`).
#[wasm_bindgen(js_name = bannerDelivered)]
pub fn banner_delivered() {
    PAGE.with(|p| p.get().map(|p| forget_pending(&p.config)));
}

fn forget_pending(config: &Config) {
    ops::store(config.outbox_storage == OutboxStorage::Local, PENDING_DECISION_KEY.as_bytes(), b"");
}

/// What the outbox's storage holds under `key`: a decision recorded here earlier, or events, that
/// have not been delivered yet.
fn stored(config: &Config, key: &str) -> Option<String> {
    ops::stored(config.outbox_storage == OutboxStorage::Local, key.as_bytes())
}

fn has(config: &Config, key: &str) -> bool {
    ops::holds(config.outbox_storage == OutboxStorage::Local, key.as_bytes())
}

/// The tree as elements under `parent`, through `ops::el`.
fn build(parent: u32, tree: &Element) {
    let mut attrs = String::new();
    for (name, value) in &tree.attrs {
        for part in [name, value.as_str()] {
            if !attrs.is_empty() {
                attrs.push_str("\u{1}");
            }
            attrs.push_str(part);
        }
    }
    let text = match tree.children.as_slice() {
        [Node::Text(text)] => text.as_str(),
        _ => "",
    };
    let element = ops::el(parent, tree.tag.as_bytes(), attrs.as_bytes(), text.as_bytes());
    if text.is_empty() {
        for child in &tree.children {
            match child {
                Node::Element(e) => build(element, e),
                Node::Text(text) => {
                    ops::el(element, b"", b"", text.as_bytes());
                }
            }
        }
    }
}
