//! The SQLite schema, one migration per release that changed it; `PRAGMA user_version`
//! records how many ran. Append new ones; never edit a released one. Keep
//! `store/postgres/migrations.rs` in step: the same tables, in PostgreSQL's types.

use rusqlite::Connection;

/// Schema migrations, applied in order.
pub const MIGRATIONS: &[&str] = &[
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
    // 4: the texts hash first received per revision and language (the proof lookup compares
    // every event with it), filled from the log so far; indexes for retention and its
    // check of which events are some consent's current one.
    "CREATE TABLE consent_texts (
        revision TEXT NOT NULL,
        language TEXT NOT NULL,
        texts_hash TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        PRIMARY KEY (revision, language)
    ) WITHOUT ROWID;
    INSERT INTO consent_texts (revision, language, texts_hash, first_seen_at)
        SELECT revision, language, texts_hash, received_at FROM consent_events
        WHERE id IN (SELECT MIN(id) FROM consent_events WHERE texts_hash IS NOT NULL
                     GROUP BY revision, language);
    CREATE INDEX consent_events_by_received_at ON consent_events (received_at);
    CREATE INDEX consent_state_by_event_id ON consent_state (event_id);",
    // 5: the operator pages: signed-in sessions (the id's SHA-256 only), failed sign-ins
    // for the rate limit (shared by every instance on the database), and who changed a
    // rights request's status when.
    "CREATE TABLE admin_sessions (
        id_sha256 TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX admin_sessions_by_expiry ON admin_sessions (expires_at);

    CREATE TABLE admin_sign_in_failures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        subject TEXT NOT NULL,
        attempted_at TEXT NOT NULL
    );
    CREATE INDEX admin_sign_in_failures_by_subject ON admin_sign_in_failures (subject, attempted_at);

    CREATE TABLE rights_request_status_changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        reference TEXT NOT NULL REFERENCES rights_requests (reference) ON DELETE CASCADE,
        status TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        changed_at TEXT NOT NULL
    );
    CREATE INDEX rights_request_status_changes_by_reference
        ON rights_request_status_changes (reference, id);",
];

/// Applies the migrations not applied yet, each in its own transaction.
pub fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
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
