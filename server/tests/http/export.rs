//! The admin exports: consent events (filtered by day and revision), newsletter subscribers
//! and rights requests, as CSV and JSON Lines, across many pages, with bad query strings
//! refused by field. The 100,000-row run and its memory are in `export_memory.rs`.

use std::time::Duration;

use axum::http::StatusCode;
use privacy_widget_server::http::export::PAGE_ROWS;
use serde_json::{json, Value};

use crate::support::{import_events, SeedEvent, TestApp, TestResponse, START};

const DAY: Duration = Duration::from_secs(86_400);

/// A strict RFC 4180 reader: records of fields, quotes doubled inside quoted fields, CRLF
/// between records. Panics on anything else, so a badly written export fails the test.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => {
                quoted = false;
                assert!(
                    matches!(chars.peek(), Some(',') | Some('\r') | None),
                    "text after a closing quote"
                );
            }
            (true, c) => field.push(c),
            (false, '"') => {
                assert!(field.is_empty(), "a quote inside an unquoted field");
                quoted = true;
            }
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("a bare LF ends a record"),
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "the last record must end with CRLF"
    );
    records
}

fn json_lines(response: &TestResponse) -> Vec<Value> {
    let text = response.text();
    assert!(text.is_empty() || text.ends_with('\n'), "{text}");
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect()
}

async fn export(app: &TestApp, path: &str) -> TestResponse {
    let response = app.admin_send(path).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response
}

#[tokio::test]
async fn consent_events_export_as_csv_with_a_header_and_a_download_name() {
    let app = TestApp::new(&[]);
    let consent_id = "0123456789abcdef0123456789abcdef";
    for seq in 1..=3 {
        let mut body = crate::support::consent_body(consent_id, seq);
        body["texts_hash"] = json!("ab".repeat(32));
        body["gpc"] = json!(seq == 2);
        let stored = app.post_consent(&format!("k-{seq}"), &body).await;
        assert_eq!(stored.status, StatusCode::CREATED);
    }

    let response = export(&app, "/api/admin/export/consent-events?format=csv").await;
    assert_eq!(
        response.header("content-type"),
        Some("text/csv; charset=utf-8; header=present")
    );
    assert_eq!(
        response.header("content-disposition"),
        Some("attachment; filename=\"consent-events-2026-11-26.csv\"")
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let records = parse_csv(&response.text());
    assert_eq!(
        records[0],
        [
            "receipt",
            "received_at",
            "consent_id",
            "seq",
            "revision",
            "action",
            "timestamp",
            "language",
            "texts_hash",
            "gpc",
            "categories",
            "services",
            "history"
        ]
    );
    assert_eq!(records.len(), 4);
    let seqs: Vec<&str> = records[1..].iter().map(|r| r[3].as_str()).collect();
    assert_eq!(seqs, ["1", "2", "3"]);
    assert_eq!(records[2][9], "true");
    assert_eq!(records[1][9], "false");
    assert_eq!(records[1][8], "ab".repeat(32));
    assert_eq!(
        serde_json::from_str::<Value>(&records[1][10]).unwrap(),
        json!({"necessary": true, "analytics": true})
    );
    assert_eq!(records[1][12], "", "no history");
}

#[tokio::test]
async fn consent_events_filter_by_received_day_and_revision() {
    let app = TestApp::new(&[]);
    // Six days of events, two per day, alternating between two revisions.
    let events = (0..12)
        .map(|n| {
            let mut event = SeedEvent::numbered(n, START.plus(DAY * (n as u32 / 2)));
            event.revision = if n % 2 == 0 {
                "2026-11-01"
            } else {
                "2026-12-01"
            }
            .to_owned();
            event
        })
        .collect();
    import_events(&app.state.database, events).await;

    let ids = |lines: Vec<Value>| -> Vec<String> {
        lines
            .iter()
            .map(|line| {
                line["consent_id"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches('0')
                    .to_owned()
            })
            .collect()
    };
    // START is 2026-11-26: days 27 and 28 are events 2..=5.
    let days = export(
        &app,
        "/api/admin/export/consent-events?format=jsonl&from=2026-11-27&to=2026-11-28",
    )
    .await;
    assert_eq!(
        days.header("content-type"),
        Some("application/jsonl; charset=utf-8")
    );
    assert_eq!(ids(json_lines(&days)), ["2", "3", "4", "5"]);

    let revision = export(
        &app,
        "/api/admin/export/consent-events?format=jsonl&revision=2026-12-01&from=2026-11-28",
    )
    .await;
    assert_eq!(ids(json_lines(&revision)), ["5", "7", "9", "b"]);

    let until = export(
        &app,
        "/api/admin/export/consent-events?format=jsonl&to=2026-11-26",
    )
    .await;
    assert_eq!(ids(json_lines(&until)), ["", "1"], "consent ids 0 and 1");

    let none = export(
        &app,
        "/api/admin/export/consent-events?format=csv&from=2027-01-01",
    )
    .await;
    assert_eq!(parse_csv(&none.text()).len(), 1, "the header alone");
}

#[tokio::test]
async fn an_export_of_several_pages_is_complete_and_in_order() {
    let app = TestApp::new(&[]);
    let count = PAGE_ROWS as usize * 2 + 17;
    let events = (0..count)
        .map(|n| SeedEvent::numbered(n, START.plus(Duration::from_millis(n as u64))))
        .collect();
    import_events(&app.state.database, events).await;

    let lines = json_lines(&export(&app, "/api/admin/export/consent-events?format=jsonl").await);
    assert_eq!(lines.len(), count);
    for (n, line) in lines.iter().enumerate() {
        assert_eq!(line["consent_id"], format!("{n:032x}"), "line {n}");
    }
    let receipts: Vec<i64> = lines
        .iter()
        .map(|l| l["receipt"].as_i64().unwrap())
        .collect();
    assert!(receipts.windows(2).all(|pair| pair[0] < pair[1]));
}

#[tokio::test]
async fn rights_requests_export_defuses_formulas_and_keeps_the_message_whole() {
    let app = TestApp::new(&[]);
    let message = "=HYPERLINK(\"http://evil.example\",\"klikk\"), takk\nMvh \"Kari\"";
    let body = json!({
        "type": "erasure",
        "email": "kari@example.no",
        "message": message,
        "language": "nb",
        "confirmed": true
    });
    let stored = app.post_json("/api/rights-requests", "rr-1", &body).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text());
    let second = json!({"type": "access", "email": "ola@example.no", "message": "-1", "language": "en", "confirmed": true});
    assert_eq!(
        app.post_json("/api/rights-requests", "rr-2", &second)
            .await
            .status,
        StatusCode::CREATED
    );

    let response = export(&app, "/api/admin/export/rights-requests?format=csv").await;
    assert_eq!(
        response.header("content-disposition"),
        Some("attachment; filename=\"rights-requests-2026-11-26.csv\"")
    );
    let records = parse_csv(&response.text());
    assert_eq!(records.len(), 3);
    let message_column = records[0].iter().position(|c| c == "message").unwrap();
    assert_eq!(records[1][0], "PV-2026-000001", "oldest first");
    assert_eq!(records[1][message_column], format!("'{message}"));
    assert_eq!(records[2][message_column], "'-1");

    let lines = json_lines(&export(&app, "/api/admin/export/rights-requests?format=jsonl").await);
    assert_eq!(lines[0]["message"], message, "JSON needs no defusing");
    assert_eq!(lines[0]["type"], "erasure");
    assert_eq!(lines[1]["status"], "received");
}

#[tokio::test]
async fn subscribers_export_carries_the_proof_of_consent() {
    let app = TestApp::new(&[]);
    let signup = json!({
        "email": "kari@example.no",
        "consent_text": "Ja, send meg nyhetsbrev, omtrent én gang i måneden.",
        "consent_text_version": "a3f1c2",
        "revision": "2026-11-01",
        "language": "nb"
    });
    let answer = app
        .post_json("/api/newsletter/subscribe", "nl-1", &signup)
        .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.text());

    let response = export(&app, "/api/admin/export/subscribers?format=csv").await;
    assert_eq!(
        response.header("content-disposition"),
        Some("attachment; filename=\"newsletter-subscribers-2026-11-26.csv\"")
    );
    let records = parse_csv(&response.text());
    assert_eq!(
        records,
        [
            vec![
                "email",
                "status",
                "consented_at",
                "consent_text",
                "consent_text_version",
                "revision",
                "language",
                "confirmed_at"
            ],
            vec![
                "kari@example.no",
                "pending",
                "2026-11-26T12:00:00.000Z",
                "Ja, send meg nyhetsbrev, omtrent én gang i måneden.",
                "a3f1c2",
                "2026-11-01",
                "nb",
                ""
            ]
        ]
    );
    let lines = json_lines(&export(&app, "/api/admin/export/subscribers?format=jsonl").await);
    assert_eq!(lines[0]["confirmed_at"], Value::Null);
    assert_eq!(lines[0]["consent_text_version"], "a3f1c2");
}

#[tokio::test]
async fn bad_query_strings_are_refused_naming_the_field() {
    let app = TestApp::new(&[]);
    for (query, field) in [
        ("consent-events?format=csv&form=2026-11-01", "form"),
        ("consent-events", "format"),
        ("consent-events?format=xlsx", "format"),
        ("consent-events?format=csv&from=2026-02-30", "from"),
        ("consent-events?format=csv&from=26.11.2026", "from"),
        ("consent-events?format=csv&to=2026-11", "to"),
        (
            "consent-events?format=csv&from=2026-11-27&to=2026-11-26",
            "to",
        ),
        ("consent-events?format=csv&revision=..%2Fx", "revision"),
        ("subscribers?format=csv&revision=2026-11-01", "revision"),
        ("rights-requests?format=json", "format"),
    ] {
        let response = app.admin_send(&format!("/api/admin/export/{query}")).await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            response.text()
        );
        assert_eq!(
            response.json()["field"],
            field,
            "{query}: {}",
            response.text()
        );
    }
}

#[tokio::test]
async fn exports_need_the_admin_token() {
    let app = TestApp::new(&[]);
    for what in ["consent-events", "subscribers", "rights-requests"] {
        let response = app
            .get(&format!("/api/admin/export/{what}?format=csv"))
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{what}");
    }
}
