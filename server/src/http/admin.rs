//! Admin endpoints, for the shop operator and for tests: read what was stored.
//! Guarded by `Authorization: Bearer $ADMIN_TOKEN`; without `ADMIN_TOKEN` they do not exist.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::Json;
use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::{json, Value};

use crate::consent::CONSENT_ID_RULE;
use crate::error::ApiError;
use crate::AppState;

/// Events returned when no consent id is asked for.
const LATEST_EVENTS_LIMIT: u32 = 100;

const EVENT_COLUMNS: &str =
    "id, idempotency_key, consent_id, seq, revision, action, categories, services, \
     timestamp, language, texts_hash, gpc, history, received_at";

/// Proof that the request carried the admin token. Taking it as a handler argument is
/// what protects an admin endpoint.
pub struct AdminAccess;

impl FromRequestParts<AppState> for AdminAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // Not configured: answer as if the endpoint did not exist, revealing nothing.
        let Some(token) = &state.config.admin_token else {
            return Err(ApiError::NotFound);
        };
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        match presented {
            Some(candidate) if token.matches(candidate) => Ok(AdminAccess),
            _ => Err(ApiError::Unauthorized),
        }
    }
}

/// The query string of an admin `GET`, as the parameters `allowed` there: any other name is
/// refused, as misspelt fields are in the request bodies. `expected` shows the valid shape.
pub type QueryParams = Result<Query<BTreeMap<String, String>>, QueryRejection>;

pub fn query_params(
    query: QueryParams,
    allowed: &'static [&'static str],
    expected: &str,
) -> Result<BTreeMap<String, String>, ApiError> {
    let Query(query) = query.map_err(|rejection| ApiError::InvalidField {
        field: allowed.first().copied().unwrap_or("(query)").to_owned(),
        message: format!(
            "the query string could not be read ({}); expected {expected}",
            rejection.body_text()
        ),
    })?;
    match query.keys().find(|name| !allowed.contains(&name.as_str())) {
        Some(unknown) => Err(ApiError::UnknownField {
            field: unknown.clone(),
            allowed,
        }),
        None => Ok(query),
    }
}

/// `GET /api/admin/consents[?consent_id=…]`: every event of one consent id (oldest first)
/// and its current state, or without `consent_id` the latest 100 events of all.
pub async fn list_consents(
    _access: AdminAccess,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let query = query_params(
        query,
        &["consent_id"],
        "?consent_id=<32 lowercase hexadecimal characters>",
    )?;
    let consent_id = query.get("consent_id").cloned();
    if let Some(id) = &consent_id {
        if !CONSENT_ID_RULE.accepts(id) {
            return Err(crate::validation::invalid(
                "consent_id",
                &json!(id),
                CONSENT_ID_RULE.expected,
            ));
        }
    }
    state
        .database
        .call(move |connection| match consent_id {
            Some(id) => Ok(Json(json!({
                "events": events_of(connection, &id)?,
                "state": state_of(connection, &id)?,
            }))),
            None => Ok(Json(json!({ "events": latest_events(connection)? }))),
        })
        .await
}

fn events_of(connection: &Connection, consent_id: &str) -> Result<Vec<Value>, ApiError> {
    let mut statement = connection.prepare(&format!(
        "SELECT {EVENT_COLUMNS} FROM consent_events WHERE consent_id = ?1 ORDER BY id"
    ))?;
    let rows = statement.query_map([consent_id], event_row)?;
    collect_rows(rows)
}

fn latest_events(connection: &Connection) -> Result<Vec<Value>, ApiError> {
    let mut statement = connection.prepare(&format!(
        "SELECT {EVENT_COLUMNS} FROM
           (SELECT * FROM consent_events ORDER BY id DESC LIMIT ?1)
         ORDER BY id"
    ))?;
    let rows = statement.query_map([LATEST_EVENTS_LIMIT], event_row)?;
    collect_rows(rows)
}

fn state_of(connection: &Connection, consent_id: &str) -> Result<Option<Value>, ApiError> {
    connection
        .query_row(
            "SELECT consent_id, event_id, seq, revision, action, categories, services, timestamp,
                    language, texts_hash, gpc, updated_at
             FROM consent_state WHERE consent_id = ?1",
            [consent_id],
            |row| {
                Ok(json!({
                    "consent_id": row.get::<_, String>(0)?,
                    "event_id": row.get::<_, i64>(1)?,
                    "seq": row.get::<_, i64>(2)?,
                    "revision": row.get::<_, String>(3)?,
                    "action": row.get::<_, String>(4)?,
                    "categories": json_column(row, 5)?,
                    "services": json_column(row, 6)?,
                    "timestamp": row.get::<_, String>(7)?,
                    "language": row.get::<_, String>(8)?,
                    "texts_hash": row.get::<_, Option<String>>(9)?,
                    "gpc": row.get::<_, Option<bool>>(10)?,
                    "updated_at": row.get::<_, String>(11)?,
                }))
            },
        )
        .optional()
        .map_err(ApiError::from)
}

fn event_row(row: &Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "id": row.get::<_, i64>(0)?,
        "idempotency_key": row.get::<_, String>(1)?,
        "consent_id": row.get::<_, String>(2)?,
        "seq": row.get::<_, i64>(3)?,
        "revision": row.get::<_, String>(4)?,
        "action": row.get::<_, String>(5)?,
        "categories": json_column(row, 6)?,
        "services": json_column(row, 7)?,
        "timestamp": row.get::<_, String>(8)?,
        "language": row.get::<_, String>(9)?,
        "texts_hash": row.get::<_, Option<String>>(10)?,
        "gpc": row.get::<_, Option<bool>>(11)?,
        "history": json_column(row, 12)?,
        "received_at": row.get::<_, String>(13)?,
    }))
}

/// A column holding JSON text, returned as JSON rather than as an escaped string.
fn json_column(row: &Row<'_>, index: usize) -> rusqlite::Result<Value> {
    match row.get::<_, Option<String>>(index)? {
        None => Ok(Value::Null),
        Some(text) => serde_json::from_str(&text).map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(
                index,
                rusqlite::types::Type::Text,
                Box::new(error),
            )
        }),
    }
}

fn collect_rows(
    rows: impl Iterator<Item = rusqlite::Result<Value>>,
) -> Result<Vec<Value>, ApiError> {
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .map_err(ApiError::from)
}
