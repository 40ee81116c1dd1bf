//! Admin endpoints, for the shop operator and for tests: read what was stored.
//! Guarded by `Authorization: Bearer $ADMIN_TOKEN`; without `ADMIN_TOKEN` they do not exist.

use std::collections::BTreeMap;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::Json;
use serde_json::{json, Value};

use super::state::AppState;
use crate::domain::consent::{self, CONSENT_ID_RULE};
use crate::domain::proof;
use crate::domain::validation::invalid;
use crate::error::ApiError;

pub const PROOF_ENDPOINT: &str = "/api/admin/proof/{consent_id}";

/// Events returned when no consent id is asked for.
const LATEST_EVENTS_LIMIT: u32 = 100;

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
    only_allowed(query, allowed)
}

/// The parameters, if every name is one of `allowed`.
pub fn only_allowed(
    query: BTreeMap<String, String>,
    allowed: &'static [&'static str],
) -> Result<BTreeMap<String, String>, ApiError> {
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
            return Err(invalid("consent_id", &json!(id), CONSENT_ID_RULE.expected));
        }
    }
    match consent_id {
        Some(id) => consent::history_of(&state.database, id).await,
        None => consent::latest_events(&state.database, LATEST_EVENTS_LIMIT).await,
    }
    .map(Json)
}

/// `GET /api/admin/proof/{consent_id}`: the consent id from a visitor's receipt, with every
/// stored event of it and whether each one's texts hash is the one known for its revision.
pub async fn proof(
    _access: AdminAccess,
    State(state): State<AppState>,
    consent_id: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let consent_id = match consent_id {
        Ok(Path(id)) if CONSENT_ID_RULE.accepts(&id) => id,
        Ok(Path(id)) => return Err(invalid("consent_id", &json!(id), CONSENT_ID_RULE.expected)),
        Err(rejection) => {
            return Err(ApiError::InvalidField {
                field: "consent_id".to_owned(),
                message: format!(
                    "the path segment could not be read ({}); expected {}",
                    rejection.body_text(),
                    CONSENT_ID_RULE.expected
                ),
            })
        }
    };
    proof::proof_of(&state.database, consent_id).await.map(Json)
}
