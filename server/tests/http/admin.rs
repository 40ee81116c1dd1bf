//! Admin endpoints: absent without ADMIN_TOKEN, bearer token checked.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::{consent_body, TestApp, ADMIN_TOKEN, CONSENT_ID};

fn admin_request(authorization: Option<&str>, query: &str) -> Request<Body> {
    let mut builder = Request::get(format!("/api/admin/consents{query}"));
    if let Some(authorization) = authorization {
        builder = builder.header("authorization", authorization);
    }
    builder.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn admin_is_404_when_no_token_is_configured() {
    let app = TestApp::new(&[("ADMIN_TOKEN", "")]);
    let response = app.send(admin_request(Some("Bearer anything"), "")).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.json()["error"], "not_found");
}

#[tokio::test]
async fn admin_needs_the_right_bearer_token() {
    let app = TestApp::new(&[]);
    let wrong_token = format!("Bearer {ADMIN_TOKEN}x");
    let wrong_scheme = format!("Basic {ADMIN_TOKEN}");
    for authorization in [
        None,
        Some(wrong_token.as_str()),
        Some(wrong_scheme.as_str()),
        Some("Bearer "),
    ] {
        let response = app.send(admin_request(authorization, "")).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "{authorization:?}"
        );
        assert_eq!(response.json()["error"], "unauthorized");
        assert!(response
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer"));
    }
    let right = format!("Bearer {ADMIN_TOKEN}");
    let response = app.send(admin_request(Some(&right), "")).await;
    assert_eq!(response.status, StatusCode::OK);
}

#[tokio::test]
async fn admin_query_is_validated() {
    let app = TestApp::new(&[]);
    let right = format!("Bearer {ADMIN_TOKEN}");
    let bad_id = app
        .send(admin_request(Some(&right), "?consent_id=nope"))
        .await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_id.json()["field"], "consent_id");
    let unknown = app.send(admin_request(Some(&right), "?email=x")).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.json()["field"], "email");
}

#[tokio::test]
async fn every_admin_list_refuses_query_parameters_it_does_not_take() {
    let app = TestApp::new(&[]);
    for (path, takes) in [
        ("/api/admin/consents", Some("consent_id")),
        ("/api/admin/mailbox", Some("to")),
        ("/api/admin/newsletter", None),
        ("/api/admin/rights-requests", None),
    ] {
        let request = Request::get(format!("{path}?limit=5"))
            .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
            .body(Body::empty())
            .unwrap();
        let response = app.send(request).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{path}");
        let body = response.json();
        assert_eq!(body["error"], "unknown_field", "{path}");
        assert_eq!(body["field"], "limit", "{path}");
        let message = body["message"].as_str().unwrap();
        match takes {
            Some(name) => assert!(message.contains(name), "{path}: {message}"),
            None => assert!(
                message.contains("takes no query parameters"),
                "{path}: {message}"
            ),
        }
        // Without the parameter the same list answers.
        app.admin_get(path).await;
    }
}

#[tokio::test]
async fn without_consent_id_the_latest_100_events_are_listed_oldest_first() {
    let app = TestApp::new(&[]);
    for seq in 1..=102 {
        let response = app
            .post_consent(&format!("evt-{seq}"), &consent_body(CONSENT_ID, seq))
            .await;
        assert_eq!(response.status, StatusCode::CREATED);
    }
    let listing = app.admin_consents("").await;
    let seqs: Vec<i64> = listing["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (3..=102).collect::<Vec<_>>());
    assert!(listing.get("state").is_none());

    let unknown_id = app
        .admin_consents("?consent_id=ffffffffffffffffffffffffffffffff")
        .await;
    assert_eq!(unknown_id["events"], serde_json::json!([]));
    assert_eq!(unknown_id["state"], serde_json::Value::Null);
}
