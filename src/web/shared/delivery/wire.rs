//! What the delivery driver puts on and reads off the wire, as pure functions (no browser
//! calls, so they are tested on the host): endpoint URLs, `Retry-After` and the backend's error
//! bodies. The contract itself (beacon envelope, header names) is the core's `wire` module.

use crate::prelude::*;

use privacy_widget_core::json::{self, Json};

pub use privacy_widget_core::wire::withdrawal_url;

/// A `Retry-After` value as a delay from `now_ms`: delta-seconds (`120`) or an HTTP date,
/// which `parse_date` turns into epoch milliseconds (the browser's `Date.parse`). A date in
/// the past is no delay; anything unreadable is `None` (plain backoff applies).
pub fn retry_after_ms(value: &str, now_ms: u64, parse_date: impl FnOnce(&str) -> Option<u64>) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than fit are "very long"; the outbox caps it at its own maximum.
        return Some(json::parse_digits(value).map_or(u64::MAX, |s| s.saturating_mul(1000)));
    }
    parse_date(value).map(|at| at.saturating_sub(now_ms))
}

/// Longest piece of a non-JSON error body quoted in a message.
const EXCERPT_CHARS: usize = 200;

/// The backend's explanation of a refusal for the console and `onError`: from
/// `{"error": code, "message": text}` the text prefixed with the code; otherwise the start of
/// the body as it came; empty for an empty body.
pub fn error_message(body: &str) -> String {
    if let Ok(doc) = json::parse(body) {
        let code = doc.get("error").and_then(Json::as_str);
        let message = doc.get("message").and_then(Json::as_str);
        match (code, message) {
            (Some(c), Some(m)) => {
                let mut out = String::with_capacity(c.len() + m.len() + 2);
                out.push_str(c);
                out.push_str(": ");
                out.push_str(m);
                return out;
            }
            (Some(s), None) | (None, Some(s)) => return s.to_string(),
            (None, None) => {}
        }
    }
    let trimmed = body.trim();
    match trimmed.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => {
            let mut out = trimmed.get(..cut).unwrap_or(trimmed).to_string();
            out.push('…');
            out
        }
        None => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let never = |_: &str| -> Option<u64> { panic!("not a date") };
        assert_eq!(retry_after_ms("120", 5, never), Some(120_000));
        assert_eq!(retry_after_ms(" 0 ", 5, never), Some(0));
        assert_eq!(retry_after_ms("99999999999999999999999", 5, never), Some(u64::MAX));
        assert_eq!(retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", 1_000, |_| Some(4_000)), Some(3_000));
        assert_eq!(
            retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", 9_000, |_| Some(4_000)),
            Some(0),
            "a past date is no delay"
        );
        assert_eq!(retry_after_ms("soon", 0, |_| None), None);
        assert_eq!(retry_after_ms("", 0, never), None);
        assert_eq!(retry_after_ms("-5", 0, |_| None), None);
    }

    #[test]
    fn error_message_prefers_the_backends_fields() {
        assert_eq!(
            error_message(r#"{"error":"csrf_mismatch","field":"X-CSRF-Token","message":"wrong token"}"#),
            "csrf_mismatch: wrong token"
        );
        assert_eq!(error_message(r#"{"error":"conflict"}"#), "conflict");
        assert_eq!(error_message("  Bad Request\n"), "Bad Request");
        assert_eq!(error_message(""), "");
        let long = "é".repeat(300);
        let cut = error_message(&long);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
