//! CORS: exact allowed origins only, and nothing at all when unconfigured.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::{consent_body, TestApp, CONSENT_ID};

const ALLOWED: &str = "https://shop.example";

fn preflight(origin: &str) -> Request<Body> {
    Request::options("/api/consent")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,idempotency-key,x-csrf-token",
        )
        .body(Body::empty())
        .unwrap()
}

fn post_from(origin: &str, key: &str) -> Request<Body> {
    Request::post("/api/consent")
        .header("origin", origin)
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(Body::from(consent_body(CONSENT_ID, 1).to_string()))
        .unwrap()
}

#[tokio::test]
async fn preflight_from_an_allowed_origin_is_answered() {
    let app = TestApp::new(&[(
        "CORS_ALLOW_ORIGINS",
        "https://other.example, https://shop.example",
    )]);
    let response = app.send(preflight(ALLOWED)).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(ALLOWED)
    );
    assert_eq!(
        response.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        response.header("access-control-allow-headers"),
        Some("Content-Type, Idempotency-Key, X-CSRF-Token")
    );
    assert_eq!(
        response.header("access-control-allow-methods"),
        Some("POST")
    );
    assert_eq!(response.header("access-control-expose-headers"), None);
}

#[tokio::test]
async fn preflight_from_another_origin_gets_no_cors_headers() {
    let app = TestApp::new(&[("CORS_ALLOW_ORIGINS", ALLOWED)]);
    for origin in [
        "https://evil.example",
        "https://shop.example.evil.example",
        "http://shop.example",
    ] {
        let response = app.send(preflight(origin)).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(response.json()["error"], "cors_origin_not_allowed");
        assert_eq!(
            response.header("access-control-allow-origin"),
            None,
            "{origin}"
        );
    }
}

#[tokio::test]
async fn responses_to_allowed_origins_carry_the_echoed_origin() {
    let app = TestApp::new(&[("CORS_ALLOW_ORIGINS", ALLOWED)]);
    let allowed = app.send(post_from(ALLOWED, "cors-1")).await;
    assert_eq!(allowed.status, StatusCode::CREATED);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(
        allowed.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(allowed.header("vary"), Some("Origin"));
    assert_eq!(allowed.header("access-control-expose-headers"), None);

    let other = app.send(post_from("https://evil.example", "cors-2")).await;
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn without_configuration_the_api_is_same_origin_only() {
    let app = TestApp::new(&[]);
    let preflight_response = app.send(preflight(ALLOWED)).await;
    assert_eq!(preflight_response.status, StatusCode::FORBIDDEN);
    let response = app.send(post_from(ALLOWED, "cors-3")).await;
    assert_eq!(response.status, StatusCode::CREATED);
    for headers in [&preflight_response.headers, &response.headers] {
        assert!(
            headers
                .keys()
                .all(|name| !name.as_str().starts_with("access-control-")),
            "{headers:?}"
        );
        assert!(headers.get("vary").is_none());
    }
}
