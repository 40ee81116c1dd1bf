//! The contract between the widget and a backend, written once: the consent event and its fields,
//! the action names, the consent-id / idempotency-key / revision / language rules, the beacon
//! envelope and the header names. The widget builds its events from it; the reference server
//! validates requests with it. A rule changes here, in one line, for both ends.

use crate::prelude::*;

use crate::json::{self, Json};
pub use crate::lang::Lang;
use crate::time;

/// The request header naming one logical event across its retries.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// The request header carrying the shop's CSRF token (from `<meta name="csrf-token">`).
pub const CSRF_HEADER: &str = "X-CSRF-Token";
/// The name of the page's `<meta>` element whose `content` is that token.
pub const CSRF_META: &str = "csrf-token";

/// Every field a consent event may carry, in the order the widget writes them. `history` is
/// added by the outbox when it folds replaced events into a newer one.
pub const EVENT_FIELDS: [&str; 11] = [
    "consent_id",
    "seq",
    "revision",
    "action",
    "categories",
    "services",
    "timestamp",
    "language",
    "texts_hash",
    "gpc",
    "history",
];
/// The fields of a `history` entry: a whole earlier event body without its own `history`.
pub const HISTORY_FIELDS: [&str; 10] =
    ["consent_id", "seq", "revision", "action", "categories", "services", "timestamp", "language", "texts_hash", "gpc"];
/// The fields of the `text/plain` envelope a beacon posts (it cannot set headers).
pub const ENVELOPE_FIELDS: [&str; 3] = ["idempotency_key", "csrf", "body"];

/// How a decision was made; travels to the backend as `action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Action {
    AcceptAll,
    RejectAll,
    /// Saved from the preferences dialog with individual switches.
    Save,
    /// Allowed one service from an embed placeholder.
    AcceptService,
    /// Any decision that switches off a category or service the decision before it granted,
    /// whichever button made it (`reject_all` and `save` become `withdraw` then).
    Withdraw,
}

/// How an action is described in the backend's error messages.
pub const ACTION_EXPECTED: &str = "one of accept_all, reject_all, save, accept_service, withdraw";

impl Action {
    pub const ALL: [Action; 5] =
        [Action::AcceptAll, Action::RejectAll, Action::Save, Action::AcceptService, Action::Withdraw];

    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            Action::AcceptAll => "accept_all",
            Action::RejectAll => "reject_all",
            Action::Save => "save",
            Action::AcceptService => "accept_service",
            Action::Withdraw => "withdraw",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The action sent for a decision made with `pressed` that `withdraws` (switches off
    /// something granted before): a withdrawal is named as such, the law and the statement
    /// treat it apart from a first refusal.
    pub fn for_decision(pressed: Action, withdraws: bool) -> Action {
        if withdraws {
            Action::Withdraw
        } else {
            pressed
        }
    }
}

/// The language of an event: exactly the tag of one of the widget's languages.
pub fn language(tag: &str) -> Option<Lang> {
    Lang::ALL.into_iter().find(|l| l.tag() == tag)
}
pub const LANGUAGE_EXPECTED: &str = "one of nb, nn, en (the widget's languages)";

/// The newsletter-withdrawal URL derived from the newsletter URL, so the config needs no
/// fourth endpoint: a last path segment `subscribe` becomes `unsubscribe`
/// (`/api/newsletter/subscribe` → `/api/newsletter/unsubscribe`); any other URL gets
/// `/unsubscribe` appended to its path (`/api/newsletter` → `/api/newsletter/unsubscribe`).
/// A query or fragment stays at the end. (The widget posts withdrawals there, and the
/// pre-rendered withdrawal form names it as its action.)
pub fn withdrawal_url(newsletter: &str) -> String {
    let split = newsletter.find(['?', '#']).unwrap_or(newsletter.len());
    // `split_at_checked` cannot panic (a panicking slice drags ~4 KB of formatting into the .wasm).
    let (path, rest) = newsletter.split_at_checked(split).unwrap_or((newsletter, ""));
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut url = String::with_capacity(newsletter.len() + 13);
    match path.strip_suffix("subscribe").filter(|p| p.ends_with('/')) {
        Some(base) => url.push_str(base),
        None => {
            url.push_str(path);
            url.push('/');
        }
    }
    url.push_str("unsubscribe");
    url.push_str(rest);
    url
}

/// Longest revision id.
pub const MAX_REVISION: usize = 64;
/// A policy revision id: 1–64 of `A-Z a-z 0-9 . _ -`, not starting with '.', because it is
/// also a URL path segment (`revisions/<revision>/…`) and a cookie field.
pub fn is_revision(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= MAX_REVISION
        && !r.starts_with(".")
        && r.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}
pub const REVISION_EXPECTED: &str =
    "1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-', not starting with '.' (e.g. \"2026-11-01\")";

/// A consent id: 32 lowercase hex characters (16 random bytes), new for every first decision.
pub fn is_consent_id(id: &str) -> bool {
    id.len() == 32 && is_lowercase_hex(id)
}
pub const CONSENT_ID_EXPECTED: &str = "32 lowercase hexadecimal characters";

/// A consent id from 16 random bytes.
pub fn new_consent_id(random: [u8; 16]) -> String {
    let mut id = String::with_capacity(32);
    json::push_hex(&mut id, &random);
    id
}

/// Longest idempotency key, in bytes.
pub const MAX_KEY_LEN: usize = 128;
/// An idempotency key: 1–128 of `A-Z a-z 0-9 _ -`. The widget sends 32 lowercase hex.
pub fn is_idempotency_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
pub const IDEMPOTENCY_KEY_EXPECTED: &str = "1-128 characters of A-Z, a-z, 0-9, '_' or '-'";

/// A category or service id, a key of the event's `categories` / `services`: 1–32 of
/// `a-z 0-9 _ -` (it also goes into the cookie and CSS selectors).
pub fn is_choice_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 32
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}
pub const CHOICE_ID_EXPECTED: &str = "1-32 characters of a-z, 0-9, '_' or '-'";
/// Most categories one event (and so one config) may have.
pub const MAX_CATEGORIES: usize = 16;
/// Most services one event (and so one config) may have.
pub const MAX_SERVICES: usize = 128;

/// The SHA-256 (hex) of the texts the visitor was shown.
pub fn is_texts_hash(hash: &str) -> bool {
    hash.len() == 64 && is_lowercase_hex(hash)
}
pub const TEXTS_HASH_EXPECTED: &str = "64 lowercase hexadecimal characters (SHA-256 of the texts shown)";

fn is_lowercase_hex(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// One consent event as posted to the consent endpoint: the consent id, revision, choices,
/// action, time and language, and nothing more personal than that.
pub struct ConsentEvent<'a> {
    pub consent_id: &'a str,
    /// Counts up with every change under one consent id, so the backend keeps the latest.
    pub seq: u32,
    pub revision: &'a str,
    pub action: Action,
    /// `(category id, on)` for every configured category.
    pub categories: &'a [(String, bool)],
    /// `(service id, on)` for every configured service.
    pub services: &'a [(String, bool)],
    /// When the visitor decided, epoch milliseconds (sent as RFC 3339 UTC).
    pub decided_at_ms: u64,
    pub language: Lang,
    pub texts_hash: &'a str,
    /// The browser sent Global Privacy Control.
    pub gpc: bool,
}

impl ConsentEvent<'_> {
    /// The JSON body, fields in [`EVENT_FIELDS`] order.
    pub fn to_json(&self) -> Json {
        // A loop, not `map(…).collect()`: the collect's generic code is more bytes in the banner build.
        let map = |list: &[(String, bool)]| {
            let mut members = Vec::with_capacity(list.len());
            for (id, on) in list {
                members.push((id.clone(), Json::Bool(*on)));
            }
            Json::Object(members)
        };
        let [consent_id, seq, revision, action, categories, services, timestamp, language, texts_hash, gpc, _] =
            EVENT_FIELDS;
        Json::Object(vec![
            (consent_id.into(), Json::Str(self.consent_id.into())),
            (seq.into(), Json::Int(i64::from(self.seq))),
            (revision.into(), Json::Str(self.revision.into())),
            (action.into(), Json::Str(self.action.name().into())),
            (categories.into(), map(self.categories)),
            (services.into(), map(self.services)),
            (timestamp.into(), Json::Str(time::iso8601(self.decided_at_ms))),
            (language.into(), Json::Str(self.language.tag().into())),
            (texts_hash.into(), Json::Str(self.texts_hash.into())),
            (gpc.into(), Json::Bool(self.gpc)),
        ])
    }
}

/// The `text/plain` body `navigator.sendBeacon` posts, since a beacon cannot set headers:
/// `{"idempotency_key":…,"csrf":…,"body":<the event, byte for byte>}` ([`ENVELOPE_FIELDS`]).
pub fn beacon_envelope(key: &str, csrf: Option<&str>, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + key.len() + 64);
    out.push_str("{\"idempotency_key\":");
    json::write_string(&mut out, key);
    if let Some(token) = csrf {
        out.push_str(",\"csrf\":");
        json::write_string(&mut out, token);
    }
    out.push_str(",\"body\":");
    out.push_str(body);
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withdrawal_url_replaces_a_subscribe_segment_or_appends_one() {
        assert_eq!(withdrawal_url("/api/newsletter/subscribe"), "/api/newsletter/unsubscribe");
        assert_eq!(withdrawal_url("/api/newsletter"), "/api/newsletter/unsubscribe");
        assert_eq!(withdrawal_url("/api/newsletter/"), "/api/newsletter/unsubscribe");
        assert_eq!(
            withdrawal_url("https://shop.example/nl/subscribe?list=2"),
            "https://shop.example/nl/unsubscribe?list=2"
        );
        assert_eq!(withdrawal_url("/api/resubscribe"), "/api/resubscribe/unsubscribe", "only a whole segment counts");
        assert_eq!(withdrawal_url("/api/newsletter#x"), "/api/newsletter/unsubscribe#x");
    }
    use crate::config::tests::demo;
    use crate::ui::every_decision_event;

    #[test]
    fn every_event_the_ui_posts_keeps_the_contract() {
        let config = demo();
        for lang in Lang::ALL {
            let events = every_decision_event(&config, lang);
            let actions: Vec<Action> = events
                .iter()
                .map(|(e, _)| Action::from_name(e.get("action").unwrap().as_str().unwrap()).unwrap())
                .collect();
            assert_eq!(
                actions,
                [
                    Action::AcceptAll,
                    Action::Withdraw,
                    Action::AcceptService,
                    Action::Save,
                    Action::Withdraw,
                    Action::RejectAll,
                    Action::Save
                ]
            );
            for (event, ordering) in &events {
                let members = event.as_object().unwrap();
                assert!(members.iter().all(|(k, _)| EVENT_FIELDS.contains(&k.as_str())), "{members:?}");
                let text = |k: &str| event.get(k).and_then(Json::as_str).unwrap();
                assert!(is_consent_id(text("consent_id")));
                assert_eq!(ordering, text("consent_id"), "delivered in order per consent id");
                assert!(is_revision(text("revision")));
                assert_eq!(language(text("language")), Some(lang));
                assert!(is_texts_hash(text("texts_hash")));
                assert!(matches!(event.get("seq"), Some(Json::Int(1..))));
            }
        }
    }

    #[test]
    fn values_the_server_refuses_are_refused_here_too() {
        for id in [
            "",
            "0123456789ABCDEF0123456789ABCDEF",
            "0123456789abcdef0123456789abcde",
            &"a".repeat(33),
            "g".repeat(32).as_str(),
        ] {
            assert!(!is_consent_id(id), "{id:?}");
        }
        for key in ["", "has space", "dot.key", "ünïcode", &"k".repeat(129)] {
            assert!(!is_idempotency_key(key), "{key:?}");
        }
        for revision in ["", ".hidden", "..", "../nb", "2026/11", "2026 11", &"r".repeat(65)] {
            assert!(!is_revision(revision), "{revision:?}");
        }
        for action in ["", "accept", "Accept_All", "withdrawn", "deny"] {
            assert_eq!(Action::from_name(action), None, "{action:?}");
        }
        for tag in ["", "de", "NB", "nb-NO", "no", "en-GB"] {
            assert_eq!(language(tag), None, "{tag:?}");
        }
        assert!(!EVENT_FIELDS.contains(&"email") && !EVENT_FIELDS.contains(&"ip"));
        // And what the widget makes itself always passes.
        assert!(is_consent_id(&new_consent_id([0xff; 16])));
        assert!(is_idempotency_key(&"k".repeat(MAX_KEY_LEN)) && is_revision("2026-11-01.v2"));
        for action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(action));
        }
    }

    #[test]
    fn beacon_envelope_carries_the_body_byte_for_byte() {
        let body = r#"{"consent_id":"ab","seq":1}"#;
        assert_eq!(
            beacon_envelope("k1", Some("t\"x"), body),
            r#"{"idempotency_key":"k1","csrf":"t\"x","body":{"consent_id":"ab","seq":1}}"#
        );
        let without = beacon_envelope("k1", None, body);
        assert_eq!(without, r#"{"idempotency_key":"k1","body":{"consent_id":"ab","seq":1}}"#);
        let keys: Vec<String> =
            json::parse(&without).unwrap().as_object().unwrap().iter().map(|(k, _)| k.clone()).collect();
        assert!(keys.iter().all(|k| ENVELOPE_FIELDS.contains(&k.as_str())));
    }
}
