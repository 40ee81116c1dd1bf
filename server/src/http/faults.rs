//! Test-only fault injection, enabled by `PW_FAULTS=1`: the next N requests to the data
//! endpoints fail in a chosen way (error status, delay, dropped connection, 200 with a
//! non-JSON body), so the widget's retry logic can be tested against a real server.
//! A faulted request never reaches its handler, so nothing of it is stored.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::api_post::JsonBody;
use super::connection::ConnectionHandle;
use crate::error::ApiError;
use super::state::AppState;
use crate::domain::validation::{integer, one_of, ObjectReader};

pub const ENDPOINT: &str = "/__faults";

const MODES: &[&str] = &["status", "delay", "drop", "garbage", "off"];
const MAX_DELAY_MS: i64 = 60_000;
const MAX_COUNT: i64 = 10_000;

/// The body of a `garbage` answer: what a captive portal or broken proxy might send.
const GARBAGE_BODY: &str = "<html><body>garbage injected by PW_FAULTS</body></html>";

/// How a faulted request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Status(StatusCode),
    /// Wait, then process the request normally.
    Delay(Duration),
    /// Close the connection without any response.
    Drop,
    /// 200 with a body that is not JSON.
    Garbage,
}

#[derive(Debug, Default)]
struct FaultPlan {
    fault: Option<Fault>,
    remaining: u32,
    /// Faulted answers given since the plan was last set.
    served: u64,
}

/// The current fault plan, shared by the middleware and the `/__faults` endpoint.
#[derive(Debug, Default)]
pub struct FaultInjector {
    plan: Mutex<FaultPlan>,
}

impl FaultInjector {
    fn set(&self, fault: Option<Fault>, count: u32) {
        *self.lock() = FaultPlan {
            fault,
            remaining: if fault.is_some() { count } else { 0 },
            served: 0,
        };
    }

    /// The fault for the request at hand, if any; switches itself off after the last one.
    fn take(&self) -> Option<Fault> {
        let mut plan = self.lock();
        let fault = plan.fault?;
        plan.remaining -= 1;
        plan.served += 1;
        if plan.remaining == 0 {
            plan.fault = None;
        }
        Some(fault)
    }

    fn describe(&self) -> Value {
        let plan = self.lock();
        let mut description = match plan.fault {
            None => json!({"mode": "off"}),
            Some(Fault::Status(status)) => json!({"mode": "status", "status": status.as_u16()}),
            Some(Fault::Delay(delay)) => json!({"mode": "delay", "ms": delay.as_millis() as u64}),
            Some(Fault::Drop) => json!({"mode": "drop"}),
            Some(Fault::Garbage) => json!({"mode": "garbage"}),
        };
        description["remaining"] = json!(plan.remaining);
        description["served"] = json!(plan.served);
        description
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultPlan> {
        // The plan is plain data, valid even if a holder panicked.
        self.plan.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_switches_itself_off_after_count() {
        let injector = FaultInjector::default();
        injector.set(Some(Fault::Drop), 2);
        assert_eq!(injector.take(), Some(Fault::Drop));
        assert_eq!(injector.take(), Some(Fault::Drop));
        assert_eq!(injector.take(), None);
        assert_eq!(
            injector.describe(),
            json!({"mode": "off", "remaining": 0, "served": 2})
        );
    }
}
