//! The raw browser calls of delivery: `fetch` with a timeout, `navigator.sendBeacon`, web
//! storage, the wake-up timer, `navigator.onLine`. The driver in `delivery.rs` decides; this
//! module only talks to the browser and turns its exceptions into values.

use crate::prelude::*;

use super::super::dom;
use privacy_widget_core::wire;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, Headers, Request, RequestCredentials, RequestInit, Response, Storage};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, with a synchronous throw as an `Err` instead of an exception through
    /// the driver (web-sys declares it as never throwing).
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_catching(input: &Request) -> Result<js_sys::Promise, JsValue>;
}

/// `sessionStorage` or `localStorage`; `Err` when the browser refuses access (a sandboxed
/// iframe, some private modes), `Ok(None)` when it has none.
pub fn storage(local: bool) -> Result<Option<Storage>, JsValue> {
    let window = dom::window();
    if local {
        window.local_storage()
    } else {
        window.session_storage()
    }
}

/// Whether the browser believes it is online. `false` is reliable; `true` is only a hope.
pub fn online() -> bool {
    dom::window().navigator().on_line()
}

/// `Date.parse` for an HTTP date, as epoch milliseconds.
pub fn parse_date(text: &str) -> Option<u64> {
    let ms = js_sys::Date::parse(text);
    (ms.is_finite() && ms >= 0.0).then_some(ms as u64)
}

/// Starts `callback` once after `ms`; returns the handle for [`clear_timer`].
pub fn set_timer(callback: &Closure<dyn FnMut()>, ms: u64) -> Option<i32> {
    let ms = ms.min(i32::MAX as u64) as i32;
    dom::window().set_timeout_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), ms).ok()
}

pub fn clear_timer(handle: i32) {
    dom::window().clear_timeout_with_handle(handle);
}

/// `navigator.sendBeacon(url, text)`: the body goes as `text/plain;charset=UTF-8`. `true`
/// means the browser queued it, nothing more.
pub fn beacon(url: &str, text: &str) -> bool {
    dom::window().navigator().send_beacon_with_opt_str(url, Some(text)).unwrap_or(false)
}

/// How a POST ended.
pub enum Answer {
    /// The server answered; `body` is `None` when it could not be read.
    Response { status: u16, retry_after: Option<String>, body: Option<String> },
    /// Aborted after the timeout (while waiting for the headers or the body).
    TimedOut,
    /// `fetch` rejected: offline, connection refused or reset, CORS, a refused keepalive.
    Failed,
}

/// A POST on its way, with its abort timer.
pub struct Pending {
    promise: js_sys::Promise,
    controller: AbortController,
    timer: Option<i32>,
    /// Owned here so it is freed once the request settled (and its timer was cleared).
    _abort: Closure<dyn FnMut()>,
}

/// Starts the POST now (synchronously, so an unload handler gets it out before returning):
/// JSON body, `Idempotency-Key`, `X-CSRF-Token` when given, same-origin credentials, an abort
/// after `timeout_ms`, and `keepalive` only when asked (web-sys has no setter for it).
pub fn post(
    url: &str,
    key: &str,
    body: &str,
    csrf: Option<&str>,
    timeout_ms: u64,
    keepalive: bool,
) -> Result<Pending, JsValue> {
    let headers = Headers::new()?;
    headers.set("Content-Type", "application/json")?;
    headers.set(wire::IDEMPOTENCY_KEY_HEADER, key)?;
    if let Some(token) = csrf {
        headers.set(wire::CSRF_HEADER, token)?;
    }
    let controller = AbortController::new()?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    init.set_credentials(RequestCredentials::SameOrigin);
    init.set_signal(Some(&controller.signal()));
    if keepalive {
        js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE)?;
    }
    let request = Request::new_with_str_and_init(url, &init)?;
    let promise = fetch_catching(&request)?;
    let abort = {
        let controller = controller.clone();
        Closure::<dyn FnMut()>::new(move || controller.abort())
    };
    let timer = set_timer(&abort, timeout_ms);
    Ok(Pending { promise, controller, timer, _abort: abort })
}

impl Pending {
    /// Waits for the status, `Retry-After` and the body text, then calls `done` with them.
    pub fn finish(self, done: impl FnOnce(Answer) + 'static) {
        let promise = self.promise.clone();
        // `fetch` fulfils with a Response and rejects with an Error; `text()` fulfils with a string.
        dom::when_settled(&promise, move |response| {
            let Ok(response) = response.dyn_into::<Response>() else {
                let answer = if self.timed_out() { Answer::TimedOut } else { Answer::Failed };
                return self.end(answer, done);
            };
            let status = response.status();
            let retry_after = response.headers().get("Retry-After").ok().flatten();
            match response.text() {
                Ok(text) => dom::when_settled(&text, move |text| {
                    let answer = match text.as_string() {
                        None if self.timed_out() => Answer::TimedOut,
                        body => Answer::Response { status, retry_after, body },
                    };
                    self.end(answer, done);
                }),
                Err(_) => self.end(Answer::Response { status, retry_after, body: None }, done),
            }
        });
    }

    fn timed_out(&self) -> bool {
        self.controller.signal().aborted()
    }

    /// Clears the abort timer (and frees its closure) before handing the answer on.
    fn end(self, answer: Answer, done: impl FnOnce(Answer)) {
        if let Some(handle) = self.timer {
            clear_timer(handle);
        }
        drop(self);
        done(answer);
    }
}

/// Whether a 2xx body is an acknowledgement the backend could have sent: empty or JSON
/// (`JSON.parse`, so any JSON the shop's backend writes). A captive portal's or a broken
/// proxy's HTML page with a 200 is not.
pub fn acknowledges(body: &str) -> bool {
    body.trim().is_empty() || js_sys::JSON::parse(body).is_ok()
}
