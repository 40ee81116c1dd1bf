//! `POST /api/consent`: the handler; the rules and the storing are `domain::consent`'s.

use axum::extract::State;
use axum::response::Response;

use super::api_post::{stored_answer, ApiPost};
use super::state::AppState;
use crate::domain::consent;
use crate::error::ApiError;

/// `POST /api/consent`.
pub async fn record_consent(
    State(state): State<AppState>,
    post: ApiPost,
) -> Result<Response, ApiError> {
    consent::record(
        &state.database,
        state.clock.now(),
        post.idempotency_key,
        post.fingerprint,
        &post.body,
    )
    .await
    .map(stored_answer)
}
