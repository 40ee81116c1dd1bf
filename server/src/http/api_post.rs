//! What every `POST /api/*` shares, as one extractor: content type, size limit, CSRF token,
//! idempotency key and JSON body. A request comes either as `application/json` with
//! headers, or as `text/plain` (what `navigator.sendBeacon` sends, which cannot set
//! headers) carrying the envelope `{"idempotency_key", "csrf", "body"}`.

use std::borrow::Cow;
use std::future::poll_fn;
use std::pin::Pin;

use axum::body::HttpBody;
use axum::extract::{FromRequest, Request};
use axum::http::header::{self, AsHeaderName};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use privacy_widget_core::wire::{self, CSRF_HEADER, IDEMPOTENCY_KEY_HEADER};
use serde_json::Value;

use super::state::AppState;
use crate::domain::idempotency::{BodyFingerprint, IdempotencyKey, StoredResponse};
use crate::domain::validation::{describe, invalid, ObjectReader};
use crate::error::ApiError;

/// Marks an answer that was replayed from the idempotency store, for debugging retries.
pub const REPLAYED_HEADER: HeaderName = HeaderName::from_static("idempotency-replayed");

/// The HTTP answer of an idempotent POST: the stored status and body, marked when replayed.
pub fn stored_answer((response, replayed): (StoredResponse, bool)) -> Response {
    let mut http_response = (response.status, Json(response.body)).into_response();
    if replayed {
        http_response
            .headers_mut()
            .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    http_response
}

/// Largest accepted request body (after which the answer is 413).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

const ENVELOPE_FIELDS: &[&str] = &wire::ENVELOPE_FIELDS;

/// An API POST whose transport-level rules all hold. The endpoint still validates `body`.
#[derive(Debug)]
pub struct ApiPost {
    pub idempotency_key: IdempotencyKey,
    pub fingerprint: BodyFingerprint,
    /// The endpoint's JSON body (the envelope's `body` for beacons).
    pub body: Value,
}

enum Transport {
    Json,
    Beacon,
}

impl FromRequest<AppState> for ApiPost {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let csrf_header = header_text(request.headers(), CSRF_HEADER).map(Cow::into_owned);
        let key_header =
            header_text(request.headers(), IDEMPOTENCY_KEY_HEADER).map(Cow::into_owned);
        let (idempotency_key, body) = match transport_of(request.headers())? {
            Transport::Json => {
                check_csrf(state, csrf_header.as_deref(), CSRF_HEADER)?;
                let key = match key_header {
                    Some(raw) => IdempotencyKey::parse(&raw, IDEMPOTENCY_KEY_HEADER)?,
                    None => {
                        return Err(ApiError::MissingIdempotencyKey {
                            field: IDEMPOTENCY_KEY_HEADER,
                        })
                    }
                };
                (key, read_json(request).await?)
            }
            Transport::Beacon => {
                let envelope_value = read_json(request).await?;
                let envelope = ObjectReader::new(&envelope_value, "", ENVELOPE_FIELDS)?;
                let envelope_csrf = match envelope.optional("csrf") {
                    Some(Value::String(token)) => Some(token.as_str()),
                    Some(other) => return Err(invalid("csrf", other, "a string")),
                    None => None,
                };
                // A beacon cannot set headers, but a fetch sending text/plain can: accept either.
                check_csrf(state, envelope_csrf.or(csrf_header.as_deref()), "csrf")?;
                let key = match envelope.optional("idempotency_key") {
                    Some(Value::String(raw)) => IdempotencyKey::parse(raw, "idempotency_key")?,
                    Some(other) => {
                        return Err(ApiError::InvalidIdempotencyKey {
                            field: "idempotency_key",
                            found: describe(other),
                        })
                    }
                    None => {
                        return Err(ApiError::MissingIdempotencyKey {
                            field: "idempotency_key",
                        })
                    }
                };
                // A text/plain fetch can send the header too. The contract's rule for the
                // header holds whatever the body (a malformed one is refused), and one request
                // names one event: a header key other than the envelope's is refused rather
                // than silently dropped, since retries under either key must meet the same row.
                if let Some(raw) = key_header {
                    if IdempotencyKey::parse(&raw, IDEMPOTENCY_KEY_HEADER)? != key {
                        return Err(ApiError::InvalidField {
                            field: IDEMPOTENCY_KEY_HEADER.to_owned(),
                            message: "differs from the envelope's idempotency_key; send one key per event, \
                                      in the envelope (the header may repeat it)"
                                .to_owned(),
                        });
                    }
                }
                let body = envelope.required("body", "the event as a JSON object")?;
                (key, body.clone())
            }
        };
        Ok(ApiPost {
            idempotency_key,
            fingerprint: BodyFingerprint::of(&body),
            body,
        })
    }
}

/// A JSON body for the admin POSTs: the same content-type check, size limit and JSON
/// parsing as [`ApiPost`], without CSRF or idempotency key (a bearer token is not sent
/// by browsers on their own, and the admin updates are idempotent by nature).
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &AppState) -> Result<Self, ApiError> {
        match transport_of(request.headers())? {
            Transport::Json => Ok(JsonBody(read_json(request).await?)),
            Transport::Beacon => Err(ApiError::UnsupportedMediaType {
                found: header_text(request.headers(), header::CONTENT_TYPE).map(Cow::into_owned),
            }),
        }
    }
}

fn transport_of(headers: &HeaderMap) -> Result<Transport, ApiError> {
    let content_type = header_text(headers, header::CONTENT_TYPE);
    let essence = content_type
        .as_deref()
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => Ok(Transport::Json),
        Some("text/plain") => Ok(Transport::Beacon),
        _ => Err(ApiError::UnsupportedMediaType {
            found: content_type.map(Cow::into_owned),
        }),
    }
}

/// A header's value (names match whatever their case); bytes that are not UTF-8 are replaced
/// rather than making the header look absent, so a wrong value is reported as wrong, not as missing.
fn header_text<'h>(headers: &'h HeaderMap, name: impl AsHeaderName) -> Option<Cow<'h, str>> {
    headers
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()))
}

fn check_csrf(
    state: &AppState,
    presented: Option<&str>,
    field: &'static str,
) -> Result<(), ApiError> {
    let Some(expected) = &state.config.csrf_token else {
        return Ok(());
    };
    match presented {
        Some(token) if expected.matches(token) => Ok(()),
        Some(_) => Err(ApiError::CsrfMismatch {
            field,
            missing: false,
        }),
        None => Err(ApiError::CsrfMismatch {
            field,
            missing: true,
        }),
    }
}

/// Reads at most [`MAX_BODY_BYTES`] and parses them as JSON. The limit is enforced here,
/// not by a router layer, so no route can forget it.
async fn read_json(request: Request) -> Result<Value, ApiError> {
    let too_large = ApiError::PayloadTooLarge {
        limit_bytes: MAX_BODY_BYTES,
    };
    let declared_length = header_text(request.headers(), header::CONTENT_LENGTH)
        .and_then(|length| length.trim().parse::<usize>().ok());
    if declared_length.is_some_and(|length| length > MAX_BODY_BYTES) {
        return Err(too_large);
    }
    let mut body = request.into_body();
    let mut bytes = Vec::new();
    while let Some(frame) = poll_fn(|context| Pin::new(&mut body).poll_frame(context)).await {
        let frame = frame.map_err(|error| ApiError::InvalidJson {
            detail: format!("the body could not be read: {error}"),
        })?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > MAX_BODY_BYTES {
                return Err(too_large);
            }
            bytes.extend_from_slice(&data);
        }
    }
    serde_json::from_slice(&bytes).map_err(|error| ApiError::InvalidJson {
        detail: error.to_string(),
    })
}
