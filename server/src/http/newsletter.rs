//! The newsletter's HTTP side: the two API POSTs and the admin list. The double opt-in
//! itself is `domain::newsletter`'s; the link pages are `newsletter_pages`.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use serde_json::Value;

use super::admin::{query_params, AdminAccess, QueryParams};
use super::api_post::{stored_answer, ApiPost};
use super::state::AppState;
use crate::domain::newsletter::{self, MailRequest};
use crate::domain::rate_limit::ClientIp;
use crate::error::ApiError;

fn mail_request(state: &AppState, client: ClientIp, post: &ApiPost) -> MailRequest {
    MailRequest {
        client,
        limits: state.mail_limits(),
        settings: state.newsletter_settings(),
        key: post.idempotency_key.clone(),
        fingerprint: post.fingerprint.clone(),
    }
}

/// `POST /api/newsletter/subscribe`.
pub async fn subscribe(
    State(state): State<AppState>,
    client: ClientIp,
    post: ApiPost,
) -> Result<Response, ApiError> {
    let request = mail_request(&state, client, &post);
    let answer =
        newsletter::subscribe(&state.database, state.clock.now(), request, &post.body).await?;
    state.mailer.wake();
    Ok(stored_answer(answer))
}

/// `POST /api/newsletter/unsubscribe`.
pub async fn request_unsubscribe(
    State(state): State<AppState>,
    client: ClientIp,
    post: ApiPost,
) -> Result<Response, ApiError> {
    let request = mail_request(&state, client, &post);
    let answer =
        newsletter::request_unsubscribe(&state.database, state.clock.now(), request, &post.body)
            .await?;
    state.mailer.wake();
    Ok(stored_answer(answer))
}

/// `GET /api/admin/newsletter`: every subscriber with status, proof of consent and
/// timestamps, newest signup first.
pub async fn list_subscribers(
    _access: AdminAccess,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    query_params(query, &[], "no query string")?;
    newsletter::subscribers(&state.database).await.map(Json)
}
