//! CORS for `/api/*`, for shops that host the API on another origin than their pages.
//! Only the exact origins in `CORS_ALLOW_ORIGINS` get CORS headers; with none configured
//! the API is same-origin only and sends no CORS headers at all.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use privacy_widget_core::wire::{CSRF_HEADER, IDEMPOTENCY_KEY_HEADER};

use super::state::AppState;
use crate::error::ApiError;

const ALLOWED_METHODS: &str = "POST";
/// `Content-Type` plus the contract's two request headers.
fn allowed_headers() -> HeaderValue {
    let list = format!("Content-Type, {IDEMPOTENCY_KEY_HEADER}, {CSRF_HEADER}");
    HeaderValue::from_str(&list).expect("the contract's header names are ASCII")
}
/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

/// Middleware: answers preflights and marks responses to allowed origins.
pub async fn apply_cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let allowed_origin = origin.as_ref().filter(|origin| {
        state
            .config
            .cors_allow_origins
            .iter()
            .any(|allowed| allowed == *origin)
    });
    let allowed_origin = allowed_origin.and_then(|origin| HeaderValue::from_str(origin).ok());

    if request.method() == Method::OPTIONS {
        let Some(origin_value) = allowed_origin else {
            return ApiError::CorsOriginNotAllowed { origin }.into_response();
        };
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin_value);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOWED_METHODS),
        );
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allowed_headers());
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(PREFLIGHT_MAX_AGE),
        );
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        return response;
    }

    let mut response = next.run(request).await;
    if state.config.cors_allow_origins.is_empty() {
        return response;
    }
    let headers = response.headers_mut();
    // The answer depends on Origin whenever CORS is on, so caches must key on it.
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin_value) = allowed_origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin_value);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    response
}
