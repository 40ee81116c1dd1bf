//! E-mail addresses, checked with the widget's own rule
//! (`privacy_widget_core::newsletter::validate_email`: the HTML "valid e-mail address"
//! rule after trimming, at most 254 bytes, domain lowercased), so the server accepts
//! exactly what the form lets through. This module only turns its errors into `ApiError`s.

use privacy_widget_core::newsletter::{validate_email, EmailError, MAX_EMAIL_LEN};
use serde_json::Value;

use super::validation::{describe, invalid};
use crate::error::ApiError;

pub const EMAIL_EXPECTED: &str =
    "an e-mail address like \"kari@example.no\" (the HTML rule for <input type=email>, ASCII, a dot in the domain, at most 254 characters)";

/// Reads, checks and normalises an address from a JSON field.
pub fn email_field(value: &Value, field: &str) -> Result<String, ApiError> {
    let Some(raw) = value.as_str() else {
        return Err(invalid(field, value, EMAIL_EXPECTED));
    };
    validate_email(raw).map_err(|error| ApiError::InvalidField {
        field: field.to_owned(),
        message: format!(
            "found {}, {}; expected {EMAIL_EXPECTED}",
            describe(value),
            problem(error)
        ),
    })
}

/// What is wrong, for the developer reading the error.
fn problem(error: EmailError) -> String {
    match error {
        EmailError::Empty => "which is empty".to_owned(),
        EmailError::MissingAt => "which has no '@'".to_owned(),
        EmailError::BadLocalPart => {
            "whose part before the '@' is empty or has a character the HTML rule does not allow"
                .to_owned()
        }
        EmailError::BadDomain => {
            "whose domain has an empty, too long or hyphen-edged label or a character other than letters, digits, '-' and '.'"
                .to_owned()
        }
        EmailError::MissingTld => "whose domain has no dot".to_owned(),
        EmailError::TooLong => format!(
            "which is longer than {MAX_EMAIL_LEN} bytes (or 64 before the '@')"
        ),
        EmailError::NonAscii => {
            "which has non-ASCII characters (write an international domain in its xn-- form)"
                .to_owned()
        }
        EmailError::QuotedLocalPart => "which has a quoted part before the '@'".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalises_like_the_widget() {
        assert_eq!(
            email_field(&json!("  Kari.Nordmann@Example.NO\n"), "email").unwrap(),
            "Kari.Nordmann@example.no"
        );
    }

    #[test]
    fn errors_name_the_field_and_the_problem() {
        for (value, says) in [
            (json!("kari"), "no '@'"),
            (json!("kari@localhost"), "no dot"),
            (json!("kåre@example.no"), "non-ASCII"),
            (
                json!(format!("{}@example.no", "k".repeat(250))),
                "longer than 254",
            ),
            (json!(""), "empty"),
        ] {
            let error = email_field(&value, "email").unwrap_err();
            assert_eq!(error.field(), Some("email"));
            assert!(
                error.message().unwrap().contains(says),
                "{value}: {error:?}"
            );
        }
        let error = email_field(&json!(7), "email").unwrap_err();
        assert_eq!(error.field(), Some("email"));
    }
}
