//! Fault injection: off by default, faulted requests are never stored, the plan switches
//! itself off, admin and health are never faulted.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::support::{consent_body, TestApp, CONSENT_ID};

#[tokio::test]
async fn fault_endpoint_is_404_unless_enabled() {
    let app = TestApp::new(&[]);
    assert_eq!(app.get("/__faults").await.status, StatusCode::NOT_FOUND);
    let response = app
        .set_faults(json!({"mode": "status", "status": 500}))
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    let stored = app
        .post_consent("evt-1", &consent_body(CONSENT_ID, 1))
        .await;
    assert_eq!(stored.status, StatusCode::CREATED);
}

#[tokio::test]
async fn status_fault_fails_the_next_requests_without_storing_them() {
    let app = TestApp::new(&[("PW_FAULTS", "1")]);
    let body = consent_body(CONSENT_ID, 1);
    let set = app
        .set_faults(json!({"mode": "status", "status": 500, "count": 2}))
        .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/__faults").await.json(),
        json!({"mode": "status", "status": 500, "remaining": 2, "served": 0})
    );

    let first = app.post_consent("evt-retried", &body).await;
    let second = app.post_consent("evt-retried", &body).await;
    let third = app.post_consent("evt-retried", &body).await;

    for faulted in [&first, &second] {
        assert_eq!(faulted.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(faulted.json()["error"], "fault_injected");
    }
    // The retry with the same key is processed fresh: the faulted tries left no trace.
    assert_eq!(third.status, StatusCode::CREATED);
    assert_eq!(third.header("idempotency-replayed"), None);
    assert_eq!(app.stored_event_count().await, 1);
    assert_eq!(
        app.get("/__faults").await.json(),
        json!({"mode": "off", "remaining": 0, "served": 2})
    );
}

#[tokio::test]
async fn garbage_fault_answers_200_with_a_non_json_body_and_stores_nothing() {
    let app = TestApp::new(&[("PW_FAULTS", "1")]);
    app.set_faults(json!({"mode": "garbage"})).await;

    let response = app
        .post_consent("evt-garbage", &consent_body(CONSENT_ID, 1))
        .await;

    assert_eq!(response.status, StatusCode::OK);
    assert!(serde_json::from_slice::<serde_json::Value>(&response.body).is_err());
    assert_eq!(app.stored_event_count().await, 0);
    let retry = app
        .post_consent("evt-garbage", &consent_body(CONSENT_ID, 1))
        .await;
    assert_eq!(retry.status, StatusCode::CREATED);
}

#[tokio::test]
async fn delay_fault_processes_the_request_after_the_delay() {
    let app = TestApp::new(&[("PW_FAULTS", "1")]);
    app.set_faults(json!({"mode": "delay", "ms": 200})).await;

    let started = Instant::now();
    let response = app
        .post_consent("evt-slow", &consent_body(CONSENT_ID, 1))
        .await;

    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(app.stored_event_count().await, 1);
}

#[tokio::test]
async fn admin_and_health_are_never_faulted() {
    let app = TestApp::new(&[("PW_FAULTS", "1")]);
    app.set_faults(json!({"mode": "status", "status": 503, "count": 1}))
        .await;

    assert_eq!(app.get("/api/health").await.status, StatusCode::OK);
    assert_eq!(app.stored_event_count().await, 0);
    assert_eq!(app.get("/__faults").await.json()["remaining"], 1);
    let faulted = app
        .post_consent("evt-x", &consent_body(CONSENT_ID, 1))
        .await;
    assert_eq!(faulted.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn off_cancels_a_plan() {
    let app = TestApp::new(&[("PW_FAULTS", "1")]);
    app.set_faults(json!({"mode": "drop", "count": 5})).await;
    assert_eq!(
        app.set_faults(json!({"mode": "off"})).await.status,
        StatusCode::NO_CONTENT
    );
    let response = app
        .post_consent("evt-1", &consent_body(CONSENT_ID, 1))
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
}

#[tokio::test]
async fn invalid_fault_plans_name_the_field() {
    let app = TestApp::new(&[("PW_FAULTS", "1")]);
    let cases = [
        (json!({}), "missing_field", "mode"),
        (json!({"mode": "explode"}), "invalid_field", "mode"),
        (json!({"mode": "status"}), "missing_field", "status"),
        (
            json!({"mode": "status", "status": 200}),
            "invalid_field",
            "status",
        ),
        (json!({"mode": "delay", "ms": -1}), "invalid_field", "ms"),
        (
            json!({"mode": "drop", "count": 0}),
            "invalid_field",
            "count",
        ),
        (json!({"mode": "off", "count": 2}), "unknown_field", "count"),
    ];
    for (plan, error, field) in cases {
        let response = app.set_faults(plan.clone()).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{plan}");
        assert_eq!(response.json()["error"], error, "{plan}");
        assert_eq!(response.json()["field"], field, "{plan}");
    }
    assert_eq!(app.get("/__faults").await.json()["mode"], "off");
}

#[tokio::test]
async fn fault_plans_are_json_of_at_most_16_kib() {
    // Before, any content type was read, and bodies over axum's 2 MB default got its
    // plain-text 413.
    let app = TestApp::new(&[("PW_FAULTS", "1")]);
    let post = |content_type: &'static str, body: String| {
        Request::post("/__faults")
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let plan = json!({"mode": "drop"}).to_string();
    let not_json = app.send(post("text/xml", plan.clone())).await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(not_json.json()["error"], "unsupported_media_type");
    let padded = format!("{plan}{}", " ".repeat(3 * 1024 * 1024));
    let too_large = app.send(post("application/json", padded)).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.json()["error"], "payload_too_large");
    assert_eq!(app.get("/__faults").await.json()["mode"], "off");
}

#[tokio::test]
async fn newsletter_and_rights_request_posts_are_faulted_too_but_link_pages_are_not() {
    let app = TestApp::new(&[("PW_FAULTS", "1")]);
    let signup = json!({
        "email": "kari@example.no",
        "consent_text": "Ja takk",
        "consent_text_version": "v1",
        "revision": "2026-11-01",
        "language": "nb"
    });
    let rights = json!({
        "type": "access", "email": "kari@example.no", "message": "",
        "language": "nb", "confirmed": true
    });
    app.set_faults(json!({"mode": "status", "status": 503, "count": 3}))
        .await;
    for (path, body) in [
        ("/api/newsletter/subscribe", &signup),
        (
            "/api/newsletter/unsubscribe",
            &json!({"email": "kari@example.no"}),
        ),
        ("/api/rights-requests", &rights),
    ] {
        let response = app.post_json(path, "faulted", body).await;
        assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(response.json()["error"], "fault_injected");
    }
    let dump = app.dump_database().await;
    assert!(!dump.contains("kari@example.no"), "nothing stored: {dump}");

    // A plan meant for the widget is not used up by someone clicking a mail link.
    app.set_faults(json!({"mode": "status", "status": 503, "count": 1}))
        .await;
    let page = app.get("/newsletter/confirm?token=x").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let response = app
        .post_json("/api/newsletter/subscribe", "after", &signup)
        .await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    let response = app
        .post_json("/api/newsletter/subscribe", "after", &signup)
        .await;
    assert_eq!(response.status, StatusCode::ACCEPTED);
}
