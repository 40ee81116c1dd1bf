//! Shared test helpers: an in-process app with its own in-memory database and temporary
//! `WWW_DIR`, requests through `tower::ServiceExt::oneshot`, and valid consent bodies.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use privacy_widget_server::clock::{ManualClock, Timestamp};
use privacy_widget_server::config::Config;
use privacy_widget_server::domain::newsletter::{self, PurgeReport};
use privacy_widget_server::error::ApiError;
use privacy_widget_server::http::connection::ConnectionHandle;
use privacy_widget_server::store::{Database, ImportedConsentEvent, NewConsentEvent};
use privacy_widget_server::{app, AppState};
use serde_json::{json, Value};
use tower::ServiceExt;

pub const ADMIN_TOKEN: &str = "test-admin-token";

/// Where every test app's clock starts: 2026-11-26T12:00:00.000Z.
pub const START: Timestamp = Timestamp::from_unix_millis(1_795_694_400_000);

/// `BASE_URL` of a test app: what links in mails start with.
pub const BASE_URL: &str = "http://127.0.0.1:8080";

/// A folder under the system temp dir, removed when dropped.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(label: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "pw-server-test-{label}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `contents` to `relative`, creating folders as needed.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        let file = self.path.join(relative);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, contents).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Set by `scripts/test.sh` for its PostgreSQL pass: the throwaway cluster's database.
const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// The environment variable and value that give a test server an empty database of its own:
/// with `TEST_DATABASE_URL=postgres://…` a new schema in that database (the suite runs once
/// per store), else an in-memory SQLite database.
pub fn fresh_database() -> (&'static str, String) {
    match std::env::var(TEST_DATABASE_URL) {
        Ok(url) if !url.is_empty() => ("DATABASE_URL", fresh_postgres_schema(&url)),
        _ => ("DATABASE_PATH", ":memory:".to_owned()),
    }
}

/// Creates a schema named after this process and a counter, and returns `url` with that
/// schema as the connection's `search_path`, so the server's migrations create its tables there.
fn fresh_postgres_schema(url: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let schema = format!(
        "test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let config: tokio_postgres::Config = url.parse().expect("TEST_DATABASE_URL");
    let statement = format!("CREATE SCHEMA {schema}");
    // Its own thread and runtime: callers may be inside a test's runtime or not.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
            let connection = tokio::spawn(connection);
            client.batch_execute(&statement).await.unwrap();
            drop(client);
            connection.await.unwrap().unwrap();
        });
    })
    .join()
    .unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-csearch_path%3D{schema}")
}

/// Environment of a test server: an empty database ([`fresh_database`]), fresh `WWW_DIR`,
/// admin enabled. `overrides` replace those defaults; an empty value unsets a variable.
pub fn test_config(www_dir: &Path, overrides: &[(&str, &str)]) -> Config {
    let (database_variable, database) = fresh_database();
    let mut vars: HashMap<String, String> = HashMap::from([
        (database_variable.to_owned(), database),
        ("WWW_DIR".to_owned(), www_dir.display().to_string()),
        ("ADMIN_TOKEN".to_owned(), ADMIN_TOKEN.to_owned()),
    ]);
    for (name, value) in overrides {
        vars.insert(name.to_string(), value.to_string());
    }
    Config::from_lookup(|name| vars.get(name).cloned()).unwrap()
}

pub struct TestApp {
    pub router: Router,
    pub www: TempDir,
    /// The app's state, for direct calls (purge) and raw SQL on its database.
    pub state: AppState,
    /// The app's clock; moves only when a test advances it.
    pub clock: Arc<ManualClock>,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "body is not JSON ({error}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).unwrap()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }
}

impl TestApp {
    pub fn new(overrides: &[(&str, &str)]) -> Self {
        let www = TempDir::new("www");
        let config = test_config(www.path(), overrides);
        let database = Database::open(&config.database).unwrap();
        let clock = Arc::new(ManualClock::new(START));
        let state = AppState::with_clock(config, database, clock.clone());
        TestApp {
            router: app(state.clone()),
            www,
            state,
            clock,
        }
    }

    /// The newsletter's purge as the housekeeping runs it, at the app clock's "now".
    pub async fn purge_newsletter(&self) -> Result<PurgeReport, ApiError> {
        newsletter::purge_expired(
            &self.state.database,
            self.state.clock.now(),
            &self.state.newsletter_settings(),
        )
        .await
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body: to_bytes(body, usize::MAX).await.unwrap(),
        }
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// `POST /api/consent` as the widget's fetch sends it.
    pub async fn post_consent(&self, key: &str, body: &Value) -> TestResponse {
        self.send(
            Request::post("/api/consent")
                .header("content-type", "application/json")
                .header("idempotency-key", key)
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// `POST /api/consent` as `navigator.sendBeacon` sends it.
    pub async fn post_consent_beacon(&self, envelope: &Value) -> TestResponse {
        self.send(
            Request::post("/api/consent")
                .header("content-type", "text/plain;charset=UTF-8")
                .body(Body::from(envelope.to_string()))
                .unwrap(),
        )
        .await
    }

    /// `GET /api/admin/consents{query}` with the admin token; must succeed.
    pub async fn admin_consents(&self, query: &str) -> Value {
        let response = self
            .send(
                Request::get(format!("/api/admin/consents{query}"))
                    .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }

    pub async fn stored_event_count(&self) -> usize {
        self.admin_consents("").await["events"]
            .as_array()
            .unwrap()
            .len()
    }

    /// A JSON API POST with an idempotency key, from the client address `peer`.
    pub async fn post_json_from(
        &self,
        peer: &str,
        path: &str,
        key: &str,
        body: &Value,
    ) -> TestResponse {
        let mut request = Request::post(path)
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .header("user-agent", "TestAgent/1.0 (privacy-widget tests)")
            .body(Body::from(body.to_string()))
            .unwrap();
        let peer: SocketAddr = peer.parse().unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(ConnectionHandle::detached(peer)));
        self.send(request).await
    }

    /// A JSON API POST from 192.0.2.10.
    pub async fn post_json(&self, path: &str, key: &str, body: &Value) -> TestResponse {
        self.post_json_from("192.0.2.10:50000", path, key, body)
            .await
    }

    /// `GET` with the admin token; must succeed.
    pub async fn admin_get(&self, path: &str) -> Value {
        let response = self.admin_send(path).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }

    /// `GET` with the admin token, whatever the answer.
    pub async fn admin_send(&self, path: &str) -> TestResponse {
        self.send(
            Request::get(path)
                .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// The mails sent to `address`, newest first.
    pub async fn mails_to(&self, address: &str) -> Vec<Value> {
        let query: String = address
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        self.admin_get(&format!("/api/admin/mailbox?to={query}"))
            .await["mails"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// Every value in every table of the database, as text: for "is X stored anywhere?".
    pub async fn dump_database(&self) -> String {
        self.state
            .database
            .call(|transaction| transaction.dump_all_tables())
            .await
            .unwrap()
    }

    pub async fn set_faults(&self, plan: Value) -> TestResponse {
        self.send(
            Request::post("/__faults")
                .header("content-type", "application/json")
                .body(Body::from(plan.to_string()))
                .unwrap(),
        )
        .await
    }
}

pub const CONSENT_ID: &str = "0123456789abcdef0123456789abcdef";

/// A valid consent event body.
pub fn consent_body(consent_id: &str, seq: i64) -> Value {
    json!({
        "consent_id": consent_id,
        "seq": seq,
        "revision": "2026-11-01",
        "action": "accept_all",
        "categories": {"necessary": true, "analytics": true},
        "services": {"google-analytics": true},
        "timestamp": "2026-11-26T12:00:00.000Z",
        "language": "nb"
    })
}

/// One consent event to import straight into the store (see [`import_events`]).
#[derive(Debug, Clone)]
pub struct SeedEvent {
    pub consent_id: String,
    pub seq: i64,
    pub revision: String,
    pub texts_hash: Option<String>,
    pub received_at: Timestamp,
}

impl SeedEvent {
    /// Consent id `{n:032x}`, seq 1, revision 2026-11-01, received `received_at`.
    pub fn numbered(n: usize, received_at: Timestamp) -> Self {
        SeedEvent {
            consent_id: format!("{n:032x}"),
            seq: 1,
            revision: "2026-11-01".to_owned(),
            texts_hash: None,
            received_at,
        }
    }
}

/// Appends `events` through the store's bulk import, in one transaction: far faster than
/// posting them, for logs of many thousand events.
pub async fn import_events(database: &Database, events: Vec<SeedEvent>) {
    database
        .call(move |transaction| {
            let keys: Vec<String> = (0..events.len()).map(|n| format!("seed-{n}")).collect();
            let imported: Vec<ImportedConsentEvent<'_>> = events
                .iter()
                .zip(&keys)
                .map(|(event, key)| ImportedConsentEvent {
                    event: NewConsentEvent {
                        idempotency_key: key,
                        consent_id: &event.consent_id,
                        seq: event.seq,
                        revision: &event.revision,
                        action: "accept_all",
                        categories_json: r#"{"analytics":true,"necessary":true}"#.to_owned(),
                        services_json: r#"{"google-analytics":true}"#.to_owned(),
                        timestamp: "2026-11-26T12:00:00.000Z",
                        language: "nb",
                        texts_hash: event.texts_hash.as_deref(),
                        gpc: None,
                        history_json: None,
                    },
                    received_at: event.received_at,
                })
                .collect();
            transaction.import_consent_events(&imported)
        })
        .await
        .unwrap();
}
