use super::*;
use crate::json::{self, Json};
use std::collections::{HashMap, HashSet};

const T0: u64 = 1_800_000_000_000;

fn key(s: &str) -> IdempotencyKey {
    IdempotencyKey::new(s).unwrap()
}

fn ord(s: &str) -> Option<OrderingKey> {
    Some(OrderingKey::new(s).unwrap())
}

/// Default policy without jitter, so delays are exact.
fn policy() -> OutboxPolicy {
    OutboxPolicy { jitter: Jitter::None, ..OutboxPolicy::default() }
}

fn consent_body(id: &str, seq: i64, analytics: bool) -> Json {
    Json::Object(vec![
        ("consent_id".into(), Json::Str(id.into())),
        ("seq".into(), Json::Int(seq)),
        ("action".into(), Json::Str("custom".into())),
        ("categories".into(), Json::Object(vec![("analytics".into(), Json::Bool(analytics))])),
        ("timestamp".into(), Json::Str(format!("t{seq}"))),
    ])
}

fn body(label: &str) -> Json {
    Json::Object(vec![("label".into(), Json::Str(label.into()))])
}

fn sized_body(bytes: usize) -> Json {
    // {"pad":"…"} is 10 bytes around the padding.
    Json::Object(vec![("pad".into(), Json::Str("x".repeat(bytes - 10)))])
}

fn status(code: u16) -> Outcome {
    Outcome::Status { code, retry_after_ms: None }
}

fn keys(dispatches: &[Dispatch]) -> Vec<&str> {
    dispatches.iter().map(|d| d.key.as_str()).collect()
}

fn enqueue_consent(o: &mut Outbox, k: &str, id: &str, seq: i64, now: u64) -> Vec<OutboxEvent> {
    o.enqueue(Endpoint::Consent, consent_body(id, seq, seq % 2 == 0), key(k), ord(id), now).unwrap()
}

fn enqueue_plain(o: &mut Outbox, endpoint: Endpoint, k: &str, now: u64) {
    o.enqueue(endpoint, body(k), key(k), None, now).unwrap();
}

fn states(o: &Outbox, now: u64) -> Vec<(String, EntryState)> {
    o.summaries(now).into_iter().map(|s| (s.key.as_str().to_string(), s.state)).collect()
}

// ---------------------------------------------------------------------------------------
// Keys

#[test]
fn keys_are_validated() {
    assert!(IdempotencyKey::new("0f3a-B_9").is_some());
    assert!(IdempotencyKey::new(&"k".repeat(MAX_KEY_LEN)).is_some());
    for bad in [
        "",
        "with space",
        "dot.",
        "colon:",
        "plus+",
        "slash/",
        "eq=",
        "quote\"",
        "newline\n",
        "æ",
        &"k".repeat(MAX_KEY_LEN + 1),
    ] {
        assert!(IdempotencyKey::new(bad).is_none(), "{bad:?}");
    }
    assert_eq!(IdempotencyKey::from_random([0xab; 16]).as_str(), "ab".repeat(16));
    assert!(OrderingKey::new("any text, even æøå").is_some());
    assert!(OrderingKey::new("").is_none());
    assert!(OrderingKey::new(&"o".repeat(MAX_KEY_LEN + 1)).is_none());
}

// ---------------------------------------------------------------------------------------
// Ordering

#[test]
fn one_entry_per_ordering_key_in_flight_oldest_first() {
    let mut o = Outbox::new(policy());
    enqueue_consent(&mut o, "a", "c1", 1, T0);
    assert_eq!(keys(&o.due(T0)), ["a"]);
    // `a` is in flight, so `b` waits behind it instead of replacing it.
    assert!(enqueue_consent(&mut o, "b", "c1", 2, T0).is_empty());
    enqueue_plain(&mut o, Endpoint::Newsletter, "n", T0);
    enqueue_consent(&mut o, "c", "c2", 1, T0);
    assert_eq!(keys(&o.due(T0)), ["n", "c"]);
    assert_eq!(states(&o, T0)[1], ("b".to_string(), EntryState::Blocked));

    let events = o.on_outcome(&key("a"), status(200), T0 + 5, 0);
    assert_eq!(events, [OutboxEvent::Delivered { key: key("a"), endpoint: Endpoint::Consent, status: 200 }]);
    assert_eq!(keys(&o.due(T0 + 5)), ["b"]);
}

#[test]
fn newer_entry_waits_while_the_older_backs_off() {
    let mut o = Outbox::new(policy());
    enqueue_consent(&mut o, "a", "c1", 1, T0);
    o.due(T0);
    enqueue_consent(&mut o, "b", "c1", 2, T0);
    o.on_outcome(&key("a"), status(503), T0 + 10, 0); // retry in 1000 ms
    assert!(o.due(T0 + 500).is_empty(), "b must not overtake a");
    assert_eq!(keys(&o.due(T0 + 1010)), ["a"]);
    o.on_outcome(&key("a"), Outcome::NetworkError, T0 + 1020, 0); // retry in 2000 ms
    assert!(o.due(T0 + 3019).is_empty());
    assert_eq!(keys(&o.due(T0 + 3020)), ["a"]);
    o.on_outcome(&key("a"), status(201), T0 + 3030, 0);
    assert_eq!(keys(&o.due(T0 + 3030)), ["b"]);
}

#[test]
fn permanent_rejection_unblocks_the_next_entry() {
    let mut o = Outbox::new(policy());
    o.enqueue(Endpoint::Newsletter, body("signup"), key("s"), ord("mail"), T0).unwrap();
    o.enqueue(Endpoint::NewsletterWithdrawal, body("withdraw"), key("w"), ord("mail"), T0).unwrap();
    assert_eq!(keys(&o.due(T0)), ["s"]);
    let events = o.on_outcome(&key("s"), status(409), T0, 0);
    assert_eq!(events, [OutboxEvent::Rejected { key: key("s"), endpoint: Endpoint::Newsletter, status: 409 }]);
    assert_eq!(keys(&o.due(T0)), ["w"]);
}

#[test]
fn in_flight_cap_holds_back_the_rest_until_an_outcome() {
    let mut o = Outbox::new(OutboxPolicy { max_in_flight: 2, ..policy() });
    for k in ["n1", "n2", "n3"] {
        enqueue_plain(&mut o, Endpoint::Newsletter, k, T0);
    }
    assert_eq!(keys(&o.due(T0)), ["n1", "n2"]);
    assert!(o.due(T0).is_empty());
    // No busy timer for n3: only the lost-outcome deadline of the requests in flight.
    assert_eq!(o.next_wake_ms(T0), Some(20_000));
    o.on_outcome(&key("n2"), status(200), T0 + 1, 0);
    assert_eq!(o.next_wake_ms(T0 + 1), Some(0));
    assert_eq!(keys(&o.due(T0 + 1)), ["n3"]);
}

// ---------------------------------------------------------------------------------------
// Coalescing

#[test]
fn newer_consent_replaces_a_waiting_one_without_history() {
    let mut o = Outbox::new(policy());
    enqueue_consent(&mut o, "a", "c1", 1, T0);
    let events = enqueue_consent(&mut o, "b", "c1", 2, T0 + 1);
    assert_eq!(events, [OutboxEvent::Replaced { key: key("a"), by: key("b") }]);
    assert_eq!(o.len(), 1);
    let sent = o.due(T0 + 1);
    assert_eq!(keys(&sent), ["b"]);
    assert_eq!(sent[0].body, consent_body("c1", 2, true).to_json());
    // Another consent id and other endpoints are never coalesced.
    enqueue_consent(&mut o, "x", "c2", 1, T0 + 2);
    o.enqueue(Endpoint::NewsletterWithdrawal, body("w1"), key("w1"), ord("c2"), T0 + 2).unwrap();
    o.enqueue(Endpoint::NewsletterWithdrawal, body("w2"), key("w2"), ord("c2"), T0 + 2).unwrap();
    assert_eq!(o.len(), 4);
}

#[test]
fn replaced_bodies_are_folded_into_history_oldest_first() {
    let mut o = Outbox::new(OutboxPolicy { keep_history: true, ..policy() });
    enqueue_consent(&mut o, "a", "c1", 1, T0);
    enqueue_consent(&mut o, "b", "c1", 2, T0);
    let events = enqueue_consent(&mut o, "c", "c1", 3, T0);
    assert_eq!(events, [OutboxEvent::Replaced { key: key("b"), by: key("c") }]);
    let sent = o.due(T0);
    let item = |seq: i64, analytics: bool| {
        format!(
            r#"{{"consent_id":"c1","seq":{seq},"action":"custom","categories":{{"analytics":{analytics}}},"timestamp":"t{seq}"}}"#
        )
    };
    let expected = format!(
        r#"{{"consent_id":"c1","seq":3,"action":"custom","categories":{{"analytics":false}},"timestamp":"t3","history":[{},{}]}}"#,
        item(1, false),
        item(2, true)
    );
    assert_eq!(sent[0].body, expected);
}

#[test]
fn history_keeps_the_newest_fifty() {
    let mut o = Outbox::new(OutboxPolicy { keep_history: true, ..policy() });
    for seq in 1..=60 {
        enqueue_consent(&mut o, &format!("k{seq}"), "c1", seq, T0);
    }
    assert_eq!(o.len(), 1);
    let doc = json::parse(&o.due(T0)[0].body).unwrap();
    assert_eq!(doc.get("seq"), Some(&Json::Int(60)));
    let history = doc.get("history").unwrap().as_array().unwrap();
    assert_eq!(history.len(), MAX_HISTORY);
    assert_eq!(history[0].get("seq"), Some(&Json::Int(10)));
    assert_eq!(history[49].get("seq"), Some(&Json::Int(59)));
    assert!(history.iter().all(|h| h.get("history").is_none()));
}

#[test]
fn history_is_trimmed_to_the_body_limit() {
    let one = consent_body("c1", 1, false).to_json().len();
    // Room for the new body plus two history items, not three.
    let max = 3 * one + 20;
    let mut o = Outbox::new(OutboxPolicy { keep_history: true, max_body_bytes: max, ..policy() });
    for seq in 1..=4 {
        enqueue_consent(&mut o, &format!("k{seq}"), "c1", seq, T0);
    }
    let text = &o.due(T0)[0].body;
    assert!(text.len() <= max);
    let doc = json::parse(text).unwrap();
    let seqs: Vec<_> = doc.get("history").unwrap().as_array().unwrap().iter().map(|h| h.get("seq").cloned()).collect();
    assert_eq!(seqs, [Some(Json::Int(2)), Some(Json::Int(3))]);
}

#[test]
fn in_flight_consent_is_never_replaced() {
    let mut o = Outbox::new(OutboxPolicy { keep_history: true, ..policy() });
    enqueue_consent(&mut o, "a", "c1", 1, T0);
    o.due(T0);
    assert!(enqueue_consent(&mut o, "b", "c1", 2, T0).is_empty());
    assert_eq!(enqueue_consent(&mut o, "c", "c1", 3, T0), [OutboxEvent::Replaced { key: key("b"), by: key("c") }]);
    assert_eq!(o.len(), 2);
    o.on_outcome(&key("a"), status(200), T0, 0);
    let sent = o.due(T0);
    assert_eq!(keys(&sent), ["c"]);
    // Only the replaced `b` is history; `a` was sent on its own.
    let doc = json::parse(&sent[0].body).unwrap();
    let history = doc.get("history").unwrap().as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].get("seq"), Some(&Json::Int(2)));
}

#[test]
fn folding_leaves_unusual_bodies_alone() {
    let older = [r#"{"seq":1}"#];
    assert_eq!(fold_history(Json::Int(7), &older, 1000), "7");
    let odd = Json::Object(vec![("history".into(), Json::Str("mine".into()))]);
    assert_eq!(fold_history(odd, &older, 1000), r#"{"history":"mine"}"#);
    let own = Json::Object(vec![("seq".into(), Json::Int(3)), ("history".into(), Json::Array(vec![Json::Int(2)]))]);
    assert_eq!(fold_history(own, &older, 1000), r#"{"seq":3,"history":[{"seq":1},2]}"#);
    // An older body that is not an object contributes nothing.
    assert_eq!(fold_history(Json::Object(vec![]), &["[1]"], 1000), "{}");
}

// ---------------------------------------------------------------------------------------
// Retries

#[test]
fn backoff_doubles_up_to_the_cap_exactly() {
    let mut o = Outbox::new(policy());
    enqueue_plain(&mut o, Endpoint::Newsletter, "n", T0);
    let mut now = T0;
    let mut delays = Vec::new();
    for failures in 1..=11 {
        let sent = o.due(now);
        assert_eq!(keys(&sent), ["n"]);
        assert_eq!(sent[0].attempt, failures);
        let events = o.on_outcome(&key("n"), status(503), now, 0);
        let [OutboxEvent::RetryScheduled { failures: f, delay_ms, .. }] = events[..] else { panic!("{events:?}") };
        assert_eq!(f, failures);
        assert_eq!(o.next_wake_ms(now), Some(delay_ms));
        assert!(o.due(now + delay_ms - 1).is_empty());
        delays.push(delay_ms);
        now += delay_ms;
    }
    assert_eq!(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000]);
    assert_eq!(backoff_delay(&policy(), u32::MAX, u32::MAX), 300_000);
    let huge = OutboxPolicy { base_delay_ms: u64::MAX, max_delay_ms: u64::MAX, ..policy() };
    assert_eq!(backoff_delay(&huge, 64, 0), u64::MAX);
}

#[test]
fn jitter_is_exact_for_a_given_random_value() {
    let full = OutboxPolicy { jitter: Jitter::Full, ..policy() };
    let equal = OutboxPolicy { jitter: Jitter::Equal, ..policy() };
    // Third failure: ceiling 4000 ms.
    let cases = [(0, 0, 2_000), (u32::MAX, 4_000, 4_000), (1 << 31, 2_000, 3_000), (1 << 30, 1_000, 2_500)];
    for (random, full_delay, equal_delay) in cases {
        assert_eq!(backoff_delay(&full, 3, random), full_delay, "full, random {random}");
        assert_eq!(backoff_delay(&equal, 3, random), equal_delay, "equal, random {random}");
    }
    // At the cap: full jitter stays within 0..=max_delay.
    assert_eq!(backoff_delay(&full, 40, u32::MAX), 300_000);
    // Through on_outcome: the delay follows the random value passed in.
    let mut o = Outbox::new(full);
    enqueue_plain(&mut o, Endpoint::Consent, "c", T0);
    o.due(T0);
    let events = o.on_outcome(&key("c"), Outcome::Timeout, T0, 1 << 31);
    assert_eq!(
        events,
        [OutboxEvent::RetryScheduled { key: key("c"), endpoint: Endpoint::Consent, failures: 1, delay_ms: 500 }]
    );
}

#[test]
fn retry_after_is_a_capped_lower_bound() {
    let mut o = Outbox::new(policy());
    enqueue_plain(&mut o, Endpoint::Newsletter, "n", T0);
    let retry = |o: &mut Outbox, now: u64, code: u16, after: Option<u64>| -> u64 {
        assert_eq!(keys(&o.due(now)), ["n"], "due at {now}");
        match &o.on_outcome(&key("n"), Outcome::Status { code, retry_after_ms: after }, now, 0)[..] {
            [OutboxEvent::RetryScheduled { delay_ms, .. }] => *delay_ms,
            other => panic!("{other:?}"),
        }
    };
    // Longer than the backoff (1000): honoured.
    assert_eq!(retry(&mut o, T0, 429, Some(30_000)), 30_000);
    // Hours: capped at max_retry_after_ms (10 min).
    assert_eq!(retry(&mut o, T0 + 30_000, 503, Some(36_000_000)), 600_000);
    // Zero: our own backoff (4000 after the third failure) still applies.
    assert_eq!(retry(&mut o, T0 + 630_000, 503, Some(0)), 4_000);
    // On a permanent status it does not matter.
    o.due(T0 + 634_000);
    let events = o.on_outcome(&key("n"), Outcome::Status { code: 400, retry_after_ms: Some(5_000) }, T0 + 634_000, 0);
    assert!(matches!(events[..], [OutboxEvent::Rejected { status: 400, .. }]));
    assert!(o.is_empty());
}

#[test]
fn status_table() {
    use StatusClass::*;
    let table: &[(u16, StatusClass)] = &[
        (200, Delivered),
        (201, Delivered),
        (202, Delivered),
        (204, Delivered),
        (299, Delivered),
        (408, Retryable),
        (425, Retryable),
        (429, Retryable),
        (500, Retryable),
        (502, Retryable),
        (503, Retryable),
        (504, Retryable),
        (599, Retryable),
        (0, Retryable),
        (101, Retryable),
        (302, Retryable),
        (304, Retryable),
        (600, Retryable),
        (400, Permanent),
        (401, Permanent),
        (403, Permanent),
        (404, Permanent),
        (405, Permanent),
        (409, Permanent),
        (410, Permanent),
        (413, Permanent),
        (415, Permanent),
        (422, Permanent),
        (451, Permanent),
        (499, Permanent),
    ];
    for &(code, class) in table {
        assert_eq!(classify_status(code), class, "status {code}");
        let mut o = Outbox::new(policy());
        enqueue_plain(&mut o, Endpoint::RightsRequest, "r", T0);
        o.due(T0);
        let events = o.on_outcome(&key("r"), status(code), T0, 0);
        let (kept, event_ok) = match (&events[..], class) {
            ([OutboxEvent::Delivered { status, .. }], Delivered) => (false, *status == code),
            ([OutboxEvent::Rejected { status, .. }], Permanent) => (false, *status == code),
            ([OutboxEvent::RetryScheduled { failures: 1, delay_ms: 1_000, .. }], Retryable) => (true, true),
            _ => (!o.is_empty(), false),
        };
        assert!(event_ok, "status {code}: {events:?}");
        assert_eq!(o.contains(&key("r")), kept, "status {code}");
    }
}

#[test]
fn beacon_queued_keeps_the_entry_for_a_later_resend() {
    let mut o = Outbox::new(policy());
    enqueue_consent(&mut o, "a", "c1", 1, T0);
    let first = o.unload_flush(T0, 65_536);
    assert!(o.on_outcome(&key("a"), Outcome::BeaconQueued, T0, 0).is_empty());
    assert!(o.contains(&key("a")));
    assert_eq!(o.in_flight(), 0);
    assert_eq!(o.summaries(T0)[0].failures, 0);
    // If the page lives on (back/forward cache), it goes again after base_delay, unchanged.
    assert!(o.due(T0 + 999).is_empty());
    let again = o.due(T0 + 1_000);
    assert_eq!(again, first);
    // And the next page sends it again at once.
    let (mut next, problem) = Outbox::restore(policy(), &o.serialize(), T0 + 5_000);
    assert_eq!(problem, None);
    assert_eq!(next.due(T0 + 5_000)[0].body, first[0].body);
}

#[test]
fn network_errors_and_timeouts_retry_and_max_attempts_gives_up() {
    let mut o = Outbox::new(OutboxPolicy { max_attempts: Some(3), ..policy() });
    enqueue_plain(&mut o, Endpoint::Newsletter, "n", T0);
    let mut now = T0;
    for outcome in [Outcome::NetworkError, Outcome::Timeout] {
        o.due(now);
        assert!(matches!(o.on_outcome(&key("n"), outcome, now, 0)[..], [OutboxEvent::RetryScheduled { .. }]));
        now += 10_000;
    }
    o.due(now);
    let events = o.on_outcome(&key("n"), status(500), now, 0);
    assert_eq!(events, [OutboxEvent::GaveUp { key: key("n"), endpoint: Endpoint::Newsletter, attempts: 3 }]);
    assert!(o.is_empty());
}

#[test]
fn stale_and_unknown_outcomes_are_ignored_but_final_answers_count() {
    let mut o = Outbox::new(policy());
    enqueue_plain(&mut o, Endpoint::Newsletter, "n", T0);
    assert!(o.on_outcome(&key("unknown"), status(200), T0, 0).is_empty());
    // Not in flight: a late failure report changes nothing.
    let before = o.clone();
    for outcome in [status(503), Outcome::NetworkError, Outcome::Timeout, Outcome::BeaconQueued] {
        assert!(o.on_outcome(&key("n"), outcome, T0, 0).is_empty());
        assert_eq!(o, before);
    }
    // A 2xx is final whenever it arrives.
    assert!(matches!(o.on_outcome(&key("n"), status(200), T0, 0)[..], [OutboxEvent::Delivered { .. }]));
    assert!(o.is_empty());
}

#[test]
fn a_lost_outcome_is_resent_after_two_timeouts() {
    let mut o = Outbox::new(policy());
    enqueue_plain(&mut o, Endpoint::Newsletter, "n", T0);
    let first = o.due(T0);
    assert_eq!(o.next_wake_ms(T0 + 5_000), Some(15_000));
    assert!(o.due(T0 + 19_999).is_empty());
    assert_eq!(o.due(T0 + 20_000), first);
}

#[test]
fn next_wake_follows_the_earliest_actionable_entry() {
    let mut o = Outbox::new(policy());
    assert_eq!(o.next_wake_ms(T0), None);
    enqueue_consent(&mut o, "a", "c1", 1, T0);
    assert_eq!(o.next_wake_ms(T0), Some(0));
    o.due(T0);
    enqueue_consent(&mut o, "b", "c1", 2, T0);
    // b is blocked behind a: only a's lost-outcome deadline counts.
    assert_eq!(o.next_wake_ms(T0), Some(20_000));
    o.on_outcome(&key("a"), status(502), T0 + 100, 0);
    assert_eq!(o.next_wake_ms(T0 + 100), Some(1_000));
    assert_eq!(o.next_wake_ms(T0 + 5_000), Some(0));
    assert_eq!(
        states(&o, T0 + 600),
        [("a".to_string(), EntryState::Waiting { due_in_ms: 500 }), ("b".to_string(), EntryState::Blocked)]
    );
}

// ---------------------------------------------------------------------------------------
// Capacity

#[test]
fn capacity_refuses_forms_but_never_a_consent_choice() {
    let mut o = Outbox::new(OutboxPolicy { max_entries: 6, ..policy() });
    for k in ["n1", "n2", "n3", "n4"] {
        enqueue_plain(&mut o, Endpoint::Newsletter, k, T0);
    }
    // Forms may use all but the consent reserve.
    let full = o.enqueue(Endpoint::RightsRequest, body("r"), key("r"), None, T0);
    assert_eq!(full, Err(EnqueueError::Full { max_entries: 6 }));
    assert_eq!(o.len(), 4);
    enqueue_consent(&mut o, "c1a", "c1", 1, T0);
    enqueue_consent(&mut o, "c2a", "c2", 1, T0);
    assert_eq!(o.len(), 6);
    // Full: a new consent id evicts the oldest consent entry of another id.
    let events = enqueue_consent(&mut o, "c3a", "c3", 1, T0);
    assert_eq!(events, [OutboxEvent::Evicted { key: key("c1a"), endpoint: Endpoint::Consent }]);
    // The same id coalesces, no eviction needed.
    let events = enqueue_consent(&mut o, "c3b", "c3", 2, T0);
    assert_eq!(events, [OutboxEvent::Replaced { key: key("c3a"), by: key("c3b") }]);
    let left: Vec<_> = o.summaries(T0).iter().map(|s| s.key.as_str().to_string()).collect();
    assert_eq!(left, ["n1", "n2", "n3", "n4", "c2a", "c3b"]);
    assert!(o.enqueue(Endpoint::Newsletter, body("n5"), key("n5"), None, T0).is_err());
}

#[test]
fn eviction_prefers_an_entry_not_in_flight() {
    let mut o = Outbox::new(OutboxPolicy { max_entries: 4, ..policy() });
    for (i, id) in ["c1", "c2", "c3", "c4"].iter().enumerate() {
        enqueue_consent(&mut o, id, id, 1, T0 + i as u64);
    }
    o.due(T0 + 10); // c1..c4 all in flight (max_in_flight 4)
    o.on_outcome(&key("c2"), status(503), T0 + 10, 0); // c2 idle again
    assert_eq!(
        enqueue_consent(&mut o, "c5", "c5", 1, T0 + 11),
        [OutboxEvent::Evicted { key: key("c2"), endpoint: Endpoint::Consent }]
    );
    assert_eq!(keys(&o.due(T0 + 11)), ["c5"]);
    // Everything else in flight: the oldest goes; its late outcome is then ignored.
    assert_eq!(
        enqueue_consent(&mut o, "c6", "c6", 1, T0 + 12),
        [OutboxEvent::Evicted { key: key("c1"), endpoint: Endpoint::Consent }]
    );
    assert!(o.on_outcome(&key("c1"), status(200), T0 + 13, 0).is_empty());
    // Full of distinct consent ids: a form is refused.
    assert!(matches!(o.enqueue(Endpoint::Newsletter, body("n"), key("n"), None, T0), Err(EnqueueError::Full { .. })));
}

#[test]
fn enqueue_errors_change_nothing() {
    let mut o = Outbox::new(OutboxPolicy { max_body_bytes: 100, ..policy() });
    enqueue_plain(&mut o, Endpoint::Newsletter, "n", T0);
    let before = o.clone();
    assert_eq!(
        o.enqueue(Endpoint::Newsletter, body("again"), key("n"), None, T0),
        Err(EnqueueError::DuplicateKey(key("n")))
    );
    assert_eq!(
        o.enqueue(Endpoint::Newsletter, sized_body(101), key("big"), None, T0),
        Err(EnqueueError::TooLarge { bytes: 101, max: 100 })
    );
    assert!(o.enqueue(Endpoint::Newsletter, sized_body(100), key("fits"), None, T0).is_ok());
    o.entries.pop();
    assert_eq!(o, before);
    let message = EnqueueError::Full { max_entries: 50 }.to_string();
    assert!(message.contains("50 events") && message.contains("try again"), "{message}");
}

#[test]
fn policy_is_clamped_to_workable_values() {
    let o = Outbox::new(OutboxPolicy {
        max_entries: 0,
        max_in_flight: 0,
        base_delay_ms: 0,
        max_delay_ms: 0,
        request_timeout_ms: 0,
        ..policy()
    });
    let p = o.policy();
    assert_eq!(
        (p.max_entries, p.max_in_flight, p.base_delay_ms, p.max_delay_ms, p.request_timeout_ms),
        (MIN_ENTRIES, 1, 1, 1, 1)
    );
}

// ---------------------------------------------------------------------------------------
// Unload

#[test]
fn unload_flush_fits_the_budget_and_keeps_order() {
    let mut o = Outbox::new(policy());
    o.enqueue(Endpoint::Consent, sized_body(300), key("a"), ord("c1"), T0).unwrap();
    o.due(T0); // a in flight
    o.enqueue(Endpoint::Consent, sized_body(300), key("b"), ord("c1"), T0).unwrap();
    o.enqueue(Endpoint::RightsRequest, sized_body(2_000), key("big"), None, T0).unwrap();
    o.enqueue(Endpoint::Newsletter, sized_body(1_500), key("w1"), ord("mail"), T0).unwrap();
    o.enqueue(Endpoint::NewsletterWithdrawal, sized_body(50), key("w2"), ord("mail"), T0).unwrap();
    o.enqueue(Endpoint::Newsletter, sized_body(400), key("n"), None, T0).unwrap();
    o.on_outcome(&key("a"), Outcome::Timeout, T0 + 10_000, 0); // a in backoff: sent anyway

    let sent = o.unload_flush(T0 + 10_001, 999);
    // big and w1 do not fit; w2 would overtake w1, so it stays too; n (400) does not fit after a+b.
    assert_eq!(keys(&sent), ["a", "b"]);
    // Entries already in flight (from the flush above) are sent again: the page is going away.
    let sent = o.unload_flush(T0 + 10_001, 1_000);
    assert_eq!(keys(&sent), ["a", "b", "n"]);
    assert_eq!(sent.iter().map(|d| d.body.len()).sum::<usize>(), 1_000);

    let flushed = o.unload_flush(T0 + 10_001, 60_000);
    assert_eq!(keys(&flushed), ["a", "b", "big", "w1", "w2", "n"]);
    assert_eq!(o.in_flight(), 6);
    assert!(o.unload_flush(T0 + 10_001, 299).is_empty());
    assert_eq!(keys(&o.unload_flush(T0 + 10_001, 300)), ["a"]);

    // The next page sends everything at once, `a` too although it was backing off until
    // T0 + 11_000: the flush may not have arrived. Order and the in-flight cap apply again.
    let (mut next_page, _) = Outbox::restore(policy(), &o.serialize(), T0 + 10_002);
    assert_eq!(keys(&next_page.due(T0 + 10_002)), ["a", "big", "w1", "n"]);
}

// ---------------------------------------------------------------------------------------
// Persistence

#[test]
fn serialized_format_is_stable() {
    let mut o = Outbox::new(policy());
    let body = Json::Object(vec![("email".into(), Json::Str("a@b.no".into()))]);
    o.enqueue(Endpoint::Newsletter, body, key("k1"), ord("o\"1"), 5).unwrap();
    assert_eq!(
        o.serialize(),
        r#"{"v":1,"entries":[{"key":"k1","endpoint":"newsletter","ordering":"o\"1","body":"{\"email\":\"a@b.no\"}","created_ms":5,"failures":0,"next_ms":5}]}"#
    );
}

#[test]
fn round_trip_keeps_everything_and_in_flight_becomes_due() {
    let mut o = Outbox::new(OutboxPolicy { keep_history: true, ..policy() });
    enqueue_consent(&mut o, "a", "c1", 1, T0);
    let a_sent = o.due(T0);
    enqueue_consent(&mut o, "b", "c1", 2, T0 + 1);
    let odd = Json::Object(vec![("text".into(), Json::Str("Æøå \"sitat\" \\ \n\t\u{1} 😀 </script>".into()))]);
    o.enqueue(Endpoint::RightsRequest, odd, key("r"), None, T0 + 2).unwrap();
    enqueue_plain(&mut o, Endpoint::NewsletterWithdrawal, "w", T0 + 3);
    o.due(T0 + 3);
    o.on_outcome(&key("r"), status(503), T0 + 4, 0);
    o.due(T0 + 1_004);
    o.on_outcome(&key("r"), status(503), T0 + 1_004, 0);

    let text = o.serialize();
    let (restored, problem) = Outbox::restore(o.policy().clone(), &text, T0 + 1_500);
    assert_eq!(problem, None);
    assert_eq!(restored.serialize(), text);
    let mut expected = o.clone();
    expected.entries.iter_mut().for_each(|e| e.in_flight_since = None);
    assert_eq!(restored, expected);

    let mut restored = restored;
    assert_eq!(
        states(&restored, T0 + 1_500),
        [
            ("a".to_string(), EntryState::Waiting { due_in_ms: 0 }),
            ("b".to_string(), EntryState::Blocked),
            ("r".to_string(), EntryState::Waiting { due_in_ms: 1_504 }),
            ("w".to_string(), EntryState::Waiting { due_in_ms: 0 }),
        ]
    );
    assert_eq!(restored.summaries(T0).iter().map(|s| s.failures).collect::<Vec<_>>(), [0, 0, 2, 0]);
    let resent = restored.due(T0 + 1_500);
    assert_eq!(keys(&resent), ["a", "w"]);
    assert_eq!(resent[0], a_sent[0], "same key, same body bytes");
}

#[test]
fn restore_discards_unusable_text_with_a_problem() {
    let good = {
        let mut o = Outbox::new(policy());
        enqueue_consent(&mut o, "a", "c1", 1, T0);
        o.serialize()
    };
    let cases: &[(&str, RestoreProblem)] = &[
        (&good[..good.len() / 2], RestoreProblem::Unreadable(json::parse(&good[..good.len() / 2]).unwrap_err())),
        ("garbage", RestoreProblem::Unreadable(json::parse("garbage").unwrap_err())),
        ("[]", RestoreProblem::NotAnOutbox("expected an object at the top level")),
        ("\"{}\"", RestoreProblem::NotAnOutbox("expected an object at the top level")),
        (r#"{"v":2,"entries":[]}"#, RestoreProblem::UnsupportedVersion(Some(2))),
        (r#"{"v":"1","entries":[]}"#, RestoreProblem::UnsupportedVersion(None)),
        (r#"{"entries":[]}"#, RestoreProblem::UnsupportedVersion(None)),
        (r#"{"v":1}"#, RestoreProblem::NotAnOutbox("expected an \"entries\" array")),
        (r#"{"v":1,"entries":{}}"#, RestoreProblem::NotAnOutbox("expected an \"entries\" array")),
    ];
    for (text, problem) in cases {
        let (o, got) = Outbox::restore(policy(), text, T0);
        assert!(o.is_empty(), "{text}");
        assert_eq!(got.as_ref(), Some(problem), "{text}");
        let message = got.unwrap().to_string();
        assert!(message.starts_with("outbox: ") && message.contains("discarded"), "{message}");
    }
    for nothing_stored in ["", "  \n"] {
        assert_eq!(Outbox::restore(policy(), nothing_stored, T0), (Outbox::new(policy()), None));
    }
}

#[test]
fn restore_skips_invalid_entries_and_keeps_the_rest() {
    let valid = |k: &str| {
        format!(
            r#"{{"key":"{k}","endpoint":"consent","ordering":"c1","body":"{{}}","created_ms":1,"failures":0,"next_ms":1}}"#
        )
    };
    let entries = [
        valid("ok1"),
        "5".to_string(),
        r#"{"key":7}"#.to_string(),
        valid("bad key"),
        valid("e").replace("consent", "fax"),
        valid("o").replace(r#""c1""#, r#""""#),
        valid("b1").replace(r#""body":"{}""#, r#""body":{}"#),
        valid("b2").replace(r#""body":"{}""#, r#""body":"{oops""#),
        valid("t").replace(r#""created_ms":1"#, r#""created_ms":-1"#),
        valid("f").replace(r#""failures":0"#, r#""failures":4294967296"#),
        valid("n").replace(r#","next_ms":1"#, ""),
        valid("ok1"),
        valid("ok2").replace(r#""ordering":"c1","#, ""),
    ];
    let text = format!(r#"{{"v":1,"entries":[{}]}}"#, entries.join(","));
    let (mut o, problem) = Outbox::restore(policy(), &text, T0);
    let Some(RestoreProblem::SkippedEntries(skipped)) = &problem else { panic!("{problem:?}") };
    let got: Vec<(usize, &str)> = skipped.iter().map(|s| (s.index, s.reason)).collect();
    assert_eq!(
        got,
        [
            (1, "not an object"),
            (2, "\"key\" is missing or not a valid idempotency key"),
            (3, "\"key\" is missing or not a valid idempotency key"),
            (4, "\"endpoint\" is missing or unknown"),
            (5, "\"ordering\" is not a valid ordering key"),
            (6, "\"body\" is missing or not a string"),
            (7, "\"body\" does not hold JSON text"),
            (8, "\"created_ms\" is missing or not a non-negative integer"),
            (9, "\"failures\" is missing or not a non-negative integer"),
            (10, "\"next_ms\" is missing or not a non-negative integer"),
            (11, "duplicate idempotency key"),
        ]
    );
    assert_eq!(keys(&o.due(T0)), ["ok1", "ok2"]);
    let message = problem.unwrap().to_string();
    assert!(
        message.contains("11 saved event(s) were dropped") && message.contains("entries[4]: \"endpoint\""),
        "{message}"
    );
}

#[test]
fn restore_respects_capacity_and_pulls_in_far_wake_ups() {
    let mut o = Outbox::new(policy());
    for i in 0..6 {
        enqueue_plain(&mut o, Endpoint::Consent, &format!("k{i}"), T0);
    }
    o.entries[0].next_attempt_ms = T0 + 10 * 86_400_000; // a clock that was ten days ahead
    let (small, problem) = Outbox::restore(OutboxPolicy { max_entries: 4, ..policy() }, &o.serialize(), T0);
    assert_eq!(small.len(), 4);
    let reasons: Vec<_> = match problem {
        Some(RestoreProblem::SkippedEntries(s)) => s.into_iter().map(|s| (s.index, s.reason)).collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(reasons, [(4, "more entries than max_entries"), (5, "more entries than max_entries")]);
    assert_eq!(small.summaries(T0)[0].state, EntryState::Waiting { due_in_ms: 600_000 });
}

#[test]
fn restore_never_panics_on_damaged_text() {
    let mut o = Outbox::new(OutboxPolicy { keep_history: true, ..policy() });
    enqueue_consent(&mut o, "a", "c1", 1, T0);
    enqueue_consent(&mut o, "b", "c1", 2, T0);
    o.enqueue(Endpoint::Newsletter, body("æ😀\""), key("n"), ord("m"), T0).unwrap();
    let good = o.serialize();
    for (cut, _) in good.char_indices() {
        let (restored, problem) = Outbox::restore(policy(), &good[..cut], T0);
        assert!(cut == 0 || problem.is_some() || restored.is_empty(), "prefix {cut}");
    }
    const NOISE: &[u8] = b" {}[]\",:0123456789-abcdefnulltrue\\";
    let mut state = 0x2545_f491u32;
    for _ in 0..2_000 {
        let mut bytes = good.clone().into_bytes();
        for _ in 0..3 {
            state = xorshift(state);
            let at = state as usize % bytes.len();
            state = xorshift(state);
            bytes[at] = NOISE[state as usize % NOISE.len()];
        }
        if let Ok(text) = String::from_utf8(bytes) {
            let (restored, _) = Outbox::restore(policy(), &text, T0);
            assert!(restored.len() <= 3);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Whole-system check: a flaky network, reloads and impatient visitors

fn xorshift(mut x: u32) -> u32 {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    x
}

struct Rand(u32);

impl Rand {
    fn next(&mut self) -> u32 {
        self.0 = xorshift(self.0);
        self.0
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

/// The backend: dedups on the key, insists on an unchanged body, keeps the highest consent
/// `seq` as current, and notes every consent `(id, seq)` that arrived after a newer `seq`.
#[derive(Default)]
struct Server {
    bodies: HashMap<String, String>,
    latest_seq: HashMap<String, i64>,
    out_of_order: HashSet<(String, i64)>,
    /// Requests that arrived again under a key already stored (answered from the first).
    duplicates: usize,
}

impl Server {
    fn receive(&mut self, d: &Dispatch) {
        if let Some(previous) = self.bodies.get(d.key.as_str()) {
            assert_eq!(previous, &d.body, "same key, different body: the server would answer 422");
            self.duplicates += 1;
            return;
        }
        self.bodies.insert(d.key.as_str().to_string(), d.body.clone());
        if let Some((id, seq)) = consent_seq(d) {
            let latest = self.latest_seq.entry(id.clone()).or_insert(0);
            if seq < *latest {
                self.out_of_order.insert((id, seq));
            }
            *latest = (*latest).max(seq);
        }
    }
}

fn consent_seq(d: &Dispatch) -> Option<(String, i64)> {
    if d.endpoint != Endpoint::Consent {
        return None;
    }
    let doc = json::parse(&d.body).unwrap();
    Some((doc.get("consent_id")?.as_str()?.to_string(), doc.get("seq")?.as_int()?))
}

/// How often each fault occurred, so the test can insist that the simulation met every one.
#[derive(Debug, Default, Clone, Copy)]
struct Faults {
    /// 503 (with a `Retry-After`) and 429 answers.
    retry_statuses: usize,
    network_errors: usize,
    /// Timeouts of requests the server did process: resent under the same key.
    lost_answers: usize,
    /// Resends the server recognised by their key.
    duplicates: usize,
    /// Page unloads: keepalive flush, then the next page restores the outbox.
    reloads: usize,
    /// Requests on the wire or in the unload flush that never arrived.
    lost_in_unload: usize,
    /// Consent events replaced by a newer choice of the same id before they were sent.
    replaced: usize,
    /// Consent events evicted from the full outbox.
    evictions: usize,
    /// Runs where an unload flush delivered a newer choice before an older one (the exception).
    reordered_runs: usize,
}

impl Faults {
    fn add(&mut self, other: Faults) {
        self.retry_statuses += other.retry_statuses;
        self.network_errors += other.network_errors;
        self.lost_answers += other.lost_answers;
        self.duplicates += other.duplicates;
        self.reloads += other.reloads;
        self.lost_in_unload += other.lost_in_unload;
        self.replaced += other.replaced;
        self.evictions += other.evictions;
        self.reordered_runs += other.reordered_runs;
    }
}

fn simulate(seed: u32, keep_history: bool) -> Faults {
    let mut faults = Faults::default();
    // Small enough, with four consent ids, that a full outbox evicts choices (never with 12 and two).
    let policy = OutboxPolicy { keep_history, jitter: Jitter::Full, max_entries: 6, ..OutboxPolicy::default() };
    let mut rand = Rand(seed);
    let mut server = Server::default();
    let mut outbox = Outbox::new(policy.clone());
    let mut network: Vec<Dispatch> = Vec::new();
    let mut now = T0;
    let mut next_key = 0u32;
    let mut last_seq: HashMap<String, i64> = HashMap::new();
    let mut consent_keys: HashMap<String, (String, i64)> = HashMap::new();
    let mut promised: Vec<String> = Vec::new();
    let mut evicted: HashSet<String> = HashSet::new();
    // Consent choices an unload flush lost while delivering a newer one of the same id: they
    // are resent on the next page, after the newer one (the documented exception to ordering).
    let mut unload_split: HashSet<(String, i64)> = HashSet::new();

    for _ in 0..400 {
        now += u64::from(rand.below(4_000));
        match rand.below(12) {
            0..=2 => {
                let id = ["c1", "c2", "c3", "c4"][rand.below(4) as usize];
                let seq = last_seq.entry(id.to_string()).or_insert(0);
                *seq += 1;
                next_key += 1;
                let k = format!("k{next_key}");
                consent_keys.insert(k.clone(), (id.to_string(), *seq));
                let events = outbox
                    .enqueue(Endpoint::Consent, consent_body(id, *seq, rand.below(2) == 0), key(&k), ord(id), now)
                    .unwrap();
                for event in events {
                    match event {
                        OutboxEvent::Evicted { key, .. } => {
                            evicted.insert(key.as_str().to_string());
                        }
                        OutboxEvent::Replaced { .. } => faults.replaced += 1,
                        other => panic!("enqueue reported {other:?}"),
                    }
                }
            }
            3 => {
                next_key += 1;
                let k = format!("k{next_key}");
                if outbox.enqueue(Endpoint::Newsletter, body(&k), key(&k), None, now).is_ok() {
                    promised.push(k);
                }
            }
            4 => {
                // The page goes away: requests on the wire and the keepalive flush each may or
                // may not arrive (in the order sent), then the next page restores the state.
                faults.reloads += 1;
                let wire: Vec<Dispatch> = network.drain(..).chain(outbox.unload_flush(now, 65_536)).collect();
                let mut delivered: HashMap<String, Vec<i64>> = HashMap::new();
                let mut lost: HashMap<String, Vec<i64>> = HashMap::new();
                for d in &wire {
                    let arrives = rand.below(2) == 0;
                    if arrives {
                        server.receive(d);
                    } else {
                        faults.lost_in_unload += 1;
                    }
                    if let Some((id, seq)) = consent_seq(d) {
                        if arrives { &mut delivered } else { &mut lost }.entry(id).or_default().push(seq);
                    }
                }
                for (id, lost) in lost {
                    let got = delivered.get(&id).cloned().unwrap_or_default();
                    for s in lost {
                        if !got.contains(&s) && got.iter().any(|&g| g > s) {
                            unload_split.insert((id.clone(), s));
                        }
                    }
                }
                let (restored, problem) = Outbox::restore(policy.clone(), &outbox.serialize(), now);
                assert_eq!(problem, None);
                outbox = restored;
            }
            _ => {
                // Answer some of the requests on the wire, in random order.
                let mut i = 0;
                while i < network.len() {
                    if rand.below(3) == 0 {
                        i += 1;
                        continue;
                    }
                    let d = network.swap_remove(i);
                    let outcome = match rand.below(6) {
                        0 | 1 => {
                            server.receive(&d);
                            Outcome::Status { code: 200, retry_after_ms: None }
                        }
                        2 => {
                            faults.retry_statuses += 1;
                            Outcome::Status { code: 503, retry_after_ms: Some(u64::from(rand.below(20_000))) }
                        }
                        3 => {
                            faults.network_errors += 1;
                            Outcome::NetworkError
                        }
                        4 => {
                            faults.lost_answers += 1;
                            server.receive(&d); // processed, but the response was lost
                            Outcome::Timeout
                        }
                        _ => {
                            faults.retry_statuses += 1;
                            Outcome::Status { code: 429, retry_after_ms: None }
                        }
                    };
                    outbox.on_outcome(&d.key, outcome, now, rand.next());
                }
            }
        }
        network.extend(outbox.due(now));
        assert!(outbox.len() <= policy.max_entries);
    }

    // The network heals: everything left must arrive.
    for d in network.drain(..) {
        outbox.on_outcome(&d.key, Outcome::NetworkError, now, rand.next());
    }
    for _ in 0..1_000 {
        if outbox.is_empty() {
            break;
        }
        now += outbox.next_wake_ms(now).expect("something to wake for");
        for d in outbox.due(now) {
            server.receive(&d);
            outbox.on_outcome(&d.key, Outcome::Status { code: 204, retry_after_ms: None }, now, rand.next());
        }
    }
    assert!(outbox.is_empty(), "seed {seed}: undelivered {:?}", outbox.summaries(now));
    let unexplained: Vec<_> = server.out_of_order.difference(&unload_split).collect();
    assert!(unexplained.is_empty(), "seed {seed}: an older choice arrived after a newer one for {unexplained:?}");
    for (id, seq) in &last_seq {
        let latest_key = consent_keys.iter().find(|(_, v)| v.0 == *id && v.1 == *seq).unwrap().0;
        if !evicted.contains(latest_key) {
            assert_eq!(server.latest_seq.get(id), Some(seq), "seed {seed}: latest choice of {id} lost");
        }
    }
    for k in &promised {
        assert!(server.bodies.contains_key(k), "seed {seed}: newsletter {k} lost");
    }
    faults.duplicates = server.duplicates;
    faults.evictions = evicted.len();
    faults.reordered_runs = usize::from(!server.out_of_order.is_empty());
    faults
}

#[test]
fn nothing_lost_nothing_reordered_under_faults() {
    let mut faults = Faults::default();
    for seed in 1..=150u32 {
        faults.add(simulate(seed.wrapping_mul(0x9E37_79B9), seed % 2 == 0));
    }
    // simulate's checks prove something only if the faults happened, and often; the floors are
    // about half of what these seeds cause, so a change that quietly tames the simulation fails.
    let floors = [
        ("503/429 answers", faults.retry_statuses, 6_000),
        ("network errors", faults.network_errors, 3_000),
        ("lost answers", faults.lost_answers, 3_000),
        ("duplicates", faults.duplicates, 8_000),
        ("reloads", faults.reloads, 2_400),
        ("requests lost in an unload", faults.lost_in_unload, 6_000),
        ("replaced choices", faults.replaced, 2_000),
        ("evictions", faults.evictions, 400),
        ("runs reordered by an unload flush", faults.reordered_runs, 30),
    ];
    for (fault, seen, floor) in floors {
        assert!(seen >= floor, "the simulation caused {seen} {fault}, expected at least {floor}: {faults:?}");
    }
}
