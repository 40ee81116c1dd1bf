//! The outbox as versioned JSON text for session or local storage, so undelivered events
//! survive reloads, navigation and crashes. Reading never panics: whatever cannot be trusted
//! is dropped and described.
//!
//! Format 1: `{"v":1,"entries":[{"key":…,"endpoint":…,"ordering":…,"body":…,"created_ms":…,
//! "failures":…,"next_ms":…}]}`, oldest first, `"ordering"` omitted when absent. The body is
//! kept as a JSON *string* holding the exact text sent, not as a nested value, so a change to
//! the JSON writer can never alter the bytes resent under an existing key.

use crate::prelude::*;

use super::{Endpoint, IdempotencyKey, OrderingKey, Outbox, OutboxEntry, OutboxPolicy};
use crate::json::{self, Json, JsonError};
use core::fmt;

pub const FORMAT_VERSION: i64 = 1;

/// Why restoring gave back less than was stored. The outbox is usable either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreProblem {
    /// Not JSON (truncated or overwritten): everything was discarded.
    Unreadable(JsonError),
    /// JSON, but not an outbox (wrong top-level shape): everything was discarded.
    NotAnOutbox(&'static str),
    /// Written by another format version (`None`: missing or not a number): discarded.
    UnsupportedVersion(Option<i64>),
    /// These entries were invalid (or beyond `max_entries`) and were dropped; the rest were kept.
    SkippedEntries(Vec<SkippedEntry>),
}

/// One stored entry that was dropped, by its index in the stored `entries` array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    pub index: usize,
    pub reason: &'static str,
}

impl fmt::Display for RestoreProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LOST: &str = "its undelivered events were discarded";
        match self {
            RestoreProblem::Unreadable(e) => write!(f, "outbox: the saved state is not valid JSON ({e}); {LOST}"),
            RestoreProblem::NotAnOutbox(what) => write!(f, "outbox: the saved state is not an outbox ({what}); {LOST}"),
            RestoreProblem::UnsupportedVersion(Some(v)) => write!(
                f,
                "outbox: the saved state has format version {v}, this widget reads version {FORMAT_VERSION}; {LOST}"
            ),
            RestoreProblem::UnsupportedVersion(None) => {
                write!(f, "outbox: the saved state has no numeric \"v\" format version; {LOST}")
            }
            RestoreProblem::SkippedEntries(skipped) => {
                write!(f, "outbox: {} saved event(s) were dropped:", skipped.len())?;
                for s in skipped {
                    write!(f, " entries[{}]: {};", s.index, s.reason)?;
                }
                Ok(())
            }
        }
    }
}

impl core::error::Error for RestoreProblem {}

impl Outbox {
    /// The whole outbox as text; persist it after every call that changed anything.
    pub fn serialize(&self) -> String {
        let bodies: usize = self.entries.iter().map(|e| e.body.len()).sum();
        let mut out = String::with_capacity(24 + bodies + bodies / 4 + self.entries.len() * 160);
        out.push_str("{\"v\":");
        json::push_int(&mut out, FORMAT_VERSION);
        out.push_str(",\"entries\":[");
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"key\":");
            json::write_string(&mut out, e.key.as_str());
            out.push_str(",\"endpoint\":\"");
            out.push_str(e.endpoint.name());
            out.push('"');
            if let Some(k) = &e.ordering {
                out.push_str(",\"ordering\":");
                json::write_string(&mut out, k.as_str());
            }
            out.push_str(",\"body\":");
            json::write_string(&mut out, &e.body);
            out.push_str(",\"created_ms\":");
            push_u64(&mut out, e.created_ms);
            out.push_str(",\"failures\":");
            push_u64(&mut out, u64::from(e.failures));
            out.push_str(",\"next_ms\":");
            push_u64(&mut out, e.next_attempt_ms);
            out.push('}');
        }
        out.push_str("]}");
        out
    }

    /// Rebuilds the outbox from [`Outbox::serialize`] text; empty text (nothing stored yet) is
    /// an empty outbox without a problem. Entries that were in flight come back due at once;
    /// a stored wake-up further than the policy's longest wait from `now_ms` (a clock that
    /// jumped) is pulled in to that.
    pub fn restore(policy: OutboxPolicy, stored: &str, now_ms: u64) -> (Outbox, Option<RestoreProblem>) {
        let mut outbox = Outbox::new(policy);
        if stored.trim().is_empty() {
            return (outbox, None);
        }
        let doc = match json::parse(stored) {
            Ok(doc) => doc,
            Err(e) => return (outbox, Some(RestoreProblem::Unreadable(e))),
        };
        if doc.as_object().is_none() {
            return (outbox, Some(RestoreProblem::NotAnOutbox("expected an object at the top level")));
        }
        match doc.get("v").and_then(Json::as_int) {
            Some(FORMAT_VERSION) => {}
            other => return (outbox, Some(RestoreProblem::UnsupportedVersion(other))),
        }
        let Some(items) = doc.get("entries").and_then(Json::as_array) else {
            return (outbox, Some(RestoreProblem::NotAnOutbox("expected an \"entries\" array")));
        };

        let latest = now_ms.saturating_add(outbox.policy.longest_wait_ms());
        let mut skipped = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let reason = match read_entry(item) {
                Err(reason) => reason,
                Ok(_) if outbox.entries.len() >= outbox.policy.max_entries => "more entries than max_entries",
                Ok(entry) if outbox.contains(&entry.key) => "duplicate idempotency key",
                Ok(mut entry) => {
                    entry.next_attempt_ms = entry.next_attempt_ms.min(latest);
                    outbox.entries.push(entry);
                    continue;
                }
            };
            skipped.push(SkippedEntry { index, reason });
        }
        let problem = (!skipped.is_empty()).then_some(RestoreProblem::SkippedEntries(skipped));
        (outbox, problem)
    }
}

fn read_entry(item: &Json) -> Result<OutboxEntry, &'static str> {
    if item.as_object().is_none() {
        return Err("not an object");
    }
    let key = item
        .get("key")
        .and_then(Json::as_str)
        .and_then(IdempotencyKey::new)
        .ok_or("\"key\" is missing or not a valid idempotency key")?;
    let endpoint = item
        .get("endpoint")
        .and_then(Json::as_str)
        .and_then(Endpoint::from_name)
        .ok_or("\"endpoint\" is missing or unknown")?;
    let ordering = match item.get("ordering") {
        None => None,
        Some(v) => Some(v.as_str().and_then(OrderingKey::new).ok_or("\"ordering\" is not a valid ordering key")?),
    };
    let body = item.get("body").and_then(Json::as_str).ok_or("\"body\" is missing or not a string")?;
    if json::parse(body).is_err() {
        return Err("\"body\" does not hold JSON text");
    }
    let number = |field: &str| item.get(field).and_then(Json::as_int).and_then(|n| u64::try_from(n).ok());
    let created_ms = number("created_ms").ok_or("\"created_ms\" is missing or not a non-negative integer")?;
    let failures = number("failures")
        .and_then(|n| u32::try_from(n).ok())
        .ok_or("\"failures\" is missing or not a non-negative integer")?;
    let next_attempt_ms = number("next_ms").ok_or("\"next_ms\" is missing or not a non-negative integer")?;
    Ok(OutboxEntry {
        key,
        endpoint,
        ordering,
        body: body.to_string(),
        created_ms,
        failures,
        next_attempt_ms,
        in_flight_since: None,
    })
}

/// Times past `i64::MAX` (only from saturating arithmetic) are written as `i64::MAX`.
fn push_u64(out: &mut String, n: u64) {
    json::push_int(out, i64::try_from(n).unwrap_or(i64::MAX));
}
