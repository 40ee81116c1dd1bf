//! E-mail addresses as the widget's `<input type="email">` accepts them: the HTML
//! specification's "valid e-mail address" rule, after trimming, at most 254 characters,
//! with the domain lowercased (the local part is left as typed: only the receiving server
//! may decide whether it is case-sensitive).

use serde_json::Value;

use crate::error::ApiError;
use crate::validation::invalid;

/// Longest accepted address: the longest path RFC 5321 lets through, minus the brackets.
pub const MAX_EMAIL_CHARS: usize = 254;

pub const EMAIL_EXPECTED: &str =
    "an e-mail address like \"kari@example.no\" (the HTML rule for <input type=email>, at most 254 characters)";

/// Why an address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    TooLong,
    Invalid,
}

/// Trims ASCII whitespace (as the browser does for `type=email`), checks the HTML rule
/// and the length, and lowercases the domain.
pub fn normalize_email(raw: &str) -> Result<String, EmailError> {
    let trimmed = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    if trimmed.is_empty() {
        return Err(EmailError::Empty);
    }
    if trimmed.chars().count() > MAX_EMAIL_CHARS {
        return Err(EmailError::TooLong);
    }
    let (local, domain) = trimmed.split_once('@').ok_or(EmailError::Invalid)?;
    let local_ok = !local.is_empty() && local.chars().all(is_local_char);
    let domain_ok = domain.split('.').all(is_domain_label);
    if local_ok && domain_ok {
        Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
    } else {
        Err(EmailError::Invalid)
    }
}

/// Reads and normalises an address from a JSON field.
pub fn email_field(value: &Value, field: &str) -> Result<String, ApiError> {
    let Some(raw) = value.as_str() else {
        return Err(invalid(field, value, EMAIL_EXPECTED));
    };
    normalize_email(raw).map_err(|error| {
        let detail = match error {
            EmailError::Empty => "found an empty address".to_owned(),
            EmailError::TooLong => format!(
                "found {} characters; expected at most {MAX_EMAIL_CHARS}",
                raw.chars().count()
            ),
            EmailError::Invalid => {
                return invalid(field, value, EMAIL_EXPECTED);
            }
        };
        ApiError::InvalidField {
            field: field.to_owned(),
            message: format!("{detail}; expected {EMAIL_EXPECTED}"),
        }
    })
}

/// `a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-`: the characters the HTML rule allows before the `@`.
fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c)
}

/// `[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?`: 1-63 letters, digits or hyphens, not
/// starting or ending with a hyphen.
fn is_domain_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_valid_email_rule() {
        let cases: &[(&str, Result<&str, EmailError>)] = &[
            ("kari@example.no", Ok("kari@example.no")),
            (
                "  Kari.Nordmann@Example.NO\n",
                Ok("Kari.Nordmann@example.no"),
            ),
            ("a+tag@sub.example.co.uk", Ok("a+tag@sub.example.co.uk")),
            (
                "x!#$%&'*/=?^_`{|}~-@example.no",
                Ok("x!#$%&'*/=?^_`{|}~-@example.no"),
            ),
            // The HTML rule allows a domain without a dot and labels with hyphens inside.
            ("root@localhost", Ok("root@localhost")),
            ("a@x-y.no", Ok("a@x-y.no")),
            ("a@1.2.3.4", Ok("a@1.2.3.4")),
            ("", Err(EmailError::Empty)),
            ("   ", Err(EmailError::Empty)),
            ("kari", Err(EmailError::Invalid)),
            ("kari@", Err(EmailError::Invalid)),
            ("@example.no", Err(EmailError::Invalid)),
            ("kari@@example.no", Err(EmailError::Invalid)),
            ("ka ri@example.no", Err(EmailError::Invalid)),
            ("kari@example..no", Err(EmailError::Invalid)),
            ("kari@.example.no", Err(EmailError::Invalid)),
            ("kari@example.no.", Err(EmailError::Invalid)),
            ("kari@-example.no", Err(EmailError::Invalid)),
            ("kari@example-.no", Err(EmailError::Invalid)),
            ("kari@exa_mple.no", Err(EmailError::Invalid)),
            ("\"kari\"@example.no", Err(EmailError::Invalid)),
            ("kåre@example.no", Err(EmailError::Invalid)),
            ("kare@eksempel.nø", Err(EmailError::Invalid)),
            ("kari@[127.0.0.1]", Err(EmailError::Invalid)),
            ("kari@example.no\u{0}", Err(EmailError::Invalid)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize_email(input).as_deref().map_err(|e| *e),
                *expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn length_limits() {
        let label = "a".repeat(63);
        assert!(normalize_email(&format!("k@{label}.no")).is_ok());
        assert_eq!(
            normalize_email(&format!("k@{}a.no", label)),
            Err(EmailError::Invalid)
        );
        // 254 characters in total is the most; 255 is refused even if the rule holds.
        let local = "k".repeat(254 - "@example.no".len());
        assert!(normalize_email(&format!("{local}@example.no")).is_ok());
        assert_eq!(
            normalize_email(&format!("{local}k@example.no")),
            Err(EmailError::TooLong)
        );
    }

    #[test]
    fn json_errors_name_the_field() {
        let error = email_field(&serde_json::json!("nope"), "email").unwrap_err();
        assert_eq!(error.field(), Some("email"));
        let error = email_field(&serde_json::json!(7), "email").unwrap_err();
        assert_eq!(error.field(), Some("email"));
    }
}
