//! `window.PrivacyWidget`, the DOM events and Google Consent Mode: how the shop's own code
//! learns about and reacts to the visitor's choices. Below `app`: what the API needs of the
//! running widget comes in through the `Widget` trait, which `app` implements.

use crate::prelude::*;

use crate::page_state::RefCellExt;
use crate::web::shared::delivery::{self, Endpoint, ReportKind};
use crate::web::shared::dom;
use core::cell::RefCell;
use privacy_widget_core::config::ConsentSignal;
use privacy_widget_core::json::{self, Json};
use privacy_widget_core::lang::Lang;
use privacy_widget_core::ui::Msg;
use wasm_bindgen::prelude::*;

/// What the API asks of the running widget. Each answers as "no consent" when the widget did
/// not start (no config, or an invalid one: fail closed).
pub trait Widget {
    /// Sends a message through the core and executes what it decides.
    fn dispatch(msg: Msg);
    /// The current decision as the JSON the API hands out, or `None` before one.
    fn consent() -> Option<Json>;
    fn language() -> Option<Lang>;
    /// The revision of an earlier consent that no longer counts.
    fn previous_revision() -> Option<String>;
    /// Whether the visitor's choices in force allow this service (or category).
    fn accepted(service: bool, id: &str) -> bool;
    /// Whether the shop configured the statement viewer.
    fn has_statement() -> bool;
}

/// Announced on `window` when `setLanguage` changes the language; `detail` is the tag.
const LANGUAGE_EVENT: &str = "privacy-widget:language";

crate::page_state! {
    /// `PrivacyWidget.onChange` subscribers.
    static SUBSCRIBERS: RefCell<Vec<js_sys::Function>> = const { RefCell::new(Vec::new()) };
}

/// The current decision as a plain JS object, or `null` before one.
fn consent_value<W: Widget>() -> JsValue {
    W::consent().map_or(JsValue::NULL, |c| dom::parse_json(&c.to_json()))
}

/// `window.PrivacyWidget`, created by the loader (which put `loadExtras` on it) or new.
fn api_object() -> JsValue {
    let window = dom::window();
    let existing = dom::get(&window, "PrivacyWidget");
    if existing.is_object() {
        return existing;
    }
    let api: JsValue = js_sys::Object::new().into();
    dom::set_prop(&window, "PrivacyWidget", &api);
    api
}

/// Installs the API on `window.PrivacyWidget`.
pub fn install<W: Widget + 'static>() {
    let api = api_object();
    let show = Closure::<dyn Fn()>::new(|| W::dispatch(Msg::ShowBanner));
    dom::set_prop(&api, "show", &show.into_js_value());
    let prefs = Closure::<dyn Fn()>::new(|| W::dispatch(Msg::OpenPreferences));
    dom::set_prop(&api, "showPreferences", &prefs.into_js_value());
    let statement = Closure::<dyn Fn(Option<String>)>::new(|section: Option<String>| {
        open_statement(W::has_statement(), section, false);
    });
    dom::set_prop(&api, "showStatement", &statement.into_js_value());
    let language =
        Closure::<dyn Fn() -> String>::new(|| W::language().map(|l| l.tag().to_string()).unwrap_or_default());
    dom::set_prop(&api, "language", &language.into_js_value());
    let set_language = Closure::<dyn Fn(String)>::new(|tag: String| {
        let Some(lang) = Lang::from_tag(&tag) else { return };
        let changed = W::language() != Some(lang);
        W::dispatch(Msg::SetLanguage(lang));
        // The extras module (statement, cookie declaration, forms) follows; only on a change, so
        // its own switches, which call this too, end here.
        if changed {
            dom::emit(LANGUAGE_EVENT, &JsValue::from_str(lang.tag()));
        }
    });
    dom::set_prop(&api, "setLanguage", &set_language.into_js_value());
    let previous = Closure::<dyn Fn() -> Option<String>>::new(W::previous_revision);
    dom::set_prop(&api, "previousRevision", &previous.into_js_value());
    let get = Closure::<dyn Fn() -> JsValue>::new(consent_value::<W>);
    dom::set_prop(&api, "getConsent", &get.into_js_value());
    let category = Closure::<dyn Fn(String) -> bool>::new(|id: String| W::accepted(false, &id));
    dom::set_prop(&api, "acceptedCategory", &category.into_js_value());
    let service = Closure::<dyn Fn(String) -> bool>::new(|id: String| W::accepted(true, &id));
    dom::set_prop(&api, "acceptedService", &service.into_js_value());
    let on_change = Closure::<dyn Fn(js_sys::Function) -> JsValue>::new(subscribe);
    dom::set_prop(&api, "onChange", &on_change.into_js_value());
    let on_error = Closure::<dyn Fn(js_sys::Function) -> JsValue>::new(delivery::on_error);
    dom::set_prop(&api, "onError", &on_error.into_js_value());
    install_forms_bridge(&api);
    // Resolves the loader's `PrivacyWidget.ready`.
    dom::emit("privacy-widget:ready", &consent_value::<W>());
}

/// The extras module's forms hand their events to this module's delivery driver, so a page has
/// one outbox (`web::extras::consent_bridge`): `_send(endpoint, body)` queues a JSON body for an
/// endpoint by name and returns its idempotency key ("" when it was not queued);
/// `_onDelivery(callback)` calls `callback(key, kind, status, body, delayMs)` for every report,
/// `kind` being "delivered", "retrying" or "dropped". Not part of the documented API.
fn install_forms_bridge(api: &JsValue) {
    let send = Closure::<dyn Fn(String, String) -> String>::new(|endpoint: String, body: String| {
        let queued = Endpoint::from_name(&endpoint)
            .zip(json::parse(&body).ok())
            .and_then(|(endpoint, body)| delivery::send(endpoint, body, None).ok());
        queued.map(|key| String::from(key.as_str())).unwrap_or_default()
    });
    dom::set_prop(api, "_send", &send.into_js_value());
    let on_delivery = Closure::<dyn Fn(js_sys::Function)>::new(|callback: js_sys::Function| {
        delivery::subscribe(move |report| {
            let (kind, status, body, delay_ms) = match &report.kind {
                ReportKind::Delivered { status, body } => ("delivered", JsValue::from(*status), body.as_str(), 0),
                ReportKind::Retrying { status, delay_ms } => {
                    ("retrying", status.map_or(JsValue::NULL, JsValue::from), "", *delay_ms)
                }
                ReportKind::Rejected { status, .. } => ("dropped", JsValue::from(*status), "", 0),
                ReportKind::GaveUp => ("dropped", JsValue::NULL, "", 0),
            };
            let (key, kind, body, delay_ms) = (
                JsValue::from_str(report.key.as_str()),
                JsValue::from_str(kind),
                JsValue::from_str(body),
                JsValue::from(delay_ms as f64),
            );
            if let Some(Err(e)) = dom::call(&callback, &JsValue::NULL, &[&key, &kind, &status, &body, &delay_ms]) {
                dom::console_error_with("privacy-widget: the forms' delivery report threw", &e);
            }
        });
    });
    dom::set_prop(api, "_onDelivery", &on_delivery.into_js_value());
}

/// The loader's `PrivacyWidget.loadExtras()`: imports the statement viewer and forms module
/// once; the promise settles when it has started.
fn load_extras() -> Option<js_sys::Promise> {
    dom::call_method(&api_object(), "loadExtras", &[]).dyn_into().ok()
}

/// Starts loading the extras module (a page with a statement container or a declaration needs it).
pub fn preload_extras() {
    load_extras();
}

/// Starts loading a smaller build of the extras family (`forms`: the newsletter forms alone;
/// `declaration`: the cookie declaration alone), unless the extras build, which has both, is
/// loaded already: the loader's `loadPart`, not part of the API.
pub fn load_part(name: &str) {
    dom::call_method(&dom::get(&dom::window(), "__privacyWidgetBanner"), "loadPart", &[&JsValue::from_str(name)]);
}

/// Opens the statement viewer, loading it first. False when the shop configured no viewer
/// (`configured`), so a link can simply navigate to the statement page.
pub fn open_statement(configured: bool, section: Option<String>, changes: bool) -> bool {
    let Some(loading) = configured.then(load_extras).flatten() else { return false };
    dom::when_settled(&loading, move |module| {
        // `import()` fulfils with the module namespace, rejects with an Error.
        if module.is_instance_of::<js_sys::Error>() {
            dom::console_error("privacy-widget: could not load the statement viewer (privacy-widget-extras.js)");
            return;
        }
        let detail: JsValue = js_sys::Object::new().into();
        dom::set_prop(&detail, "section", &section.map_or(JsValue::UNDEFINED, |s| JsValue::from_str(&s)));
        dom::set_prop(&detail, "changes", &JsValue::from_bool(changes));
        dom::emit("privacy-widget:open-statement", &detail);
    });
    true
}

/// Adds a change subscriber; returns a function that removes it again.
fn subscribe(callback: js_sys::Function) -> JsValue {
    SUBSCRIBERS.with(|s| s.write().push(callback.clone()));
    let unsubscribe = Closure::<dyn Fn()>::new(move || {
        SUBSCRIBERS.with(|s| s.write().retain(|f| f != &callback));
    });
    unsubscribe.into_js_value()
}

/// Tells the shop: `privacy-widget:consent` after the first decision of a visit,
/// `privacy-widget:change` after every decision, and each `onChange` subscriber.
pub fn notify_change<W: Widget>(first: bool) {
    let detail = consent_value::<W>();
    let names: &[&str] =
        if first { &["privacy-widget:consent", "privacy-widget:change"] } else { &["privacy-widget:change"] };
    for name in names {
        dom::emit(name, &detail);
    }
    // A copy: a subscriber may subscribe or unsubscribe while it runs.
    let subscribers = SUBSCRIBERS.with(|s| s.read().clone());
    for callback in subscribers {
        if let Some(Err(e)) = dom::call(&callback, &JsValue::NULL, &[&detail]) {
            dom::console_error_with("privacy-widget: an onChange callback threw", &e);
        }
    }
}

/// `gtag('consent', 'update', {...})`; the loader defined `gtag` and sent the all-denied
/// defaults before any tag could run.
pub fn consent_mode_update(signals: &[(ConsentSignal, bool)]) {
    let update: JsValue = js_sys::Object::new().into();
    for (signal, granted) in signals {
        dom::set_prop(&update, signal.name(), &JsValue::from_str(if *granted { "granted" } else { "denied" }));
    }
    dom::call_method(&dom::window(), "gtag", &[&JsValue::from_str("consent"), &JsValue::from_str("update"), &update]);
}
