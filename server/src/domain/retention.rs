//! How long consent events are kept (`CONSENT_RETENTION_DAYS`): events received longer ago
//! are deleted by the housekeeping, except the latest event of each consent that still
//! holds, which stays as its proof for as long as it holds.

use std::time::Duration;

use super::consent;
use crate::clock::Timestamp;
use crate::error::ApiError;
use crate::store::{ConsentPurge, Database};

/// The default retention, in days: the period the demo statement's "lagringstid" section
/// promises for consent receipts (a host test keeps the two equal).
pub const DEFAULT_CONSENT_RETENTION_DAYS: u64 = 365;

/// What one retention pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub events: ConsentPurge,
    /// Stored answers of consent POSTs (for replays), which name the consent id too.
    pub idempotency_records: usize,
}

/// Deletes the consent events received more than `retention` before `now`, and the
/// stored answers to consent POSTs of that age.
///
/// A consent holds while its latest event is of the revision the widget sends today: the
/// widget asks again when the revision changes (core `ConsentRecord::is_current`), so the
/// revision of the most recently received event is the current one. The latest event of a
/// consent under that revision is kept however old it is; under an older revision it goes
/// with the rest. (Its browser cookie's lifetime is the browser's to keep; the server cannot
/// see it, so age alone never ends a consent that can still be in use.)
pub async fn purge_consent_events(
    database: &Database,
    now: Timestamp,
    retention: Duration,
) -> Result<RetentionReport, ApiError> {
    let cutoff = now.minus(retention);
    database
        .call(move |transaction| {
            let current_revision = transaction.latest_consent_revision()?;
            Ok(RetentionReport {
                events: transaction
                    .delete_consent_events_before(cutoff, current_revision.as_deref())?,
                idempotency_records: transaction
                    .delete_idempotency_records(&[consent::ENDPOINT], cutoff)?,
            })
        })
        .await
}
