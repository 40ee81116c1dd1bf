//! SPIKE (branch `lean`, issue #15): the banner path as its own build, talking to the browser
//! through a handful of coarse operations (`ops`) defined in `entry-banner.js`, to measure what
//! the core's config parse + decision + banner cost without web-sys.

use crate::prelude::*;
use core::cell::RefCell;
use privacy_widget_core::config::Config;
use privacy_widget_core::cookie;

use privacy_widget_core::lang::{Lang, LANG_COOKIE};
use privacy_widget_core::consent::{Choices, ConsentRecord};
use privacy_widget_core::wire::{new_consent_id, Action};
use wasm_bindgen::prelude::*;

mod lean;
mod texts;
use texts::TextKey;

mod ops {
    use super::*;
    #[wasm_bindgen(js_namespace = __pw)]
    extern "C" {
        pub fn config_text() -> String;
        pub fn cookies() -> String;
        pub fn set_cookie(assignment: &str);
        /// `<html lang>` then the browser's languages, `\n`-separated; first line "1" when GPC is on.
        pub fn hints() -> String;
        /// The shadow root's container, cleared; handle 0.
        pub fn mount(css: &str) -> u32;
        /// A child of `parent` with attributes (`name\u{1}value\u{1}…`) and text.
        pub fn el(parent: u32, tag: &str, attrs: &str, text: &str) -> u32;
        pub fn clear(handle: u32);
        pub fn store(key: &str, value: &str);
        pub fn now() -> f64;
        pub fn random(out: &mut [u8]);
        pub fn gtag_update(signals: &str);
        pub fn activate(categories: &str);
        pub fn load_full(reason: &str);
        pub fn error(message: &str);
    }
}

const CSS: &str = include_str!("banner.css");

struct Banner {
    config: Config,
    lang: Lang,
    gpc: bool,
    stored: bool,
    container: u32,
}

crate::page_state! {
    static BANNER: RefCell<Option<Banner>> = const { RefCell::new(None) };
}

pub fn start() {
    let text = ops::config_text();
    let config = match lean::read(&text) {
        Some(c) => c,
        None => {
            // The full module prints every field-named error.
            ops::load_full("config");
            return;
        }
    };
    let hints = ops::hints();
    let mut lines = hints.split('\n');
    let gpc = lines.next() == Some("1");
    let html_lang = lines.next().filter(|l| !l.is_empty());
    let browser: Vec<String> = lines.map(String::from).collect();
    let jar = ops::cookies();
    let visitor_lang = cookie::find(&jar, LANG_COOKIE).and_then(Lang::from_tag);
    let lang = Lang::choose(visitor_lang, config.language, html_lang, &browser);
    let stored = cookie::find(&jar, &config.cookie.name);
    let valid = stored.and_then(|v| cookie::decode(v, &config).ok()).filter(|r| r.revision == config.revision);
    let container = ops::mount(CSS);
    let b = Banner { config, lang, gpc, stored: valid.is_some(), container };
    render(&b);
    BANNER.with(|cell| *cell.borrow_mut() = Some(b));
}

#[wasm_bindgen]
pub fn pw_action(action: &str) {
    let (pressed, all) = match action {
        "accept-all" => (Action::AcceptAll, true),
        "reject-all" => (Action::RejectAll, false),
        _ => {
            ops::load_full(action);
            return;
        }
    };
    let mut random_id = [0u8; 16];
    ops::random(&mut random_id);
    BANNER.with(|b| {
        let b = b.borrow();
        let Some(b) = b.as_ref() else { return };
        let choices = if all { Choices::all(&b.config) } else { Choices::none(&b.config) };
        let record = ConsentRecord {
            consent_id: new_consent_id(random_id),
            seq: 1,
            revision: b.config.revision.clone(),
            action: pressed,
            choices,
            decided_at_ms: ops::now() as u64,
            gpc: b.gpc,
        };
        let value = cookie::encode(&record);
        ops::set_cookie(&cookie::set_cookie_string(&b.config.cookie, &value, true));
        ops::store("pw_pending", &value);
        let mut s = String::new();
        for c in &b.config.categories {
            if record.choices.category(&c.id) {
                s.push_str(&c.id);
                s.push(',');
            }
        }
        ops::activate(&s);
        ops::clear(b.container);
        ops::load_full("deliver");
    });
}

fn render(b: &Banner) {
    ops::clear(b.container);
    if b.stored {
        return;
    }
    let t = |key| texts::get(b.lang, key);
    let section = ops::el(b.container, "section", "class\u{1}banner\u{1}aria-labelledby\u{1}pw-banner-title", "");
    ops::el(section, "h2", "class\u{1}title\u{1}id\u{1}pw-banner-title", t(TextKey::BannerTitle));
    ops::el(section, "p", "class\u{1}text", t(TextKey::BannerText));
    if b.gpc {
        ops::el(section, "p", "class\u{1}notice", t(TextKey::GpcNotice));
    }
    let row = ops::el(section, "div", "class\u{1}actions", "");
    for (action, key) in [("accept-all", TextKey::AcceptAll), ("reject-all", TextKey::RejectAll), ("settings", TextKey::Settings)] {
        let mut attrs = String::from("class\u{1}btn\u{1}type\u{1}button\u{1}data-action\u{1}");
        attrs.push_str(action);
        ops::el(row, "button", &attrs, t(key));
    }
    if let Some(url) = &b.config.privacy_policy_url {
        let mut attrs = String::from("class\u{1}link\u{1}data-action\u{1}statement\u{1}href\u{1}");
        attrs.push_str(url);
        ops::el(section, "a", &attrs, t(TextKey::PrivacyStatement));
    }
}
