//! What every API POST shares: size limit, content types, idempotency key, beacon
//! envelope, CSRF token.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::support::{consent_body, TestApp, CONSENT_ID};

fn consent_request(
    content_type: Option<&str>,
    key: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut builder = Request::post("/api/consent");
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    if let Some(key) = key {
        builder = builder.header("idempotency-key", key);
    }
    builder.body(body.into()).unwrap()
}

fn oversized_body() -> String {
    let mut body = consent_body(CONSENT_ID, 1);
    body["revision"] = json!("x".repeat(16 * 1024));
    body.to_string()
}

#[tokio::test]
async fn body_over_16_kib_is_refused_with_413() {
    let app = TestApp::new(&[]);
    let body = oversized_body();

    // Announced by Content-Length ...
    let announced = app
        .send(
            Request::post("/api/consent")
                .header("content-type", "application/json")
                .header("idempotency-key", "big-1")
                .header("content-length", body.len())
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    // ... or only found while reading (chunked upload).
    let streamed = app
        .send(consent_request(
            Some("application/json"),
            Some("big-2"),
            body.clone(),
        ))
        .await;
    let beacon = app
        .send(consent_request(Some("text/plain"), None, body))
        .await;

    for response in [announced, streamed, beacon] {
        assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(response.json()["error"], "payload_too_large");
    }
    assert_eq!(app.stored_event_count().await, 0);
}

#[tokio::test]
async fn other_content_types_are_refused_with_415() {
    let app = TestApp::new(&[]);
    let body = consent_body(CONSENT_ID, 1).to_string();
    for content_type in [
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data"),
        None,
    ] {
        let response = app
            .send(consent_request(content_type, Some("evt-415"), body.clone()))
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        let answer = response.json();
        assert_eq!(answer["error"], "unsupported_media_type");
        assert!(answer["message"]
            .as_str()
            .unwrap()
            .contains("application/json"));
    }
    assert_eq!(app.stored_event_count().await, 0);
}

#[tokio::test]
async fn content_type_parameters_are_accepted() {
    let app = TestApp::new(&[]);
    let response = app
        .send(consent_request(
            Some("Application/JSON; charset=utf-8"),
            Some("evt-charset"),
            consent_body(CONSENT_ID, 1).to_string(),
        ))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
}

#[tokio::test]
async fn idempotency_key_header_is_required_and_checked() {
    let app = TestApp::new(&[]);
    let body = consent_body(CONSENT_ID, 1).to_string();

    let missing = app
        .send(consent_request(
            Some("application/json"),
            None,
            body.clone(),
        ))
        .await;
    let too_long = "k".repeat(129);
    let invalid_keys = ["has space", "ä", too_long.as_str()];

    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.json()["error"], "missing_idempotency_key");
    assert_eq!(missing.json()["field"], "Idempotency-Key");
    for key in invalid_keys {
        let request = Request::post("/api/consent")
            .header("content-type", "application/json")
            .header(
                "idempotency-key",
                axum::http::HeaderValue::from_bytes(key.as_bytes()).unwrap(),
            )
            .body(Body::from(body.clone()))
            .unwrap();
        let response = app.send(request).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{key}");
        assert_eq!(response.json()["error"], "invalid_idempotency_key", "{key}");
        assert_eq!(response.json()["field"], "Idempotency-Key", "{key}");
    }
    assert_eq!(app.stored_event_count().await, 0);
}

#[tokio::test]
async fn beacon_envelope_is_accepted() {
    let app = TestApp::new(&[]);
    let response = app
        .post_consent_beacon(
            &json!({"idempotency_key": "beacon-1", "body": consent_body(CONSENT_ID, 1)}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let stored = app
        .admin_consents(&format!("?consent_id={CONSENT_ID}"))
        .await;
    assert_eq!(stored["events"][0]["idempotency_key"], "beacon-1");
}

#[tokio::test]
async fn an_idempotency_key_header_on_a_beacon_is_checked_too() {
    let app = TestApp::new(&[]);
    let envelope = json!({"idempotency_key": "beacon-2", "body": consent_body(CONSENT_ID, 1)});
    let beacon_with_header =
        |key| consent_request(Some("text/plain"), Some(key), envelope.to_string());
    let malformed = app.send(beacon_with_header("has space")).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json()["error"], "invalid_idempotency_key");
    assert_eq!(malformed.json()["field"], "Idempotency-Key");
    assert_eq!(app.stored_event_count().await, 0);

    // A different well-formed key would make the event's identity ambiguous: refused.
    let other = app.send(beacon_with_header("header-key")).await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    assert_eq!(other.json()["error"], "invalid_field");
    assert_eq!(other.json()["field"], "Idempotency-Key");
    assert!(
        other.text().contains("envelope's idempotency_key"),
        "{}",
        other.text()
    );
    assert_eq!(app.stored_event_count().await, 0);

    // The same key in both is the event's key.
    let accepted = app.send(beacon_with_header("beacon-2")).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text());
    let stored = app
        .admin_consents(&format!("?consent_id={CONSENT_ID}"))
        .await;
    assert_eq!(stored["events"][0]["idempotency_key"], "beacon-2");
}

#[tokio::test]
async fn malformed_beacon_envelopes_name_the_envelope_field() {
    let app = TestApp::new(&[]);
    let body = consent_body(CONSENT_ID, 1);
    let cases = [
        (
            json!({"body": body}),
            "missing_idempotency_key",
            "idempotency_key",
        ),
        (
            json!({"idempotency_key": "a b", "body": body}),
            "invalid_idempotency_key",
            "idempotency_key",
        ),
        (
            json!({"idempotency_key": 7, "body": body}),
            "invalid_idempotency_key",
            "idempotency_key",
        ),
        (json!({"idempotency_key": "k"}), "missing_field", "body"),
        (
            json!({"idempotency_key": "k", "body": body, "user": "x"}),
            "unknown_field",
            "user",
        ),
        (
            json!({"idempotency_key": "k", "body": body, "csrf": 1}),
            "invalid_field",
            "csrf",
        ),
    ];
    for (envelope, error, field) in cases {
        let response = app.post_consent_beacon(&envelope).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{envelope}");
        assert_eq!(response.json()["error"], error, "{envelope}");
        assert_eq!(response.json()["field"], field, "{envelope}");
    }
    let not_json = app
        .send(consent_request(Some("text/plain"), None, "hello"))
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert_eq!(not_json.json()["error"], "invalid_json");
    assert_eq!(app.stored_event_count().await, 0);
}

#[tokio::test]
async fn csrf_header_is_required_when_configured() {
    let app = TestApp::new(&[("CSRF_TOKEN", "csrf-secret")]);
    let body = consent_body(CONSENT_ID, 1).to_string();
    let with_token = |token: Option<&str>| {
        let mut builder = Request::post("/api/consent")
            .header("content-type", "application/json")
            .header("idempotency-key", "evt-csrf");
        if let Some(token) = token {
            builder = builder.header("x-csrf-token", token);
        }
        builder.body(Body::from(body.clone())).unwrap()
    };

    let missing = app.send(with_token(None)).await;
    let wrong = app.send(with_token(Some("guess"))).await;

    for response in [&missing, &wrong] {
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        assert_eq!(response.json()["error"], "csrf_mismatch");
        assert_eq!(response.json()["field"], "X-CSRF-Token");
    }
    assert_eq!(app.stored_event_count().await, 0);
    let right = app.send(with_token(Some("csrf-secret"))).await;
    assert_eq!(right.status, StatusCode::CREATED, "{}", right.text());
}

#[tokio::test]
async fn csrf_token_inside_the_beacon_envelope_is_checked() {
    let app = TestApp::new(&[("CSRF_TOKEN", "csrf-secret")]);
    let body = consent_body(CONSENT_ID, 1);

    let missing = app
        .post_consent_beacon(&json!({"idempotency_key": "b-1", "body": body}))
        .await;
    let wrong = app
        .post_consent_beacon(&json!({"idempotency_key": "b-1", "csrf": "guess", "body": body}))
        .await;

    for response in [&missing, &wrong] {
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        assert_eq!(response.json()["error"], "csrf_mismatch");
        assert_eq!(response.json()["field"], "csrf");
    }
    assert_eq!(app.stored_event_count().await, 0);
    let right = app
        .post_consent_beacon(
            &json!({"idempotency_key": "b-1", "csrf": "csrf-secret", "body": body}),
        )
        .await;
    assert_eq!(right.status, StatusCode::CREATED, "{}", right.text());
}

#[tokio::test]
async fn csrf_is_not_required_when_unset() {
    let app = TestApp::new(&[]);
    let response = app
        .post_consent_beacon(
            &json!({"idempotency_key": "b-2", "csrf": "", "body": consent_body(CONSENT_ID, 1)}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
}

#[tokio::test]
async fn unknown_api_paths_and_methods_answer_json() {
    let app = TestApp::new(&[]);
    let missing = app.get("/api/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"], "not_found");
    let wrong_method = app.get("/api/consent").await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.json()["error"], "method_not_allowed");
    let health = app.get("/api/health").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json(), json!({"status": "ok"}));
}
