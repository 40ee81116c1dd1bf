//! A small JSON reader and writer for configs, statements, cookies and events.
//! Hand-written instead of serde because every byte lands in the widget's .wasm;
//! numbers are integers only (nothing the widget reads or writes needs fractions).

use crate::prelude::*;

use crate::separated;
use core::fmt;

/// A parsed JSON value. Objects keep their key order (and duplicates are rejected at parse time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Why a text is not JSON this reader accepts, with the byte offset where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub reason: Syntax,
}

/// What is wrong at a [`JsonError`]'s offset. A code rather than the text itself, so a build that
/// only needs to know *whether* a text is JSON (the banner build) links none of the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    TrailingText,
    InvalidLiteral,
    TooDeep,
    UnexpectedEnd,
    UnexpectedCharacter,
    NumberTooLarge,
    ExpectedDigit,
    LeadingZeros,
    NotWhole,
    TruncatedUnicodeEscape,
    InvalidUnicodeEscape,
    InvalidUtf8,
    UnterminatedString,
    UnterminatedEscape,
    InvalidEscape,
    ControlCharacter,
    UnpairedSurrogate,
    ExpectedCommaOrBracket,
    DuplicateKey,
    ExpectedKey,
    ExpectedColon,
    ExpectedCommaOrBrace,
}

impl Syntax {
    pub fn text(self) -> &'static str {
        match self {
            Syntax::TrailingText => "unexpected text after the JSON value",
            Syntax::InvalidLiteral => "invalid literal",
            Syntax::TooDeep => "nesting too deep",
            Syntax::UnexpectedEnd => "unexpected end of input",
            Syntax::UnexpectedCharacter => "unexpected character",
            Syntax::NumberTooLarge => "number too large",
            Syntax::ExpectedDigit => "expected a digit",
            Syntax::LeadingZeros => "leading zeros are not allowed",
            Syntax::NotWhole => "only whole numbers are supported",
            Syntax::TruncatedUnicodeEscape => "truncated \\u escape",
            Syntax::InvalidUnicodeEscape => "invalid \\u escape",
            Syntax::InvalidUtf8 => "invalid UTF-8",
            Syntax::UnterminatedString => "unterminated string",
            Syntax::UnterminatedEscape => "unterminated escape",
            Syntax::InvalidEscape => "invalid escape",
            Syntax::ControlCharacter => "control character in string",
            Syntax::UnpairedSurrogate => "unpaired surrogate",
            Syntax::ExpectedCommaOrBracket => "expected ',' or ']'",
            Syntax::DuplicateKey => "duplicate key",
            Syntax::ExpectedKey => "expected a quoted key",
            Syntax::ExpectedColon => "expected ':'",
            Syntax::ExpectedCommaOrBrace => "expected ',' or '}'",
        }
    }
}

impl JsonError {
    /// "<reason> at byte <offset>", without `core::fmt` (see `ConfigError::message`).
    pub fn message(&self) -> String {
        let mut m = String::from(self.reason.text());
        m.push_str(" at byte ");
        push_int(&mut m, self.offset as i64);
        m
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// Nesting deeper than this is refused so a hostile document cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// Parses a complete JSON text (surrounding whitespace allowed, nothing else).
pub fn parse(text: &str) -> Result<Json, JsonError> {
    let mut reader = Reader { text, bytes: text.as_bytes(), pos: 0 };
    let value = reader.value(0)?;
    reader.skip_ws();
    if reader.pos != reader.bytes.len() {
        return Err(reader.error(Syntax::TrailingText));
    }
    Ok(value)
}

/// The separator of [`from_tokens`]' tokens. `entry-banner.js` refuses (writes nothing for) a
/// config whose keys or strings contain it.
pub const TOKEN_SEPARATOR: u8 = b'\0';

/// A JSON value from the token form `entry-banner.js` writes after the browser's `JSON.parse`
/// has read the text: the banner build's config, read without a byte of a parser of its own.
/// Tokens are separated by NUL, in document order, each a tag and its payload: `{` … `}` and
/// `[` … `]` around members and items, `:key` before each member's value, `"text` for a string,
/// `#digits` for a safe integer, `t`, `f`, `n` for true, false and null. `None` for anything
/// else, deeper than [`parse`] allows included. `JSON.parse` keeps the last of duplicate keys
/// where [`parse`] refuses them: the full module's parse still names that mistake.
pub fn from_tokens(text: &str) -> Option<Json> {
    let mut tokens = separated::split(text, TOKEN_SEPARATOR);
    let first = tokens.next()?;
    let value = token_value(&mut tokens, first, 0)?;
    tokens.next().is_none().then_some(value)
}

type Tokens<'a> = separated::Split<'a>;

fn token_value(tokens: &mut Tokens<'_>, token: &str, depth: usize) -> Option<Json> {
    if depth > MAX_DEPTH {
        return None;
    }
    let payload = token.get(1..)?;
    Some(match token.as_bytes().first()? {
        b'"' => Json::Str(payload.into()),
        b'#' => {
            let (negative, digits) = payload.strip_prefix("-").map_or((false, payload), |d| (true, d));
            let magnitude = i64::try_from(parse_digits(digits)?).ok()?;
            Json::Int(if negative { -magnitude } else { magnitude })
        }
        b't' => Json::Bool(true),
        b'f' => Json::Bool(false),
        b'n' => Json::Null,
        b'[' => {
            let mut items = Vec::new();
            loop {
                match tokens.next()? {
                    "]" => break Json::Array(items),
                    item => items.push(token_value(tokens, item, depth + 1)?),
                }
            }
        }
        b'{' => {
            let mut members = Vec::new();
            loop {
                match tokens.next()? {
                    "}" => break Json::Object(members),
                    key => {
                        let key = key.strip_prefix(":")?;
                        let value = tokens.next()?;
                        members.push((key.into(), token_value(tokens, value, depth + 1)?));
                    }
                }
            }
        }
        _ => return None,
    })
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn error(&self, reason: Syntax) -> JsonError {
        JsonError { offset: self.pos, reason }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn expect_literal(&mut self, literal: &[u8], value: Json) -> Result<Json, JsonError> {
        if self.bytes[self.pos..].starts_with(literal) {
            self.pos += literal.len();
            Ok(value)
        } else {
            Err(self.error(Syntax::InvalidLiteral))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(Syntax::TooDeep));
        }
        self.skip_ws();
        match self.peek() {
            None => Err(self.error(Syntax::UnexpectedEnd)),
            Some(b'n') => self.expect_literal(b"null", Json::Null),
            Some(b't') => self.expect_literal(b"true", Json::Bool(true)),
            Some(b'f') => self.expect_literal(b"false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::Str),
            Some(b'[') => self.array(depth),
            Some(b'{') => self.object(depth),
            Some(b'-' | b'0'..=b'9') => self.integer(),
            Some(_) => Err(self.error(Syntax::UnexpectedCharacter)),
        }
    }

    fn integer(&mut self) -> Result<Json, JsonError> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let start = self.pos;
        let mut magnitude: i64 = 0;
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(digit - b'0')))
                .ok_or_else(|| self.error(Syntax::NumberTooLarge))?;
            self.pos += 1;
        }
        let digits = self.pos - start;
        if digits == 0 {
            return Err(self.error(Syntax::ExpectedDigit));
        }
        if digits > 1 && self.bytes[start] == b'0' {
            return Err(JsonError { offset: start, reason: Syntax::LeadingZeros });
        }
        if let Some(b'.' | b'e' | b'E') = self.peek() {
            return Err(self.error(Syntax::NotWhole));
        }
        Ok(Json::Int(if negative { -magnitude } else { magnitude }))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let hex = self.bytes.get(self.pos..self.pos + 4).ok_or_else(|| self.error(Syntax::TruncatedUnicodeEscape))?;
        let mut code = 0;
        for &h in hex {
            let nibble = match h {
                b'0'..=b'9' => h - b'0',
                b'a'..=b'f' => h - b'a' + 10,
                b'A'..=b'F' => h - b'A' + 10,
                _ => return Err(self.error(Syntax::InvalidUnicodeEscape)),
            };
            code = code * 16 + u32::from(nibble);
        }
        self.pos += 4;
        Ok(code)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is a &str and we only stop at ASCII bytes, so both ends are char
            // boundaries: `get` checks just that, where `from_utf8` would validate the whole run
            // again (0.7 kB of wasm in every build that reads JSON).
            out.push_str(self.text.get(run_start..self.pos).ok_or_else(|| self.error(Syntax::InvalidUtf8))?);
            match self.peek() {
                None => return Err(self.error(Syntax::UnterminatedString)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = self.peek().ok_or_else(|| self.error(Syntax::UnterminatedEscape))?;
                    self.pos += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error(Syntax::InvalidEscape)),
                    }
                }
                Some(_) => return Err(self.error(Syntax::ControlCharacter)),
            }
        }
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.pos..].starts_with(b"\\u") {
                return Err(self.error(Syntax::UnpairedSurrogate));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error(Syntax::UnpairedSurrogate));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error(Syntax::UnpairedSurrogate))
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error(Syntax::ExpectedCommaOrBracket)),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1;
        let mut members: Vec<(String, Json)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error(Syntax::ExpectedKey));
            }
            let key_offset = self.pos;
            let key = self.string()?;
            if members.iter().any(|(k, _)| *k == key) {
                return Err(JsonError { offset: key_offset, reason: Syntax::DuplicateKey });
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error(Syntax::ExpectedColon));
            }
            self.pos += 1;
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(self.error(Syntax::ExpectedCommaOrBrace)),
            }
        }
    }
}

impl Json {
    /// The member `key` of an object; `None` for a missing key or a non-object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Json::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The kind of value, for error messages ("expected a string, found an array").
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Int(_) => "a number",
            Json::Str(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// Compact serialisation; `parse(&v.to_json())` gives `v` back.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    pub fn write_to(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(n) => push_int(out, *n),
            Json::Str(s) => write_string(out, s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_to(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, key);
                    out.push(':');
                    value.write_to(out);
                }
                out.push('}');
            }
        }
    }
}

/// Appends `s` as a quoted JSON string.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                push_digit(out, (c as usize) >> 4);
                push_digit(out, (c as usize) & 0xF);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The lowercase hexadecimal digits (the first ten: the decimal ones).
const HEX: &str = "0123456789abcdef";

/// Appends digit `value` (below 16). A one-character slice of `HEX` rather than
/// `String::push(char)`, whose UTF-8 encoder the banner build would carry for ASCII only.
fn push_digit(out: &mut String, value: usize) {
    out.push_str(HEX.get(value..value + 1).unwrap_or_default());
}

/// Appends the decimal form of `n` without pulling in `core::fmt` (which costs kilobytes of wasm),
/// and the sign as a str (see `push_digit`).
#[allow(clippy::single_char_add_str)]
pub fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push_str("-");
    }
    push_digits(out, n.unsigned_abs());
}

/// The value of a non-empty run of ASCII digits (no sign, no spaces); `None` for anything else
/// and for a value over `u64::MAX`. Smaller than `str::parse`, which also reads signs.
pub fn parse_digits(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u64, |n, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// The most significant digits first, by recursion (at most 20 deep): no digit buffer, so no
/// bounds check whose panic message and location the banner build would carry.
fn push_digits(out: &mut String, magnitude: u64) {
    if magnitude >= 10 {
        push_digits(out, magnitude / 10);
    }
    push_digit(out, (magnitude % 10) as usize);
}

/// Appends `bytes` as lowercase hexadecimal.
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        push_digit(out, usize::from(b >> 4));
        push_digit(out, usize::from(b & 0xF));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_document() {
        let doc = parse(r#" {"a": [1, -2, true, null, "x\"y\u00e6\ud83d\ude00"], "b": {}} "#).unwrap();
        assert_eq!(doc.get("a").unwrap().as_array().unwrap()[1], Json::Int(-2));
        assert_eq!(doc.get("a").unwrap().as_array().unwrap()[4].as_str(), Some("x\"yæ😀"));
        assert_eq!(doc.get("b"), Some(&Json::Object(vec![])));
    }

    #[test]
    fn round_trips_through_writer() {
        let text = r#"{"k":["a\nb\u0001",0,9223372036854775807,-9223372036854775807,false],"e":{"z":null}}"#;
        let doc = parse(text).unwrap();
        assert_eq!(doc.to_json(), text);
        assert_eq!(parse(&doc.to_json()).unwrap(), doc);
    }

    #[test]
    fn rejects_malformed_input_with_offset() {
        let cases: &[(&str, &str)] = &[
            ("", "unexpected end of input"),
            ("{", "expected a quoted key"),
            ("[1,]", "unexpected character"),
            ("[1 2]", "expected ',' or ']'"),
            ("01", "leading zeros are not allowed"),
            ("1.5", "only whole numbers are supported"),
            ("1e3", "only whole numbers are supported"),
            ("99999999999999999999", "number too large"),
            ("\"abc", "unterminated string"),
            ("\"a\u{1}\"", "control character in string"),
            ("\"\\x\"", "invalid escape"),
            ("\"\\ud800\"", "unpaired surrogate"),
            ("{\"a\":1,\"a\":2}", "duplicate key"),
            ("tru", "invalid literal"),
            ("{} x", "unexpected text after the JSON value"),
        ];
        for (text, reason) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.reason.text(), *reason, "for input {text:?}");
        }
        assert_eq!(parse("[1 2]").unwrap_err().offset, 3);
    }

    #[test]
    fn refuses_deep_nesting() {
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(parse(&deep).unwrap_err().reason, Syntax::TooDeep);
        let ok = "[".repeat(60) + &"]".repeat(60);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn reads_the_token_form_as_parse_reads_the_text() {
        let text = r#"{"a": [1, -2, true, false, null, "x\"y æ"], "b": {}, "": [[]]}"#;
        let tokens =
            ["{", ":a", "[", "#1", "#-2", "t", "f", "n", "\"x\"y æ", "]", ":b", "{", "}", ":", "[", "[", "]", "]", "}"];
        assert_eq!(from_tokens(&tokens.join("\0")), Some(parse(text).unwrap()));
        assert_eq!(from_tokens("\"a\0b"), None, "the separator splits; one string cannot contain it");
    }

    #[test]
    fn refuses_token_forms_it_does_not_know() {
        for tokens in [
            "",
            "{",
            "[\0#1",
            "]",
            "{\0#1\0}",
            "{\0:a\0}",
            "#1.5",
            "#1e3",
            "#",
            "#99999999999999999999",
            "x",
            "t\0t",
            "[\0]\0",
            "[\0]x",
            "{\0a\0#1\0}",
        ] {
            assert_eq!(from_tokens(tokens), None, "{tokens:?}");
        }
        let deep = "[\0".repeat(100) + &"]\0".repeat(99) + "]";
        assert_eq!(from_tokens(&deep), None);
        let ok = "[\0".repeat(60) + &"]\0".repeat(59) + "]";
        assert!(from_tokens(&ok).is_some());
    }

    #[test]
    fn integer_and_hex_writers() {
        let mut s = String::new();
        push_int(&mut s, i64::MIN);
        s.push(' ');
        push_int(&mut s, 0);
        s.push(' ');
        push_hex(&mut s, &[0, 0xab, 0xff]);
        assert_eq!(s, "-9223372036854775808 0 00abff");
    }

    #[test]
    fn digit_reader() {
        assert_eq!(parse_digits("0"), Some(0));
        assert_eq!(parse_digits("18446744073709551615"), Some(u64::MAX));
        for text in ["", "18446744073709551616", "+1", "-1", " 1", "1a", "١"] {
            assert_eq!(parse_digits(text), None, "{text:?}");
        }
    }
}
