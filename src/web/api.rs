//! `window.PrivacyWidget`, the DOM events and Google Consent Mode: how the shop's own code
//! learns about and reacts to the visitor's choices.

use super::app::{self, with_app};
use super::dom;
use privacy_widget_core::config::ConsentSignal;
use privacy_widget_core::json::Json;
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

/// Installs `window.PrivacyWidget`.
pub fn install() {
    let api = js_sys::Object::new();
    let show = Closure::<dyn Fn()>::new(|| app::show(false));
    set(&api, "show", &show.into_js_value());
    let prefs = Closure::<dyn Fn()>::new(|| app::show(true));
    set(&api, "showPreferences", &prefs.into_js_value());
    let statement = Closure::<dyn Fn(Option<String>)>::new(|section: Option<String>| {
        super::statement::open(section, false);
    });
    set(&api, "showStatement", &statement.into_js_value());
    let get = Closure::<dyn Fn() -> JsValue>::new(consent_value);
    set(&api, "getConsent", &get.into_js_value());
    let category = Closure::<dyn Fn(String) -> bool>::new(|id: String| app::accepted(false, &id));
    set(&api, "acceptedCategory", &category.into_js_value());
    let service = Closure::<dyn Fn(String) -> bool>::new(|id: String| app::accepted(true, &id));
    set(&api, "acceptedService", &service.into_js_value());
    let on_change = Closure::<dyn Fn(js_sys::Function) -> JsValue>::new(subscribe);
    set(&api, "onChange", &on_change.into_js_value());
    let on_error = Closure::<dyn Fn(js_sys::Function) -> JsValue>::new(super::delivery::on_error);
    set(&api, "onError", &on_error.into_js_value());
    set(&dom::window(), "PrivacyWidget", &api);
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
    let window = dom::window();
    let names: &[&str] = if first { &["privacy-widget:consent", "privacy-widget:change"] } else { &["privacy-widget:change"] };
    for name in names {
        let init = CustomEventInit::new();
        init.set_detail(&detail);
        if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = window.dispatch_event(&event);
        }
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
