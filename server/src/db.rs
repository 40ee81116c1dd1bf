//! The embedded SQLite database: opening it, migrating its schema, and running blocking
//! queries off the async executor. Endpoint modules own their SQL; this module owns the file.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use crate::config::DatabaseLocation;
use crate::error::ApiError;

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
/// Append new ones (newsletter, rights requests); never edit a released one.
const MIGRATIONS: &[&str] = &[
    // 1: consent log, latest consent per id, idempotency records.
    "CREATE TABLE consent_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        idempotency_key TEXT NOT NULL,
        consent_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        revision TEXT NOT NULL,
        action TEXT NOT NULL,
        categories TEXT NOT NULL,
        services TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        language TEXT NOT NULL,
        texts_hash TEXT,
        gpc INTEGER,
        history TEXT,
        received_at TEXT NOT NULL
    );
    CREATE INDEX consent_events_by_consent_id ON consent_events (consent_id, id);

    CREATE TABLE consent_state (
        consent_id TEXT PRIMARY KEY,
        event_id INTEGER NOT NULL REFERENCES consent_events (id),
        seq INTEGER NOT NULL,
        revision TEXT NOT NULL,
        action TEXT NOT NULL,
        categories TEXT NOT NULL,
        services TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        language TEXT NOT NULL,
        texts_hash TEXT,
        gpc INTEGER,
        updated_at TEXT NOT NULL
    );

    CREATE TABLE idempotency_records (
        endpoint TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        body_sha256 TEXT NOT NULL,
        status INTEGER NOT NULL,
        response_body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (endpoint, idempotency_key)
    ) WITHOUT ROWID;",
    // 2: outgoing mail, newsletter subscribers (the address and the proof of consent,
    // nothing else) and their link tokens (SHA-256 only).
    "CREATE TABLE mailbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        to_address TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        purpose TEXT NOT NULL,
        list_unsubscribe TEXT,
        smtp_status TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX mailbox_by_address ON mailbox (to_address);

    CREATE TABLE newsletter_subscribers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        email TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed')),
        consented_at TEXT NOT NULL,
        consent_text TEXT NOT NULL,
        consent_text_version TEXT NOT NULL,
        revision TEXT NOT NULL,
        language TEXT NOT NULL,
        confirmed_at TEXT
    );

    CREATE TABLE newsletter_tokens (
        token_sha256 TEXT PRIMARY KEY,
        subscriber_id INTEGER NOT NULL
            REFERENCES newsletter_subscribers (id) ON DELETE CASCADE,
        purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'unsubscribe')),
        created_at TEXT NOT NULL,
        expires_at TEXT,
        used_at TEXT
    ) WITHOUT ROWID;
    CREATE INDEX newsletter_tokens_by_subscriber ON newsletter_tokens (subscriber_id);",
    // 3: rights requests, numbered per year for a reference like PV-2026-000123.
    "CREATE TABLE rights_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        reference TEXT NOT NULL UNIQUE,
        year INTEGER NOT NULL,
        number INTEGER NOT NULL,
        type TEXT NOT NULL,
        email TEXT NOT NULL,
        message TEXT NOT NULL,
        consent_id TEXT,
        language TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('received', 'in_progress', 'completed', 'rejected')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (year, number)
    );",
];

/// SQL expression for "now" in the format every stored server timestamp uses
/// (RFC 3339 UTC with milliseconds, like the client timestamps).
pub const SQL_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// `PRAGMA synchronous` for a database file in WAL mode (`DATABASE_SYNCHRONOUS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// Every commit waits for the disk: a reported success survives a power cut.
    #[default]
    Full,
    /// Commits wait only for the OS; the disk sync happens at WAL checkpoints. A power cut
    /// (not a crash of the process) can lose the last commits, never corrupt the file.
    Normal,
}

impl Synchronous {
    fn pragma_value(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

/// A shared handle to the one SQLite connection.
///
/// One connection behind a mutex serialises all access: SQLite allows a single writer
/// anyway, it keeps `:memory:` databases working, and it makes the idempotency check and
/// the insert it guards one atomic step.
#[derive(Clone)]
pub struct Database {
    connection: Arc<Mutex<Connection>>,
}

/// The database could not be opened or migrated at start-up.
#[derive(Debug)]
pub struct DatabaseOpenError {
    message: String,
}

impl fmt::Display for DatabaseOpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DatabaseOpenError {}

impl Database {
    /// Opens (creating the folder and file if needed) and migrates the database, with
    /// `synchronous=FULL`.
    pub fn open(location: &DatabaseLocation) -> Result<Self, DatabaseOpenError> {
        Self::open_with(location, Synchronous::Full)
    }

    /// [`Database::open`] with a chosen `PRAGMA synchronous`.
    pub fn open_with(
        location: &DatabaseLocation,
        synchronous: Synchronous,
    ) -> Result<Self, DatabaseOpenError> {
        let failed = |what: &str, error: &dyn fmt::Display| DatabaseOpenError {
            message: format!("{what} ({location:?}): {error}"),
        };
        let mut connection = match location {
            DatabaseLocation::InMemory => Connection::open_in_memory(),
            DatabaseLocation::File(path) => {
                if let Some(folder) = path
                    .parent()
                    .filter(|folder| !folder.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(folder)
                        .map_err(|error| failed("cannot create the database folder", &error))?;
                }
                Connection::open(path)
            }
        }
        .map_err(|error| failed("cannot open the database", &error))?;

        configure(&connection, location, synchronous)
            .map_err(|error| failed("cannot configure the database", &error))?;
        migrate(&mut connection).map_err(|error| failed("cannot migrate the database", &error))?;
        Ok(Database {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` with the connection on a blocking thread, so slow disk I/O never stalls
    /// the async executor.
    pub async fn call<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Connection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            // A panic inside `work` rolls its transaction back when it unwinds, so the
            // connection is still consistent and the poison can be ignored.
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut connection)
        })
        .await
        .map_err(|error| ApiError::internal(format!("database task failed: {error}")))?
    }
}

fn configure(
    connection: &Connection,
    location: &DatabaseLocation,
    synchronous: Synchronous,
) -> rusqlite::Result<()> {
    if matches!(location, DatabaseLocation::File(_)) {
        // WAL lets a backup or an operator's sqlite3 shell read while the server writes.
        connection.pragma_update(None, "journal_mode", "WAL")?;
    }
    // Consent records are evidence: by default a reported success must survive a power
    // cut. NORMAL trades that for throughput (see "Load test" in the README).
    connection.pragma_update(None, "synchronous", synchronous.pragma_value())?;
    connection.pragma_update(None, "foreign_keys", true)?;
    connection.busy_timeout(std::time::Duration::from_secs(5))
}

fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let applied: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (version, migration) in (1..)
        .zip(MIGRATIONS)
        .skip_while(|(version, _)| *version <= applied)
    {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", version)?;
        transaction.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_database_is_created_and_reopened_without_migrating_twice() {
        let folder = std::env::temp_dir().join(format!("pw-db-test-{}", std::process::id()));
        let location = DatabaseLocation::File(folder.join("nested").join("test.sqlite3"));
        Database::open(&location).unwrap();
        let reopened = Database::open(&location).unwrap();
        let version: i64 = reopened
            .connection
            .lock()
            .unwrap()
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        std::fs::remove_dir_all(folder).unwrap();
    }
}
