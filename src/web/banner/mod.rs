//! The banner build: what a first visit needs before the banner paints, and nothing else.
//! It reads the config's banner fields (`config::banner`), decides from the cookie whether a
//! banner is due, shows the core's banner tree, and records "accept all" or "reject all" at the
//! click: the cookie, and the decision as pending in the outbox's storage, so it is never lost.
//! Everything else (Consent Mode updates, the scripts a decision allows, delivery, the dialog,
//! the API) is the consent manager's, which this build loads when it is needed: at once when a
//! decision exists or is made, when the browser is idle after the banner paints, or at the first
//! click that needs it.

mod ops;

use crate::prelude::*;

use core::cell::OnceCell;
use privacy_widget_core::banner::{self, BannerState};
use privacy_widget_core::config::{banner as config_banner, Config, OutboxStorage, Theme};
use privacy_widget_core::consent::{Choices, ConsentRecord, Decision};
use privacy_widget_core::cookie::{self, PendingDecision, PENDING_DECISION_KEY};
use privacy_widget_core::lang::{Lang, LANG_COOKIE};
use privacy_widget_core::markup::{Element, Node};
use privacy_widget_core::wire::Action;
use wasm_bindgen::prelude::*;

const CSS: &str = include_str!("banner.css");

struct Banner {
    config: Config,
    lang: Lang,
    gpc: bool,
    container: u32,
}

crate::page_state! {
    /// Set once when the banner shows, only read after that: a `OnceCell` has no borrow that
    /// could fail, so no panic message (and none of `core::fmt`) is linked for it.
    static BANNER: OnceCell<Banner> = const { OnceCell::new() };
}

pub fn start() {
    let Some(config) = config_banner::read(&ops::config()) else {
        // A fetched config, none, or one this reader cannot use: the consent manager reads it
        // and names every mistake.
        ops::load_consent("");
        return;
    };
    let hints = ops::hints();
    let mut lines = hints.split('\n');
    let gpc = lines.next() == Some("1");
    let html_lang = lines.next().filter(|l| !l.is_empty());
    let browser: Vec<String> = lines.map(String::from).collect();
    let jar = ops::cookies();
    let visitor_lang = cookie::find(&jar, LANG_COOKIE).and_then(Lang::from_tag);
    let lang = Lang::choose(visitor_lang, config.language, html_lang, &browser);
    let stored = cookie::find(&jar, &config.cookie.name).and_then(|value| cookie::decode(value, &config).ok());
    if stored.as_ref().is_some_and(|record| record.is_current(&config)) || has_pending(&config) {
        // A decision holds: its scripts and Consent Mode are the consent manager's to start.
        ops::load_consent("");
        return;
    }
    let state = BannerState { lang, gpc, revision_changed: BannerState::revision_changed(&config, stored.is_some()) };
    let theme = match config.theme {
        Theme::Auto => "",
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    let container = ops::mount(CSS, theme, lang.tag());
    build(container, &banner::banner(&config, state));
    BANNER.with(|b| b.set(Banner { config, lang, gpc, container }).ok());
    ops::load_consent_when_idle();
}

/// A button of the banner was pressed (the delegated listener in `entry-banner.js`).
#[wasm_bindgen(js_name = bannerAction)]
pub fn banner_action(action: &str) {
    let (pressed, all) = match action {
        "accept-all" => (Action::AcceptAll, true),
        "reject-all" => (Action::RejectAll, false),
        // The dialog and the statement's "what changed" are the consent manager's.
        other => {
            ops::load_consent(other);
            return;
        }
    };
    let mut random_id = [0u8; 16];
    ops::random(&mut random_id);
    let Some(pending) = BANNER.with(|b| {
        let b = b.get()?;
        let choices = if all { Choices::all(&b.config) } else { Choices::none(&b.config) };
        let at = Decision { now_ms: ops::now() as u64, random_id, gpc: b.gpc };
        let record = ConsentRecord::decided(&b.config, None, pressed, choices, at);
        let value = cookie::encode(&record);
        // Pending first: a cookie without it would be a decision the backend never hears of.
        let pending = PendingDecision::encode(b.lang, &value);
        ops::store(b.config.outbox_storage == OutboxStorage::Local, PENDING_DECISION_KEY, &pending);
        ops::set_cookie(&cookie::set_cookie_string(&b.config.cookie, &value, ops::https()));
        ops::clear(b.container);
        Some(pending)
    }) else {
        return;
    };
    // Handed over as well: where storage is refused, the consent manager still delivers it.
    let mut intent = String::from("decided\n");
    intent.push_str(&pending);
    ops::load_consent(&intent);
}

/// A decision recorded here earlier that the consent manager has not taken over yet.
fn has_pending(config: &Config) -> bool {
    !ops::stored(config.outbox_storage == OutboxStorage::Local, PENDING_DECISION_KEY).is_empty()
}

/// The tree as elements under `parent`, through `ops::el`.
fn build(parent: u32, tree: &Element) {
    let mut attrs = String::new();
    for (name, value) in &tree.attrs {
        for part in [name, value.as_str()] {
            if !attrs.is_empty() {
                attrs.push('\u{1}');
            }
            attrs.push_str(part);
        }
    }
    let text = match tree.children.as_slice() {
        [Node::Text(text)] => text.as_str(),
        _ => "",
    };
    let element = ops::el(parent, tree.tag, &attrs, text);
    if text.is_empty() {
        for child in &tree.children {
            match child {
                Node::Element(e) => build(element, e),
                Node::Text(text) => {
                    ops::el(element, "", "", text);
                }
            }
        }
    }
}
