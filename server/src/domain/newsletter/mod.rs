//! Newsletter with double opt-in. `POST /api/newsletter/subscribe` stores the address as
//! pending with its proof of consent and mails a confirmation link; the button on the page
//! that link opens confirms it; every mail carries an unsubscribe link that deletes the
//! address. The API answers the same whatever the address's state, so it never reveals who
//! is on the list.

pub mod flows;
pub mod texts;

use axum::http::StatusCode;
use privacy_widget_core::wire;
use serde_json::{json, Value};

use super::consent::REVISION_RULE;
use super::email::{email_field, EMAIL_EXPECTED};
use super::idempotency::{respond_once, BodyFingerprint, IdempotencyKey, StoredResponse};
use super::rate_limit::{ClientIp, MailLimits, Scope};
use super::validation::{
    is_multi_line_char, is_single_line_char, is_token_char, text, widget_language, ObjectReader,
    Rule, TextRule,
};
use crate::clock::Timestamp;
use crate::error::ApiError;
use crate::store::Database;

pub use flows::{NewsletterSettings, PurgeReport};

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
