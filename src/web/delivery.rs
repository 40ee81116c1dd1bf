//! Delivery of events to the shop's backend: JSON POSTs with an `Idempotency-Key`, the CSRF
//! token from `<meta name="csrf-token">`, same-origin credentials.

use super::dom;
use privacy_widget_core::config::Config;
use privacy_widget_core::json::{self, Json};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

pub struct Delivery {
    csrf: Option<String>,
}

impl Delivery {
    pub fn start(_config: &Config) -> Delivery {
        Delivery { csrf: dom::meta_content("csrf-token") }
    }

    pub fn send_consent(&mut self, config: &Config, body: Json) {
        let Some(url) = config.endpoints.consent.clone() else { return };
        let mut key = String::with_capacity(32);
        json::push_hex(&mut key, &dom::random_bytes());
        let request = build_request(&url, &key, &body.to_json(), self.csrf.as_deref());
        wasm_bindgen_futures::spawn_local(async move {
            let Ok(request) = request else { return };
            let result = JsFuture::from(dom::window().fetch_with_request(&request)).await;
            if let Ok(response) = result.map(|r| r.unchecked_into::<Response>()) {
                if !response.ok() {
                    dom::console_error("privacy-widget: the consent endpoint refused the event");
                }
            }
        });
    }

    pub fn flush_before_unload(&mut self) {}
}

fn build_request(url: &str, key: &str, body: &str, csrf: Option<&str>) -> Result<Request, JsValue> {
    let headers = Headers::new()?;
    headers.set("Content-Type", "application/json")?;
    headers.set("Idempotency-Key", key)?;
    if let Some(token) = csrf {
        headers.set("X-CSRF-Token", token)?;
    }
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    init.set_credentials(RequestCredentials::SameOrigin);
    // Survives the page being closed right after the click (web-sys has no setter for it).
    js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE)?;
    Request::new_with_str_and_init(url, &init)
}
