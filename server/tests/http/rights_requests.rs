//! Rights requests: stored with sequential references, acknowledged by mail, idempotent,
//! validated field by field, and worked through by the admin endpoints.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

use crate::support::{TestApp, TestResponse, ADMIN_TOKEN};

const ENDPOINT: &str = "/api/rights-requests";

fn request_body(email: &str) -> Value {
    json!({
        "type": "access",
        "email": email,
        "message": "Hvilke opplysninger har dere om meg?\nMvh Kari",
        "consent_id": "0123456789abcdef0123456789abcdef",
        "language": "nb",
        "confirmed": true
    })
}

async fn admin_post(app: &TestApp, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
    let mut request = Request::post(path).header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    app.send(request.body(Body::from(body.to_string())).unwrap())
        .await
}

async fn listed(app: &TestApp) -> Vec<Value> {
    app.admin_get("/api/admin/rights-requests").await["requests"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn requests_are_stored_with_sequential_references_and_acknowledged() {
    let app = TestApp::new(&[]);
    let first = app
        .post_json(ENDPOINT, "rr-1", &request_body("kari@example.no"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    assert_eq!(
        first.json(),
        json!({"status": "received", "reference": "PV-2026-000001"})
    );
    app.clock.advance(Duration::from_secs(60));
    let mut erasure = request_body("ola@example.no");
    erasure["type"] = json!("erasure");
    erasure["message"] = json!("");
    erasure["language"] = json!("en");
    erasure.as_object_mut().unwrap().remove("consent_id");
    let second = app.post_json(ENDPOINT, "rr-2", &erasure).await;
    assert_eq!(second.json()["reference"], "PV-2026-000002");

    let requests = listed(&app).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["reference"], "PV-2026-000002", "newest first");
    assert_eq!(
        requests[1],
        json!({
            "reference": "PV-2026-000001",
            "type": "access",
            "email": "kari@example.no",
            "message": "Hvilke opplysninger har dere om meg?\nMvh Kari",
            "consent_id": "0123456789abcdef0123456789abcdef",
            "language": "nb",
            "status": "received",
            "created_at": "2026-11-26T12:00:00.000Z",
            "updated_at": "2026-11-26T12:00:00.000Z",
        })
    );
    assert_eq!(requests[0]["consent_id"], Value::Null);

    let mail = app.mails_to("kari@example.no").await.remove(0);
    assert_eq!(
        mail["subject"],
        "Vi har mottatt forespørselen din (PV-2026-000001)"
    );
    assert_eq!(mail["purpose"], "rights_request");
    let text = mail["body"].as_str().unwrap();
    assert!(text.contains("innen én måned"));
    assert!(text.contains("Datatilsynet"));
    assert!(
        !text.contains("Hvilke opplysninger"),
        "the message is not echoed"
    );
    let english = app.mails_to("ola@example.no").await.remove(0);
    assert_eq!(
        english["subject"],
        "We have received your request (PV-2026-000002)"
    );

    let mut nynorsk = request_body("per@example.no");
    nynorsk["language"] = json!("nn");
    app.post_json(ENDPOINT, "rr-3", &nynorsk).await;
    let mail = app.mails_to("per@example.no").await.remove(0);
    assert_eq!(
        mail["subject"],
        "Vi har fått førespurnaden din (PV-2026-000003)"
    );
    assert!(mail["body"]
        .as_str()
        .unwrap()
        .contains("seinast innan éin månad"));
}

#[tokio::test]
async fn numbering_starts_again_each_year() {
    let app = TestApp::new(&[]);
    app.post_json(ENDPOINT, "y-1", &request_body("kari@example.no"))
        .await;
    // 2026-11-26T12:00 + 36 days = 2027-01-01T12:00.
    app.clock.advance(Duration::from_secs(36 * 24 * 3600));
    let next_year = app
        .post_json(ENDPOINT, "y-2", &request_body("kari@example.no"))
        .await;
    assert_eq!(next_year.json()["reference"], "PV-2027-000001");
}

#[tokio::test]
async fn a_replay_returns_the_same_reference_and_stores_once() {
    let app = TestApp::new(&[]);
    let body = request_body("kari@example.no");
    let first = app.post_json(ENDPOINT, "same", &body).await;
    let replay = app.post_json(ENDPOINT, "same", &body).await;
    assert_eq!(replay.status, StatusCode::CREATED);
    assert_eq!(replay.json(), first.json());
    assert_eq!(replay.header("idempotency-replayed"), Some("true"));
    assert_eq!(listed(&app).await.len(), 1);
    assert_eq!(app.mails_to("kari@example.no").await.len(), 1);

    let mut other = body.clone();
    other["type"] = json!("erasure");
    let reused = app.post_json(ENDPOINT, "same", &other).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(listed(&app).await.len(), 1);
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let app = TestApp::new(&[]);
    for (field, value) in [
        ("type", json!("portability")),
        ("email", json!("kari")),
        ("message", json!("x".repeat(4001))),
        ("consent_id", json!("not-hex")),
        ("language", json!("de")),
        ("confirmed", json!(false)),
    ] {
        let mut body = request_body("kari@example.no");
        body[field] = value;
        let response = app
            .post_json(ENDPOINT, &format!("bad-{field}"), &body)
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{field}");
        let error = response.json();
        assert_eq!(error["error"], "invalid_field", "{field}");
        assert_eq!(error["field"], field);
    }
    let mut missing = request_body("kari@example.no");
    missing.as_object_mut().unwrap().remove("confirmed");
    let response = app.post_json(ENDPOINT, "missing", &missing).await;
    assert_eq!(response.json()["error"], "missing_field");
    assert_eq!(response.json()["field"], "confirmed");
    assert!(listed(&app).await.is_empty());
}

#[tokio::test]
async fn admin_endpoints_need_the_token() {
    let app = TestApp::new(&[]);
    app.post_json(ENDPOINT, "a-1", &request_body("kari@example.no"))
        .await;
    assert_eq!(
        app.get("/api/admin/rights-requests").await.status,
        StatusCode::UNAUTHORIZED
    );
    let status_path = "/api/admin/rights-requests/PV-2026-000001/status";
    let body = json!({"status": "completed"});
    for token in [None, Some("wrong")] {
        let response = admin_post(&app, status_path, token, &body).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(listed(&app).await[0]["status"], "received");

    let disabled = TestApp::new(&[("ADMIN_TOKEN", "")]);
    assert_eq!(
        disabled.get("/api/admin/rights-requests").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn admin_updates_the_status_and_updated_at() {
    let app = TestApp::new(&[]);
    app.post_json(ENDPOINT, "s-1", &request_body("kari@example.no"))
        .await;
    app.clock.advance(Duration::from_secs(3 * 24 * 3600));
    let path = "/api/admin/rights-requests/PV-2026-000001/status";

    let response = admin_post(
        &app,
        path,
        Some(ADMIN_TOKEN),
        &json!({"status": "in_progress"}),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let updated = response.json();
    assert_eq!(updated["status"], "in_progress");
    assert_eq!(updated["created_at"], "2026-11-26T12:00:00.000Z");
    assert_eq!(updated["updated_at"], "2026-11-29T12:00:00.000Z");
    assert_eq!(listed(&app).await[0]["status"], "in_progress");

    for (body, field) in [
        (json!({"status": "received"}), "status"),
        (json!({"status": "done"}), "status"),
        (json!({"status": "completed", "note": "x"}), "note"),
    ] {
        let response = admin_post(&app, path, Some(ADMIN_TOKEN), &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(response.json()["field"], field);
    }
    let unknown = admin_post(
        &app,
        "/api/admin/rights-requests/PV-2026-999999/status",
        Some(ADMIN_TOKEN),
        &json!({"status": "completed"}),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["field"], "reference");
    // A path that is not UTF-8 once decoded: axum's own rejection would be plain text.
    let unreadable = admin_post(
        &app,
        "/api/admin/rights-requests/PV-%FF/status",
        Some(ADMIN_TOKEN),
        &json!({"status": "completed"}),
    )
    .await;
    assert_eq!(unreadable.status, StatusCode::BAD_REQUEST);
    assert_eq!(unreadable.header("content-type"), Some("application/json"));
    let answer = unreadable.json();
    assert_eq!(answer["error"], "invalid_field");
    assert_eq!(answer["field"], "reference");
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .contains("PV-2026-000123"));

    let completed = admin_post(
        &app,
        path,
        Some(ADMIN_TOKEN),
        &json!({"status": "completed"}),
    )
    .await;
    assert_eq!(completed.json()["status"], "completed");
}

#[tokio::test]
async fn rights_requests_are_rate_limited_per_address() {
    let app = TestApp::new(&[("RATE_LIMIT_PER_ADDRESS", "2/3600")]);
    for key in ["r-1", "r-2"] {
        let response = app
            .post_json(ENDPOINT, key, &request_body("kari@example.no"))
            .await;
        assert_eq!(response.status, StatusCode::CREATED);
    }
    let refused = app
        .post_json(ENDPOINT, "r-3", &request_body("kari@example.no"))
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.header("retry-after"), Some("3600"));
    // The newsletter's budget for the same address is separate.
    let signup = json!({
        "email": "kari@example.no", "consent_text": "Ja", "consent_text_version": "v1",
        "revision": "2026-11-01", "language": "nb"
    });
    assert_eq!(
        app.post_json("/api/newsletter/subscribe", "n-1", &signup)
            .await
            .status,
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn housekeeping_deletes_mail_after_the_retention_but_keeps_the_requests() {
    let app = TestApp::new(&[("MAILBOX_RETENTION_HOURS", "24")]);
    app.post_json(ENDPOINT, "m-1", &request_body("kari@example.no"))
        .await;
    app.clock.advance(Duration::from_secs(23 * 3600));
    let report = app.state.housekeeping().run_once().await.unwrap();
    assert_eq!(report.mails, 0);
    app.clock.advance(Duration::from_secs(3600));
    let report = app.state.housekeeping().run_once().await.unwrap();
    assert_eq!(report.mails, 1);
    assert!(app.mails_to("kari@example.no").await.is_empty());
    assert_eq!(listed(&app).await.len(), 1);
}
