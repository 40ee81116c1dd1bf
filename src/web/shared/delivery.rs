//! Reliable delivery to the shop's backend: the page-wide driver of the core's
//! [`Outbox`]. It keeps the outbox in web storage, sends what is due with `fetch`, feeds every
//! outcome back, keeps one wake-up timer, flushes with `keepalive` when the page goes away,
//! and tells the consent manager, the forms and the shop (`onError`) what happened.

use crate::prelude::*;

mod browser;
mod wire;

use super::dom;
use crate::page_state::RefCellExt;
use browser::Answer;
use core::cell::RefCell;
use privacy_widget_core::config::{Config, OutboxStorage};
use privacy_widget_core::json::{self, Json};
use privacy_widget_core::outbox::{Dispatch, OrderingKey, Outbox, OutboxEvent, OutboxPolicy, Outcome, RestoreProblem};
use wasm_bindgen::prelude::*;
use web_sys::{Event, Storage};

pub use privacy_widget_core::outbox::{Endpoint, EnqueueError, IdempotencyKey};

/// The web-storage item holding the outbox.
pub const STORAGE_KEY: &str = privacy_widget_core::outbox::CONSENT_OUTBOX_KEY;
/// The browser's quota for the bodies of all keepalive requests a page has in flight.
pub const KEEPALIVE_QUOTA: usize = 64 * 1024;
/// The backend's request limit (16 KiB) less room for the beacon envelope around a body, so
/// every accepted event also fits when it has to leave as a beacon.
pub const MAX_BODY_BYTES: usize = 16 * 1024 - 512;
/// While the browser says it is offline nothing is sent (failures would only grow the
/// backoff); the `online` event resumes. In case a browser never fires it, try anyway this often.
const OFFLINE_RECHECK_MS: u64 = 30_000;

/// What became of one event, for whoever sent it (a form shows success, an error, or
/// "still trying").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub key: IdempotencyKey,
    pub endpoint: Endpoint,
    pub kind: ReportKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportKind {
    /// A 2xx; `body` is the response text (a rights request's reference number is in it).
    Delivered { status: u16, body: String },
    /// A permanent 4xx: the event was dropped; `body` is the backend's error text.
    Rejected { status: u16, body: String },
    /// A retryable failure; sent again in `delay_ms`. `status` is `None` for a network error
    /// or a timeout.
    Retrying { status: Option<u16>, delay_ms: u64 },
    /// Dropped after the policy's `max_attempts` (never with the default policy).
    GaveUp,
}

/// Why [`send`] did not queue an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The widget did not start (invalid config: fail closed).
    NotStarted,
    /// The config has no URL for this endpoint; nothing is sent. The consent manager just
    /// skips posting; a form should not offer itself.
    NotConfigured(Endpoint),
    /// The outbox refused it (full for forms, too large, duplicate key); already reported in
    /// the console.
    Outbox(EnqueueError),
}

struct Driver {
    outbox: Outbox,
    /// URL per endpoint, in `Endpoint::ALL` order.
    urls: [Option<String>; 4],
    /// `None`: in memory only (no storage, or it threw).
    storage: Option<Storage>,
    local: bool,
    /// The one pending wake-up timer and whether it should send even while offline.
    timer: Option<i32>,
    timer_forced: bool,
    wake: Closure<dyn FnMut()>,
    /// Keepalive requests of this page still in flight, with their body bytes.
    keepalive: Vec<(IdempotencyKey, usize)>,
}

type Listener = Rc<dyn Fn(&DeliveryReport)>;

crate::page_state! {
    static DRIVER: RefCell<Option<Driver>> = const { RefCell::new(None) };
    static LISTENERS: RefCell<Vec<Listener>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on the driver if it started. Never call into page code or `fetch` inside `f`.
fn with<R>(f: impl FnOnce(&mut Driver) -> R) -> Option<R> {
    DRIVER.with(|cell| cell.write().as_mut().map(f))
}

/// Starts delivery for the page (once; only with a valid config): restores the outbox saved
/// by earlier pages, listens for `online`, `pagehide` and `visibilitychange`, and sends what
/// is due, so events pending from the previous page are resumed at once.
pub fn start(config: &Config) {
    if with(|_| ()).is_some() {
        return;
    }
    let policy =
        OutboxPolicy { keep_history: config.keep_history, max_body_bytes: MAX_BODY_BYTES, ..OutboxPolicy::default() };
    let local = config.outbox_storage == OutboxStorage::Local;
    let (storage, stored) = match browser::storage(local).and_then(|s| match s {
        Some(s) => s.get_item(STORAGE_KEY).map(|text| (Some(s), text)),
        None => Ok((None, None)),
    }) {
        Ok(found) => found,
        Err(_) => {
            storage_unavailable(local, "reading");
            (None, None)
        }
    };
    let now = dom::now_ms();
    let (outbox, problem) = Outbox::restore(policy, stored.as_deref().unwrap_or(""), now);
    let damaged = problem.is_some();
    if let Some(problem) = problem {
        dom::console_warn(&restore_message(&problem));
    }
    let e = &config.endpoints;
    let urls = [
        e.consent.clone(),
        e.newsletter.clone(),
        e.rights_request.clone(),
        e.newsletter.as_deref().map(wire::withdrawal_url),
    ];
    let wake = Closure::<dyn FnMut()>::new(|| {
        let forced = with(|d| {
            d.timer = None;
            d.timer_forced
        });
        pump(forced.unwrap_or(false));
    });
    let driver = Driver { outbox, urls, storage, local, timer: None, timer_forced: false, wake, keepalive: Vec::new() };
    DRIVER.with(|cell| *cell.write() = Some(driver));
    announce_failures();
    if damaged {
        // Overwrite what could not be read, so the next page does not report it again.
        with(Driver::persist);
    }

    let window = dom::window();
    dom::listen(&window, "online", |_: Event| pump(false));
    dom::listen(&window, "pagehide", |_: Event| flush());
    dom::listen(&dom::document(), "visibilitychange", |_: Event| {
        if dom::document().hidden() {
            flush();
        }
    });
    pump(false);
}

/// Queues an event for `endpoint` under a fresh random idempotency key, saves the outbox and
/// sends it if nothing older with the same `ordering` key (the consent id) is ahead of it.
/// The returned key identifies the event in [`DeliveryReport`]s.
pub fn send(endpoint: Endpoint, body: Json, ordering: Option<&str>) -> Result<IdempotencyKey, SendError> {
    send_with_key(endpoint, body, ordering, IdempotencyKey::from_random(dom::random_bytes()))
}

/// [`send`] under a key of the caller's: one that is the same each time the same event is
/// queued (`IdempotencyKey::for_decision`).
pub fn send_with_key(
    endpoint: Endpoint,
    body: Json,
    ordering: Option<&str>,
    key: IdempotencyKey,
) -> Result<IdempotencyKey, SendError> {
    let ordering = ordering.and_then(OrderingKey::new);
    let queued = with(|d| {
        if d.url(endpoint).is_none() {
            return Err(SendError::NotConfigured(endpoint));
        }
        d.outbox.enqueue(endpoint, body, key.clone(), ordering, dom::now_ms()).map_err(SendError::Outbox)?;
        d.persist();
        Ok(())
    });
    match queued {
        None => Err(SendError::NotStarted),
        Some(Err(SendError::Outbox(e))) => {
            dom::console_error(&enqueue_message(endpoint, &e));
            Err(SendError::Outbox(e))
        }
        Some(Err(e)) => Err(e),
        Some(Ok(())) => {
            pump(false);
            Ok(key)
        }
    }
}

/// A value the widget keeps beside the outbox, in the same storage; `None` when absent or when
/// the browser refuses storage.
pub fn stored(local: bool, key: &str) -> Option<String> {
    browser::storage(local).ok().flatten()?.get_item(key).ok().flatten()
}

/// Removes a value [`stored`] read.
pub fn forget_stored(local: bool, key: &str) {
    if let Ok(Some(storage)) = browser::storage(local) {
        // Refused: the decision is queued again on the next page, under the same key.
        storage.remove_item(key).ok();
    }
}

/// Whether events for `endpoint` can be sent (the widget started and the config has its URL).
pub fn is_configured(endpoint: Endpoint) -> bool {
    with(|d| d.url(endpoint).is_some()).unwrap_or(false)
}

/// Calls `listener` with every [`DeliveryReport`] from now on, for events of this page and
/// events resumed from earlier pages alike (match on the key [`send`] returned).
/// Listeners live as long as the page, like the forms that add them.
pub fn subscribe(listener: impl Fn(&DeliveryReport) + 'static) {
    LISTENERS.with(|l| l.write().push(Rc::new(listener)));
}

/// The event a permanent delivery failure becomes, in either module, so that one
/// `PrivacyWidget.onError` hears the consent manager's and the forms' failures alike.
pub const ERROR_EVENT: &str = "privacy-widget:error";

/// Turns every permanent failure (a refusing 4xx, or giving up) into an [`ERROR_EVENT`] on
/// `window` with `{endpoint, status, error, key}` as its detail.
fn announce_failures() {
    subscribe(|report| {
        let (status, error) = match &report.kind {
            ReportKind::Rejected { status, body } => (JsValue::from(*status), wire::error_message(body)),
            ReportKind::GaveUp => (JsValue::NULL, String::from("gave up after repeated failures")),
            _ => return,
        };
        let detail: JsValue = js_sys::Object::new().into();
        dom::set_prop(&detail, "endpoint", &JsValue::from_str(report.endpoint.name()));
        dom::set_prop(&detail, "status", &status);
        dom::set_prop(&detail, "error", &JsValue::from_str(&error));
        dom::set_prop(&detail, "key", &JsValue::from_str(report.key.as_str()));
        dom::emit(ERROR_EVENT, &detail);
    });
}

/// `PrivacyWidget.onError(callback)`: calls `callback(detail)` for every [`ERROR_EVENT`];
/// returns the function that unsubscribes it.
pub fn on_error(callback: js_sys::Function) -> JsValue {
    use super::dom::Report;
    let handler = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        if let Some(Err(e)) = dom::call(&callback, &JsValue::NULL, &[&dom::get(&event, "detail")]) {
            dom::console_error_with("privacy-widget: an onError callback threw", &e);
        }
    })
    .into_js_value();
    dom::window().add_event_listener_with_callback(ERROR_EVENT, handler.unchecked_ref()).report("addEventListener");
    Closure::<dyn Fn()>::new(move || {
        dom::window()
            .remove_event_listener_with_callback(ERROR_EVENT, handler.unchecked_ref())
            .report("removeEventListener");
    })
    .into_js_value()
}

/// The last chance before the page goes away (`pagehide`, hidden, or a reload the widget
/// starts): everything still queued, oldest first, within what is left of the keepalive
/// quota, goes out with `fetch(…, {keepalive: true})`, or as a beacon where that fails.
/// Whatever this page never hears back about is sent again by the next page, same key.
pub fn flush() {
    let batch = with(|d| {
        let in_flight: usize = d.keepalive.iter().map(|(_, bytes)| bytes).sum();
        let dispatches = d.outbox.unload_flush(dom::now_ms(), KEEPALIVE_QUOTA.saturating_sub(in_flight));
        if !dispatches.is_empty() {
            d.persist();
        }
        // One keepalive request per event is enough (hidden, then pagehide, flushes twice).
        let fresh: Vec<Dispatch> =
            dispatches.into_iter().filter(|x| !d.keepalive.iter().any(|(k, _)| *k == x.key)).collect();
        d.with_urls(fresh)
    });
    for (dispatch, url) in batch.unwrap_or_default() {
        launch(dispatch, url, true);
    }
}

impl Driver {
    fn url(&self, endpoint: Endpoint) -> Option<&str> {
        let i = Endpoint::ALL.iter().position(|e| *e == endpoint)?;
        self.urls[i].as_deref()
    }

    /// Pairs each dispatch with its URL; `None` for an event restored from a page whose
    /// config had an endpoint this one lacks.
    fn with_urls(&self, dispatches: Vec<Dispatch>) -> Vec<(Dispatch, Option<String>)> {
        dispatches
            .into_iter()
            .map(|x| {
                let url = self.url(x.endpoint).map(str::to_string);
                (x, url)
            })
            .collect()
    }

    /// Saves the outbox (removes the item when empty); on a storage error, reports once and
    /// carries on in memory.
    fn persist(&mut self) {
        let Some(storage) = &self.storage else { return };
        let saved = if self.outbox.is_empty() {
            storage.remove_item(STORAGE_KEY)
        } else {
            storage.set_item(STORAGE_KEY, &self.outbox.serialize())
        };
        if saved.is_err() {
            self.storage = None;
            storage_unavailable(self.local, "saving to");
        }
    }

    /// Replaces the wake-up timer with one for the outbox's next due time (none when only an
    /// outcome can move things on). Offline, at most one try per `OFFLINE_RECHECK_MS`.
    fn schedule(&mut self, now_ms: u64) {
        if let Some(handle) = self.timer.take() {
            browser::clear_timer(handle);
        }
        let Some(mut wait) = self.outbox.next_wake_ms(now_ms) else { return };
        self.timer_forced = !browser::online();
        if self.timer_forced {
            wait = wait.max(OFFLINE_RECHECK_MS);
        }
        self.timer = browser::set_timer(&self.wake, wait);
    }
}

// The two messages below are written out instead of using the core's `Display` impls, which
// would pull `core::fmt` formatting of strings and numbers into the .wasm (about 2 KB).

fn restore_message(problem: &RestoreProblem) -> String {
    let mut m = String::from("privacy-widget: the saved delivery outbox ");
    match problem {
        RestoreProblem::SkippedEntries(skipped) => {
            m.push_str("had invalid entries; dropped:");
            for s in skipped {
                m.push_str(" entries[");
                json::push_int(&mut m, s.index as i64);
                m.push_str("] (");
                m.push_str(s.reason);
                m.push(')');
            }
            return m;
        }
        RestoreProblem::Unreadable(e) => {
            m.push_str("is not valid JSON (");
            m.push_str(e.reason.text());
            m.push(')');
        }
        RestoreProblem::NotAnOutbox(what) => {
            m.push_str("is not an outbox (");
            m.push_str(what);
            m.push(')');
        }
        RestoreProblem::UnsupportedVersion(_) => m.push_str("has another format version"),
    }
    m.push_str("; its undelivered events were discarded");
    m
}

fn enqueue_message(endpoint: Endpoint, e: &EnqueueError) -> String {
    let mut m = String::from("privacy-widget: a ");
    m.push_str(endpoint.name());
    m.push_str(" event was not queued: ");
    match e {
        EnqueueError::Full { max_entries } => {
            json::push_int(&mut m, *max_entries as i64);
            m.push_str(" events are already waiting for the server; try again later");
        }
        EnqueueError::TooLarge { bytes, max } => {
            m.push_str("its body is ");
            json::push_int(&mut m, *bytes as i64);
            m.push_str(" bytes, at most ");
            json::push_int(&mut m, *max as i64);
            m.push_str(" are accepted");
        }
        EnqueueError::DuplicateKey(_) => m.push_str("an event with the same idempotency key is queued"),
    }
    m
}

fn storage_unavailable(local: bool, doing: &str) {
    let mut m = String::from("privacy-widget: ");
    m.push_str(doing);
    m.push_str(if local { " localStorage" } else { " sessionStorage" });
    m.push_str(
        " failed; undelivered events are kept in memory only and are lost if the page closes before they arrive",
    );
    dom::console_warn(&m);
}

/// Sends what is due (unless offline and not `forced`) and re-arms the timer.
fn pump(forced: bool) {
    let batch = with(|d| {
        let now = dom::now_ms();
        let due = if forced || browser::online() { d.outbox.due(now) } else { Vec::new() };
        d.schedule(now);
        d.with_urls(due)
    });
    for (dispatch, url) in batch.unwrap_or_default() {
        launch(dispatch, url, false);
    }
}

/// Puts one request on the wire now and settles its outcome when it ends.
fn launch(dispatch: Dispatch, url: Option<String>, keepalive: bool) {
    let Some(url) = url else {
        // Kept (with backoff) for a later page that has the URL again.
        return settle_later(dispatch, Outcome::NetworkError);
    };
    let csrf = dom::meta_content(privacy_widget_core::wire::CSRF_META);
    match browser::post(&url, dispatch.key.as_str(), &dispatch.body, csrf.as_deref(), dispatch.timeout_ms, keepalive) {
        Ok(pending) => {
            if keepalive {
                with(|d| d.keepalive.push((dispatch.key.clone(), dispatch.body.len())));
            }
            pending.finish(move |answer| conclude(dispatch, url, csrf, answer, keepalive));
        }
        Err(_) => {
            let outcome = if keepalive { beacon(&dispatch, &url, csrf.as_deref()) } else { Outcome::NetworkError };
            settle_later(dispatch, outcome);
        }
    }
}

/// Settles an outcome known at once in a microtask, so listeners never run inside the
/// caller of [`send`] (the consent manager holds its own state borrowed then).
fn settle_later(dispatch: Dispatch, outcome: Outcome) {
    dom::when_settled(&js_sys::Promise::resolve(&JsValue::UNDEFINED), move |_| {
        settle(&dispatch, outcome, None, String::new(), false)
    });
}

/// Falls back to `navigator.sendBeacon` with the backend's `text/plain` envelope.
fn beacon(dispatch: &Dispatch, url: &str, csrf: Option<&str>) -> Outcome {
    let envelope = privacy_widget_core::wire::beacon_envelope(dispatch.key.as_str(), csrf, &dispatch.body);
    if browser::beacon(url, &envelope) {
        Outcome::BeaconQueued
    } else {
        Outcome::NetworkError
    }
}

/// Turns what the browser saw into the outbox's [`Outcome`].
fn conclude(dispatch: Dispatch, url: String, csrf: Option<String>, answer: Answer, keepalive: bool) {
    let (outcome, status, body) = match answer {
        Answer::Response { status, retry_after, body } => {
            let body = body.unwrap_or_default();
            let ok = (200..300).contains(&status);
            if ok && !browser::acknowledges(&body) {
                // Not something the backend says; maybe a portal or proxy. Try again later.
                (Outcome::NetworkError, Some(status), body)
            } else {
                let now = dom::now_ms();
                let retry_after_ms = retry_after.and_then(|v| wire::retry_after_ms(&v, now, browser::parse_date));
                (Outcome::Status { code: status, retry_after_ms }, Some(status), body)
            }
        }
        Answer::TimedOut => (Outcome::Timeout, None, String::new()),
        // A keepalive refused (quota) while the page is going away: one more way out.
        Answer::Failed if keepalive && dom::document().hidden() => {
            (beacon(&dispatch, &url, csrf.as_deref()), None, String::new())
        }
        Answer::Failed => (Outcome::NetworkError, None, String::new()),
    };
    settle(&dispatch, outcome, status, body, keepalive);
}

/// Reports an outcome to the outbox, saves it, sends what that unblocked, then tells the
/// console, `onError` and the listeners (outside the driver, so they may call [`send`]).
fn settle(dispatch: &Dispatch, outcome: Outcome, status: Option<u16>, body: String, keepalive: bool) {
    let reports = with(|d| {
        if keepalive {
            d.keepalive.retain(|(k, _)| *k != dispatch.key);
        }
        let random = (js_sys::Math::random() * 4_294_967_296.0) as u32;
        let events = d.outbox.on_outcome(&dispatch.key, outcome, dom::now_ms(), random);
        if !events.is_empty() || outcome == Outcome::BeaconQueued {
            d.persist();
        }
        reports(events, status, body)
    });
    pump(false);
    announce(reports.unwrap_or_default());
}

fn reports(events: Vec<OutboxEvent>, status: Option<u16>, body: String) -> Vec<DeliveryReport> {
    let mut body = Some(body);
    events
        .into_iter()
        .filter_map(|event| {
            let (key, endpoint, kind) = match event {
                OutboxEvent::Delivered { key, endpoint, status } => {
                    (key, endpoint, ReportKind::Delivered { status, body: body.take().unwrap_or_default() })
                }
                OutboxEvent::Rejected { key, endpoint, status } => {
                    (key, endpoint, ReportKind::Rejected { status, body: body.take().unwrap_or_default() })
                }
                OutboxEvent::RetryScheduled { key, endpoint, delay_ms, .. } => {
                    (key, endpoint, ReportKind::Retrying { status, delay_ms })
                }
                OutboxEvent::GaveUp { key, endpoint, .. } => (key, endpoint, ReportKind::GaveUp),
                OutboxEvent::Replaced { .. } | OutboxEvent::Evicted { .. } => return None,
            };
            Some(DeliveryReport { key, endpoint, kind })
        })
        .collect()
}

/// Permanent failures go to the console (for the shop's developer) and, like every report,
/// to the listeners.
fn announce(reports: Vec<DeliveryReport>) {
    if reports.is_empty() {
        return;
    }
    for report in &reports {
        let (status, detail) = match &report.kind {
            ReportKind::Rejected { status, body } => (Some(*status), wire::error_message(body)),
            ReportKind::GaveUp => (None, String::new()),
            _ => continue,
        };
        let mut m = String::from("privacy-widget: the backend ");
        match status {
            Some(code) => {
                m.push_str("refused a ");
                m.push_str(report.endpoint.name());
                m.push_str(" event with HTTP ");
                json::push_int(&mut m, i64::from(code));
                if !detail.is_empty() {
                    m.push_str(" (");
                    m.push_str(&detail);
                    m.push(')');
                }
                m.push_str("; it was dropped and will not be sent again");
            }
            None => {
                m.push_str("never accepted a ");
                m.push_str(report.endpoint.name());
                m.push_str(" event; delivery gave up");
            }
        }
        m.push_str(" (Idempotency-Key ");
        m.push_str(report.key.as_str());
        m.push(')');
        dom::console_error(&m);
    }
    let listeners: Vec<Listener> = LISTENERS.with(|l| l.read().clone());
    for report in &reports {
        for listener in &listeners {
            listener(report);
        }
    }
}
