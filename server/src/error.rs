//! The one error type of the HTTP API and its JSON form:
//! `{"error": "<code>", "field": "<json path>", "message": "<what was found, what was expected>"}`.
//! Internal failures are logged to stderr and answered with a bare `{"error":"internal"}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use privacy_widget_core::wire;
use serde_json::{json, Map, Value};

use crate::store::StoreError;

/// Everything a request to the API can fail with.
#[derive(Debug)]
pub enum ApiError {
    /// The body (or a beacon envelope) is not JSON at all.
    InvalidJson {
        detail: String,
    },
    MissingField {
        field: String,
        expected: &'static str,
    },
    /// A field the API does not know: refused, because the widget promises to send no
    /// more personal data than the contract lists.
    UnknownField {
        field: String,
        allowed: &'static [&'static str],
    },
    InvalidField {
        field: String,
        message: String,
    },
    MissingIdempotencyKey {
        field: &'static str,
    },
    InvalidIdempotencyKey {
        field: &'static str,
        /// Already described for the message: a quoted string, `7`, `an object`.
        found: String,
    },
    IdempotencyKeyReused,
    CsrfMismatch {
        field: &'static str,
        missing: bool,
    },
    PayloadTooLarge {
        limit_bytes: usize,
    },
    UnsupportedMediaType {
        found: Option<String>,
    },
    CorsOriginNotAllowed {
        origin: Option<String>,
    },
    Unauthorized,
    NotFound,
    /// The endpoint exists, but the record named in the path does not.
    RecordNotFound {
        field: &'static str,
        what: &'static str,
        id: String,
    },
    MethodNotAllowed,
    /// Too many mail-sending requests from this client or for this address.
    RateLimited {
        limited_by: LimitedBy,
        retry_after_secs: u64,
    },
    /// Answer forced by the test-only fault injection.
    FaultInjected {
        status: StatusCode,
    },
    /// A failure that is ours, not the client's. The detail goes to the log only.
    Internal {
        detail: String,
    },
}

impl ApiError {
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        ApiError::Internal {
            detail: detail.to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidJson { .. }
            | ApiError::MissingField { .. }
            | ApiError::UnknownField { .. }
            | ApiError::InvalidField { .. }
            | ApiError::MissingIdempotencyKey { .. }
            | ApiError::InvalidIdempotencyKey { .. } => StatusCode::BAD_REQUEST,
            ApiError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::CsrfMismatch { .. } | ApiError::CorsOriginNotAllowed { .. } => {
                StatusCode::FORBIDDEN
            }
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound | ApiError::RecordNotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::FaultInjected { status } => *status,
            ApiError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidJson { .. } => "invalid_json",
            ApiError::MissingField { .. } => "missing_field",
            ApiError::UnknownField { .. } => "unknown_field",
            ApiError::InvalidField { .. } => "invalid_field",
            ApiError::MissingIdempotencyKey { .. } => "missing_idempotency_key",
            ApiError::InvalidIdempotencyKey { .. } => "invalid_idempotency_key",
            ApiError::IdempotencyKeyReused => "idempotency_key_reused",
            ApiError::CsrfMismatch { .. } => "csrf_mismatch",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType { .. } => "unsupported_media_type",
            ApiError::CorsOriginNotAllowed { .. } => "cors_origin_not_allowed",
            ApiError::Unauthorized => "unauthorized",
            ApiError::NotFound | ApiError::RecordNotFound { .. } => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::FaultInjected { .. } => "fault_injected",
            ApiError::Internal { .. } => "internal",
        }
    }

    /// The JSON path of the field at fault, or the header name for header problems.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::MissingField { field, .. }
            | ApiError::UnknownField { field, .. }
            | ApiError::InvalidField { field, .. } => Some(field),
            ApiError::MissingIdempotencyKey { field }
            | ApiError::InvalidIdempotencyKey { field, .. }
            | ApiError::CsrfMismatch { field, .. }
            | ApiError::RecordNotFound { field, .. } => Some(field),
            ApiError::RateLimited {
                limited_by: LimitedBy::Address,
                ..
            } => Some("email"),
            _ => None,
        }
    }

    /// A sentence for the shop developer: what was found, what was expected.
    /// `None` only for internal errors, whose details must not leave the server.
    pub fn message(&self) -> Option<String> {
        let message = match self {
            ApiError::InvalidJson { detail } => {
                format!("The request body is not valid JSON ({detail}); expected a JSON object.")
            }
            ApiError::MissingField { field, expected } => {
                format!("`{field}` is missing; expected {expected}.")
            }
            ApiError::UnknownField { field, allowed: [] } => {
                format!("`{field}` is not part of the API; this endpoint takes no query parameters.")
            }
            ApiError::UnknownField { field, allowed } => format!(
                "`{field}` is not part of the API; expected only these fields: {}. Send no other data.",
                allowed.join(", ")
            ),
            ApiError::InvalidField { field, message } => format!("`{field}`: {message}."),
            ApiError::MissingIdempotencyKey { field } => format!(
                "No idempotency key found in `{field}`; expected {}, unique per event and reused only for retries of it.",
                wire::IDEMPOTENCY_KEY_EXPECTED
            ),
            ApiError::InvalidIdempotencyKey { field, found } => format!(
                "`{field}` is {found}; expected {}.",
                wire::IDEMPOTENCY_KEY_EXPECTED
            ),
            ApiError::IdempotencyKeyReused => "This idempotency key was already used for a different request body; retries must resend the identical body, and a new event needs a new key.".to_owned(),
            ApiError::CsrfMismatch { field, missing: true } => format!(
                "No CSRF token found in `{field}`; expected the token from <meta name=\"csrf-token\"> of the page."
            ),
            ApiError::CsrfMismatch { field, missing: false } => format!(
                "The CSRF token in `{field}` does not match; expected the token from <meta name=\"csrf-token\"> of the current page (reload it if the server was restarted)."
            ),
            ApiError::PayloadTooLarge { limit_bytes } => format!(
                "The request body is larger than {limit_bytes} bytes; expected a smaller event (coalesce fewer history entries)."
            ),
            ApiError::UnsupportedMediaType { found } => format!(
                "Content-Type is {}; expected application/json (with an Idempotency-Key header) or text/plain carrying a sendBeacon envelope {{\"idempotency_key\", \"csrf\", \"body\"}}.",
                found.as_deref().map_or("missing".to_owned(), quote_truncated)
            ),
            ApiError::CorsOriginNotAllowed { origin: Some(origin) } => format!(
                "Origin {} may not call this API cross-origin; expected one of the origins in the server's CORS_ALLOW_ORIGINS.",
                quote_truncated(origin)
            ),
            ApiError::CorsOriginNotAllowed { origin: None } => {
                "A CORS preflight without an Origin header; expected a browser preflight from an allowed origin.".to_owned()
            }
            ApiError::Unauthorized => {
                "Missing or wrong bearer token; expected the header `Authorization: Bearer <ADMIN_TOKEN>`.".to_owned()
            }
            ApiError::NotFound => "No such endpoint; see openapi.yaml for the API.".to_owned(),
            ApiError::RecordNotFound { what, id, .. } => {
                format!("No {what} {} exists.", quote_truncated(id))
            }
            ApiError::RateLimited { limited_by, retry_after_secs } => format!(
                "Too many requests {}; try again in {retry_after_secs} seconds (see the Retry-After header).",
                match limited_by {
                    LimitedBy::Address => "for this e-mail address",
                    LimitedBy::Client => "from this network address",
                }
            ),
            ApiError::MethodNotAllowed => {
                "This endpoint does not accept that method; see openapi.yaml for the API.".to_owned()
            }
            ApiError::FaultInjected { status } => format!(
                "Fault injection (PW_FAULTS) answered {} instead of processing the request; nothing was stored.",
                status.as_u16()
            ),
            ApiError::Internal { .. } => return None,
        };
        Some(message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal { detail } = &self {
            eprintln!("privacy-widget server: internal error: {detail}");
        }
        let mut body = Map::new();
        body.insert("error".to_owned(), json!(self.code()));
        if let Some(field) = self.field() {
            body.insert("field".to_owned(), json!(field));
        }
        if let Some(message) = self.message() {
            body.insert("message".to_owned(), json!(message));
        }
        let mut response = (self.status(), Json(Value::Object(body))).into_response();
        if let ApiError::RateLimited {
            retry_after_secs, ..
        } = self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        if matches!(self, ApiError::Unauthorized) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"privacy-widget admin\""),
            );
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::internal(format!("database: {error}"))
    }
}

/// The mail-sending limit that was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitedBy {
    Client,
    Address,
}

/// Quotes client input for an error message, cut short so a message never echoes a
/// whole oversized value back.
pub fn quote_truncated(found: &str) -> String {
    const MAX_CHARS: usize = 40;
    let mut quoted: String = found.chars().take(MAX_CHARS).collect();
    if found.chars().count() > MAX_CHARS {
        quoted.push('…');
    }
    format!("\"{}\"", quoted.escape_debug())
}
