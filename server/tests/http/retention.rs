//! Consent retention (`CONSENT_RETENTION_DAYS`), applied by the housekeeping: events older
//! than the period go, except the latest event of each consent that still holds (its
//! revision is the one the widget sends today); and the demo statement names the default.

use std::time::Duration;

use axum::http::StatusCode;
use privacy_widget_server::config::Config;
use privacy_widget_server::domain::retention::{RetentionReport, DEFAULT_CONSENT_RETENTION_DAYS};
use privacy_widget_server::store::ConsentPurge;
use serde_json::Value;

use crate::support::{consent_body, import_events, SeedEvent, TestApp, CONSENT_ID, START};

const DAY: Duration = Duration::from_secs(86_400);

fn seed(consent: usize, seq: i64, revision: &str, days_ago: u32) -> SeedEvent {
    let mut event = SeedEvent::numbered(consent, START.minus(DAY * days_ago));
    event.seq = seq;
    event.revision = revision.to_owned();
    event
}

/// (consent id number, seq) of every stored event, by receipt.
async fn stored(app: &TestApp) -> Vec<(u64, i64)> {
    app.admin_consents("").await["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            (
                u64::from_str_radix(event["consent_id"].as_str().unwrap(), 16).unwrap(),
                event["seq"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn state_of(app: &TestApp, consent: usize) -> Value {
    app.admin_consents(&format!("?consent_id={consent:032x}"))
        .await["state"]
        .clone()
}

#[tokio::test]
async fn old_events_go_but_the_latest_of_a_consent_that_still_holds_stays() {
    let app = TestApp::new(&[("CONSENT_RETENTION_DAYS", "30")]);
    import_events(
        &app.state.database,
        vec![
            // 1: decided twice long ago under the current revision: still holds.
            seed(1, 1, "2026-11-01", 400),
            seed(1, 2, "2026-11-01", 300),
            // 2: decided long ago under the previous revision: the widget asks again.
            seed(2, 1, "2026-06-01", 400),
            // 3: an old decision and a recent one.
            seed(3, 1, "2026-11-01", 40),
            seed(3, 2, "2026-11-01", 10),
            // 4: within the period, previous revision: kept as it is young.
            seed(4, 1, "2026-06-01", 29),
            // The latest event received: the current revision.
            seed(5, 1, "2026-11-01", 1),
        ],
    )
    .await;

    let report = app.state.housekeeping().run_once().await.unwrap();
    assert_eq!(
        report.consent.events,
        ConsentPurge {
            consents: 1,
            events: 3
        }
    );
    assert_eq!(stored(&app).await, [(1, 2), (3, 2), (4, 1), (5, 1)]);
    assert_eq!(state_of(&app, 1).await["seq"], 2);
    assert_eq!(
        state_of(&app, 2).await,
        Value::Null,
        "its decision went with it"
    );

    // Again: nothing more to do.
    let again = app.state.housekeeping().run_once().await.unwrap();
    assert_eq!(again.consent, RetentionReport::default());

    // A new revision arrives: consent 1's old decision no longer holds and goes; 4 is
    // still within the period.
    import_events(&app.state.database, vec![seed(6, 1, "2027-01-01", 0)]).await;
    let report = app.state.housekeeping().run_once().await.unwrap();
    assert_eq!(
        report.consent.events,
        ConsentPurge {
            consents: 1,
            events: 1
        }
    );
    assert_eq!(stored(&app).await, [(3, 2), (4, 1), (5, 1), (6, 1)]);
}

#[tokio::test]
async fn the_default_period_applies_when_unset() {
    let app = TestApp::new(&[]);
    let default = DEFAULT_CONSENT_RETENTION_DAYS as u32;
    import_events(
        &app.state.database,
        vec![
            seed(1, 1, "2026-11-01", default + 1),
            seed(1, 2, "2026-11-01", default - 1),
            seed(2, 1, "2026-11-01", default + 2),
            seed(2, 2, "2026-11-01", default + 1),
        ],
    )
    .await;
    let report = app.state.housekeeping().run_once().await.unwrap();
    assert_eq!(
        report.consent.events,
        ConsentPurge {
            consents: 0,
            events: 2
        }
    );
    assert_eq!(stored(&app).await, [(1, 2), (2, 2)]);
}

#[tokio::test]
async fn the_stored_answers_of_consent_posts_go_after_the_same_period() {
    let app = TestApp::new(&[("CONSENT_RETENTION_DAYS", "30")]);
    let first = app.post_consent("k-1", &consent_body(CONSENT_ID, 1)).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let other_body = consent_body(CONSENT_ID, 2);
    assert_eq!(
        app.post_consent("k-1", &other_body).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the key is remembered"
    );

    app.clock.advance(DAY * 29);
    let report = app.state.housekeeping().run_once().await.unwrap();
    assert_eq!(report.consent.idempotency_records, 0, "29 days old: kept");
    app.clock.advance(DAY * 2);
    let report = app.state.housekeeping().run_once().await.unwrap();
    assert_eq!(report.consent.idempotency_records, 1);
    // Forgotten: the key is free again.
    assert_eq!(
        app.post_consent("k-1", &other_body).await.status,
        StatusCode::CREATED
    );
}

#[test]
fn the_retention_variable_is_checked() {
    for bad in ["0", "-3", "1.5", "forever", "36501"] {
        let error =
            Config::from_lookup(|name| (name == "CONSENT_RETENTION_DAYS").then(|| bad.to_owned()))
                .unwrap_err();
        assert_eq!(error.variable, "CONSENT_RETENTION_DAYS", "{bad}");
    }
    let config =
        Config::from_lookup(|name| (name == "CONSENT_RETENTION_DAYS").then(|| "90".into()))
            .unwrap();
    assert_eq!(config.consent_retention, DAY * 90);
    let default = Config::from_lookup(|_| None).unwrap();
    assert_eq!(
        default.consent_retention,
        DAY * DEFAULT_CONSENT_RETENTION_DAYS as u32
    );
}

/// The statement promises the period the server applies by default, in every language, in
/// its "lagringstid" section: change one, and this fails until the other follows.
#[test]
fn the_demo_statement_names_the_default_retention_period() {
    let statements = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/statement");
    for (language, days_word) in [("nb", "dager"), ("nn", "dagar"), ("en", "days")] {
        let path = statements.join(format!("{language}.json"));
        let statement: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let section = statement["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|section| section["id"] == "lagringstid")
            .unwrap_or_else(|| panic!("{language}: no lagringstid section"));
        let text = section.to_string();
        let promise = format!("{DEFAULT_CONSENT_RETENTION_DAYS} {days_word}");
        assert!(
            text.contains(&promise),
            "{language}: the lagringstid section must name {promise:?} for consent receipts: {text}"
        );
    }
}
