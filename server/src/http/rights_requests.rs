//! `POST /api/rights-requests` and the operator's list and status changes; the rules are
//! `domain::rights_requests`'s.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use serde_json::Value;

use super::admin::{query_params, AdminAccess, QueryParams};
use super::api_post::{stored_answer, ApiPost, JsonBody};
use super::state::AppState;
use crate::domain::rate_limit::ClientIp;
use crate::domain::rights_requests;
use crate::error::ApiError;

/// `POST /api/rights-requests`.
pub async fn submit(
    State(state): State<AppState>,
    client: ClientIp,
    post: ApiPost,
) -> Result<Response, ApiError> {
    let answer = rights_requests::submit(
        &state.database,
        state.clock.now(),
        state.mail_limits(),
        Arc::clone(&state.mailer),
        client,
        post.idempotency_key,
        post.fingerprint,
        &post.body,
    )
    .await?;
    state.mailer.wake();
    Ok(stored_answer(answer))
}

/// `GET /api/admin/rights-requests`: the latest 500, newest first.
pub async fn list(
    _access: AdminAccess,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    query_params(query, &[], "no query string")?;
    rights_requests::latest(&state.database).await.map(Json)
}

/// `POST /api/admin/rights-requests/{reference}/status` with `{"status": …}`: sets the
/// status and `updated_at`, and answers with the updated request.
pub async fn update_status(
    _access: AdminAccess,
    State(state): State<AppState>,
    reference: Result<Path<String>, PathRejection>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    // axum's own rejection (a percent-encoding that is not UTF-8) is plain text; the API
    // answers JSON.
    let Path(reference) = reference.map_err(|rejection| ApiError::InvalidField {
        field: "reference".to_owned(),
        message: format!(
            "the path segment could not be read ({}); expected a reference like \"PV-2026-000123\"",
            rejection.body_text()
        ),
    })?;
    rights_requests::update_status(
        &state.database,
        state.clock.now(),
        reference,
        &body,
        rights_requests::CHANGED_BY_API.to_owned(),
    )
    .await
    .map(Json)
}
