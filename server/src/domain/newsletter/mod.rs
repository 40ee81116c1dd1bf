//! Newsletter with double opt-in. `POST /api/newsletter/subscribe` stores the address as
//! pending with its proof of consent and mails a confirmation link; the button on the page
//! that link opens confirms it; every mail carries an unsubscribe link that deletes the
//! address. The API answers the same whatever the address's state, so it never reveals who
//! is on the list.

mod pages;
pub mod store;
pub mod texts;

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use privacy_widget_core::wire;
use serde_json::{json, Value};

use crate::admin::{query_params, AdminAccess, QueryParams};
use crate::api_post::ApiPost;
use crate::consent::REVISION_RULE;
use crate::email::{email_field, EMAIL_EXPECTED};
use crate::error::ApiError;
use crate::idempotency::{respond_once, StoredResponse};
use crate::rate_limit::{ClientIp, MailLimits, Scope};
use crate::validation::{
    is_multi_line_char, is_single_line_char, is_token_char, text, widget_language, ObjectReader,
    Rule, TextRule,
};
use crate::AppState;

pub use pages::{confirm_form_page, confirm_submit, unsubscribe_form_page, unsubscribe_submit};
pub use store::PurgeReport;

pub const SUBSCRIBE_ENDPOINT: &str = "/api/newsletter/subscribe";
pub const UNSUBSCRIBE_ENDPOINT: &str = "/api/newsletter/unsubscribe";
pub const ADMIN_ENDPOINT: &str = "/api/admin/newsletter";
/// The pages the links in the mails open.
pub const CONFIRM_PAGE: &str = "/newsletter/confirm";
pub const UNSUBSCRIBE_PAGE: &str = "/newsletter/unsubscribe";

const SUBSCRIBE_FIELDS: &[&str] = &[
    "email",
    "consent_text",
    "consent_text_version",
    "revision",
    "language",
    "first_name",
];
const UNSUBSCRIBE_FIELDS: &[&str] = &["email", "language"];

const CONSENT_TEXT_RULE: TextRule = TextRule {
    min_chars: 1,
    max_chars: 2000,
    allowed: is_multi_line_char,
    expected: "the exact text of the checkbox the visitor ticked: 1-2000 characters (line breaks allowed, no other control characters)",
};
const CONSENT_TEXT_VERSION_RULE: TextRule = TextRule {
    min_chars: 1,
    max_chars: 64,
    allowed: |c| is_token_char(c) || c == '.',
    expected: "1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-' (a SHA-256 in hex or a short id)",
};
const FIRST_NAME_RULE: TextRule = TextRule {
    min_chars: 1,
    max_chars: 100,
    allowed: is_single_line_char,
    expected: "1-100 characters, no control characters",
};

/// A validated signup: the address and the proof of consent. `first_name` is checked but
/// not kept: the privacy statement promises that only the e-mail address is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeRequest {
    pub email: String,
    pub consent_text: String,
    pub consent_text_version: String,
    pub revision: String,
    pub language: &'static str,
}

impl SubscribeRequest {
    pub fn from_json(body: &Value) -> Result<Self, ApiError> {
        let reader = ObjectReader::new(body, "", SUBSCRIBE_FIELDS)?;
        let owned = |rule: &'static dyn Rule| {
            move |value: &Value, path: &str| text(value, path, rule).map(str::to_owned)
        };
        let request = SubscribeRequest {
            email: reader.read("email", EMAIL_EXPECTED, email_field)?,
            consent_text: reader.read(
                "consent_text",
                CONSENT_TEXT_RULE.expected,
                owned(&CONSENT_TEXT_RULE),
            )?,
            consent_text_version: reader.read(
                "consent_text_version",
                CONSENT_TEXT_VERSION_RULE.expected,
                owned(&CONSENT_TEXT_VERSION_RULE),
            )?,
            revision: reader.read("revision", REVISION_RULE.expected, owned(&REVISION_RULE))?,
            language: reader.read("language", wire::LANGUAGE_EXPECTED, widget_language)?,
        };
        reader.read_optional("first_name", |value, path| {
            text(value, path, &FIRST_NAME_RULE).map(drop)
        })?;
        Ok(request)
    }
}

/// `{"email", "language"?}` of the unsubscribe request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeRequest {
    pub email: String,
    pub language: Option<&'static str>,
}

impl UnsubscribeRequest {
    pub fn from_json(body: &Value) -> Result<Self, ApiError> {
        let reader = ObjectReader::new(body, "", UNSUBSCRIBE_FIELDS)?;
        Ok(UnsubscribeRequest {
            email: reader.read("email", EMAIL_EXPECTED, email_field)?,
            language: reader.read_optional("language", widget_language)?,
        })
    }
}

/// The one answer of both newsletter POSTs, whatever the address's state.
fn check_your_email() -> StoredResponse {
    StoredResponse {
        status: StatusCode::ACCEPTED,
        body: json!({"status": "check_your_email"}),
    }
}

fn mail_settings(state: &AppState) -> store::MailSettings {
    store::MailSettings {
        mailer: Arc::clone(&state.mailer),
        base_url: state.config.base_url(),
        token_ttl: state.config.newsletter_token_ttl,
        pending_ttl: state.config.newsletter_pending_ttl,
    }
}

/// `POST /api/newsletter/subscribe`.
pub async fn subscribe(
    State(state): State<AppState>,
    client: ClientIp,
    post: ApiPost,
) -> Result<Response, ApiError> {
    let request = SubscribeRequest::from_json(&post.body)?;
    let settings = mail_settings(&state);
    let limits = MailLimits::of(&state);
    let response = respond_once(
        &state.database,
        state.clock.now(),
        SUBSCRIBE_ENDPOINT,
        post.idempotency_key,
        post.fingerprint,
        move |transaction, _key| {
            let now = limits.admit(Scope::Newsletter, client, &request.email)?;
            store::subscribe(transaction, &request, &settings, now)?;
            Ok(check_your_email())
        },
    )
    .await?;
    state.mailer.wake();
    Ok(response)
}

/// `POST /api/newsletter/unsubscribe`: mails an unsubscribe link if the address is listed;
/// deleting needs the link, which proves the requester reads that mailbox.
pub async fn request_unsubscribe(
    State(state): State<AppState>,
    client: ClientIp,
    post: ApiPost,
) -> Result<Response, ApiError> {
    let request = UnsubscribeRequest::from_json(&post.body)?;
    let settings = mail_settings(&state);
    let limits = MailLimits::of(&state);
    let response = respond_once(
        &state.database,
        state.clock.now(),
        UNSUBSCRIBE_ENDPOINT,
        post.idempotency_key,
        post.fingerprint,
        move |transaction, _key| {
            let now = limits.admit(Scope::Newsletter, client, &request.email)?;
            store::mail_unsubscribe_link(
                transaction,
                &request.email,
                request.language,
                &settings,
                now,
            )?;
            Ok(check_your_email())
        },
    )
    .await?;
    state.mailer.wake();
    Ok(response)
}

/// Deletes addresses left unconfirmed for `NEWSLETTER_PENDING_TTL_HOURS`, and the newsletter
/// endpoints' idempotency records of the same age (their body fingerprints could confirm a
/// guessed address). Run at start-up and periodically; tests call it directly.
pub async fn purge_expired(state: &AppState) -> Result<PurgeReport, ApiError> {
    let now = state.clock.now();
    let pending_ttl = state.config.newsletter_pending_ttl;
    let token_ttl = state.config.newsletter_token_ttl;
    state
        .database
        .call(move |connection| {
            let transaction = connection.transaction()?;
            let report = store::purge(&transaction, now, pending_ttl, token_ttl)?;
            transaction.execute(
                "DELETE FROM idempotency_records
                 WHERE endpoint IN (?1, ?2) AND created_at <= ?3",
                (
                    SUBSCRIBE_ENDPOINT,
                    UNSUBSCRIBE_ENDPOINT,
                    now.minus(pending_ttl).rfc3339(),
                ),
            )?;
            transaction.commit()?;
            Ok(report)
        })
        .await
}

/// `GET /api/admin/newsletter`: every subscriber with status, proof of consent and
/// timestamps, newest signup first.
pub async fn list_subscribers(
    _access: AdminAccess,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    query_params(query, &[], "no query string")?;
    let subscribers = state
        .database
        .call(|connection| store::list(connection))
        .await?;
    Ok(Json(json!({ "subscribers": subscribers })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Value {
        json!({
            "email": " Kari@Example.NO ",
            "consent_text": "Ja takk, send meg nyhetsbrev.",
            "consent_text_version": "v1",
            "revision": "2026-11-01",
            "language": "nn",
            "first_name": "Kari"
        })
    }

    #[test]
    fn parses_and_normalises_a_signup() {
        let request = SubscribeRequest::from_json(&valid()).unwrap();
        assert_eq!(request.email, "Kari@example.no");
        assert_eq!(request.language, "nn");
    }

    #[test]
    fn errors_name_the_field() {
        for (field, value) in [
            ("email", json!("kari")),
            ("consent_text", json!("")),
            ("consent_text", json!("bell\u{7}")),
            ("consent_text_version", json!("v 1")),
            ("revision", json!("../x")),
            ("language", json!("sv")),
            ("first_name", json!("")),
        ] {
            let mut body = valid();
            body[field] = value;
            let error = SubscribeRequest::from_json(&body).unwrap_err();
            assert_eq!(error.field(), Some(field), "{body}");
        }
        let mut body = valid();
        body["ip"] = json!("192.0.2.1");
        assert_eq!(
            SubscribeRequest::from_json(&body).unwrap_err().field(),
            Some("ip")
        );
        body = valid();
        body.as_object_mut().unwrap().remove("consent_text");
        assert_eq!(
            SubscribeRequest::from_json(&body).unwrap_err().code(),
            "missing_field"
        );
    }
}
