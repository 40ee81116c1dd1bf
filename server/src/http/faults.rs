//! Test-only fault injection, enabled by `PW_FAULTS=1`: the next N requests to the data
//! endpoints fail in a chosen way (error status, delay, dropped connection, 200 with a
//! non-JSON body), so the widget's retry logic can be tested against a real server.
//! A faulted request never reaches its handler, so nothing of it is stored.

use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::api_post::JsonBody;
use super::connection::ConnectionHandle;
use super::fault_plan::Fault;
use super::state::AppState;
use crate::domain::validation::{integer, one_of, ObjectReader};
use crate::error::ApiError;

pub const ENDPOINT: &str = "/__faults";
/// Moves the server's clock (`{"offset_seconds": n}`, negative for the past).
pub const CLOCK_ENDPOINT: &str = "/__clock";
/// Ten years either way.
const MAX_CLOCK_OFFSET_SECONDS: i64 = 10 * 366 * 86_400;

const MODES: &[&str] = &["status", "delay", "drop", "garbage", "off"];
const MAX_DELAY_MS: i64 = 60_000;
const MAX_COUNT: i64 = 10_000;

/// The body of a `garbage` answer: what a captive portal or broken proxy might send.
const GARBAGE_BODY: &str = "<html><body>garbage injected by PW_FAULTS</body></html>";

/// Middleware in front of the data endpoints.
pub async fn inject_faults(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match state.faults.take() {
        None => next.run(request).await,
        Some(Fault::Status(status)) => ApiError::FaultInjected { status }.into_response(),
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Some(Fault::Drop) => {
            if let Some(ConnectInfo(connection)) =
                request.extensions().get::<ConnectInfo<ConnectionHandle>>()
            {
                connection.sever();
            }
            // Never sent on a real connection; only in-process callers (no socket) see it.
            StatusCode::BAD_GATEWAY.into_response()
        }
        Some(Fault::Garbage) => {
            let mut response = (StatusCode::OK, GARBAGE_BODY).into_response();
            // Claims JSON on purpose: the client must check the body, not the header.
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
    }
}

/// `POST /__faults`: sets the plan, replacing any earlier one. Read like the admin POSTs
/// (`application/json`, at most 16 KiB), so a wrong request gets the API's JSON errors.
pub async fn set_faults(
    State(state): State<AppState>,
    JsonBody(value): JsonBody,
) -> Result<StatusCode, ApiError> {
    let mode_value = value
        .get("mode")
        .filter(|mode| !mode.is_null())
        .ok_or_else(|| ApiError::MissingField {
            field: "mode".to_owned(),
            expected: "one of status, delay, drop, garbage, off",
        })?;
    let mode = MODES[one_of(mode_value, "mode", MODES)?];
    let allowed: &'static [&'static str] = match mode {
        "status" => &["mode", "status", "count"],
        "delay" => &["mode", "ms", "count"],
        "off" => &["mode"],
        _ => &["mode", "count"],
    };
    let reader = ObjectReader::new(&value, "", allowed)?;
    let count = match reader.optional("count") {
        None => 1,
        Some(count) => integer(count, "count", 1..=MAX_COUNT, "an integer from 1 to 10000")? as u32,
    };
    let fault = match mode {
        "status" => {
            let code = integer(
                reader.required("status", "an HTTP error status from 400 to 599")?,
                "status",
                400..=599,
                "an HTTP error status from 400 to 599",
            )?;
            Some(Fault::Status(
                StatusCode::from_u16(code as u16).map_err(ApiError::internal)?,
            ))
        }
        "delay" => {
            let ms = integer(
                reader.required("ms", "a delay in milliseconds from 0 to 60000")?,
                "ms",
                0..=MAX_DELAY_MS,
                "a delay in milliseconds from 0 to 60000",
            )?;
            Some(Fault::Delay(Duration::from_millis(ms as u64)))
        }
        "drop" => Some(Fault::Drop),
        "garbage" => Some(Fault::Garbage),
        _ => None,
    };
    state.faults.set(fault, count);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /__faults`: the current plan and how many faulted answers it has given.
pub async fn show_faults(State(state): State<AppState>) -> Json<Value> {
    Json(state.faults.describe())
}

/// `POST /__clock` with `{"offset_seconds": n}`: from now on "now" is the wall clock plus
/// `n` seconds, for everything that asks the app's clock (request ages, sessions, limits).
/// Database-side timestamps (a consent event's `received_at`) keep the real time.
pub async fn set_clock(
    State(state): State<AppState>,
    JsonBody(value): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let Some(clock) = &state.test_clock else {
        return Err(ApiError::NotFound);
    };
    let reader = ObjectReader::new(&value, "", &["offset_seconds"])?;
    let expected = "whole seconds from -316224000 to 316224000 (ten years either way)";
    let offset = integer(
        reader.required("offset_seconds", expected)?,
        "offset_seconds",
        -MAX_CLOCK_OFFSET_SECONDS..=MAX_CLOCK_OFFSET_SECONDS,
        expected,
    )?;
    clock.set_offset(offset * 1000);
    Ok(Json(serde_json::json!({
        "offset_seconds": offset,
        "now": state.clock.now().rfc3339(),
    })))
}
