//! The extras and forms builds' link to the consent manager: everything the renderers need from
//! it goes through the public `window.PrivacyWidget` API, so the modules share no memory and the
//! banner's module never carries the statement viewer or the forms.

use crate::prelude::*;

use crate::web::shared::dom;
use privacy_widget_core::config::Config;
use privacy_widget_core::form::{Delivery, SubmissionMsg};
use privacy_widget_core::json::Json;
use privacy_widget_core::lang::{Lang, LANG_COOKIE};
use privacy_widget_core::outbox::{Endpoint, IdempotencyKey};
use wasm_bindgen::prelude::*;

/// Calls `PrivacyWidget[name](arg?)`; undefined when the consent module is not there.
fn call(name: &str, arg: Option<&JsValue>) -> JsValue {
    let api = dom::get(&dom::window(), "PrivacyWidget");
    match arg {
        Some(a) => dom::call_method(&api, name, &[a]),
        None => dom::call_method(&api, name, &[]),
    }
}

/// The visitor's interface language, as the consent manager chose it.
pub fn language() -> Lang {
    call("language", None).as_string().as_deref().and_then(Lang::from_tag).unwrap_or(Lang::Nb)
}

/// The visitor switched language here (the viewer, the declaration): kept in the language
/// cookie for the next pages, and the banner and preferences follow.
pub fn remember_language(lang: Lang) {
    let mut assignment = String::from(LANG_COOKIE);
    assignment.push('=');
    assignment.push_str(lang.tag());
    assignment.push_str("; Path=/; SameSite=Lax");
    if dom::is_https() {
        assignment.push_str("; Secure");
    }
    dom::set_cookie(&assignment);
    call("setLanguage", Some(&JsValue::from_str(lang.tag())));
}

/// The revision of an earlier consent that no longer counts, for "what changed".
pub fn previous_revision() -> Option<String> {
    call("previousRevision", None).as_string()
}

pub fn consent_id() -> Option<String> {
    dom::get(&call("getConsent", None), "consent_id").as_string()
}

/// Every category's title and whether the visitor accepts it now.
pub fn choices_summary(config: &Config, lang: Lang) -> Vec<(String, bool)> {
    config.categories.iter().map(|c| (config.category_title(c, lang), accepted_category(&c.id))).collect()
}

/// Whether the visitor allows this category now.
pub fn accepted_category(id: &str) -> bool {
    call("acceptedCategory", Some(&JsValue::from_str(id))).is_truthy()
}

pub fn show_preferences() {
    call("showPreferences", None);
}

/// Opens the statement viewer at `section` (`PrivacyWidget.showStatement`): the consent manager
/// loads the extras build for it where this is the forms build, and opens the viewer either way.
pub fn show_statement(section: &str) {
    call("showStatement", Some(&JsValue::from_str(section)));
}

/// Queues a form's event with the consent manager's delivery driver, the page's one outbox
/// (`PrivacyWidget._send`); the key the reports about it carry, or `None` when it was refused.
pub fn send(endpoint: Endpoint, body: &Json) -> Option<IdempotencyKey> {
    let (endpoint, body) = (JsValue::from_str(endpoint.name()), JsValue::from_str(&body.to_json()));
    let api = dom::get(&dom::window(), "PrivacyWidget");
    dom::call_method(&api, "_send", &[&endpoint, &body]).as_string().as_deref().and_then(IdempotencyKey::new)
}

/// Calls `on_report` with every delivery report of the page (`PrivacyWidget._onDelivery`), as
/// the message a form's submission machine takes: it picks out the one about its own request.
pub fn on_delivery(on_report: impl Fn(SubmissionMsg) + 'static) {
    let callback = Closure::<dyn Fn(String, String, JsValue, String, f64)>::new(
        move |key: String, kind: String, status: JsValue, body: String, delay_ms: f64| {
            let Some(key) = IdempotencyKey::new(&key) else { return };
            let delivery = match kind.as_str() {
                "delivered" => Delivery::Delivered { body },
                "retrying" => {
                    Delivery::Retrying { status: status.as_f64().map(|s| s as u16), delay_ms: delay_ms as u64 }
                }
                _ => Delivery::Dropped,
            };
            on_report(SubmissionMsg::Report { key, delivery });
        },
    );
    call("_onDelivery", Some(&callback.into_js_value()));
}
