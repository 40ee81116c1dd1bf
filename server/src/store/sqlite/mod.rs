//! The embedded SQLite store (the default): one file, one connection behind a mutex, every
//! transaction `IMMEDIATE`, so the idempotency check and the insert it guards are one step.

mod migrations;

use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::interface::{DatabaseLocation, DatabaseOpenError, StoreError, StoreResult, Transaction};
use super::records::{
    AdminSessionRow, ConsentEventFilter, ConsentEventRow, ConsentInsert, ConsentPurge,
    ConsentStateRow, ConsentTextsRow, DailyChoiceCount, IdempotencyRecord, ImportedConsentEvent,
    MailRow, NewAdminSession, NewConsentEvent, NewMail, NewRightsRequest, NewToken,
    RightsRequestRow, SignInFailures, StatusChangeRow, SubscriberProof, SubscriberRef,
    SubscriberRow, TokenPurpose, TokenRow,
};
use crate::clock::Timestamp;

/// SQL expression for "now" in the format every stored server timestamp uses
/// (RFC 3339 UTC with milliseconds, like the client timestamps).
const SQL_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

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
/// anyway, and it keeps `:memory:` databases working.
#[derive(Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    pub fn open(
        location: &DatabaseLocation,
        synchronous: Synchronous,
    ) -> Result<Self, DatabaseOpenError> {
        let failed = |what: &str, error: &dyn std::fmt::Display| DatabaseOpenError {
            message: format!("{what} ({location:?}): {error}"),
        };
        let mut connection = match location {
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
            _ => Connection::open_in_memory(),
        }
        .map_err(|error| failed("cannot open the database", &error))?;

        configure(&connection, location, synchronous)
            .map_err(|error| failed("cannot configure the database", &error))?;
        migrations::migrate(&mut connection)
            .map_err(|error| failed("cannot migrate the database", &error))?;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    pub async fn call<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut dyn Transaction) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            // A panic inside `work` rolls its transaction back when it unwinds, so the
            // connection is still consistent and the poison can be ignored.
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
            let mut store = SqliteTransaction {
                transaction: &transaction,
            };
            let value = work(&mut store)?;
            transaction.commit().map_err(StoreError::from)?;
            Ok(value)
        })
        .await
        .map_err(|error| E::from(StoreError::Task(error.to_string())))?
    }

    /// `PRAGMA user_version`: how many migrations ran.
    pub fn schema_version(&self) -> StoreResult<i64> {
        let connection = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(connection.pragma_query_value(None, "user_version", |row| row.get(0))?)
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

struct SqliteTransaction<'c> {
    transaction: &'c rusqlite::Transaction<'c>,
}

const EVENT_COLUMNS: &str =
    "id, idempotency_key, consent_id, seq, revision, action, categories, services, \
     timestamp, language, texts_hash, gpc, history, received_at";
const MAIL_COLUMNS: &str =
    "id, to_address, subject, body, purpose, list_unsubscribe, smtp_status, created_at";
const REQUEST_COLUMNS: &str = "id, reference, type, email, message, consent_id, language, \
                               status, created_at, updated_at";
const SUBSCRIBER_COLUMNS: &str = "id, email, status, consented_at, consent_text, \
                                  consent_text_version, revision, language, confirmed_at";

fn event_row(row: &Row<'_>) -> rusqlite::Result<ConsentEventRow> {
    Ok(ConsentEventRow {
        id: row.get(0)?,
        idempotency_key: row.get(1)?,
        consent_id: row.get(2)?,
        seq: row.get(3)?,
        revision: row.get(4)?,
        action: row.get(5)?,
        categories_json: row.get(6)?,
        services_json: row.get(7)?,
        timestamp: row.get(8)?,
        language: row.get(9)?,
        texts_hash: row.get(10)?,
        gpc: row.get(11)?,
        history_json: row.get(12)?,
        received_at: row.get(13)?,
    })
}

fn mail_row(row: &Row<'_>) -> rusqlite::Result<MailRow> {
    Ok(MailRow {
        id: row.get(0)?,
        to: row.get(1)?,
        subject: row.get(2)?,
        body: row.get(3)?,
        purpose: row.get(4)?,
        list_unsubscribe: row.get(5)?,
        smtp_status: row.get(6)?,
        created_at: row.get(7)?,
    })
}

fn request_row(row: &Row<'_>) -> rusqlite::Result<RightsRequestRow> {
    Ok(RightsRequestRow {
        id: row.get(0)?,
        reference: row.get(1)?,
        request_type: row.get(2)?,
        email: row.get(3)?,
        message: row.get(4)?,
        consent_id: row.get(5)?,
        language: row.get(6)?,
        status: row.get(7)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
    })
}

fn subscriber_row(row: &Row<'_>) -> rusqlite::Result<SubscriberRow> {
    Ok(SubscriberRow {
        id: row.get(0)?,
        email: row.get(1)?,
        status: row.get(2)?,
        consented_at: row.get(3)?,
        consent_text: row.get(4)?,
        consent_text_version: row.get(5)?,
        revision: row.get(6)?,
        language: row.get(7)?,
        confirmed_at: row.get(8)?,
    })
}

/// The three statements that append a consent event, prepared once for a whole import.
struct ConsentAppend<'t> {
    insert_event: rusqlite::Statement<'t>,
    update_state: rusqlite::Statement<'t>,
    record_texts: rusqlite::Statement<'t>,
}

impl<'t> ConsentAppend<'t> {
    fn prepare(transaction: &'t rusqlite::Transaction<'_>) -> StoreResult<Self> {
        Ok(ConsentAppend {
            insert_event: transaction.prepare(&format!(
                "INSERT INTO consent_events
                 (idempotency_key, consent_id, seq, revision, action, categories, services,
                  timestamp, language, texts_hash, gpc, history, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                         COALESCE(?13, {SQL_NOW}))"
            ))?,
            // Equal seq does not replace either: the first event stored for a seq wins.
            update_state: transaction.prepare(
                "INSERT INTO consent_state
                 (consent_id, event_id, seq, revision, action, categories, services, timestamp,
                  language, texts_hash, gpc, updated_at)
                 SELECT consent_id, id, seq, revision, action, categories, services, timestamp,
                        language, texts_hash, gpc, received_at
                 FROM consent_events WHERE id = ?1
                 ON CONFLICT (consent_id) DO UPDATE SET
                     event_id = excluded.event_id, seq = excluded.seq, revision = excluded.revision,
                     action = excluded.action, categories = excluded.categories,
                     services = excluded.services, timestamp = excluded.timestamp,
                     language = excluded.language, texts_hash = excluded.texts_hash,
                     gpc = excluded.gpc, updated_at = excluded.updated_at
                 WHERE excluded.seq > consent_state.seq",
            )?,
            record_texts: transaction.prepare(
                "INSERT INTO consent_texts (revision, language, texts_hash, first_seen_at)
                 SELECT revision, language, texts_hash, received_at FROM consent_events
                 WHERE id = ?1 AND texts_hash IS NOT NULL
                 ON CONFLICT (revision, language) DO NOTHING",
            )?,
        })
    }

    /// Appends `event`, received `received_at` (the database's "now" when `None`), makes it
    /// the consent id's current state if its `seq` is the highest, and records its texts
    /// hash if it is the first for its revision and language.
    fn append(
        &mut self,
        event: &NewConsentEvent<'_>,
        received_at: Option<String>,
    ) -> StoreResult<ConsentInsert> {
        let receipt = self.insert_event.insert(params![
            event.idempotency_key,
            event.consent_id,
            event.seq,
            event.revision,
            event.action,
            event.categories_json,
            event.services_json,
            event.timestamp,
            event.language,
            event.texts_hash,
            event.gpc,
            event.history_json,
            received_at,
        ])?;
        let state_changed = self.update_state.execute([receipt])?;
        self.record_texts.execute([receipt])?;
        Ok(ConsentInsert {
            receipt,
            current: state_changed == 1,
        })
    }
}

impl SqliteTransaction<'_> {
    fn rows<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> StoreResult<Vec<T>> {
        let mut statement = self.transaction.prepare(sql)?;
        let rows = statement.query_map(params, map)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

impl Transaction for SqliteTransaction<'_> {
    fn idempotency_record(
        &mut self,
        endpoint: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotencyRecord>> {
        // The IMMEDIATE transaction already holds the write lock: nobody else can insert.
        let found = self
            .transaction
            .query_row(
                "SELECT body_sha256, status, response_body, created_at FROM idempotency_records
                 WHERE endpoint = ?1 AND idempotency_key = ?2",
                (endpoint, key),
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, u16>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?;
        found
            .map(|(body_sha256, status, response_body, created_at)| {
                Ok(IdempotencyRecord {
                    endpoint: endpoint.to_owned(),
                    key: key.to_owned(),
                    body_sha256,
                    status,
                    response_body,
                    created_at: Timestamp::parse_rfc3339(&created_at).ok_or_else(|| {
                        StoreError::Corrupt(format!("idempotency created_at {created_at:?}"))
                    })?,
                })
            })
            .transpose()
    }

    fn insert_idempotency_record(&mut self, record: &IdempotencyRecord) -> StoreResult<()> {
        self.transaction.execute(
            "INSERT INTO idempotency_records
             (endpoint, idempotency_key, body_sha256, status, response_body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            (
                &record.endpoint,
                &record.key,
                &record.body_sha256,
                record.status,
                &record.response_body,
                record.created_at.rfc3339(),
            ),
        )?;
        Ok(())
    }

    fn delete_idempotency_records(
        &mut self,
        endpoints: &[&str],
        cutoff: Timestamp,
    ) -> StoreResult<usize> {
        let mut deleted = 0;
        for endpoint in endpoints {
            deleted += self.transaction.execute(
                "DELETE FROM idempotency_records WHERE endpoint = ?1 AND created_at <= ?2",
                (endpoint, cutoff.rfc3339()),
            )?;
        }
        Ok(deleted)
    }

    fn insert_consent_event(&mut self, event: &NewConsentEvent<'_>) -> StoreResult<ConsentInsert> {
        ConsentAppend::prepare(self.transaction)?.append(event, None)
    }

    fn consent_events_of(&mut self, consent_id: &str) -> StoreResult<Vec<ConsentEventRow>> {
        self.rows(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM consent_events WHERE consent_id = ?1 ORDER BY id"
            ),
            [consent_id],
            event_row,
        )
    }

    fn latest_consent_events(&mut self, limit: u32) -> StoreResult<Vec<ConsentEventRow>> {
        self.rows(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM
                   (SELECT * FROM consent_events ORDER BY id DESC LIMIT ?1)
                 ORDER BY id"
            ),
            [limit],
            event_row,
        )
    }

    fn import_consent_events(&mut self, events: &[ImportedConsentEvent<'_>]) -> StoreResult<()> {
        let mut append = ConsentAppend::prepare(self.transaction)?;
        for imported in events {
            append.append(&imported.event, Some(imported.received_at.rfc3339()))?;
        }
        Ok(())
    }

    fn consent_events_page(
        &mut self,
        filter: &ConsentEventFilter,
        after_id: i64,
        limit: u32,
    ) -> StoreResult<Vec<ConsentEventRow>> {
        self.rows(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM consent_events
                 WHERE id > ?1 AND (?2 IS NULL OR received_at >= ?2)
                   AND (?3 IS NULL OR received_at < ?3) AND (?4 IS NULL OR revision = ?4)
                 ORDER BY id LIMIT ?5"
            ),
            params![
                after_id,
                filter.received_from.map(Timestamp::rfc3339),
                filter.received_before.map(Timestamp::rfc3339),
                filter.revision,
                limit,
            ],
            event_row,
        )
    }

    fn consent_texts(
        &mut self,
        revision: &str,
        language: &str,
    ) -> StoreResult<Option<ConsentTextsRow>> {
        Ok(self
            .transaction
            .query_row(
                "SELECT revision, language, texts_hash, first_seen_at FROM consent_texts
                 WHERE revision = ?1 AND language = ?2",
                (revision, language),
                |row| {
                    Ok(ConsentTextsRow {
                        revision: row.get(0)?,
                        language: row.get(1)?,
                        texts_hash: row.get(2)?,
                        first_seen_at: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    fn latest_consent_revision(&mut self) -> StoreResult<Option<String>> {
        Ok(self
            .transaction
            .query_row(
                "SELECT revision FROM consent_events ORDER BY id DESC LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()?)
    }

    fn delete_consent_events_before(
        &mut self,
        cutoff: Timestamp,
        valid_revision: Option<&str>,
    ) -> StoreResult<ConsentPurge> {
        let cutoff = cutoff.rfc3339();
        let consents = self.transaction.execute(
            "DELETE FROM consent_state
             WHERE (?2 IS NULL OR revision <> ?2)
               AND event_id IN (SELECT id FROM consent_events WHERE received_at < ?1)",
            (&cutoff, valid_revision),
        )?;
        let events = self.transaction.execute(
            "DELETE FROM consent_events WHERE received_at < ?1
               AND NOT EXISTS (SELECT 1 FROM consent_state WHERE event_id = consent_events.id)",
            [&cutoff],
        )?;
        Ok(ConsentPurge { consents, events })
    }

    fn consent_state_of(&mut self, consent_id: &str) -> StoreResult<Option<ConsentStateRow>> {
        Ok(self
            .transaction
            .query_row(
                "SELECT consent_id, event_id, seq, revision, action, categories, services,
                        timestamp, language, texts_hash, gpc, updated_at
                 FROM consent_state WHERE consent_id = ?1",
                [consent_id],
                |row| {
                    Ok(ConsentStateRow {
                        consent_id: row.get(0)?,
                        event_id: row.get(1)?,
                        seq: row.get(2)?,
                        revision: row.get(3)?,
                        action: row.get(4)?,
                        categories_json: row.get(5)?,
                        services_json: row.get(6)?,
                        timestamp: row.get(7)?,
                        language: row.get(8)?,
                        texts_hash: row.get(9)?,
                        gpc: row.get(10)?,
                        updated_at: row.get(11)?,
                    })
                },
            )
            .optional()?)
    }

    fn subscriber_by_email(&mut self, email: &str) -> StoreResult<Option<SubscriberRef>> {
        Ok(self
            .transaction
            .query_row(
                "SELECT id, status, language FROM newsletter_subscribers WHERE email = ?1",
                [email],
                |row| {
                    Ok(SubscriberRef {
                        id: row.get(0)?,
                        confirmed: row.get::<_, String>(1)? == "confirmed",
                        language: row.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn insert_subscriber(&mut self, proof: &SubscriberProof<'_>) -> StoreResult<i64> {
        self.transaction.execute(
            "INSERT INTO newsletter_subscribers
             (email, status, consented_at, consent_text, consent_text_version, revision, language)
             VALUES (?1, 'pending', ?2, ?3, ?4, ?5, ?6)",
            (
                proof.email,
                proof.consented_at.rfc3339(),
                proof.consent_text,
                proof.consent_text_version,
                proof.revision,
                proof.language,
            ),
        )?;
        Ok(self.transaction.last_insert_rowid())
    }

    fn update_subscriber_proof(&mut self, id: i64, proof: &SubscriberProof<'_>) -> StoreResult<()> {
        self.transaction.execute(
            "UPDATE newsletter_subscribers
             SET consented_at = ?2, consent_text = ?3, consent_text_version = ?4,
                 revision = ?5, language = ?6
             WHERE id = ?1",
            (
                id,
                proof.consented_at.rfc3339(),
                proof.consent_text,
                proof.consent_text_version,
                proof.revision,
                proof.language,
            ),
        )?;
        Ok(())
    }

    fn confirm_subscriber(&mut self, id: i64, now: Timestamp) -> StoreResult<()> {
        self.transaction.execute(
            "UPDATE newsletter_subscribers SET status = 'confirmed', confirmed_at = ?2
             WHERE id = ?1 AND status = 'pending'",
            (id, now.rfc3339()),
        )?;
        Ok(())
    }

    fn delete_subscriber(&mut self, id: i64) -> StoreResult<()> {
        self.transaction
            .execute("DELETE FROM newsletter_subscribers WHERE id = ?1", [id])?;
        Ok(())
    }

    fn pending_subscribers_before(&mut self, cutoff: Timestamp) -> StoreResult<Vec<(i64, String)>> {
        self.rows(
            "SELECT id, email FROM newsletter_subscribers
             WHERE status = 'pending' AND consented_at <= ?1",
            [cutoff.rfc3339()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
    }

    fn subscribers(&mut self) -> StoreResult<Vec<SubscriberRow>> {
        self.rows(
            &format!("SELECT {SUBSCRIBER_COLUMNS} FROM newsletter_subscribers ORDER BY id DESC"),
            [],
            subscriber_row,
        )
    }

    fn subscribers_page(&mut self, after_id: i64, limit: u32) -> StoreResult<Vec<SubscriberRow>> {
        self.rows(
            &format!(
                "SELECT {SUBSCRIBER_COLUMNS} FROM newsletter_subscribers WHERE id > ?1
                 ORDER BY id LIMIT ?2"
            ),
            (after_id, limit),
            subscriber_row,
        )
    }

    fn insert_token(&mut self, token: &NewToken<'_>) -> StoreResult<()> {
        self.transaction.execute(
            "INSERT INTO newsletter_tokens
             (token_sha256, subscriber_id, purpose, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            (
                token.token_sha256,
                token.subscriber_id,
                token.purpose.as_str(),
                token.created_at.rfc3339(),
                token.expires_at.map(Timestamp::rfc3339),
            ),
        )?;
        Ok(())
    }

    fn token(
        &mut self,
        token_sha256: &str,
        purpose: TokenPurpose,
    ) -> StoreResult<Option<TokenRow>> {
        Ok(self
            .transaction
            .query_row(
                "SELECT t.subscriber_id, s.email, s.language, t.expires_at, t.used_at
                 FROM newsletter_tokens t JOIN newsletter_subscribers s ON s.id = t.subscriber_id
                 WHERE t.token_sha256 = ?1 AND t.purpose = ?2",
                (token_sha256, purpose.as_str()),
                |row| {
                    Ok(TokenRow {
                        subscriber_id: row.get(0)?,
                        email: row.get(1)?,
                        language: row.get(2)?,
                        expires_at: row.get(3)?,
                        used_at: row.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    fn mark_token_used(&mut self, token_sha256: &str, now: Timestamp) -> StoreResult<()> {
        self.transaction.execute(
            "UPDATE newsletter_tokens SET used_at = ?2 WHERE token_sha256 = ?1",
            (token_sha256, now.rfc3339()),
        )?;
        Ok(())
    }

    fn delete_tokens_of(&mut self, subscriber_id: i64, purpose: TokenPurpose) -> StoreResult<()> {
        self.transaction.execute(
            "DELETE FROM newsletter_tokens WHERE subscriber_id = ?1 AND purpose = ?2",
            (subscriber_id, purpose.as_str()),
        )?;
        Ok(())
    }

    fn delete_confirm_tokens_expired_before(&mut self, cutoff: Timestamp) -> StoreResult<usize> {
        Ok(self.transaction.execute(
            "DELETE FROM newsletter_tokens WHERE purpose = 'confirm' AND expires_at <= ?1",
            [cutoff.rfc3339()],
        )?)
    }

    fn insert_mail(&mut self, mail: &NewMail<'_>) -> StoreResult<i64> {
        self.transaction.execute(
            "INSERT INTO mailbox
             (to_address, subject, body, purpose, list_unsubscribe, smtp_status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            (
                mail.to,
                mail.subject,
                mail.body,
                mail.purpose,
                mail.list_unsubscribe,
                mail.smtp_status,
                mail.created_at.rfc3339(),
            ),
        )?;
        Ok(self.transaction.last_insert_rowid())
    }

    fn pending_mail(&mut self, limit: u32) -> StoreResult<Vec<MailRow>> {
        self.rows(
            &format!(
                "SELECT {MAIL_COLUMNS} FROM mailbox WHERE smtp_status = 'pending'
                 ORDER BY id LIMIT ?1"
            ),
            [limit],
            mail_row,
        )
    }

    fn set_mail_status(&mut self, id: i64, status: &str) -> StoreResult<()> {
        self.transaction.execute(
            "UPDATE mailbox SET smtp_status = ?1 WHERE id = ?2",
            (status, id),
        )?;
        Ok(())
    }

    fn latest_mail(&mut self, to: Option<&str>, limit: u32) -> StoreResult<Vec<MailRow>> {
        self.rows(
            &format!(
                "SELECT {MAIL_COLUMNS} FROM mailbox WHERE ?1 IS NULL OR to_address = ?1
                 ORDER BY id DESC LIMIT ?2"
            ),
            (to, limit),
            mail_row,
        )
    }

    fn delete_mail_to(&mut self, address: &str, purpose: &str) -> StoreResult<usize> {
        Ok(self.transaction.execute(
            "DELETE FROM mailbox WHERE to_address = ?1 AND purpose = ?2",
            (address, purpose),
        )?)
    }

    fn delete_mail_before(&mut self, cutoff: Timestamp) -> StoreResult<usize> {
        Ok(self.transaction.execute(
            "DELETE FROM mailbox WHERE created_at <= ?1",
            [cutoff.rfc3339()],
        )?)
    }

    fn next_rights_request_number(&mut self, year: i64) -> StoreResult<i64> {
        Ok(self.transaction.query_row(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM rights_requests WHERE year = ?1",
            [year],
            |row| row.get(0),
        )?)
    }

    fn insert_rights_request(&mut self, request: &NewRightsRequest<'_>) -> StoreResult<()> {
        self.transaction.execute(
            "INSERT INTO rights_requests
             (reference, year, number, type, email, message, consent_id, language, status,
              created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'received', ?9, ?9)",
            params![
                request.reference,
                request.year,
                request.number,
                request.request_type,
                request.email,
                request.message,
                request.consent_id,
                request.language,
                request.created_at.rfc3339(),
            ],
        )?;
        Ok(())
    }

    fn set_rights_request_status(
        &mut self,
        reference: &str,
        status: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let changed = self.transaction.execute(
            "UPDATE rights_requests SET status = ?2, updated_at = ?3 WHERE reference = ?1",
            (reference, status, now.rfc3339()),
        )?;
        Ok(changed > 0)
    }

    fn rights_request(&mut self, reference: &str) -> StoreResult<Option<RightsRequestRow>> {
        Ok(self
            .transaction
            .query_row(
                &format!("SELECT {REQUEST_COLUMNS} FROM rights_requests WHERE reference = ?1"),
                [reference],
                request_row,
            )
            .optional()?)
    }

    fn rights_requests(&mut self, limit: u32) -> StoreResult<Vec<RightsRequestRow>> {
        self.rows(
            &format!("SELECT {REQUEST_COLUMNS} FROM rights_requests ORDER BY id DESC LIMIT ?1"),
            [limit],
            request_row,
        )
    }

    fn insert_status_change(
        &mut self,
        reference: &str,
        status: &str,
        changed_by: &str,
        changed_at: Timestamp,
    ) -> StoreResult<()> {
        self.transaction.execute(
            "INSERT INTO rights_request_status_changes (reference, status, changed_by, changed_at)
             VALUES (?1, ?2, ?3, ?4)",
            (reference, status, changed_by, changed_at.rfc3339()),
        )?;
        Ok(())
    }

    fn status_changes(&mut self, reference: &str) -> StoreResult<Vec<StatusChangeRow>> {
        self.rows(
            "SELECT status, changed_by, changed_at FROM rights_request_status_changes
             WHERE reference = ?1 ORDER BY id",
            [reference],
            |row| {
                Ok(StatusChangeRow {
                    status: row.get(0)?,
                    changed_by: row.get(1)?,
                    changed_at: row.get(2)?,
                })
            },
        )
    }

    fn insert_admin_session(&mut self, session: &NewAdminSession<'_>) -> StoreResult<()> {
        self.transaction.execute(
            "INSERT INTO admin_sessions (id_sha256, user_name, csrf_token, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            (
                session.id_sha256,
                session.user,
                session.csrf_token,
                session.created_at.rfc3339(),
                session.expires_at.rfc3339(),
            ),
        )?;
        Ok(())
    }

    fn admin_session(
        &mut self,
        id_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<Option<AdminSessionRow>> {
        Ok(self
            .transaction
            .query_row(
                "SELECT user_name, csrf_token, expires_at FROM admin_sessions
                 WHERE id_sha256 = ?1 AND expires_at > ?2",
                (id_sha256, now.rfc3339()),
                |row| {
                    Ok(AdminSessionRow {
                        user: row.get(0)?,
                        csrf_token: row.get(1)?,
                        expires_at: row.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn delete_admin_session(&mut self, id_sha256: &str) -> StoreResult<()> {
        self.transaction.execute(
            "DELETE FROM admin_sessions WHERE id_sha256 = ?1",
            [id_sha256],
        )?;
        Ok(())
    }

    fn delete_admin_sessions_expired(&mut self, now: Timestamp) -> StoreResult<usize> {
        Ok(self.transaction.execute(
            "DELETE FROM admin_sessions WHERE expires_at <= ?1",
            [now.rfc3339()],
        )?)
    }

    fn insert_sign_in_failure(&mut self, subject: &str, at: Timestamp) -> StoreResult<()> {
        self.transaction.execute(
            "INSERT INTO admin_sign_in_failures (subject, attempted_at) VALUES (?1, ?2)",
            (subject, at.rfc3339()),
        )?;
        Ok(())
    }

    fn sign_in_failures_since(
        &mut self,
        subject: &str,
        since: Timestamp,
    ) -> StoreResult<SignInFailures> {
        Ok(self.transaction.query_row(
            "SELECT COUNT(*), MIN(attempted_at) FROM admin_sign_in_failures
             WHERE subject = ?1 AND attempted_at > ?2",
            (subject, since.rfc3339()),
            |row| {
                Ok(SignInFailures {
                    count: row.get(0)?,
                    oldest: row.get(1)?,
                })
            },
        )?)
    }

    fn delete_sign_in_failures_before(&mut self, cutoff: Timestamp) -> StoreResult<usize> {
        Ok(self.transaction.execute(
            "DELETE FROM admin_sign_in_failures WHERE attempted_at <= ?1",
            [cutoff.rfc3339()],
        )?)
    }

    fn daily_choice_counts(&mut self, since: Timestamp) -> StoreResult<Vec<DailyChoiceCount>> {
        self.rows(
            "SELECT substr(received_at, 1, 10) AS day, categories, COUNT(*)
             FROM consent_events WHERE received_at >= ?1
             GROUP BY day, categories ORDER BY day, categories",
            [since.rfc3339()],
            |row| {
                Ok(DailyChoiceCount {
                    day: row.get(0)?,
                    categories_json: row.get(1)?,
                    count: row.get(2)?,
                })
            },
        )
    }

    fn rights_requests_page(
        &mut self,
        after_id: i64,
        limit: u32,
    ) -> StoreResult<Vec<RightsRequestRow>> {
        self.rows(
            &format!(
                "SELECT {REQUEST_COLUMNS} FROM rights_requests WHERE id > ?1 ORDER BY id LIMIT ?2"
            ),
            (after_id, limit),
            request_row,
        )
    }

    fn table_columns(&mut self, table: &str) -> StoreResult<Vec<String>> {
        self.rows("SELECT name FROM pragma_table_info(?1)", [table], |row| {
            row.get(0)
        })
    }

    fn dump_all_tables(&mut self) -> StoreResult<String> {
        let tables: Vec<String> = self.rows(
            "SELECT name FROM sqlite_master WHERE type = 'table'",
            [],
            |row| row.get(0),
        )?;
        let mut dump = String::new();
        for table in tables {
            let mut statement = self
                .transaction
                .prepare(&format!("SELECT * FROM \"{table}\""))?;
            let columns = statement.column_count();
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                dump.push_str(&table);
                for index in 0..columns {
                    let value: rusqlite::types::Value = row.get(index)?;
                    dump.push_str(&format!(" | {value:?}"));
                }
                dump.push('\n');
            }
        }
        Ok(dump)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_database_is_created_and_reopened_without_migrating_twice() {
        let folder = std::env::temp_dir().join(format!("pw-db-test-{}", std::process::id()));
        let location = DatabaseLocation::File(folder.join("nested").join("test.sqlite3"));
        SqliteStore::open(&location, Synchronous::Full).unwrap();
        let reopened = SqliteStore::open(&location, Synchronous::Full).unwrap();
        assert_eq!(
            reopened.schema_version().unwrap(),
            migrations::MIGRATIONS.len() as i64
        );
        std::fs::remove_dir_all(folder).unwrap();
    }
}
