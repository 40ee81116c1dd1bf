//! What the newsletter's endpoints accept: their paths and the validated signup and
//! withdrawal requests.

use privacy_widget_core::wire;
use serde_json::Value;

use crate::domain::consent::REVISION_RULE;
use crate::domain::email::{email_field, EMAIL_EXPECTED};
use crate::domain::validation::{
    is_multi_line_char, is_single_line_char, is_token_char, text, widget_language, ObjectReader,
    Rule, TextRule,
};
use crate::error::ApiError;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
