//! Strict reading of JSON request bodies: each value is checked against exactly what the
//! API accepts, unknown fields are refused, and every error names the JSON path at fault
//! (`categories.analytics`, `history[2].seq`).

use std::collections::BTreeMap;

use privacy_widget_core::wire::{self, Lang};
use serde_json::{Map, Value};

use crate::error::{quote_truncated, ApiError};

/// A JSON object whose field names have been checked against an allow-list.
pub struct ObjectReader<'a> {
    path: String,
    object: &'a Map<String, Value>,
}

impl<'a> ObjectReader<'a> {
    /// `path` is the JSON path of `value` itself (empty for the request body).
    /// Refuses a non-object and the first unknown field (in sorted order, so the answer is
    /// the same for every retry).
    pub fn new(
        value: &'a Value,
        path: &str,
        allowed: &'static [&'static str],
    ) -> Result<Self, ApiError> {
        let object = value.as_object().ok_or_else(|| {
            invalid(
                if path.is_empty() { "body" } else { path },
                value,
                "a JSON object",
            )
        })?;
        let reader = ObjectReader {
            path: path.to_owned(),
            object,
        };
        let mut names: Vec<&String> = object.keys().collect();
        names.sort();
        if let Some(unknown) = names
            .into_iter()
            .find(|name| !allowed.contains(&name.as_str()))
        {
            return Err(ApiError::UnknownField {
                field: reader.path_of(unknown),
                allowed,
            });
        }
        Ok(reader)
    }

    /// JSON path of a field of this object.
    pub fn path_of(&self, name: &str) -> String {
        child_path(&self.path, name)
    }

    /// A field that must be present and not `null`.
    pub fn required(&self, name: &str, expected: &'static str) -> Result<&'a Value, ApiError> {
        self.optional(name).ok_or_else(|| ApiError::MissingField {
            field: self.path_of(name),
            expected,
        })
    }

    /// A required field, checked by `parse` (which gets the value and its JSON path).
    pub fn read<T>(
        &self,
        name: &str,
        expected: &'static str,
        parse: impl FnOnce(&'a Value, &str) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        parse(self.required(name, expected)?, &self.path_of(name))
    }

    /// An optional field, checked by `parse` when present.
    pub fn read_optional<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&'a Value, &str) -> Result<T, ApiError>,
    ) -> Result<Option<T>, ApiError> {
        self.optional(name)
            .map(|value| parse(value, &self.path_of(name)))
            .transpose()
    }

    /// A field that may be absent; `null` counts as absent, because serializers commonly
    /// write `None` that way.
    pub fn optional(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name).filter(|value| !value.is_null())
    }
}

/// JSON path of `name` inside the value at `parent`.
pub fn child_path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// The rule a string must follow: length bounds in characters, allowed characters, and
/// how to say that to a developer.
pub struct TextRule {
    pub min_chars: usize,
    pub max_chars: usize,
    pub allowed: fn(char) -> bool,
    pub expected: &'static str,
}

/// A rule a whole string must follow, and how to say that to a developer.
pub trait Rule {
    fn accepts(&self, text: &str) -> bool;
    fn expected(&self) -> &'static str;
}

impl TextRule {
    pub fn accepts(&self, text: &str) -> bool {
        let count = text.chars().count();
        (self.min_chars..=self.max_chars).contains(&count) && text.chars().all(self.allowed)
    }
}

impl Rule for TextRule {
    fn accepts(&self, text: &str) -> bool {
        TextRule::accepts(self, text)
    }
    fn expected(&self) -> &'static str {
        self.expected
    }
}

/// A rule of the wire contract (`privacy_widget_core::wire`): the very check the widget makes.
pub struct WireRule {
    pub check: fn(&str) -> bool,
    pub expected: &'static str,
}

impl WireRule {
    pub fn accepts(&self, text: &str) -> bool {
        (self.check)(text)
    }
}

impl Rule for WireRule {
    fn accepts(&self, text: &str) -> bool {
        WireRule::accepts(self, text)
    }
    fn expected(&self) -> &'static str {
        self.expected
    }
}

pub fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Text a person typed or read on one line: no control characters.
pub fn is_single_line_char(c: char) -> bool {
    !c.is_control()
}

/// Text a person typed in a text area: line breaks and tabs, no other control characters.
pub fn is_multi_line_char(c: char) -> bool {
    !c.is_control() || matches!(c, '\n' | '\r' | '\t')
}

/// One of the languages the widget speaks (`wire::language`).
pub fn widget_lang(value: &Value, field: &str) -> Result<Lang, ApiError> {
    value
        .as_str()
        .and_then(wire::language)
        .ok_or_else(|| invalid(field, value, wire::LANGUAGE_EXPECTED))
}

/// [`widget_lang`], as its tag.
pub fn widget_language(value: &Value, field: &str) -> Result<&'static str, ApiError> {
    widget_lang(value, field).map(Lang::tag)
}

/// An error for a value that is present but wrong.
pub fn invalid(field: &str, found: &Value, expected: &str) -> ApiError {
    ApiError::InvalidField {
        field: field.to_owned(),
        message: format!("found {}; expected {expected}", describe(found)),
    }
}

/// A short description of a JSON value for error messages.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => quote_truncated(text),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

pub fn text<'v, R: Rule + ?Sized>(
    value: &'v Value,
    field: &str,
    rule: &R,
) -> Result<&'v str, ApiError> {
    match value.as_str() {
        Some(text) if rule.accepts(text) => Ok(text),
        _ => Err(invalid(field, value, rule.expected())),
    }
}

pub fn boolean(value: &Value, field: &str) -> Result<bool, ApiError> {
    value
        .as_bool()
        .ok_or_else(|| invalid(field, value, "true or false"))
}

/// A JSON integer within `range`. As in JSON Schema, which `openapi.yaml` uses, a number
/// with a zero fraction is an integer (`1.0`, `1e3`); `1.5` and `"1"` are not.
pub fn integer(
    value: &Value,
    field: &str,
    range: std::ops::RangeInclusive<i64>,
    expected: &str,
) -> Result<i64, ApiError> {
    match value.as_i64().or_else(|| whole_float(value)) {
        Some(number) if range.contains(&number) => Ok(number),
        _ => Err(invalid(field, value, expected)),
    }
}

/// A float with a zero fraction, if it is below 2^53 in magnitude: beyond that a float is
/// not necessarily the integer that was written (`9007199254740993.0` reads as ...992).
fn whole_float(value: &Value) -> Option<i64> {
    const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;
    value
        .as_f64()
        .filter(|float| float.fract() == 0.0 && float.abs() < EXACT_LIMIT)
        .map(|float| float as i64)
}

/// One of a fixed set of strings; returns its index in `choices`.
pub fn one_of(value: &Value, field: &str, choices: &[&str]) -> Result<usize, ApiError> {
    value
        .as_str()
        .and_then(|text| choices.iter().position(|choice| *choice == text))
        .ok_or_else(|| invalid(field, value, &format!("one of {}", choices.join(", "))))
}

/// A JSON object from names to booleans (`{"analytics": true}`), with the names checked by
/// `key_rule` and the number of entries bounded.
pub fn boolean_map<R: Rule + ?Sized>(
    value: &Value,
    field: &str,
    key_rule: &R,
    entries: std::ops::RangeInclusive<usize>,
) -> Result<BTreeMap<String, bool>, ApiError> {
    let expected_shape = format!(
        "an object of {} to {} entries, each name: true|false",
        entries.start(),
        entries.end()
    );
    let object = value
        .as_object()
        .ok_or_else(|| invalid(field, value, &expected_shape))?;
    if !entries.contains(&object.len()) {
        return Err(ApiError::InvalidField {
            field: field.to_owned(),
            message: format!("found {} entries; expected {expected_shape}", object.len()),
        });
    }
    object
        .iter()
        .map(|(name, flag)| {
            let entry_path = child_path(field, name);
            if !key_rule.accepts(name) {
                return Err(ApiError::InvalidField {
                    field: entry_path,
                    message: format!(
                        "the name {} is not allowed; expected {}",
                        quote_truncated(name),
                        key_rule.expected()
                    ),
                });
            }
            Ok((name.clone(), boolean(flag, &entry_path)?))
        })
        .collect()
}

/// RFC 3339 UTC timestamp as `Date.prototype.toISOString()` writes it:
/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, with real calendar dates.
pub fn utc_timestamp<'v>(value: &'v Value, field: &str) -> Result<&'v str, ApiError> {
    const EXPECTED: &str =
        "an RFC 3339 UTC timestamp like \"2026-11-26T12:00:00.000Z\" (uppercase T and Z, no offset)";
    match value.as_str() {
        Some(text) if is_utc_timestamp(text) => Ok(text),
        _ => Err(invalid(field, value, EXPECTED)),
    }
}

fn is_utc_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !text.is_ascii() {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = &text[range];
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())
            .flatten()
    };
    let separators_ok = bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':';
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        number(0..4),
        number(5..7),
        number(8..10),
        number(11..13),
        number(14..16),
        number(17..19),
    ) else {
        return false;
    };
    let date_ok = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
    // 60 is a leap second, which RFC 3339 allows.
    let time_ok = hour <= 23 && minute <= 59 && second <= 60;
    let rest = &text[19..];
    let fraction_ok = match rest.strip_suffix('Z') {
        Some("") => true,
        Some(fraction) => fraction.strip_prefix('.').is_some_and(|digits| {
            (1..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        }),
        None => false,
    };
    separators_ok && date_ok && time_ok && fraction_ok
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_follow_rfc_3339_utc() {
        for good in [
            "2026-11-26T12:00:00Z",
            "2026-11-26T12:00:00.000Z",
            "2024-02-29T23:59:59.123456789Z",
        ] {
            assert!(is_utc_timestamp(good), "{good} should be accepted");
        }
        for bad in [
            "2026-11-26T12:00:00.000+01:00",
            "2026-11-26 12:00:00Z",
            "2026-11-26t12:00:00z",
            "2025-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-26T24:00:00Z",
            "2026-11-26T12:00:00.Z",
            "2026-11-26T12:00:00.0000000000Z",
            "2026-11-26",
            "２026-11-26T12:00:00Z",
        ] {
            assert!(!is_utc_timestamp(bad), "{bad} should be refused");
        }
    }

    #[test]
    fn integers_may_have_a_zero_fraction_as_in_json_schema() {
        let read = |value: Value| integer(&value, "seq", 1..=9_007_199_254_740_991, "an integer");
        assert_eq!(read(json!(2)).unwrap(), 2);
        assert_eq!(read(json!(2.0)).unwrap(), 2);
        let exponent: Value = serde_json::from_str("1e3").unwrap();
        assert_eq!(read(exponent).unwrap(), 1000);
        assert_eq!(
            read(json!(9_007_199_254_740_991.0)).unwrap(),
            9_007_199_254_740_991
        );
        // Read from text, a large whole float must come out exact (serde_json's
        // `float_roundtrip`): its default parser made this 2010765946188179.2.
        let large: Value = serde_json::from_str("2010765946188179.0").unwrap();
        assert_eq!(read(large).unwrap(), 2_010_765_946_188_179);
        for bad in [
            json!(1.5),
            json!("1"),
            json!(0.0),
            json!(9_007_199_254_740_992.0),
            json!(1e300),
            json!(f64::MIN),
        ] {
            let error = read(bad.clone()).unwrap_err();
            assert_eq!(error.field(), Some("seq"), "{bad}");
        }
    }

    #[test]
    fn unknown_fields_are_named_with_their_path() {
        let value = json!({"a": 1, "zz": 2, "b": 3});
        let error = ObjectReader::new(&value, "history[1]", &["a", "zz"])
            .err()
            .unwrap();
        assert_eq!(error.field(), Some("history[1].b"));
    }

    #[test]
    fn boolean_map_names_the_entry_at_fault() {
        let rule = TextRule {
            min_chars: 1,
            max_chars: 32,
            allowed: |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-',
            expected: "lowercase names",
        };
        let error = boolean_map(
            &json!({"ok": true, "analytics": "yes"}),
            "categories",
            &rule,
            1..=32,
        )
        .unwrap_err();
        assert_eq!(error.field(), Some("categories.analytics"));
        let error = boolean_map(&json!({"Bad": true}), "categories", &rule, 1..=32).unwrap_err();
        assert_eq!(error.field(), Some("categories.Bad"));
    }
}
