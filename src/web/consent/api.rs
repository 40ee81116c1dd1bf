//! `window.PrivacyWidget`, the DOM events and Google Consent Mode: how the shop's own code
//! learns about and reacts to the visitor's choices.

use crate::prelude::*;

use super::app::{self, with_app};
use crate::web::shared::dom;
use privacy_widget_core::config::ConsentSignal;
use privacy_widget_core::json::Json;
use privacy_widget_core::lang::Lang;
use privacy_widget_core::ui::Msg;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CustomEvent, CustomEventInit};

fn set(target: &JsValue, name: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(name), value);
}

fn to_js(value: &Json) -> JsValue {
    js_sys::JSON::parse(&value.to_json()).unwrap_or(JsValue::NULL)
}

/// The current decision as a plain JS object, or `null` before one.
fn consent_value() -> JsValue {
    with_app(|app| app.consent_json()).flatten().map_or(JsValue::NULL, |c| to_js(&c))
}

/// `window.PrivacyWidget`, created by the loader (which put `loadExtras` on it) or new.
fn api_object() -> JsValue {
    let window = dom::window();
    match js_sys::Reflect::get(&window, &JsValue::from_str("PrivacyWidget")) {
        Ok(existing) if existing.is_object() => existing,
        _ => {
            let api: JsValue = js_sys::Object::new().into();
            set(&window, "PrivacyWidget", &api);
            api
        }
    }
}

/// Installs the API on `window.PrivacyWidget`.
pub fn install() {
    let api = api_object();
    let show = Closure::<dyn Fn()>::new(|| app::show(false));
    set(&api, "show", &show.into_js_value());
    let prefs = Closure::<dyn Fn()>::new(|| app::show(true));
    set(&api, "showPreferences", &prefs.into_js_value());
    let statement = Closure::<dyn Fn(Option<String>)>::new(|section: Option<String>| {
        open_statement(section, false);
    });
    set(&api, "showStatement", &statement.into_js_value());
    let language =
        Closure::<dyn Fn() -> String>::new(|| with_app(|app| app.ui.lang.tag().to_string()).unwrap_or_default());
    set(&api, "language", &language.into_js_value());
    let set_language = Closure::<dyn Fn(String)>::new(|tag: String| {
        if let Some(lang) = Lang::from_tag(&tag) {
            app::dispatch(Msg::SetLanguage(lang));
        }
    });
    set(&api, "setLanguage", &set_language.into_js_value());
    let previous =
        Closure::<dyn Fn() -> Option<String>>::new(|| with_app(|app| app.ui.previous_revision.clone()).flatten());
    set(&api, "previousRevision", &previous.into_js_value());
    let get = Closure::<dyn Fn() -> JsValue>::new(consent_value);
    set(&api, "getConsent", &get.into_js_value());
    let category = Closure::<dyn Fn(String) -> bool>::new(|id: String| app::accepted(false, &id));
    set(&api, "acceptedCategory", &category.into_js_value());
    let service = Closure::<dyn Fn(String) -> bool>::new(|id: String| app::accepted(true, &id));
    set(&api, "acceptedService", &service.into_js_value());
    let on_change = Closure::<dyn Fn(js_sys::Function) -> JsValue>::new(subscribe);
    set(&api, "onChange", &on_change.into_js_value());
    let on_error = Closure::<dyn Fn(js_sys::Function) -> JsValue>::new(crate::web::shared::delivery::on_error);
    set(&api, "onError", &on_error.into_js_value());
    // Resolves the loader's `PrivacyWidget.ready`.
    dispatch("privacy-widget:ready", &consent_value());
}

/// Dispatches a `CustomEvent` on `window`.
fn dispatch(name: &str, detail: &JsValue) {
    let init = CustomEventInit::new();
    init.set_detail(detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = dom::window().dispatch_event(&event);
    }
}

/// The loader's `PrivacyWidget.loadExtras()`: imports the statement viewer and forms module
/// once; the promise settles when it has started.
fn load_extras() -> Option<js_sys::Promise> {
    let api = api_object();
    let loader = js_sys::Reflect::get(&api, &JsValue::from_str("loadExtras")).ok()?;
    loader.dyn_ref::<js_sys::Function>()?.call0(&api).ok()?.dyn_into().ok()
}

/// Starts loading the extras module (a page with a statement container or a form needs it).
pub fn preload_extras() {
    let _ = load_extras();
}

/// Opens the statement viewer, loading it first. False when the shop configured no viewer,
/// so a link can simply navigate to the statement page.
pub fn open_statement(section: Option<String>, changes: bool) -> bool {
    let configured = with_app(|app| app.config.statement.is_some()).unwrap_or(false);
    let Some(loading) = configured.then(load_extras).flatten() else { return false };
    dom::when_settled(&loading, move |module| {
        // `import()` fulfils with the module namespace, rejects with an Error.
        if module.is_instance_of::<js_sys::Error>() {
            dom::console_error("privacy-widget: could not load the statement viewer (privacy-widget-extras.js)");
            return;
        }
        let detail = js_sys::Object::new();
        set(&detail, "section", &section.map_or(JsValue::UNDEFINED, |s| JsValue::from_str(&s)));
        set(&detail, "changes", &JsValue::from_bool(changes));
        dispatch("privacy-widget:open-statement", &detail);
    });
    true
}

/// Adds a change subscriber; returns a function that removes it again.
fn subscribe(callback: js_sys::Function) -> JsValue {
    with_app(|app| app.subscribers.push(callback.clone()));
    let unsubscribe = Closure::<dyn Fn()>::new(move || {
        with_app(|app| app.subscribers.retain(|f| f != &callback));
    });
    unsubscribe.into_js_value()
}

/// Tells the shop: `privacy-widget:consent` after the first decision of a visit,
/// `privacy-widget:change` after every decision, and each `onChange` subscriber.
pub fn notify_change(first: bool) {
    let detail = consent_value();
    let names: &[&str] =
        if first { &["privacy-widget:consent", "privacy-widget:change"] } else { &["privacy-widget:change"] };
    for name in names {
        dispatch(name, &detail);
    }
    let subscribers = with_app(|app| app.subscribers.clone()).unwrap_or_default();
    for callback in subscribers {
        if let Err(e) = callback.call1(&JsValue::NULL, &detail) {
            web_sys::console::error_2(&JsValue::from_str("privacy-widget: an onChange callback threw"), &e);
        }
    }
}

/// `gtag('consent', 'update', {...})`; the loader defined `gtag` and sent the all-denied
/// defaults before any tag could run.
pub fn consent_mode_update(signals: &[(ConsentSignal, bool)]) {
    let window = dom::window();
    let Ok(gtag) = js_sys::Reflect::get(&window, &JsValue::from_str("gtag")) else { return };
    let Some(gtag) = gtag.dyn_ref::<js_sys::Function>() else { return };
    let update = js_sys::Object::new();
    for (signal, granted) in signals {
        set(&update, signal.name(), &JsValue::from_str(if *granted { "granted" } else { "denied" }));
    }
    let _ = gtag.call3(&JsValue::NULL, &JsValue::from_str("consent"), &JsValue::from_str("update"), &update);
}
