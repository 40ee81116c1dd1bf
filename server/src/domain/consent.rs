//! `POST /api/consent`: a visitor's consent decision. Every accepted event is appended to
//! `consent_events`; `consent_state` keeps the decision with the highest `seq` per
//! consent id, so an older choice arriving late never overwrites a newer one.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use privacy_widget_core::wire::{self, Action, Lang};
use serde_json::{json, Value};

use super::idempotency::{respond_once, BodyFingerprint, IdempotencyKey, StoredResponse};
use super::validation::{
    boolean, boolean_map, integer, invalid, text, utc_timestamp, widget_lang, ObjectReader,
    WireRule,
};
use crate::clock::Timestamp;
use crate::error::ApiError;
use crate::store::{ConsentEventRow, ConsentStateRow, Database, NewConsentEvent, Transaction};

pub const ENDPOINT: &str = "/api/consent";

/// The contract's field lists, as `ObjectReader` allow-lists.
const EVENT_FIELDS: &[&str] = &wire::EVENT_FIELDS;
/// A history entry: the choice, plus optionally the context fields of a whole event body.
const CHANGE_FIELDS: &[&str] = &wire::HISTORY_FIELDS;

const TIMESTAMP_EXPECTED: &str = "an RFC 3339 UTC timestamp like \"2026-11-26T12:00:00.000Z\"";

/// How many earlier changes one event may carry in `history`.
const MAX_HISTORY_ENTRIES: usize = 50;

/// Highest `seq`: `Number.MAX_SAFE_INTEGER`, so the value survives any JavaScript on the way.
const MAX_SEQ: i64 = 9_007_199_254_740_991;
const SEQ_EXPECTED: &str = "an integer from 1 to 9007199254740991";

pub const CONSENT_ID_RULE: WireRule = WireRule {
    check: wire::is_consent_id,
    expected: wire::CONSENT_ID_EXPECTED,
};
pub const REVISION_RULE: WireRule = WireRule {
    check: wire::is_revision,
    expected: wire::REVISION_EXPECTED,
};
const TEXTS_HASH_RULE: WireRule = WireRule {
    check: wire::is_texts_hash,
    expected: wire::TEXTS_HASH_EXPECTED,
};
/// Category and service ids, the keys of `categories` and `services`.
const CHOICE_ID_RULE: WireRule = WireRule {
    check: wire::is_choice_id,
    expected: wire::CHOICE_ID_EXPECTED,
};

/// What the visitor did: one of the contract's action names.
fn action(value: &Value, field: &str) -> Result<Action, ApiError> {
    value
        .as_str()
        .and_then(Action::from_name)
        .ok_or_else(|| invalid(field, value, wire::ACTION_EXPECTED))
}

/// One choice: what was chosen, when, by which action.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentChoice {
    pub seq: i64,
    pub action: Action,
    pub categories: BTreeMap<String, bool>,
    pub services: BTreeMap<String, bool>,
    /// Client clock, RFC 3339 UTC.
    pub timestamp: String,
}

impl ConsentChoice {
    fn from_json(reader: &ObjectReader<'_>) -> Result<Self, ApiError> {
        Ok(ConsentChoice {
            seq: reader.read("seq", SEQ_EXPECTED, |value, path| {
                integer(value, path, 1..=MAX_SEQ, SEQ_EXPECTED)
            })?,
            action: reader.read("action", wire::ACTION_EXPECTED, action)?,
            categories: reader.read(
                "categories",
                "an object of category names to true|false",
                |value, path| boolean_map(value, path, &CHOICE_ID_RULE, 1..=wire::MAX_CATEGORIES),
            )?,
            services: reader.read(
                "services",
                "an object of service names to true|false (may be empty)",
                |value, path| boolean_map(value, path, &CHOICE_ID_RULE, 0..=wire::MAX_SERVICES),
            )?,
            timestamp: reader.read("timestamp", TIMESTAMP_EXPECTED, owned(utc_timestamp))?,
        })
    }
}

/// The fields that say under which policy and wording a choice was made.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceContext {
    pub revision: Option<String>,
    pub language: Option<Lang>,
    pub texts_hash: Option<String>,
    pub gpc: Option<bool>,
}

impl ChoiceContext {
    fn from_json(reader: &ObjectReader<'_>) -> Result<Self, ApiError> {
        Ok(ChoiceContext {
            revision: reader.read_optional("revision", owned(revision))?,
            language: reader.read_optional("language", widget_lang)?,
            texts_hash: reader.read_optional("texts_hash", owned(texts_hash))?,
            gpc: reader.read_optional("gpc", boolean)?,
        })
    }
}

/// An earlier change coalesced into an event's `history`. The widget folds whole replaced
/// event bodies in, so an entry may repeat the event-level fields; they are checked like
/// the event's own, and `consent_id`, when present, must be the event's.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentChange {
    pub choice: ConsentChoice,
    pub context: ChoiceContext,
}

impl ConsentChange {
    fn to_json(&self) -> Value {
        let mut entry = json!({
            "seq": self.choice.seq,
            "action": self.choice.action,
            "categories": self.choice.categories,
            "services": self.choice.services,
            "timestamp": self.choice.timestamp,
        });
        let context = &self.context;
        if let Some(revision) = &context.revision {
            entry["revision"] = json!(revision);
        }
        if let Some(language) = &context.language {
            entry["language"] = json!(language);
        }
        if let Some(texts_hash) = &context.texts_hash {
            entry["texts_hash"] = json!(texts_hash);
        }
        if let Some(gpc) = context.gpc {
            entry["gpc"] = json!(gpc);
        }
        entry
    }
}

/// A validated consent event: the latest choice plus where it belongs.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentEvent {
    /// Random per visitor decision chain, not derived from the visitor.
    pub consent_id: String,
    pub revision: String,
    pub choice: ConsentChoice,
    pub language: Lang,
    pub texts_hash: Option<String>,
    pub gpc: Option<bool>,
    /// Earlier changes coalesced into this event (e.g. made while offline).
    pub history: Option<Vec<ConsentChange>>,
}

impl ConsentEvent {
    pub fn from_json(body: &Value) -> Result<Self, ApiError> {
        let reader = ObjectReader::new(body, "", EVENT_FIELDS)?;
        let consent_id = reader.read("consent_id", wire::CONSENT_ID_EXPECTED, owned(consent_id))?;
        let choice = ConsentChoice::from_json(&reader)?;
        let revision = reader.read("revision", wire::REVISION_EXPECTED, owned(revision))?;
        let language = reader.read("language", wire::LANGUAGE_EXPECTED, widget_lang)?;
        let texts_hash = reader.read_optional("texts_hash", owned(texts_hash))?;
        let gpc = reader.read_optional("gpc", boolean)?;
        let history = reader.read_optional("history", |value, path| {
            history_from_json(value, path, &consent_id, choice.seq)
        })?;
        Ok(ConsentEvent {
            consent_id,
            revision,
            choice,
            language,
            texts_hash,
            gpc,
            history,
        })
    }
}

fn history_from_json(
    value: &Value,
    path: &str,
    consent_id: &str,
    event_seq: i64,
) -> Result<Vec<ConsentChange>, ApiError> {
    let entries = value
        .as_array()
        .filter(|entries| entries.len() <= MAX_HISTORY_ENTRIES)
        .ok_or_else(|| {
            invalid(
                path,
                value,
                "an array of at most 50 earlier changes {seq, action, categories, services, timestamp}",
            )
        })?;
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let entry_path = format!("{path}[{index}]");
            let reader = ObjectReader::new(entry, &entry_path, CHANGE_FIELDS)?;
            let change = ConsentChange {
                choice: ConsentChoice::from_json(&reader)?,
                context: ChoiceContext::from_json(&reader)?,
            };
            reader.read_optional("consent_id", |value, field| match value.as_str() {
                Some(id) if id == consent_id => Ok(()),
                _ => Err(invalid(field, value, "the event's own consent_id (or none)")),
            })?;
            if change.choice.seq >= event_seq {
                return Err(ApiError::InvalidField {
                    field: reader.path_of("seq"),
                    message: format!(
                        "found {}; expected an earlier change, with seq lower than the event's seq {event_seq}",
                        change.choice.seq
                    ),
                });
            }
            Ok(change)
        })
        .collect()
}

/// Adapts a validator that borrows its result into one that returns an owned `String`.
fn owned<'v>(
    validate: impl FnOnce(&'v Value, &str) -> Result<&'v str, ApiError>,
) -> impl FnOnce(&'v Value, &str) -> Result<String, ApiError> {
    move |value, path| validate(value, path).map(str::to_owned)
}

fn consent_id<'v>(value: &'v Value, path: &str) -> Result<&'v str, ApiError> {
    text(value, path, &CONSENT_ID_RULE)
}

fn revision<'v>(value: &'v Value, path: &str) -> Result<&'v str, ApiError> {
    text(value, path, &REVISION_RULE)
}

fn texts_hash<'v>(value: &'v Value, path: &str) -> Result<&'v str, ApiError> {
    text(value, path, &TEXTS_HASH_RULE)
}

/// Stores `body` as a consent event at most once per idempotency key; returns the answer
/// and whether it was a replay.
pub async fn record(
    database: &Database,
    now: Timestamp,
    key: IdempotencyKey,
    fingerprint: BodyFingerprint,
    body: &Value,
) -> Result<(StoredResponse, bool), ApiError> {
    let event = ConsentEvent::from_json(body)?;
    respond_once(
        database,
        now,
        ENDPOINT,
        key,
        fingerprint,
        move |transaction, key| store_event(transaction, key, &event),
    )
    .await
}

fn store_event(
    transaction: &mut dyn Transaction,
    key: &IdempotencyKey,
    event: &ConsentEvent,
) -> Result<StoredResponse, ApiError> {
    let choice = &event.choice;
    let history = event.history.as_ref().map(|changes| {
        Value::Array(changes.iter().map(ConsentChange::to_json).collect()).to_string()
    });
    let inserted = transaction.insert_consent_event(&NewConsentEvent {
        idempotency_key: key.as_str(),
        consent_id: &event.consent_id,
        seq: choice.seq,
        revision: &event.revision,
        action: choice.action.name(),
        categories_json: json!(choice.categories).to_string(),
        services_json: json!(choice.services).to_string(),
        timestamp: &choice.timestamp,
        language: event.language.tag(),
        texts_hash: event.texts_hash.as_deref(),
        gpc: event.gpc,
        history_json: history,
    })?;

    Ok(StoredResponse {
        status: StatusCode::CREATED,
        body: json!({
            "status": "stored",
            "receipt": inserted.receipt,
            "consent_id": event.consent_id,
            "seq": choice.seq,
            "current": inserted.current,
        }),
    })
}

/// Every event of one consent id (oldest first) and its current state, as the admin API
/// lists them.
pub async fn history_of(database: &Database, consent_id: String) -> Result<Value, ApiError> {
    database
        .call(move |transaction| {
            let events = transaction.consent_events_of(&consent_id)?;
            let state = transaction.consent_state_of(&consent_id)?;
            Ok(json!({
                "events": events.iter().map(event_json).collect::<Result<Vec<_>, _>>()?,
                "state": state.as_ref().map(state_json).transpose()?,
            }))
        })
        .await
}

/// The latest `limit` events of all, oldest first.
pub async fn latest_events(database: &Database, limit: u32) -> Result<Value, ApiError> {
    database
        .call(move |transaction| {
            let events = transaction.latest_consent_events(limit)?;
            Ok(json!({
                "events": events.iter().map(event_json).collect::<Result<Vec<_>, _>>()?,
            }))
        })
        .await
}

fn event_json(row: &ConsentEventRow) -> Result<Value, ApiError> {
    Ok(json!({
        "id": row.id,
        "idempotency_key": row.idempotency_key,
        "consent_id": row.consent_id,
        "seq": row.seq,
        "revision": row.revision,
        "action": row.action,
        "categories": stored_json(&row.categories_json)?,
        "services": stored_json(&row.services_json)?,
        "timestamp": row.timestamp,
        "language": row.language,
        "texts_hash": row.texts_hash,
        "gpc": row.gpc,
        "history": row.history_json.as_deref().map(stored_json).transpose()?,
        "received_at": row.received_at,
    }))
}

fn state_json(row: &ConsentStateRow) -> Result<Value, ApiError> {
    Ok(json!({
        "consent_id": row.consent_id,
        "event_id": row.event_id,
        "seq": row.seq,
        "revision": row.revision,
        "action": row.action,
        "categories": stored_json(&row.categories_json)?,
        "services": stored_json(&row.services_json)?,
        "timestamp": row.timestamp,
        "language": row.language,
        "texts_hash": row.texts_hash,
        "gpc": row.gpc,
        "updated_at": row.updated_at,
    }))
}

/// A column holding JSON text, returned as JSON rather than as an escaped string.
pub fn stored_json(text: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text).map_err(|error| ApiError::internal(format!("stored JSON: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_body() -> Value {
        json!({
            "consent_id": "0123456789abcdef0123456789abcdef",
            "seq": 3,
            "revision": "2026-11-01",
            "action": "save",
            "categories": {"necessary": true, "analytics": false},
            "services": {"google-analytics": false},
            "timestamp": "2026-11-26T12:00:00.000Z",
            "language": "nb",
            "gpc": null,
            "history": [
                {"seq": 1, "action": "accept_all", "categories": {"necessary": true, "analytics": true},
                 "services": {}, "timestamp": "2026-11-26T11:00:00.000Z"}
            ]
        })
    }

    #[test]
    fn parses_a_full_event() {
        let event = ConsentEvent::from_json(&valid_body()).unwrap();
        assert_eq!(event.choice.action, Action::Save);
        assert_eq!(event.choice.categories.get("analytics"), Some(&false));
        assert_eq!(event.gpc, None, "null counts as absent");
        let history = event.history.unwrap();
        assert_eq!(history[0].choice.action, Action::AcceptAll);
    }

    #[test]
    fn action_names_round_trip() {
        for wire_action in Action::ALL {
            let name = json!(wire_action);
            assert_eq!(
                name,
                json!(wire_action.name()),
                "serde writes the wire name"
            );
            assert_eq!(action(&name, "action").unwrap(), wire_action);
        }
    }

    #[test]
    fn history_must_be_earlier_than_the_event() {
        let mut body = valid_body();
        body["history"][0]["seq"] = json!(3);
        let error = ConsentEvent::from_json(&body).unwrap_err();
        assert_eq!(error.field(), Some("history[0].seq"));
        body["history"][0]["seq"] = json!(1);
        body["history"][0]["extra"] = json!(1);
        let error = ConsentEvent::from_json(&body).unwrap_err();
        assert_eq!(error.field(), Some("history[0].extra"));
    }

    #[test]
    fn history_may_hold_whole_earlier_event_bodies_of_the_same_chain() {
        let mut body = valid_body();
        let mut earlier = valid_body();
        earlier.as_object_mut().unwrap().remove("history");
        earlier["seq"] = json!(2);
        earlier["texts_hash"] = json!("cd".repeat(32));
        body["history"] = json!([earlier.clone()]);
        let event = ConsentEvent::from_json(&body).unwrap();
        let change = &event.history.unwrap()[0];
        assert_eq!(change.choice.seq, 2);
        assert_eq!(
            change.context.texts_hash.as_deref(),
            Some("cd".repeat(32).as_str())
        );
        assert_eq!(change.to_json()["texts_hash"], json!("cd".repeat(32)));

        earlier["consent_id"] = json!("f".repeat(32));
        body["history"] = json!([earlier]);
        let error = ConsentEvent::from_json(&body).unwrap_err();
        assert_eq!(error.field(), Some("history[0].consent_id"));
    }
}
