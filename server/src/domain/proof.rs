//! The proof behind a consent id from a visitor's receipt: every stored event of it, oldest
//! first, each with its revision, its texts hash and whether that hash is the one recorded
//! for its revision and language.
//!
//! The server never sees the texts themselves (the widget hashes its config's wording,
//! core `ui::texts_hash`), so the reference for a (revision, language) is the first hash
//! received for it, kept in `consent_texts` beyond the events' retention. A later event with
//! another hash under the same revision shows wording that changed without a new revision,
//! or a forged event: either way the operator sees `"differs"`.

use serde_json::{json, Value};

use super::consent::stored_json;
use crate::error::ApiError;
use crate::store::{ConsentEventRow, ConsentTextsRow, Database, Transaction};

/// How an event's texts hash compares with the one recorded for its revision and language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextsCheck {
    Matches,
    Differs,
    /// The event carried no `texts_hash` (it is optional in the contract).
    NotSent,
}

impl TextsCheck {
    pub fn of(event_hash: Option<&str>, reference: Option<&ConsentTextsRow>) -> Self {
        match (event_hash, reference) {
            (None, _) => TextsCheck::NotSent,
            (Some(hash), Some(reference)) if hash == reference.texts_hash => TextsCheck::Matches,
            // Every event with a hash records one when none exists, so a hash without a
            // reference cannot be confirmed either.
            (Some(_), _) => TextsCheck::Differs,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TextsCheck::Matches => "matches",
            TextsCheck::Differs => "differs",
            TextsCheck::NotSent => "not_sent",
        }
    }
}

/// The history of `consent_id` as JSON, or 404 when nothing is stored for it.
pub async fn proof_of(database: &Database, consent_id: String) -> Result<Value, ApiError> {
    database
        .call(move |transaction| {
            let events = transaction.consent_events_of(&consent_id)?;
            if events.is_empty() {
                return Err(ApiError::RecordNotFound {
                    field: "consent_id",
                    what: "stored consent with the id",
                    id: consent_id,
                });
            }
            let current = transaction.consent_state_of(&consent_id)?;
            let entries = events
                .iter()
                .map(|event| proof_entry(transaction, event))
                .collect::<Result<Vec<_>, _>>()?;
            let all_match = entries
                .iter()
                .all(|entry| entry["texts_check"] == TextsCheck::Matches.name());
            Ok(json!({
                "consent_id": consent_id,
                "current_event": current.map(|state| state.event_id),
                "all_texts_match": all_match,
                "events": entries,
            }))
        })
        .await
}

fn proof_entry(
    transaction: &mut dyn Transaction,
    event: &ConsentEventRow,
) -> Result<Value, ApiError> {
    let reference = transaction.consent_texts(&event.revision, &event.language)?;
    let check = TextsCheck::of(event.texts_hash.as_deref(), reference.as_ref());
    Ok(json!({
        "receipt": event.id,
        "seq": event.seq,
        "action": event.action,
        "revision": event.revision,
        "language": event.language,
        "timestamp": event.timestamp,
        "received_at": event.received_at,
        "categories": stored_json(&event.categories_json)?,
        "services": stored_json(&event.services_json)?,
        "gpc": event.gpc,
        "texts_hash": event.texts_hash,
        "texts_check": check.name(),
        "reference_texts_hash": reference.as_ref().map(|row| &row.texts_hash),
        "reference_first_seen_at": reference.as_ref().map(|row| &row.first_seen_at),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(hash: &str) -> ConsentTextsRow {
        ConsentTextsRow {
            revision: "2026-11-01".into(),
            language: "nb".into(),
            texts_hash: hash.into(),
            first_seen_at: "2026-11-26T12:00:00.000Z".into(),
        }
    }

    #[test]
    fn a_hash_is_checked_against_the_reference_of_its_revision_and_language() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        assert_eq!(
            TextsCheck::of(Some(&a), Some(&reference(&a))),
            TextsCheck::Matches
        );
        assert_eq!(
            TextsCheck::of(Some(&b), Some(&reference(&a))),
            TextsCheck::Differs
        );
        assert_eq!(TextsCheck::of(Some(&a), None), TextsCheck::Differs);
        assert_eq!(
            TextsCheck::of(None, Some(&reference(&a))),
            TextsCheck::NotSent
        );
    }
}
