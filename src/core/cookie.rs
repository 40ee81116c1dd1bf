//! The consent cookie: a compact, versioned text that is either read back exactly or
//! not at all (anything odd means "ask again"), plus `document.cookie` string helpers.
//!
//! Format v1, fields separated by `|`:
//! `1|<revision>|<consent id>|<seq>|<decided at, ms>|<action>|<flags>|<category:0/1>/…|<service:0/1>/…`
//! Only cookie-safe characters are used, so the value needs no escaping.
//! Separators go in as one-character strs: `String::push(char)` would bring a UTF-8 encoder into
//! the banner build, which needs none.
#![allow(clippy::single_char_add_str)]

use crate::prelude::*;

use crate::config::{Config, CookieSettings, COOKIE_VERSION as VERSION};
use crate::consent::{Choices, ConsentRecord};
use crate::json::{parse_digits, push_int};
use crate::lang::Lang;
use crate::separated;
use crate::wire::{self, Action};

/// Why a stored cookie value was not accepted; each one means "no consent yet".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CookieProblem {
    /// Not in the format at all (tampered, truncated, another tool's cookie).
    Malformed(Flaw),
    /// Written by another format version.
    OtherVersion,
    /// Lists categories or services that differ from the current config.
    ChoicesMismatch,
}

impl CookieProblem {
    pub fn message(&self) -> &'static str {
        match self {
            CookieProblem::Malformed(flaw) => flaw.text(),
            CookieProblem::OtherVersion => "written by another format version",
            CookieProblem::ChoicesMismatch => "its categories or services differ from the current config",
        }
    }
}

/// What is wrong with a malformed value. A code rather than the text itself, so a build that only
/// asks *whether* the cookie holds (the banner build) links none of the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    SwitchWithoutColon,
    SwitchNotBit,
    TooLong,
    NotOurs,
    FieldCount,
    Revision,
    ConsentId,
    Sequence,
    Time,
    Action,
    Flags,
    RequiredOff,
}

impl Flaw {
    pub fn text(self) -> &'static str {
        match self {
            Flaw::SwitchWithoutColon => "a switch has no ':'",
            Flaw::SwitchNotBit => "a switch is neither 0 nor 1",
            Flaw::TooLong => "longer than any cookie the widget writes",
            Flaw::NotOurs => "not a privacy-widget consent value",
            Flaw::FieldCount => "wrong number of fields",
            Flaw::Revision => "bad revision",
            Flaw::ConsentId => "bad consent id",
            Flaw::Sequence => "bad sequence number",
            Flaw::Time => "bad time",
            Flaw::Action => "bad action",
            Flaw::Flags => "bad flags",
            Flaw::RequiredOff => "a required category is off",
        }
    }
}

/// One letter per action, in [`Action::ALL`] order.
const ACTION_CODES: [&str; 5] = ["a", "r", "s", "p", "w"];

fn action_code(action: Action) -> &'static str {
    ACTION_CODES[action as usize]
}

fn push_switches(out: &mut String, list: &[(String, bool)]) {
    for (i, (id, on)) in list.iter().enumerate() {
        if i > 0 {
            out.push_str("/");
        }
        out.push_str(id);
        out.push_str(if *on { ":1" } else { ":0" });
    }
}

/// The cookie value for a record.
pub fn encode(record: &ConsentRecord) -> String {
    let mut out = String::with_capacity(128);
    out.push_str(VERSION);
    for field in [record.revision.as_str(), record.consent_id.as_str()] {
        out.push_str("|");
        out.push_str(field);
    }
    out.push_str("|");
    push_int(&mut out, i64::from(record.seq));
    out.push_str("|");
    push_int(&mut out, record.decided_at_ms as i64);
    out.push_str("|");
    out.push_str(action_code(record.action));
    out.push_str("|");
    if record.gpc {
        out.push_str("g");
    }
    out.push_str("|");
    push_switches(&mut out, &record.choices.categories);
    out.push_str("|");
    push_switches(&mut out, &record.choices.services);
    out
}

fn parse_number(field: &str) -> Option<u64> {
    if field.len() > 16 {
        return None;
    }
    parse_digits(field)
}

fn parse_switches(field: &str, expected: &[(String, bool)]) -> Result<Vec<(String, bool)>, CookieProblem> {
    let mut out = Vec::with_capacity(expected.len());
    if !field.is_empty() {
        for part in separated::split(field, b'/') {
            let (id, bit) =
                separated::split_once(part, b':').ok_or(CookieProblem::Malformed(Flaw::SwitchWithoutColon))?;
            let on = match bit {
                "1" => true,
                "0" => false,
                _ => return Err(CookieProblem::Malformed(Flaw::SwitchNotBit)),
            };
            out.push((id.to_string(), on));
        }
    }
    // Exactly the configured ids in the configured order: a new or renamed category asks again.
    let same_ids = out.len() == expected.len() && out.iter().zip(expected).all(|((a, _), (b, _))| a == b);
    if same_ids {
        Ok(out)
    } else {
        Err(CookieProblem::ChoicesMismatch)
    }
}

/// Reads a cookie value back into a record valid for `config`'s categories and services.
/// The revision is returned as stored; whether it is current is the caller's question.
pub fn decode(value: &str, config: &Config) -> Result<ConsentRecord, CookieProblem> {
    if value.len() > 4096 {
        return Err(CookieProblem::Malformed(Flaw::TooLong));
    }
    // Read off the iterator, not collected into a `Vec` first (0.1 kB less in the banner build).
    let field_count = separated::split(value, b'|').count();
    let mut fields = separated::split(value, b'|');
    if fields.next() != Some(VERSION) {
        return if field_count == 9 {
            Err(CookieProblem::OtherVersion)
        } else {
            Err(CookieProblem::Malformed(Flaw::NotOurs))
        };
    }
    if field_count != 9 {
        return Err(CookieProblem::Malformed(Flaw::FieldCount));
    }
    let mut field = || fields.next().unwrap_or_default();
    let (revision, consent_id, seq, decided_at) = (field(), field(), field(), field());
    let (action, flags, categories, services) = (field(), field(), field(), field());
    if !wire::is_revision(revision) {
        return Err(CookieProblem::Malformed(Flaw::Revision));
    }
    if !wire::is_consent_id(consent_id) {
        return Err(CookieProblem::Malformed(Flaw::ConsentId));
    }
    let seq = parse_number(seq)
        .filter(|n| (1..=u64::from(u32::MAX)).contains(n))
        .ok_or(CookieProblem::Malformed(Flaw::Sequence))?;
    let decided_at_ms = parse_number(decided_at).ok_or(CookieProblem::Malformed(Flaw::Time))?;
    let Some(action) = ACTION_CODES.iter().position(|c| *c == action).map(|i| Action::ALL[i]) else {
        return Err(CookieProblem::Malformed(Flaw::Action));
    };
    let gpc = match flags {
        "" => false,
        "g" => true,
        _ => return Err(CookieProblem::Malformed(Flaw::Flags)),
    };
    let template = Choices::none(config);
    let choices = Choices {
        categories: parse_switches(categories, &template.categories)?,
        services: parse_switches(services, &template.services)?,
    };
    // A required category stored as off cannot come from the widget.
    if config.categories.iter().any(|c| c.required && !choices.category(&c.id)) {
        return Err(CookieProblem::Malformed(Flaw::RequiredOff));
    }
    Ok(ConsentRecord {
        consent_id: consent_id.to_string(),
        seq: seq as u32,
        revision: revision.to_string(),
        action,
        choices,
        decided_at_ms,
        gpc,
    })
}

/// Where the banner build leaves a decision made at its banner (in the outbox's storage, session
/// or local as configured) until the consent manager has queued its event for delivery.
pub const PENDING_DECISION_KEY: &str = "privacy-widget-decision";

/// A decision the banner build recorded and the consent manager has not delivered yet: the
/// language the banner was shown in (the event carries it and the hash of the texts seen), then
/// the cookie value, on two lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDecision {
    pub lang: Lang,
    pub record: ConsentRecord,
}

impl PendingDecision {
    pub fn encode(lang: Lang, cookie_value: &str) -> String {
        let mut out = String::from(lang.tag());
        out.push_str("\n");
        out.push_str(cookie_value);
        out
    }

    /// The stored text read back against the current config; `None` for anything else (another
    /// config's ids, a tampered value), which is then dropped: the cookie alone still holds.
    pub fn decode(text: &str, config: &Config) -> Option<PendingDecision> {
        let (tag, value) = separated::split_once(text, b'\n')?;
        let lang = wire::language(tag)?;
        let record = decode(value, config).ok()?;
        Some(PendingDecision { lang, record })
    }
}

/// The `document.cookie` assignment that stores `value`: a session cookie unless the shop
/// configured a lifetime; `Secure` whenever the page is served over https.
pub fn set_cookie_string(settings: &CookieSettings, value: &str, secure: bool) -> String {
    let mut out = String::with_capacity(value.len() + 64);
    out.push_str(&settings.name);
    out.push_str("=");
    out.push_str(value);
    out.push_str("; Path=/; SameSite=Lax");
    if let Some(domain) = &settings.domain {
        out.push_str("; Domain=");
        out.push_str(domain);
    }
    if let Some(days) = settings.lifetime_days {
        out.push_str("; Max-Age=");
        push_int(&mut out, i64::from(days) * 86_400);
    }
    if secure {
        out.push_str("; Secure");
    }
    out
}

/// The value of cookie `name` in a `document.cookie` string. Only ASCII whitespace is trimmed
/// around a pair: browsers store names and values without the spaces and tabs around them
/// (RFC 6265 5.2) and join pairs with `; `, so that is the only whitespace there can be (and
/// the banner build carries no Unicode-aware `trim`).
pub fn find<'a>(document_cookie: &'a str, name: &str) -> Option<&'a str> {
    separated::split(document_cookie, b';')
        .filter_map(|pair| separated::split_once(pair.trim_ascii(), b'='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// The names of all cookies in a `document.cookie` string (trimmed as `find` trims them).
pub fn names(document_cookie: &str) -> Vec<&str> {
    separated::split(document_cookie, b';')
        .filter_map(|pair| {
            let pair = pair.trim_ascii();
            let name = separated::split_once(pair, b'=').map_or(pair, |(n, _)| n);
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// The assignments that delete cookie `name` wherever a script on `host` may have set it:
/// host-only and on every parent domain (`www.shop.no` → `.www.shop.no`, `.shop.no`).
pub fn deletion_strings(name: &str, host: &str) -> Vec<String> {
    let expire = |domain: Option<&str>| {
        let mut s = String::from(name);
        s.push_str("=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        if let Some(d) = domain {
            s.push_str("; Domain=");
            s.push_str(d);
        }
        s
    };
    let mut out = vec![expire(None)];
    let is_ip = host.bytes().all(|b| b.is_ascii_digit() || b == b'.') || host.contains(':');
    if !is_ip {
        // The host and each parent domain, stopping before the top-level domain: browsers
        // refuse cookies for a bare TLD anyway.
        let mut domain = host;
        while let Some((_, parent)) = separated::split_once(domain, b'.') {
            out.push(expire(Some(domain)));
            domain = parent;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::demo;
    use crate::config::worst_case_len;

    fn record() -> ConsentRecord {
        let config = demo();
        let mut choices = Choices::none(&config);
        choices.set_service(&config, "google-analytics", true);
        ConsentRecord {
            consent_id: "0123456789abcdef0123456789abcdef".into(),
            seq: 3,
            revision: "2026-11-01".into(),
            action: Action::Save,
            choices,
            decided_at_ms: 1_764_158_400_000,
            gpc: true,
        }
    }

    #[test]
    fn round_trips() {
        let r = record();
        let value = encode(&r);
        assert_eq!(
            value,
            "1|2026-11-01|0123456789abcdef0123456789abcdef|3|1764158400000|s|g|necessary:1/analytics:1/marketing:0|google-analytics:1/meta-pixel:0"
        );
        assert_eq!(decode(&value, &demo()), Ok(r));
        assert!(value.bytes().all(|b| (0x21..0x7f).contains(&b) && !matches!(b, b'"' | b',' | b';' | b'\\')));
    }

    #[test]
    fn every_kind_of_garbage_means_ask_again() {
        let config = demo();
        let good = encode(&record());
        let mut cases: Vec<(String, CookieProblem)> = vec![
            ("".into(), CookieProblem::Malformed(Flaw::NotOurs)),
            ("yes".into(), CookieProblem::Malformed(Flaw::NotOurs)),
            (good.replacen("1|", "2|", 1), CookieProblem::OtherVersion),
            (good.replace("|3|", "|0|"), CookieProblem::Malformed(Flaw::Sequence)),
            (good.replace("|3|", "|x|"), CookieProblem::Malformed(Flaw::Sequence)),
            (good.replace("0123456789abcdef0123456789abcdef", "ABC"), CookieProblem::Malformed(Flaw::ConsentId)),
            (good.replace("|s|", "|z|"), CookieProblem::Malformed(Flaw::Action)),
            (good.replace("|g|", "|x|"), CookieProblem::Malformed(Flaw::Flags)),
            (good.replace("analytics:1", "analytics:2"), CookieProblem::Malformed(Flaw::SwitchNotBit)),
            (good.replace("analytics:1", "analytics"), CookieProblem::Malformed(Flaw::SwitchWithoutColon)),
            (good.replace("necessary:1", "necessary:0"), CookieProblem::Malformed(Flaw::RequiredOff)),
            (good.replace("/marketing:0", ""), CookieProblem::ChoicesMismatch),
            (good.replace("marketing:0", "marketing:0/social:1"), CookieProblem::ChoicesMismatch),
            (good.replace("meta-pixel:0", "tiktok:0"), CookieProblem::ChoicesMismatch),
            (good.clone() + "|extra", CookieProblem::Malformed(Flaw::FieldCount)),
            (good.replace("2026-11-01", "<script>"), CookieProblem::Malformed(Flaw::Revision)),
            ("1|".repeat(3000), CookieProblem::Malformed(Flaw::TooLong)),
        ];
        cases.push((good[..good.len() / 2].to_string(), CookieProblem::Malformed(Flaw::FieldCount)));
        for (value, problem) in cases {
            assert_eq!(decode(&value, &config), Err(problem), "for {value:?}");
        }
    }

    #[test]
    fn cookie_attributes() {
        let config = demo();
        let s = set_cookie_string(&config.cookie, "v", false);
        assert_eq!(s, "pw_consent=v; Path=/; SameSite=Lax");
        let mut settings = config.cookie.clone();
        settings.lifetime_days = Some(180);
        settings.domain = Some(".serviteur.no".into());
        assert_eq!(
            set_cookie_string(&settings, "v", true),
            "pw_consent=v; Path=/; SameSite=Lax; Domain=.serviteur.no; Max-Age=15552000; Secure"
        );
    }

    #[test]
    fn document_cookie_helpers() {
        let jar = "a=1; pw_consent=1|x; _ga_X=GA1; flag";
        assert_eq!(find(jar, "pw_consent"), Some("1|x"));
        assert_eq!(find(jar, "pw"), None);
        assert_eq!(find(" a=1 ;\tb=2\t", "b"), Some("2"), "spaces and tabs around a pair");
        assert_eq!(names(jar), ["a", "pw_consent", "_ga_X", "flag"]);
    }

    #[test]
    fn deletion_covers_host_and_parent_domains() {
        let d = deletion_strings("_ga", "www.serviteur.no");
        assert_eq!(d.len(), 3);
        assert!(d[0].starts_with("_ga=; Path=/; Max-Age=0") && !d[0].contains("Domain"));
        assert!(d[1].ends_with("; Domain=www.serviteur.no"));
        assert!(d[2].ends_with("; Domain=serviteur.no"));
        assert_eq!(deletion_strings("_ga", "127.0.0.1").len(), 1);
        assert_eq!(deletion_strings("_ga", "localhost").len(), 1);
    }

    #[test]
    fn worst_case_bounds_every_encoding() {
        let config = demo();
        let mut r = record();
        r.seq = u32::MAX;
        r.decided_at_ms = 9_999_999_999_999_999;
        r.choices = Choices::all(&config);
        assert!(config.cookie.name.len() + 1 + encode(&r).len() <= worst_case_len(&config));
    }

    #[test]
    fn a_pending_decision_reads_back_against_the_same_config_only() {
        let config = demo();
        let record = record();
        let text = PendingDecision::encode(Lang::Nn, &encode(&record));
        assert_eq!(PendingDecision::decode(&text, &config), Some(PendingDecision { lang: Lang::Nn, record }));
        let mut other = config.clone();
        other.categories.pop();
        assert_eq!(PendingDecision::decode(&text, &other), None, "other categories");
        assert_eq!(PendingDecision::decode(&text.replacen("nn", "de", 1), &config), None);
        assert_eq!(PendingDecision::decode("nb", &config), None);
    }
}
