//! The two ends agree: every consent event the widget's core can post is accepted, and every
//! value the server refuses is one the core's wire rules refuse too (so the widget never sends it).

use axum::http::StatusCode;
use privacy_widget_core::config::Config;
use privacy_widget_core::outbox::{Endpoint, IdempotencyKey, OrderingKey, Outbox, OutboxPolicy};
use privacy_widget_core::ui::every_decision_event;
use privacy_widget_core::wire::{self, Action, Lang};
use serde_json::{json, Value};

use crate::support::TestApp;

const CONFIG: &str = r#"{
    "revision": "2026-11-01.v2",
    "language": "nb",
    "endpoints": {"consent": "/api/consent"},
    "categories": [
        {"id": "necessary", "required": true},
        {"id": "analytics", "services": [{"id": "google-analytics", "name": "Google Analytics"}]},
        {"id": "marketing", "services": [{"id": "meta-pixel", "name": "Meta Pixel"}]}
    ]
}"#;

/// What the widget posts through every way of deciding, in `lang`: accept all, a reject all
/// that withdraws, one service from a placeholder, a save that grants, a save that withdraws;
/// and on fresh visits (one with GPC) a first reject all and a first save.
fn widget_events(lang: Lang) -> Vec<Value> {
    widget_posts(lang)
        .into_iter()
        .map(|(body, _)| serde_json::from_str(&body.to_json()).unwrap())
        .collect()
}

/// [`widget_events`] as the UI hands them over: the body and its ordering key.
fn widget_posts(lang: Lang) -> Vec<(privacy_widget_core::json::Json, String)> {
    every_decision_event(&Config::parse(CONFIG).unwrap(), lang)
}

fn key(n: u8) -> String {
    IdempotencyKey::from_random([n; 16]).as_str().to_owned()
}

#[tokio::test]
async fn every_event_the_widget_posts_is_stored_in_every_language() {
    let app = TestApp::new(&[]);
    let mut n = 0;
    for lang in Lang::ALL {
        let events = widget_events(lang);
        let actions: Vec<&str> = events
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "accept_all",
                "withdraw",
                "accept_service",
                "save",
                "withdraw",
                "reject_all",
                "save"
            ]
        );
        for event in events {
            n += 1;
            let response = app.post_consent(&key(n), &event).await;
            assert_eq!(
                response.status,
                StatusCode::CREATED,
                "{event}: {}",
                response.text()
            );
            assert_eq!(
                response.json()["current"],
                true,
                "each decision counts up seq"
            );
        }
    }
    let stored = app.admin_consents("").await;
    let languages: Vec<&str> = stored["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["language"].as_str().unwrap())
        .collect();
    for lang in Lang::ALL {
        assert_eq!(languages.iter().filter(|l| **l == lang.tag()).count(), 7);
    }
}

#[tokio::test]
async fn a_widget_event_in_the_cores_beacon_envelope_is_stored() {
    let app = TestApp::new(&[]);
    let event = widget_events(Lang::Nn).remove(1);
    let envelope = wire::beacon_envelope(&key(9), None, &event.to_string());
    let envelope: Value = serde_json::from_str(&envelope).unwrap();
    let response = app.post_consent_beacon(&envelope).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let stored = app.admin_consents("").await;
    assert_eq!(stored["events"][0]["action"], "withdraw");
    assert_eq!(stored["events"][0]["idempotency_key"], key(9));
}

#[tokio::test]
async fn what_the_server_refuses_the_core_refuses_too() {
    let app = TestApp::new(&[]);
    let valid = widget_events(Lang::En).remove(0);
    // (field, bad value, the core's verdict on it)
    let rows: Vec<(&str, Value, bool)> = vec![
        (
            "consent_id",
            json!("0123456789ABCDEF0123456789ABCDEF"),
            wire::is_consent_id("0123456789ABCDEF0123456789ABCDEF"),
        ),
        ("consent_id", json!("abc"), wire::is_consent_id("abc")),
        (
            "consent_id",
            json!("a".repeat(33)),
            wire::is_consent_id(&"a".repeat(33)),
        ),
        ("revision", json!(".hidden"), wire::is_revision(".hidden")),
        ("revision", json!("../nb"), wire::is_revision("../nb")),
        ("revision", json!(""), wire::is_revision("")),
        (
            "revision",
            json!("r".repeat(65)),
            wire::is_revision(&"r".repeat(65)),
        ),
        (
            "action",
            json!("accept"),
            Action::from_name("accept").is_some(),
        ),
        (
            "action",
            json!("withdrawn"),
            Action::from_name("withdrawn").is_some(),
        ),
        ("language", json!("de"), wire::language("de").is_some()),
        (
            "language",
            json!("nb-NO"),
            wire::language("nb-NO").is_some(),
        ),
        ("language", json!("NB"), wire::language("NB").is_some()),
        (
            "texts_hash",
            json!("AB".repeat(32)),
            wire::is_texts_hash(&"AB".repeat(32)),
        ),
        (
            "email",
            json!("a@b.no"),
            wire::EVENT_FIELDS.contains(&"email"),
        ),
    ];
    for (n, (field, bad, core_accepts)) in rows.into_iter().enumerate() {
        assert!(!core_accepts, "the core accepts {field} = {bad}");
        let mut body = valid.clone();
        body[field] = bad.clone();
        let response = app.post_consent(&key(n as u8 + 100), &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{field} = {bad}");
        assert_eq!(response.json()["field"], field, "{field} = {bad}");
    }
    for (map, id) in [
        ("categories", "Analytics"),
        ("services", "meta.pixel"),
        ("services", &"s".repeat(33)),
    ] {
        assert!(
            !wire::is_choice_id(id),
            "the core accepts the {map} id {id}"
        );
        let mut body = valid.clone();
        body[map][id] = json!(true);
        let response = app.post_consent(&key(99), &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{map}.{id}");
        assert_eq!(response.json()["field"], format!("{map}.{id}"));
    }
    for bad in ["has space", "dot.key", "ünïcode", &"k".repeat(129)] {
        assert!(!wire::is_idempotency_key(bad) && IdempotencyKey::new(bad).is_none());
        let response = app.post_consent(bad, &valid).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "key {bad:?}");
        assert_eq!(response.json()["field"], wire::IDEMPOTENCY_KEY_HEADER);
    }
    assert_eq!(app.stored_event_count().await, 0);
}

#[tokio::test]
async fn events_the_outbox_folds_into_history_are_stored() {
    // Offline, every decision waits in the outbox; the latest of each consent id carries the
    // earlier ones in `history`, as the widget sends them when it comes back.
    let app = TestApp::new(&[]);
    let mut outbox = Outbox::new(OutboxPolicy {
        keep_history: true,
        ..OutboxPolicy::default()
    });
    for (n, (body, ordering)) in widget_posts(Lang::Nb).into_iter().enumerate() {
        let key = IdempotencyKey::from_random([n as u8 + 200; 16]);
        let ordering = OrderingKey::new(&ordering);
        outbox
            .enqueue(Endpoint::Consent, body, key, ordering, 0)
            .unwrap();
    }
    let dispatches = outbox.due(0);
    assert_eq!(dispatches.len(), 3, "one event per consent id");
    let mut folded = 0;
    for dispatch in dispatches {
        let body: Value = serde_json::from_str(&dispatch.body).unwrap();
        folded += body["history"].as_array().map_or(0, Vec::len);
        let response = app.post_consent(dispatch.key.as_str(), &body).await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{body}: {}",
            response.text()
        );
    }
    assert_eq!(folded, 4, "the first visit's four earlier decisions");
}

#[test]
fn serde_speaks_the_wire_names() {
    for action in Action::ALL {
        assert_eq!(json!(action), json!(action.name()));
        assert_eq!(
            serde_json::from_value::<Action>(json!(action.name())).unwrap(),
            action
        );
    }
    for lang in Lang::ALL {
        assert_eq!(
            serde_json::from_value::<Lang>(json!(lang.tag())).unwrap(),
            lang
        );
    }
    assert!(serde_json::from_value::<Action>(json!("accept")).is_err());
}
