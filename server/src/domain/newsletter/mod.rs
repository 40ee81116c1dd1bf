//! Newsletter with double opt-in. `POST /api/newsletter/subscribe` stores the address as
//! pending with its proof of consent and mails a confirmation link; the button on the page
//! that link opens confirms it; every mail carries an unsubscribe link that deletes the
//! address. The API answers the same whatever the address's state, so it never reveals who
//! is on the list.

pub mod flows;
mod requests;
pub mod texts;

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::idempotency::{respond_once, BodyFingerprint, IdempotencyKey, StoredResponse};
use super::rate_limit::{ClientIp, MailLimits, Scope};
use crate::clock::Timestamp;
use crate::error::ApiError;
use crate::store::Database;

pub use flows::{NewsletterSettings, PurgeReport};
pub use requests::{
    SubscribeRequest, UnsubscribeRequest, ADMIN_ENDPOINT, CONFIRM_PAGE, SUBSCRIBE_ENDPOINT,
    UNSUBSCRIBE_ENDPOINT, UNSUBSCRIBE_PAGE,
};

/// The one answer of both newsletter POSTs, whatever the address's state.
fn check_your_email() -> StoredResponse {
    StoredResponse {
        status: StatusCode::ACCEPTED,
        body: json!({"status": "check_your_email"}),
    }
}

/// Who asks and under which limits: what both newsletter POSTs need besides the body.
pub struct MailRequest {
    pub client: ClientIp,
    pub limits: MailLimits,
    pub settings: NewsletterSettings,
    pub key: IdempotencyKey,
    pub fingerprint: BodyFingerprint,
}

/// `POST /api/newsletter/subscribe`: stores the signup as pending and mails the confirmation
/// link, at most once per idempotency key. Returns the answer and whether it was a replay.
pub async fn subscribe(
    database: &Database,
    now: Timestamp,
    request: MailRequest,
    body: &Value,
) -> Result<(StoredResponse, bool), ApiError> {
    let signup = SubscribeRequest::from_json(body)?;
    let MailRequest {
        client,
        limits,
        settings,
        key,
        fingerprint,
    } = request;
    respond_once(
        database,
        now,
        SUBSCRIBE_ENDPOINT,
        key,
        fingerprint,
        move |transaction, _key| {
            let now = limits.admit(Scope::Newsletter, client, &signup.email)?;
            flows::subscribe(transaction, &signup, &settings, now)?;
            Ok(check_your_email())
        },
    )
    .await
}

/// `POST /api/newsletter/unsubscribe`: mails an unsubscribe link if the address is listed;
/// deleting needs the link, which proves the requester reads that mailbox.
pub async fn request_unsubscribe(
    database: &Database,
    now: Timestamp,
    request: MailRequest,
    body: &Value,
) -> Result<(StoredResponse, bool), ApiError> {
    let unsubscribe = UnsubscribeRequest::from_json(body)?;
    let MailRequest {
        client,
        limits,
        settings,
        key,
        fingerprint,
    } = request;
    respond_once(
        database,
        now,
        UNSUBSCRIBE_ENDPOINT,
        key,
        fingerprint,
        move |transaction, _key| {
            let now = limits.admit(Scope::Newsletter, client, &unsubscribe.email)?;
            flows::mail_unsubscribe_link(
                transaction,
                &unsubscribe.email,
                unsubscribe.language,
                &settings,
                now,
            )?;
            Ok(check_your_email())
        },
    )
    .await
}

/// Deletes addresses left unconfirmed for `NEWSLETTER_PENDING_TTL_HOURS`, and the newsletter
/// endpoints' idempotency records of the same age (their body fingerprints could confirm a
/// guessed address). Run at start-up and periodically; tests call it directly.
pub async fn purge_expired(
    database: &Database,
    now: Timestamp,
    settings: &NewsletterSettings,
) -> Result<PurgeReport, ApiError> {
    let pending_ttl = settings.pending_ttl;
    let token_ttl = settings.token_ttl;
    database
        .call(move |transaction| {
            let report = flows::purge(transaction, now, pending_ttl, token_ttl)?;
            transaction.delete_idempotency_records(
                &[SUBSCRIBE_ENDPOINT, UNSUBSCRIBE_ENDPOINT],
                now.minus(pending_ttl),
            )?;
            Ok(report)
        })
        .await
}

/// Every subscriber with status, proof of consent and timestamps, newest signup first.
pub async fn subscribers(database: &Database) -> Result<Value, ApiError> {
    database
        .call(|transaction| {
            let rows = transaction.subscribers()?;
            Ok(json!({
                "subscribers": rows.iter().map(flows::subscriber_json).collect::<Vec<_>>()
            }))
        })
        .await
}
