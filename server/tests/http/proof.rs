//! `GET /api/admin/proof/{consent_id}`: the whole history of a consent id from a receipt,
//! each event's texts hash checked against the first one received for its revision and
//! language; 404 for an id with nothing stored, 400 for a malformed one.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{consent_body, TestApp};

const ID: &str = "0123456789abcdef0123456789abcdef";
const OTHER: &str = "fedcba9876543210fedcba9876543210";

fn event(consent_id: &str, seq: i64, revision: &str, texts_hash: Option<&str>) -> Value {
    let mut body = consent_body(consent_id, seq);
    body["revision"] = json!(revision);
    if let Some(hash) = texts_hash {
        body["texts_hash"] = json!(hash);
    }
    body
}

#[tokio::test]
async fn the_proof_lists_every_event_in_seq_order_with_its_texts_checked() {
    let app = TestApp::new(&[]);
    let shown = "a".repeat(64);
    let other_wording = "b".repeat(64);
    let next_revision = "c".repeat(64);
    // The first hash for 2026-11-01/nb comes from another visitor: it is the reference.
    for (key, body) in [
        ("o-1", event(OTHER, 1, "2026-11-01", Some(&shown))),
        ("k-1", event(ID, 1, "2026-11-01", Some(&shown))),
        // Arrives late: stored after seq 3, listed by receipt (seq order for one browser).
        ("k-3", event(ID, 3, "2026-11-01", Some(&other_wording))),
        ("k-2", event(ID, 2, "2026-11-01", None)),
        ("k-4", event(ID, 4, "2026-12-01", Some(&next_revision))),
    ] {
        let stored = app.post_consent(key, &body).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text());
    }

    let proof = app.admin_get(&format!("/api/admin/proof/{ID}")).await;
    assert_eq!(proof["consent_id"], ID);
    assert_eq!(proof["all_texts_match"], false);
    let events = proof["events"].as_array().unwrap();
    let summary: Vec<(i64, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["seq"].as_i64().unwrap(),
                e["revision"].as_str().unwrap(),
                e["texts_check"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, "2026-11-01", "matches"),
            (3, "2026-11-01", "differs"),
            (2, "2026-11-01", "not_sent"),
            (4, "2026-12-01", "matches"),
        ]
    );
    assert_eq!(events[1]["texts_hash"], other_wording);
    assert_eq!(events[1]["reference_texts_hash"], shown);
    assert_eq!(events[3]["reference_texts_hash"], next_revision);
    assert_eq!(
        events[0]["categories"],
        json!({"necessary": true, "analytics": true})
    );
    assert!(events[0]["received_at"].as_str().unwrap().ends_with('Z'));
    // The current decision is the highest seq's event.
    assert_eq!(proof["current_event"], events[3]["receipt"]);

    let clean = app.admin_get(&format!("/api/admin/proof/{OTHER}")).await;
    assert_eq!(clean["all_texts_match"], true);
    assert_eq!(clean["events"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_unknown_id_is_404_and_a_malformed_one_400_naming_the_field() {
    let app = TestApp::new(&[]);
    let unknown = app.admin_send(&format!("/api/admin/proof/{ID}")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let body = unknown.json();
    assert_eq!(body["field"], "consent_id");
    assert!(body["message"].as_str().unwrap().contains(ID), "{body}");

    for malformed in ["0123", "0123456789ABCDEF0123456789ABCDEF", "%FF"] {
        let response = app
            .admin_send(&format!("/api/admin/proof/{malformed}"))
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{malformed}");
        assert_eq!(response.json()["field"], "consent_id", "{malformed}");
    }

    let anonymous = app.get(&format!("/api/admin/proof/{ID}")).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}
