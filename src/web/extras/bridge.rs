//! The extras build's link to the consent manager: everything it needs from it goes through
//! the public `window.PrivacyWidget` API and its DOM events, so the two modules share no
//! memory and the banner's module never carries the statement viewer or the forms.

use crate::prelude::*;

use super::{newsletter, statement};
use crate::web::shared::delivery;
use crate::web::shared::dom;
use core::cell::RefCell;
use privacy_widget_core::config::Config;
use privacy_widget_core::lang::Lang;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CustomEvent, Element, Event};

/// The consent module asks the viewer to open with this event (after loading this module).
const OPEN_STATEMENT_EVENT: &str = "privacy-widget:open-statement";

crate::page_state! {
    /// An open request that arrived before the config was read (it may come from a URL).
    static PENDING_OPEN: RefCell<Option<(Option<String>, bool)>> = const { RefCell::new(None) };
    static STARTED: RefCell<bool> = const { RefCell::new(false) };
}

/// Listens before anything else, so no open request can be missed while the config loads.
pub fn listen() {
    let window = dom::window();
    dom::listen(&window, OPEN_STATEMENT_EVENT, |event: Event| {
        let detail = event.unchecked_into::<CustomEvent>().detail();
        let section = js_sys::Reflect::get(&detail, &JsValue::from_str("section")).ok().and_then(|v| v.as_string());
        let changes =
            js_sys::Reflect::get(&detail, &JsValue::from_str("changes")).map(|v| v.is_truthy()).unwrap_or(false);
        if STARTED.with(|s| *s.borrow()) {
            statement::open(section, changes);
        } else {
            PENDING_OPEN.with(|p| *p.borrow_mut() = Some((section, changes)));
        }
    });
    dom::listen(&window, "privacy-widget:change", |_| statement::refresh());
}

/// Starts the viewer and the forms. An invalid config was already reported by the consent
/// module, which then never loads this one; so here it is only skipped.
pub fn start(config_text: &str) {
    let Ok(config) = Config::parse(config_text) else { return };
    let lang = language();
    delivery::start(&config);
    statement::start(&config, lang, previous_revision());
    newsletter::start(&config, lang);
    STARTED.with(|s| *s.borrow_mut() = true);
    if let Some((section, changes)) = PENDING_OPEN.with(|p| p.borrow_mut().take()) {
        statement::open(section, changes);
    }
}

fn api() -> JsValue {
    js_sys::Reflect::get(&dom::window(), &JsValue::from_str("PrivacyWidget")).unwrap_or(JsValue::UNDEFINED)
}

/// Calls `PrivacyWidget[name](arg?)`; undefined when the consent module is not there.
fn call(name: &str, arg: Option<&JsValue>) -> JsValue {
    let api = api();
    let Ok(f) = js_sys::Reflect::get(&api, &JsValue::from_str(name)) else { return JsValue::UNDEFINED };
    let Some(f) = f.dyn_ref::<js_sys::Function>() else { return JsValue::UNDEFINED };
    match arg {
        Some(a) => f.call1(&api, a),
        None => f.call0(&api),
    }
    .unwrap_or(JsValue::UNDEFINED)
}

/// The visitor's interface language, as the consent manager chose it.
pub fn language() -> Lang {
    call("language", None).as_string().as_deref().and_then(Lang::from_tag).unwrap_or(Lang::Nb)
}

/// The visitor switched language in the viewer: the banner and preferences follow.
pub fn set_language(lang: Lang) {
    call("setLanguage", Some(&JsValue::from_str(lang.tag())));
}

/// The revision of an earlier consent that no longer counts, for "what changed".
pub fn previous_revision() -> Option<String> {
    call("previousRevision", None).as_string()
}

pub fn consent_id() -> Option<String> {
    let consent = call("getConsent", None);
    js_sys::Reflect::get(&consent, &JsValue::from_str("consent_id")).ok()?.as_string()
}

/// Every category's title and whether the visitor accepts it now.
pub fn choices_summary(config: &Config, lang: Lang) -> Vec<(String, bool)> {
    config
        .categories
        .iter()
        .map(|c| {
            (config.category_title(c, lang), call("acceptedCategory", Some(&JsValue::from_str(&c.id))).is_truthy())
        })
        .collect()
}

pub fn show_preferences() {
    call("showPreferences", None);
}

/// The focused element, looking into open shadow roots (the banner's link lives in one).
pub fn focused_element() -> Option<Element> {
    let mut element = dom::document().active_element()?;
    while let Some(inner) = element.shadow_root().and_then(|root| root.active_element()) {
        element = inner;
    }
    Some(element)
}
