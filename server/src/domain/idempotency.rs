//! Idempotent POSTs. A request carries a key; the first successful response is stored
//! together with a SHA-256 of the canonical request body, in the same transaction as the
//! data it stored. A retry with the same key and body gets that response again and stores
//! nothing; the same key with another body is refused.

use axum::http::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::validation::WireRule;
use crate::clock::Timestamp;
use crate::error::{quote_truncated, ApiError};
use crate::store::{Database, IdempotencyRecord, Transaction};
use privacy_widget_core::wire;

const KEY_RULE: WireRule = WireRule {
    check: wire::is_idempotency_key,
    expected: wire::IDEMPOTENCY_KEY_EXPECTED,
};

/// A client-chosen key naming one logical request across its retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// `field` names where the key came from (header or envelope field) for the error.
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ApiError> {
        if KEY_RULE.accepts(raw) {
            Ok(IdempotencyKey(raw.to_owned()))
        } else {
            Err(ApiError::InvalidIdempotencyKey {
                field,
                found: quote_truncated(raw),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// SHA-256 (hex) of the canonical JSON form of a request body: object keys sorted, no
/// whitespace. The same event therefore matches whether it came as `application/json` or
/// inside a beacon envelope, however the client spaced or ordered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyFingerprint(String);

impl BodyFingerprint {
    pub fn of(body: &Value) -> Self {
        let mut canonical = String::new();
        write_canonical(body, &mut canonical);
        let digest = Sha256::digest(canonical.as_bytes());
        BodyFingerprint(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    }
}

/// Sorts keys itself rather than relying on `serde_json::Map` being a `BTreeMap`, which
/// changes if any crate in the build enables serde_json's `preserve_order`.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<_> = object.iter().collect();
            entries.sort_by_key(|(name, _)| *name);
            out.push('{');
            for (index, (name, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(name.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// A response as stored for replay: status code and JSON body.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: StatusCode,
    pub body: Value,
}

/// Runs `store` at most once per (`endpoint`, `key`): inside one transaction it looks the
/// key up (which holds back any other transaction with the same key, on any instance),
/// replays or refuses, or runs `store` and records its response. Errors from `store` roll
/// everything back and are not recorded, so a retry can succeed. `now` dates the record, so
/// purges of old records follow the app's clock. Returns the answer and whether it was
/// replayed.
pub async fn respond_once<F>(
    database: &Database,
    now: Timestamp,
    endpoint: &'static str,
    key: IdempotencyKey,
    fingerprint: BodyFingerprint,
    store: F,
) -> Result<(StoredResponse, bool), ApiError>
where
    F: FnOnce(&mut dyn Transaction, &IdempotencyKey) -> Result<StoredResponse, ApiError>
        + Send
        + 'static,
{
    database
        .call(move |transaction| {
            if let Some(previous) = transaction.idempotency_record(endpoint, key.as_str())? {
                if previous.body_sha256 != fingerprint.0 {
                    return Err(ApiError::IdempotencyKeyReused);
                }
                let response = StoredResponse {
                    status: StatusCode::from_u16(previous.status).map_err(ApiError::internal)?,
                    body: serde_json::from_str(&previous.response_body)
                        .map_err(ApiError::internal)?,
                };
                return Ok((response, true));
            }

            let response = store(transaction, &key)?;
            transaction.insert_idempotency_record(&IdempotencyRecord {
                endpoint: endpoint.to_owned(),
                key: key.0,
                body_sha256: fingerprint.0,
                status: response.status.as_u16(),
                response_body: response.body.to_string(),
                created_at: now,
            })?;
            Ok((response, false))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprint_ignores_key_order_and_whitespace() {
        let a: Value =
            serde_json::from_str(r#"{"b": [1, {"y": 2, "x": "é"}], "a": true}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":true,"b":[1,{"x":"é","y":2}]}"#).unwrap();
        assert_eq!(BodyFingerprint::of(&a), BodyFingerprint::of(&b));
        assert_ne!(
            BodyFingerprint::of(&a),
            BodyFingerprint::of(&json!({"a": false}))
        );
    }

    #[test]
    fn keys_are_checked() {
        assert!(IdempotencyKey::parse("evt_01-AB", "Idempotency-Key").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(128), "Idempotency-Key").is_ok());
        for bad in ["", "has space", "ü", &"k".repeat(129)] {
            assert!(
                IdempotencyKey::parse(bad, "Idempotency-Key").is_err(),
                "{bad:?}"
            );
        }
    }

    #[tokio::test]
    async fn keys_are_scoped_per_endpoint() {
        let database = Database::open(&crate::store::DatabaseLocation::InMemory).unwrap();
        let key = IdempotencyKey::parse("shared-key", "Idempotency-Key").unwrap();
        let answer = |endpoint: &'static str, body: Value| {
            let (database, key) = (database.clone(), key.clone());
            async move {
                let fingerprint = BodyFingerprint::of(&body);
                let now = Timestamp::from_unix_millis(0);
                respond_once(&database, now, endpoint, key, fingerprint, move |_, _| {
                    Ok(StoredResponse {
                        status: StatusCode::CREATED,
                        body,
                    })
                })
                .await
                .map(|(response, _replayed)| response.status)
            }
        };
        assert_eq!(
            answer("/api/a", json!({"n": 1})).await.unwrap(),
            StatusCode::CREATED
        );
        // Another endpoint with the same key and another body is a new request there ...
        assert_eq!(
            answer("/api/b", json!({"n": 2})).await.unwrap(),
            StatusCode::CREATED
        );
        // ... while on the first endpoint that body reuses the key.
        assert!(matches!(
            answer("/api/a", json!({"n": 2})).await,
            Err(ApiError::IdempotencyKeyReused)
        ));
    }
}
