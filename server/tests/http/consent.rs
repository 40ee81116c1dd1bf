//! `POST /api/consent`: storage, idempotent replay, validation, ordering.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{consent_body, TestApp, CONSENT_ID};

#[tokio::test]
async fn valid_consent_is_stored_with_every_column() {
    let app = TestApp::new(&[]);
    let mut body = consent_body(CONSENT_ID, 1);
    body["texts_hash"] = json!("ab".repeat(32));
    body["gpc"] = json!(true);

    let response = app.post_consent("evt-1", &body).await;

    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let answer = response.json();
    assert_eq!(answer["status"], "stored");
    assert_eq!(answer["consent_id"], CONSENT_ID);
    assert_eq!(answer["seq"], 1);
    assert_eq!(answer["current"], true);
    let receipt = answer["receipt"].as_i64().expect("receipt is the event id");

    let stored = app
        .admin_consents(&format!("?consent_id={CONSENT_ID}"))
        .await;
    let events = stored["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["id"], receipt);
    assert_eq!(event["idempotency_key"], "evt-1");
    assert_eq!(event["revision"], "2026-11-01");
    assert_eq!(event["action"], "accept_all");
    assert_eq!(
        event["categories"],
        json!({"necessary": true, "analytics": true})
    );
    assert_eq!(event["services"], json!({"google-analytics": true}));
    assert_eq!(event["timestamp"], "2026-11-26T12:00:00.000Z");
    assert_eq!(event["language"], "nb");
    assert_eq!(event["texts_hash"], "ab".repeat(32));
    assert_eq!(event["gpc"], true);
    assert_eq!(event["history"], Value::Null);
    assert!(event["received_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(stored["state"]["seq"], 1);
    assert_eq!(stored["state"]["event_id"], receipt);
}

#[tokio::test]
async fn a_seq_written_with_a_zero_fraction_is_an_integer() {
    // JSON Schema, which the contract uses, counts 2.0 as an integer; schemathesis sends it.
    let app = TestApp::new(&[]);
    let mut body = consent_body(CONSENT_ID, 1);
    body["seq"] = json!(2.0);
    let response = app.post_consent("evt-float-seq", &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert_eq!(response.json()["seq"], 2);
    let stored = app
        .admin_consents(&format!("?consent_id={CONSENT_ID}"))
        .await;
    assert_eq!(stored["events"][0]["seq"], 2);
    assert_eq!(stored["state"]["seq"], 2);
}

#[tokio::test]
async fn history_is_stored_with_the_event() {
    let app = TestApp::new(&[]);
    let mut body = consent_body(CONSENT_ID, 3);
    body["history"] = json!([
        {"seq": 1, "action": "reject_all", "categories": {"necessary": true}, "services": {},
         "timestamp": "2026-11-26T11:00:00Z"},
        {"seq": 2, "action": "withdraw", "categories": {"necessary": true}, "services": {},
         "timestamp": "2026-11-26T11:30:00Z"}
    ]);
    assert_eq!(
        app.post_consent("evt-h", &body).await.status,
        StatusCode::CREATED
    );
    let stored = app
        .admin_consents(&format!("?consent_id={CONSENT_ID}"))
        .await;
    assert_eq!(stored["events"][0]["history"], body["history"]);
}

#[tokio::test]
async fn replay_with_same_key_and_body_returns_the_original_answer_and_stores_once() {
    let app = TestApp::new(&[]);
    let body = consent_body(CONSENT_ID, 1);

    let first = app.post_consent("evt-replay", &body).await;
    let second = app.post_consent("evt-replay", &body).await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, first.status);
    assert_eq!(second.json(), first.json());
    assert_eq!(second.header("idempotency-replayed"), Some("true"));
    assert_eq!(first.header("idempotency-replayed"), None);
    assert_eq!(app.stored_event_count().await, 1);
}

#[tokio::test]
async fn beacon_retry_of_a_fetch_is_recognised_as_the_same_request() {
    let app = TestApp::new(&[]);
    let body = consent_body(CONSENT_ID, 1);
    let first = app.post_consent("evt-both", &body).await;
    // Same event, other transport, other key order: still the same canonical body.
    let reordered: Value =
        serde_json::from_str(&serde_json::to_string_pretty(&body).unwrap()).unwrap();
    let retry = app
        .post_consent_beacon(&json!({"idempotency_key": "evt-both", "body": reordered}))
        .await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.json(), first.json());
    assert_eq!(app.stored_event_count().await, 1);
}

#[tokio::test]
async fn same_key_with_another_body_is_refused() {
    let app = TestApp::new(&[]);
    app.post_consent("evt-reused", &consent_body(CONSENT_ID, 1))
        .await;

    let response = app
        .post_consent("evt-reused", &consent_body(CONSENT_ID, 2))
        .await;

    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.json()["error"], "idempotency_key_reused");
    assert_eq!(app.stored_event_count().await, 1);
}

#[tokio::test]
async fn an_older_choice_never_overwrites_a_newer_one() {
    let app = TestApp::new(&[]);
    let mut newer = consent_body(CONSENT_ID, 2);
    newer["action"] = json!("reject_all");
    newer["categories"] = json!({"necessary": true, "analytics": false});
    let older = consent_body(CONSENT_ID, 1);
    let mut same_seq = consent_body(CONSENT_ID, 2);
    same_seq["action"] = json!("save");

    let newer_answer = app.post_consent("evt-seq2", &newer).await.json();
    let older_answer = app.post_consent("evt-seq1", &older).await.json();
    let same_seq_answer = app.post_consent("evt-seq2-again", &same_seq).await.json();

    assert_eq!(newer_answer["current"], true);
    assert_eq!(older_answer["current"], false);
    assert_eq!(same_seq_answer["current"], false);
    let stored = app
        .admin_consents(&format!("?consent_id={CONSENT_ID}"))
        .await;
    let seqs: Vec<i64> = stored["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        vec![2, 1, 2],
        "every event is in the log, oldest first"
    );
    assert_eq!(stored["state"]["seq"], 2);
    assert_eq!(stored["state"]["action"], "reject_all");
    assert_eq!(stored["state"]["categories"]["analytics"], false);
    assert_eq!(stored["state"]["event_id"], newer_answer["receipt"]);
}

#[tokio::test]
async fn state_is_kept_per_consent_id() {
    let app = TestApp::new(&[]);
    let other_id = "ffffffffffffffffffffffffffffffff";
    app.post_consent("a", &consent_body(CONSENT_ID, 5)).await;
    let answer = app
        .post_consent("b", &consent_body(other_id, 1))
        .await
        .json();
    assert_eq!(answer["current"], true);
    let stored = app.admin_consents(&format!("?consent_id={other_id}")).await;
    assert_eq!(stored["events"].as_array().unwrap().len(), 1);
    assert_eq!(stored["state"]["seq"], 1);
}

/// Applies `change` to a valid body; the request must fail naming `field`.
struct InvalidCase {
    name: &'static str,
    change: fn(&mut Value),
    error: &'static str,
    field: &'static str,
}

fn set(body: &mut Value, field: &str, value: Value) {
    body[field] = value;
}

const INVALID_CASES: &[InvalidCase] = &[
    InvalidCase {
        name: "consent_id too short",
        change: |b| set(b, "consent_id", json!("abc123")),
        error: "invalid_field",
        field: "consent_id",
    },
    InvalidCase {
        name: "consent_id uppercase",
        change: |b| set(b, "consent_id", json!("0123456789ABCDEF0123456789ABCDEF")),
        error: "invalid_field",
        field: "consent_id",
    },
    InvalidCase {
        name: "consent_id missing",
        change: |b| {
            b.as_object_mut().unwrap().remove("consent_id");
        },
        error: "missing_field",
        field: "consent_id",
    },
    InvalidCase {
        name: "seq 0",
        change: |b| set(b, "seq", json!(0)),
        error: "invalid_field",
        field: "seq",
    },
    InvalidCase {
        name: "seq fractional",
        change: |b| set(b, "seq", json!(1.5)),
        error: "invalid_field",
        field: "seq",
    },
    InvalidCase {
        name: "seq as string",
        change: |b| set(b, "seq", json!("1")),
        error: "invalid_field",
        field: "seq",
    },
    InvalidCase {
        name: "seq above MAX_SAFE_INTEGER",
        change: |b| set(b, "seq", json!(9_007_199_254_740_992_i64)),
        error: "invalid_field",
        field: "seq",
    },
    InvalidCase {
        name: "revision with space",
        change: |b| set(b, "revision", json!("v 1")),
        error: "invalid_field",
        field: "revision",
    },
    InvalidCase {
        name: "unknown action",
        change: |b| set(b, "action", json!("accept_some")),
        error: "invalid_field",
        field: "action",
    },
    InvalidCase {
        name: "unknown top-level field",
        change: |b| set(b, "email", json!("kari@example.no")),
        error: "unknown_field",
        field: "email",
    },
    InvalidCase {
        name: "non-bool category",
        change: |b| b["categories"]["analytics"] = json!("yes"),
        error: "invalid_field",
        field: "categories.analytics",
    },
    InvalidCase {
        name: "too many categories",
        change: |b| {
            set(
                b,
                "categories",
                Value::Object((0..33).map(|i| (format!("c{i}"), json!(true))).collect()),
            )
        },
        error: "invalid_field",
        field: "categories",
    },
    InvalidCase {
        name: "no categories",
        change: |b| set(b, "categories", json!({})),
        error: "invalid_field",
        field: "categories",
    },
    InvalidCase {
        name: "category name uppercase",
        change: |b| b["categories"]["Analytics"] = json!(true),
        error: "invalid_field",
        field: "categories.Analytics",
    },
    InvalidCase {
        name: "categories not an object",
        change: |b| set(b, "categories", json!(["necessary"])),
        error: "invalid_field",
        field: "categories",
    },
    InvalidCase {
        name: "too many services",
        change: |b| {
            set(
                b,
                "services",
                Value::Object((0..129).map(|i| (format!("s{i}"), json!(true))).collect()),
            )
        },
        error: "invalid_field",
        field: "services",
    },
    InvalidCase {
        name: "non-bool service",
        change: |b| b["services"]["google-analytics"] = json!(1),
        error: "invalid_field",
        field: "services.google-analytics",
    },
    InvalidCase {
        name: "timestamp with offset",
        change: |b| set(b, "timestamp", json!("2026-11-26T13:00:00+01:00")),
        error: "invalid_field",
        field: "timestamp",
    },
    InvalidCase {
        name: "timestamp not a date",
        change: |b| set(b, "timestamp", json!("yesterday")),
        error: "invalid_field",
        field: "timestamp",
    },
    InvalidCase {
        name: "language uppercase",
        change: |b| set(b, "language", json!("NB")),
        error: "invalid_field",
        field: "language",
    },
    InvalidCase {
        name: "language as name",
        change: |b| set(b, "language", json!("norsk bokmål")),
        error: "invalid_field",
        field: "language",
    },
    InvalidCase {
        name: "texts_hash too short",
        change: |b| set(b, "texts_hash", json!("abc")),
        error: "invalid_field",
        field: "texts_hash",
    },
    InvalidCase {
        name: "gpc not bool",
        change: |b| set(b, "gpc", json!("1")),
        error: "invalid_field",
        field: "gpc",
    },
    InvalidCase {
        name: "history too long",
        change: |b| set(b, "history", Value::Array(vec![json!({}); 51])),
        error: "invalid_field",
        field: "history",
    },
    InvalidCase {
        name: "history entry with extra data",
        change: |b| set(b, "history", json!([{"seq": 0, "ip": "10.0.0.1"}])),
        error: "unknown_field",
        field: "history[0].ip",
    },
    InvalidCase {
        name: "history entry bad category",
        change: |b| {
            set(
                b,
                "history",
                json!([{"seq": 1, "action": "save", "categories": {"ads": null}, "services": {}, "timestamp": "2026-11-26T11:00:00Z"}]),
            )
        },
        error: "invalid_field",
        field: "history[0].categories.ads",
    },
];

#[tokio::test]
async fn every_validation_error_names_the_field() {
    let app = TestApp::new(&[]);
    for (index, case) in INVALID_CASES.iter().enumerate() {
        let mut body = consent_body(CONSENT_ID, 5);
        (case.change)(&mut body);

        let response = app
            .post_consent(&format!("evt-invalid-{index}"), &body)
            .await;

        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{}: {}",
            case.name,
            response.text()
        );
        let answer = response.json();
        assert_eq!(answer["error"], case.error, "{}: {answer}", case.name);
        assert_eq!(answer["field"], case.field, "{}: {answer}", case.name);
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.contains("expected"),
            "{}: message should say what was expected: {message}",
            case.name
        );
    }
    assert_eq!(
        app.stored_event_count().await,
        0,
        "nothing invalid is stored"
    );
}

#[tokio::test]
async fn body_that_is_not_an_object_or_not_json_is_refused() {
    let app = TestApp::new(&[]);
    let array = app.post_consent("evt-array", &json!([1, 2])).await;
    assert_eq!(array.status, StatusCode::BAD_REQUEST);
    assert_eq!(array.json()["field"], "body");

    let broken = app
        .send(
            axum::http::Request::post("/api/consent")
                .header("content-type", "application/json")
                .header("idempotency-key", "evt-broken")
                .body(axum::body::Body::from("{\"consent_id\": "))
                .unwrap(),
        )
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert_eq!(broken.json()["error"], "invalid_json");
}
