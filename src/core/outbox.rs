//! The delivery outbox: every consent change, newsletter signup and rights request waits here
//! until the shop's backend acknowledges it with a 2xx. A pure state machine (no I/O, clock or
//! randomness of its own) that the browser layer drives and host tests replay fault by fault.
//!
//! # The loop the browser layer runs
//!
//! 1. At start-up: [`Outbox::restore`] from the stored text (report a [`RestoreProblem`] to the
//!    console), then [`Outbox::due`].
//! 2. On a user action: [`Outbox::enqueue`], persist [`Outbox::serialize`], then `due`.
//! 3. For each [`Dispatch`] returned by `due`: POST `body` to the endpoint's URL with the
//!    `Idempotency-Key: <key>` header, abort after `timeout_ms`, and report exactly one
//!    [`Outcome`] with [`Outbox::on_outcome`]; persist; call `due` again. Send these *without*
//!    `keepalive`: the browser's 64 KiB keepalive quota counts every keepalive body still in
//!    flight, and step 5 needs it. (Ordinary fetches die with the page, which is why
//!    `unload_flush` sends entries in flight again.)
//! 4. After every call: schedule one timer for [`Outbox::next_wake_ms`] that calls `due`.
//! 5. On `pagehide`: [`Outbox::unload_flush`] with the keepalive budget left, send those with
//!    `fetch(…, {keepalive: true})` (or `sendBeacon` with the backend's envelope, reporting
//!    [`Outcome::BeaconQueued`]) and persist. Whatever the page never hears back about is sent
//!    again on the next page, under the same key.
//!
//! # Policy
//!
//! - **Identity.** An entry's idempotency key and body bytes are fixed at enqueue and never
//!   change, across retries and page loads (the body is stored as the exact text sent), so the
//!   backend can deduplicate on key + body.
//! - **Acknowledgement.** Only a 2xx removes an entry ([`OutboxEvent::Delivered`]). A beacon the
//!   browser accepted ([`Outcome::BeaconQueued`]) is not an acknowledgement: the entry stays and
//!   is sent again later with the same key.
//! - **Retries.** 408, 425, 429, 5xx, any other non-4xx status, network errors and timeouts are
//!   retried after `min(max_delay, base_delay · 2^(failures−1))` with full, equal or no jitter
//!   ([`backoff_delay`]). A `Retry-After` is honoured as a lower bound, itself capped at
//!   `max_retry_after_ms`: the wait is `max(backoff, min(retry_after, max_retry_after_ms))`, so a
//!   `Retry-After: 0` cannot make the widget hammer the server. With `max_attempts: None` (the
//!   default) retryable failures never give up; with `Some(n)` the entry is dropped after `n`
//!   failed attempts ([`OutboxEvent::GaveUp`]).
//! - **Permanent failures.** Every other 4xx (400, 401, 403 CSRF, 404, 409, 413, 415, 422, …)
//!   removes the entry and returns [`OutboxEvent::Rejected`] for the console and `onError`.
//! - **Order.** Entries sharing an [`OrderingKey`] (the consent id) go out one at a time, oldest
//!   first: a newer one is sent only after every older one was acknowledged or permanently
//!   rejected, so an older choice never reaches the server after a newer one. The one exception
//!   is [`Outbox::unload_flush`], which sends them all at once, oldest first, because holding the
//!   newest choice back until a next visit that may never come would lose it; the consent
//!   event's `seq` lets the backend keep the latest if they arrive out of order.
//! - **Coalescing.** A consent entry replaces every older consent entry with the same ordering
//!   key that is not in flight ([`OutboxEvent::Replaced`]): only the latest choice has to arrive.
//!   An entry in flight is never replaced; the newer one waits behind it. With `keep_history`
//!   the replaced bodies (minus their own `history`) are folded, oldest first, into the new
//!   body's `"history"` array, capped at [`MAX_HISTORY`] items (and trimmed further, oldest first,
//!   to keep the body within `max_body_bytes`). A replaced entry may already have reached the
//!   server (its response was lost); its `seq` in the history lets the server count it once.
//! - **Capacity.** At most `max_entries` entries. Consent entries are never refused: coalescing
//!   keeps at most two per consent id (one in flight, one waiting), and when the outbox is full a
//!   new consent entry evicts the oldest consent entry of *another* consent id, i.e. a choice
//!   from an earlier session that was superseded anyway ([`OutboxEvent::Evicted`]). Newsletter,
//!   withdrawal and rights-request entries may fill all but [`CONSENT_RESERVE`] slots; beyond that
//!   a new one is refused with [`EnqueueError::Full`] so the form can ask the visitor to try
//!   again. Nothing the visitor was told is on its way is ever dropped to make room for it.
//! - **Resumption.** [`Outbox::serialize`] / [`Outbox::restore`] round-trip every entry. Entries in
//!   flight when the page went away come back due at once (resending with the same key is
//!   safe). Unreadable or unknown-version text gives an empty outbox plus a [`RestoreProblem`];
//!   individually invalid entries are skipped and listed. Never a panic.
//! - **Lost outcomes.** If the browser layer never reports an outcome for a dispatch (it always
//!   should), the entry is sent again `2 × request_timeout_ms` after it went out.

use crate::prelude::*;

mod persist;
#[cfg(test)]
mod tests;

pub use persist::{RestoreProblem, SkippedEntry, FORMAT_VERSION};

use crate::json::{self, Json};
use crate::wire;
use core::fmt;

/// The web-storage item holding the page's one outbox (format: `persist`), which the consent
/// manager drives for its own events and the forms' alike; it is removed when the outbox
/// empties, so its presence means events still to deliver.
pub const CONSENT_OUTBOX_KEY: &str = "privacy-widget-outbox";
/// Most replaced consent bodies kept in a consent event's `"history"`; the oldest go first.
pub const MAX_HISTORY: usize = 50;
/// Slots only consent entries may use, so a full outbox can always take the latest choice.
pub const CONSENT_RESERVE: usize = 2;
/// The smallest `max_entries` honoured (room for the reserve and a couple of forms).
pub const MIN_ENTRIES: usize = 4;
/// Longest idempotency or ordering key, in bytes (the contract's limit).
pub use crate::wire::MAX_KEY_LEN;
/// How long a POST may take before it is aborted and counts as failed; also the banner build's
/// limit for the one POST it makes of a decision (`web::banner`).
pub const REQUEST_TIMEOUT_MS: u64 = 10_000;

/// An entry in flight this many request timeouts without an outcome is assumed lost and resent.
const LOST_OUTCOME_TIMEOUTS: u64 = 2;

/// Where an event goes; the browser layer maps each to a configured URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Consent,
    Newsletter,
    RightsRequest,
    NewsletterWithdrawal,
}

impl Endpoint {
    pub const ALL: [Endpoint; 4] =
        [Endpoint::Consent, Endpoint::Newsletter, Endpoint::RightsRequest, Endpoint::NewsletterWithdrawal];

    /// The name used in the stored state and in debug output.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Consent => "consent",
            Endpoint::Newsletter => "newsletter",
            Endpoint::RightsRequest => "rights_request",
            Endpoint::NewsletterWithdrawal => "newsletter_withdrawal",
        }
    }

    pub fn from_name(name: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// The `Idempotency-Key` of one event, made by the caller from random bytes and never changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Accepts exactly the keys the contract allows ([`wire::is_idempotency_key`]).
    pub fn new(key: &str) -> Option<IdempotencyKey> {
        wire::is_idempotency_key(key).then(|| IdempotencyKey(key.to_string()))
    }

    /// 32 lowercase hex characters from 16 random bytes (`crypto.getRandomValues`).
    pub fn from_random(random: [u8; 16]) -> IdempotencyKey {
        let mut key = String::with_capacity(32);
        json::push_hex(&mut key, &random);
        IdempotencyKey(key)
    }

    /// The key of a decision's event, the same however often it is queued: a decision the
    /// banner build left pending may be queued again when a page went away half-way, and the
    /// backend then stores it once.
    pub fn for_decision(consent_id: &str, seq: u32) -> IdempotencyKey {
        let mut key = String::from(consent_id);
        key.push('-');
        json::push_int(&mut key, i64::from(seq));
        IdempotencyKey(key)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Entries with the same ordering key (the consent id) are delivered one at a time, in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderingKey(String);

impl OrderingKey {
    /// Any non-empty string of at most 128 bytes.
    pub fn new(key: &str) -> Option<OrderingKey> {
        (!key.is_empty() && key.len() <= MAX_KEY_LEN).then(|| OrderingKey(key.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How the retry delay is randomised below its exponential ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Exactly the ceiling (for tests and debugging; visitors would retry in lock-step).
    None,
    /// Uniform in `0..=ceiling`: spreads a crowd of visitors best after a backend outage.
    Full,
    /// Uniform in `ceiling − ceiling/2 ..= ceiling`: never less than half the ceiling.
    Equal,
}

/// The knobs of delivery. Out-of-range values are clamped by [`Outbox::new`], never refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxPolicy {
    /// Most entries held at once (at least [`MIN_ENTRIES`]).
    pub max_entries: usize,
    /// Most requests in flight at once from [`Outbox::due`] (at least 1).
    pub max_in_flight: usize,
    /// Backoff ceiling after the first failure (at least 1 ms).
    pub base_delay_ms: u64,
    /// Largest backoff ceiling (at least `base_delay_ms`).
    pub max_delay_ms: u64,
    pub jitter: Jitter,
    /// `None`: never give up on retryable failures. `Some(n)`: drop after `n` failed attempts.
    pub max_attempts: Option<u32>,
    /// A server's `Retry-After` is honoured up to this long.
    pub max_retry_after_ms: u64,
    /// The browser layer aborts a request after this long and reports [`Outcome::Timeout`].
    pub request_timeout_ms: u64,
    /// Largest body accepted by [`Outbox::enqueue`]; keep it well under the 64 KiB keepalive quota.
    pub max_body_bytes: usize,
    /// Fold replaced consent bodies into the newer body's `"history"`.
    pub keep_history: bool,
}

impl Default for OutboxPolicy {
    fn default() -> Self {
        OutboxPolicy {
            max_entries: 50,
            max_in_flight: 4,
            base_delay_ms: 1_000,
            max_delay_ms: 5 * 60_000,
            jitter: Jitter::Full,
            max_attempts: None,
            max_retry_after_ms: 10 * 60_000,
            request_timeout_ms: REQUEST_TIMEOUT_MS,
            max_body_bytes: 32 * 1024,
            keep_history: false,
        }
    }
}

impl OutboxPolicy {
    fn clamped(mut self) -> OutboxPolicy {
        self.max_entries = self.max_entries.max(MIN_ENTRIES);
        self.max_in_flight = self.max_in_flight.max(1);
        self.base_delay_ms = self.base_delay_ms.max(1);
        self.max_delay_ms = self.max_delay_ms.max(self.base_delay_ms);
        self.request_timeout_ms = self.request_timeout_ms.max(1);
        self
    }

    /// The longest an entry can legitimately wait; restored wake-ups further out are pulled in.
    fn longest_wait_ms(&self) -> u64 {
        self.max_delay_ms.max(self.max_retry_after_ms).max(self.base_delay_ms)
    }
}

/// What happened to one [`Dispatch`], as seen by the browser layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered. `retry_after_ms`: the `Retry-After` header converted to a delay.
    Status { code: u16, retry_after_ms: Option<u64> },
    /// `fetch` rejected (offline, DNS, CORS, connection reset).
    NetworkError,
    /// Aborted after `timeout_ms`.
    Timeout,
    /// `navigator.sendBeacon` returned true: queued by the browser, delivery unknown.
    BeaconQueued,
}

/// How a response status is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// 2xx: delivered, the entry is removed.
    Delivered,
    /// 408, 425, 429, 5xx and anything that is neither 2xx nor 4xx: sent again later.
    Retryable,
    /// Every other 4xx: the server will never accept this body under this key.
    Permanent,
}

pub fn classify_status(code: u16) -> StatusClass {
    match code {
        200..=299 => StatusClass::Delivered,
        408 | 425 | 429 => StatusClass::Retryable,
        400..=499 => StatusClass::Permanent,
        _ => StatusClass::Retryable,
    }
}

/// The backoff after the `failures`-th failed attempt (1 for the first):
/// `ceiling = min(max_delay, base_delay · 2^(failures−1))`, then jittered with `random`.
/// Integer-only and deterministic: the same `random` gives the same delay.
pub fn backoff_delay(policy: &OutboxPolicy, failures: u32, random: u32) -> u64 {
    let exponent = failures.saturating_sub(1);
    let factor = if exponent >= 63 { u64::MAX } else { 1u64 << exponent };
    let ceiling = policy.base_delay_ms.saturating_mul(factor).min(policy.max_delay_ms);
    match policy.jitter {
        Jitter::None => ceiling,
        Jitter::Full => uniform(random, ceiling),
        Jitter::Equal => {
            let half = ceiling / 2;
            ceiling - half + uniform(random, half)
        }
    }
}

/// Maps a uniform `random` onto `0..=max` by multiply-and-shift (no division, no float).
fn uniform(random: u32, max: u64) -> u64 {
    ((u128::from(random) * (u128::from(max) + 1)) >> 32) as u64
}

/// One request to make now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatch {
    /// Send as the `Idempotency-Key` header; report the outcome under it.
    pub key: IdempotencyKey,
    pub endpoint: Endpoint,
    /// The exact JSON text to POST, identical on every attempt.
    pub body: String,
    pub timeout_ms: u64,
    /// 1 for the first attempt (failed attempts so far + 1), for logging.
    pub attempt: u32,
}

/// Something the browser layer may want to surface (console, `onError`, form state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxEvent {
    /// A 2xx: the server has it. Newsletter and rights-request forms can confirm now.
    Delivered { key: IdempotencyKey, endpoint: Endpoint, status: u16 },
    /// A permanent 4xx: removed; report to the console and `onError`.
    Rejected { key: IdempotencyKey, endpoint: Endpoint, status: u16 },
    /// `max_attempts` retryable failures in a row: removed; report like `Rejected`.
    GaveUp { key: IdempotencyKey, endpoint: Endpoint, attempts: u32 },
    /// A retryable failure: sent again in `delay_ms`.
    RetryScheduled { key: IdempotencyKey, endpoint: Endpoint, failures: u32, delay_ms: u64 },
    /// A waiting consent entry was superseded by the newer choice `by` (coalescing).
    Replaced { key: IdempotencyKey, by: IdempotencyKey },
    /// Removed to make room for a newer consent entry of another consent id.
    Evicted { key: IdempotencyKey, endpoint: Endpoint },
}

/// Why [`Outbox::enqueue`] refused an event; nothing in the outbox changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnqueueError {
    /// No room for another non-consent entry: ask the visitor to try again later.
    Full { max_entries: usize },
    /// An entry with this key is already queued (the same event enqueued twice).
    DuplicateKey(IdempotencyKey),
    /// The body is larger than `max_body_bytes`.
    TooLarge { bytes: usize, max: usize },
}

impl fmt::Display for EnqueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnqueueError::Full { max_entries } => write!(
                f,
                "outbox: {max_entries} events are already waiting for the server; this one was not queued, try again later"
            ),
            EnqueueError::DuplicateKey(key) => {
                write!(f, "outbox: an event with idempotency key {:?} is already queued", key.as_str())
            }
            EnqueueError::TooLarge { bytes, max } => {
                write!(f, "outbox: the event body is {bytes} bytes; at most {max} bytes are accepted")
            }
        }
    }
}

impl core::error::Error for EnqueueError {}

/// Where an entry stands, for the debug API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// Sent at `since_ms`, outcome not reported yet.
    InFlight { since_ms: u64 },
    /// Waiting behind an older entry with the same ordering key.
    Blocked,
    /// Will be sent in `due_in_ms` (0: now, or as soon as a request slot frees up).
    Waiting { due_in_ms: u64 },
}

/// One entry as the debug API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySummary<'a> {
    pub key: &'a IdempotencyKey,
    pub endpoint: Endpoint,
    pub ordering: Option<&'a OrderingKey>,
    pub state: EntryState,
    /// Failed attempts so far.
    pub failures: u32,
    pub body_bytes: usize,
    pub created_ms: u64,
}

/// One undelivered event.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OutboxEntry {
    key: IdempotencyKey,
    endpoint: Endpoint,
    ordering: Option<OrderingKey>,
    /// The exact text sent on every attempt.
    body: String,
    created_ms: u64,
    /// Failed attempts so far (retryable outcomes).
    failures: u32,
    /// Earliest time of the next attempt; set to the send time while in flight, so an entry
    /// restored after the page died mid-request is due at once.
    next_attempt_ms: u64,
    in_flight_since: Option<u64>,
}

impl OutboxEntry {
    fn dispatch(&mut self, now_ms: u64, timeout_ms: u64) -> Dispatch {
        self.in_flight_since = Some(now_ms);
        self.next_attempt_ms = now_ms;
        Dispatch {
            key: self.key.clone(),
            endpoint: self.endpoint,
            body: self.body.clone(),
            timeout_ms,
            attempt: self.failures.saturating_add(1),
        }
    }
}

/// The queue of undelivered events, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbox {
    policy: OutboxPolicy,
    entries: Vec<OutboxEntry>,
}

impl Outbox {
    pub fn new(policy: OutboxPolicy) -> Outbox {
        Outbox { policy: policy.clamped(), entries: Vec::new() }
    }

    /// The policy in force (after clamping).
    pub fn policy(&self) -> &OutboxPolicy {
        &self.policy
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn contains(&self, key: &IdempotencyKey) -> bool {
        self.position(key).is_some()
    }

    pub fn in_flight(&self) -> usize {
        self.entries.iter().filter(|e| e.in_flight_since.is_some()).count()
    }

    /// Queues an event. `body` is serialised once here and sent byte for byte on every attempt.
    /// Returns what coalescing or capacity did to other entries ([`OutboxEvent::Replaced`],
    /// [`OutboxEvent::Evicted`]); on an error nothing changed. Call [`Outbox::due`] next.
    pub fn enqueue(
        &mut self,
        endpoint: Endpoint,
        body: Json,
        key: IdempotencyKey,
        ordering: Option<OrderingKey>,
        now_ms: u64,
    ) -> Result<Vec<OutboxEvent>, EnqueueError> {
        if self.contains(&key) {
            return Err(EnqueueError::DuplicateKey(key));
        }
        let max_body = self.policy.max_body_bytes;
        let mut text = body.to_json();
        if text.len() > max_body {
            return Err(EnqueueError::TooLarge { bytes: text.len(), max: max_body });
        }

        let is_consent = endpoint == Endpoint::Consent;
        // Coalescing: older consent entries of this consent id that are not in flight.
        let replaced: Vec<usize> = match (&ordering, is_consent) {
            (Some(k), true) => (0..self.entries.len())
                .filter(|&i| {
                    let e = &self.entries[i];
                    e.endpoint == Endpoint::Consent && e.ordering.as_ref() == Some(k) && e.in_flight_since.is_none()
                })
                .collect(),
            _ => Vec::new(),
        };
        let remaining = self.entries.len() - replaced.len();
        let max = self.policy.max_entries;
        let mut evict = None;
        if !is_consent {
            let others = self.entries.iter().filter(|e| e.endpoint != Endpoint::Consent).count();
            if remaining >= max || others >= max - CONSENT_RESERVE {
                return Err(EnqueueError::Full { max_entries: max });
            }
        } else if remaining >= max {
            evict = Some(self.eviction_candidate(ordering.as_ref()).ok_or(EnqueueError::Full { max_entries: max })?);
        }

        if self.policy.keep_history && !replaced.is_empty() {
            let older: Vec<&str> = replaced.iter().map(|&i| self.entries[i].body.as_str()).collect();
            text = fold_history(body, &older, max_body);
        }

        let mut events: Vec<OutboxEvent> = replaced
            .iter()
            .map(|&i| OutboxEvent::Replaced { key: self.entries[i].key.clone(), by: key.clone() })
            .collect();
        if let Some(i) = evict {
            let e = &self.entries[i];
            events.push(OutboxEvent::Evicted { key: e.key.clone(), endpoint: e.endpoint });
        }
        // `retain` visits in index order, so no sort is needed (a sort costs ~1 KB of wasm).
        let mut index = 0;
        self.entries.retain(|_| {
            let keep = !replaced.contains(&index) && evict != Some(index);
            index += 1;
            keep
        });

        self.entries.push(OutboxEntry {
            key,
            endpoint,
            ordering,
            body: text,
            created_ms: now_ms,
            failures: 0,
            next_attempt_ms: now_ms,
            in_flight_since: None,
        });
        Ok(events)
    }

    /// The consent entry to drop for a newer consent entry when full: the oldest consent entry
    /// of another (or no) consent id, preferring one that is not in flight.
    fn eviction_candidate(&self, ordering: Option<&OrderingKey>) -> Option<usize> {
        let evictable = |e: &OutboxEntry| {
            e.endpoint == Endpoint::Consent && (e.ordering.is_none() || e.ordering.as_ref() != ordering)
        };
        let idle = self.entries.iter().position(|e| evictable(e) && e.in_flight_since.is_none());
        idle.or_else(|| self.entries.iter().position(evictable))
    }

    /// Entries to send now, oldest first, marked in flight. At most one per ordering key and at
    /// most `max_in_flight` in all. Report each one's outcome with [`Outbox::on_outcome`].
    pub fn due(&mut self, now_ms: u64) -> Vec<Dispatch> {
        let heads = self.heads();
        let lost_after = self.lost_outcome_after_ms();
        let timeout = self.policy.request_timeout_ms;
        let mut in_flight = self.in_flight();
        let mut out = Vec::new();
        for (entry, head) in self.entries.iter_mut().zip(heads) {
            match entry.in_flight_since {
                // The browser layer never reported an outcome: assume it lost and send again.
                Some(since) if now_ms >= since.saturating_add(lost_after) => out.push(entry.dispatch(now_ms, timeout)),
                Some(_) => {}
                None if head && in_flight < self.policy.max_in_flight && entry.next_attempt_ms <= now_ms => {
                    in_flight += 1;
                    out.push(entry.dispatch(now_ms, timeout));
                }
                None => {}
            }
        }
        out
    }

    /// Applies the outcome of a dispatch. A 2xx or a permanent 4xx is final whenever it
    /// arrives; a retryable failure or a beacon only counts for an entry still in flight
    /// (a late report for an attempt already superseded is ignored), as does any outcome for
    /// a key no longer queued. `random` (uniform `u32`) drives the jitter of a retry.
    pub fn on_outcome(&mut self, key: &IdempotencyKey, outcome: Outcome, now_ms: u64, random: u32) -> Vec<OutboxEvent> {
        let Some(i) = self.position(key) else {
            return Vec::new();
        };
        let in_flight = self.entries[i].in_flight_since.is_some();
        match outcome {
            Outcome::Status { code, retry_after_ms } => match classify_status(code) {
                StatusClass::Delivered => {
                    let e = self.entries.remove(i);
                    vec![OutboxEvent::Delivered { key: e.key, endpoint: e.endpoint, status: code }]
                }
                StatusClass::Permanent => {
                    let e = self.entries.remove(i);
                    vec![OutboxEvent::Rejected { key: e.key, endpoint: e.endpoint, status: code }]
                }
                StatusClass::Retryable if in_flight => self.retry(i, retry_after_ms, now_ms, random),
                StatusClass::Retryable => Vec::new(),
            },
            Outcome::NetworkError | Outcome::Timeout if in_flight => self.retry(i, None, now_ms, random),
            Outcome::BeaconQueued if in_flight => {
                // Not an acknowledgement: keep it and send again (same key) if this page lives on.
                let e = &mut self.entries[i];
                e.in_flight_since = None;
                e.next_attempt_ms = now_ms.saturating_add(self.policy.base_delay_ms);
                Vec::new()
            }
            Outcome::NetworkError | Outcome::Timeout | Outcome::BeaconQueued => Vec::new(),
        }
    }

    fn retry(&mut self, i: usize, retry_after_ms: Option<u64>, now_ms: u64, random: u32) -> Vec<OutboxEvent> {
        let policy = &self.policy;
        let e = &mut self.entries[i];
        e.in_flight_since = None;
        e.failures = e.failures.saturating_add(1);
        if policy.max_attempts.is_some_and(|max| e.failures >= max) {
            let e = self.entries.remove(i);
            return vec![OutboxEvent::GaveUp { key: e.key, endpoint: e.endpoint, attempts: e.failures }];
        }
        let mut delay = backoff_delay(policy, e.failures, random);
        if let Some(after) = retry_after_ms {
            delay = delay.max(after.min(policy.max_retry_after_ms));
        }
        e.next_attempt_ms = now_ms.saturating_add(delay);
        vec![OutboxEvent::RetryScheduled {
            key: e.key.clone(),
            endpoint: e.endpoint,
            failures: e.failures,
            delay_ms: delay,
        }]
    }

    /// Milliseconds from `now_ms` until [`Outbox::due`] has something to do (0: call it now);
    /// `None` when only an outcome can move things on. Entries blocked behind an older one,
    /// or waiting for a free request slot, are woken by that outcome, not by the timer.
    pub fn next_wake_ms(&self, now_ms: u64) -> Option<u64> {
        let heads = self.heads();
        let lost_after = self.lost_outcome_after_ms();
        let room = self.in_flight() < self.policy.max_in_flight;
        self.entries
            .iter()
            .zip(heads)
            .filter_map(|(e, head)| match e.in_flight_since {
                Some(since) => Some(since.saturating_add(lost_after)),
                None if head && room => Some(e.next_attempt_ms),
                None => None,
            })
            .min()
            .map(|at| at.saturating_sub(now_ms))
    }

    /// On `pagehide`: every entry, in flight or waiting, whose body fits in what is left of
    /// `budget_bytes` (the keepalive quota, 64 KiB shared by all keepalive requests of the page),
    /// oldest first, marked in flight. An entry that does not fit is skipped, and so is every
    /// newer entry with its ordering key, so nothing overtakes an entry left behind; smaller
    /// unrelated entries after it still go. Backoff and `max_in_flight` are ignored (last chance).
    pub fn unload_flush(&mut self, now_ms: u64, budget_bytes: usize) -> Vec<Dispatch> {
        let timeout = self.policy.request_timeout_ms;
        let mut left = budget_bytes;
        let mut held: Vec<OrderingKey> = Vec::new();
        let mut out = Vec::new();
        for entry in &mut self.entries {
            if entry.ordering.as_ref().is_some_and(|k| held.contains(k)) {
                continue;
            }
            if entry.body.len() > left {
                held.extend(entry.ordering.clone());
                continue;
            }
            left -= entry.body.len();
            out.push(entry.dispatch(now_ms, timeout));
        }
        out
    }

    /// Every entry, oldest first, for the debug API.
    pub fn summaries(&self, now_ms: u64) -> Vec<EntrySummary<'_>> {
        self.entries
            .iter()
            .zip(self.heads())
            .map(|(e, head)| EntrySummary {
                key: &e.key,
                endpoint: e.endpoint,
                ordering: e.ordering.as_ref(),
                state: match e.in_flight_since {
                    Some(since_ms) => EntryState::InFlight { since_ms },
                    None if !head => EntryState::Blocked,
                    None => EntryState::Waiting { due_in_ms: e.next_attempt_ms.saturating_sub(now_ms) },
                },
                failures: e.failures,
                body_bytes: e.body.len(),
                created_ms: e.created_ms,
            })
            .collect()
    }

    fn position(&self, key: &IdempotencyKey) -> Option<usize> {
        self.entries.iter().position(|e| e.key == *key)
    }

    /// For each entry: is it the oldest of its ordering key (or has none)?
    fn heads(&self) -> Vec<bool> {
        (0..self.entries.len())
            .map(|i| match &self.entries[i].ordering {
                None => true,
                Some(k) => !self.entries[..i].iter().any(|older| older.ordering.as_ref() == Some(k)),
            })
            .collect()
    }

    fn lost_outcome_after_ms(&self) -> u64 {
        self.policy.request_timeout_ms.saturating_mul(LOST_OUTCOME_TIMEOUTS)
    }
}

/// The new consent body with the replaced bodies (oldest first, each without its own
/// `"history"`, preceded by the items of that history) in its `"history"` array, keeping the
/// newest [`MAX_HISTORY`] items and dropping older ones while the text exceeds `max_bytes`.
/// A body that is not an object, or already has a non-array `"history"`, is left as it is.
fn fold_history(body: Json, older: &[&str], max_bytes: usize) -> String {
    let Json::Object(mut members) = body else {
        return body.to_json();
    };
    let own = match members.iter().position(|(k, _)| k == "history") {
        Some(p) => match members.remove(p).1 {
            Json::Array(items) => items,
            other => {
                members.insert(p, ("history".to_string(), other));
                return Json::Object(members).to_json();
            }
        },
        None => Vec::new(),
    };
    let mut history = Vec::new();
    for text in older {
        // Bodies were written by `enqueue` or checked on restore; one that is no longer an
        // object is left out of the history rather than blocking the newer choice.
        if let Ok(Json::Object(fields)) = json::parse(text) {
            let mut item = Vec::with_capacity(fields.len());
            for (k, v) in fields {
                match (k.as_str(), v) {
                    ("history", Json::Array(items)) => history.extend(items),
                    ("history", _) => {}
                    (_, v) => item.push((k, v)),
                }
            }
            history.push(Json::Object(item));
        }
    }
    history.extend(own);
    if history.len() > MAX_HISTORY {
        history.drain(..history.len() - MAX_HISTORY);
    }
    loop {
        let mut doc = members.clone();
        if !history.is_empty() {
            doc.push(("history".to_string(), Json::Array(history.clone())));
        }
        let text = Json::Object(doc).to_json();
        if text.len() <= max_bytes || history.is_empty() {
            return text;
        }
        history.remove(0);
    }
}
