//! Browser tests of the delivery driver (wasm-bindgen-test in headless Chromium): the page-wide
//! outbox in sessionStorage, refusals before start and without a URL, a real `fetch` whose
//! permanent 4xx reaches the listeners and empties the outbox. The fault-by-fault behaviour
//! against the reference backend is in tests/e2e/delivery.test.mjs.
#![cfg(all(target_arch = "wasm32", feature = "consent"))]

use privacy_widget::web::shared::delivery::{self, DeliveryReport, Endpoint, ReportKind, SendError, STORAGE_KEY};
use privacy_widget_core::config::Config;
use privacy_widget_core::json::Json;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The runner's web server answers 404 here: a permanent refusal, never retried.
const CONFIG: &str = r#"{
  "revision": "r1",
  "endpoints": {"consent": "/pw-delivery-test/consent"},
  "categories": [{"id": "necessary", "required": true}]
}"#;

fn body(seq: i64) -> Json {
    Json::Object(vec![("consent_id".into(), Json::Str("c1".into())), ("seq".into(), Json::Int(seq))])
}

fn session() -> web_sys::Storage {
    web_sys::window().unwrap().session_storage().unwrap().unwrap()
}

#[wasm_bindgen_test]
async fn the_driver_keeps_the_outbox_in_session_storage_and_reports_outcomes() {
    assert_eq!(delivery::send(Endpoint::Consent, body(1), Some("c1")), Err(SendError::NotStarted));

    session().set_item(STORAGE_KEY, "{\"v\":1,\"entries\":[tru").unwrap();
    delivery::start(&Config::parse(CONFIG).unwrap());
    assert_eq!(session().get_item(STORAGE_KEY).unwrap(), None, "damaged saved state is discarded, not kept");

    assert!(delivery::is_configured(Endpoint::Consent));
    assert!(
        !delivery::is_configured(Endpoint::NewsletterWithdrawal),
        "derived from the newsletter URL, which is absent"
    );
    assert_eq!(
        delivery::send(Endpoint::Newsletter, body(1), None),
        Err(SendError::NotConfigured(Endpoint::Newsletter))
    );

    let reports: Rc<RefCell<Vec<DeliveryReport>>> = Rc::default();
    let mut settled = None;
    let done = js_sys::Promise::new(&mut |resolve, _| settled = Some(resolve));
    let settled = settled.unwrap();
    let seen = reports.clone();
    delivery::subscribe(move |report| {
        seen.borrow_mut().push(report.clone());
        if !matches!(report.kind, ReportKind::Retrying { .. }) {
            let _ = settled.call0(&wasm_bindgen::JsValue::NULL);
        }
    });

    let key = delivery::send(Endpoint::Consent, body(1), Some("c1")).expect("queued");
    let saved = session().get_item(STORAGE_KEY).unwrap().expect("saved before the answer");
    assert!(saved.contains(key.as_str()), "{saved}");
    assert!(saved.contains(r#"\"seq\":1"#), "the exact body text is saved: {saved}");

    JsFuture::from(done).await.unwrap();
    let reports = reports.borrow();
    let last = reports.last().unwrap();
    assert_eq!(last.key, key);
    assert_eq!(last.endpoint, Endpoint::Consent);
    match &last.kind {
        ReportKind::Rejected { status, .. } => assert!((400..500).contains(status), "{status}"),
        other => panic!("expected a permanent rejection, got {other:?}"),
    }
    assert_eq!(session().get_item(STORAGE_KEY).unwrap(), None, "nothing left to deliver");
}
