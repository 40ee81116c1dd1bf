//! The PostgreSQL store (`DATABASE_URL=postgres://…`): a deadpool pool of tokio-postgres
//! connections, so several server instances can share one database. Work runs on a blocking
//! thread like SQLite's and drives each statement to completion there, so the domain keeps
//! one synchronous [`Transaction`] interface for both stores. Transactions that must not
//! interleave across instances (one idempotency key, the numbering of rights requests) take
//! a transaction-scoped advisory lock; everything else is plain READ COMMITTED.

mod migrations;

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio::runtime::Handle;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use super::interface::{DatabaseOpenError, DatabaseUrl, StoreError, StoreResult, Transaction};
use super::records::{
    AdminSessionRow, ConsentEventFilter, ConsentEventRow, ConsentInsert, ConsentPurge,
    ConsentStateRow, ConsentTextsRow, DailyChoiceCount, IdempotencyRecord, ImportedConsentEvent,
    MailRow, NewAdminSession, NewConsentEvent, NewMail, NewRightsRequest, NewToken,
    RightsRequestRow, SignInFailures, StatusChangeRow, SubscriberProof, SubscriberRef,
    SubscriberRow, TokenPurpose, TokenRow,
};
use crate::clock::Timestamp;

/// "Now" as every stored server timestamp is written: RFC 3339 UTC with milliseconds.
const SQL_NOW: &str =
    "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

/// Advisory lock ids (arbitrary, fixed): schema migrations, and the per-year numbering of
/// rights requests.
const MIGRATION_LOCK: i64 = 0x7077_6d69_6772;
const RIGHTS_NUMBER_LOCK: i64 = 0x7077_7269_6768;

/// How long a request waits for a free connection before it fails with a 500.
const POOL_WAIT: Duration = Duration::from_secs(10);

/// A shared pool of connections to one PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
}

impl PostgresStore {
    /// Migrates the database (once, even with several instances starting together) and
    /// builds the pool; connections are opened when first needed.
    pub fn open(url: &DatabaseUrl) -> Result<Self, DatabaseOpenError> {
        let failed = |what: &str, error: &dyn std::fmt::Display| DatabaseOpenError {
            message: format!("{what} (DATABASE_URL): {error}"),
        };
        let config: tokio_postgres::Config = url
            .expose()
            .parse()
            .map_err(|error| failed("cannot read the connection string", &error))?;
        migrate_blocking(&config).map_err(|error| failed("cannot migrate the database", &error))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(POOL_WAIT))
            .build()
            .map_err(|error| failed("cannot build the connection pool", &error))?;
        Ok(PostgresStore { pool })
    }

    pub async fn call<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut dyn Transaction) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let runtime = Handle::current();
        tokio::task::spawn_blocking(move || {
            let mut client = runtime
                .block_on(pool.get())
                .map_err(|error| StoreError::Pool(error.to_string()))?;
            let transaction = runtime
                .block_on(client.transaction())
                .map_err(StoreError::from)?;
            let mut store = PostgresTransaction {
                transaction,
                runtime: &runtime,
            };
            match work(&mut store) {
                Ok(value) => {
                    runtime
                        .block_on(store.transaction.commit())
                        .map_err(StoreError::from)?;
                    Ok(value)
                }
                // Dropping the transaction rolls it back.
                Err(error) => Err(error),
            }
        })
        .await
        .map_err(|error| E::from(StoreError::Task(error.to_string())))?
    }
}

/// Applies the migrations on a connection of its own, on a thread of its own (start-up
/// may run inside or outside a runtime), holding an advisory lock so that two instances
/// starting together migrate once.
fn migrate_blocking(config: &tokio_postgres::Config) -> Result<(), String> {
    let config = config.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| error.to_string())?;
        runtime.block_on(async move {
            let (mut client, connection) = config
                .connect(NoTls)
                .await
                .map_err(|error| format!("{error:?}"))?;
            let connection = tokio::spawn(connection);
            let outcome = migrate(&mut client)
                .await
                .map_err(|error| format!("{error:?}"));
            drop(client);
            let _ = connection.await;
            outcome
        })
    })
    .join()
    .map_err(|_| "the migration thread panicked".to_owned())?
}

async fn migrate(client: &mut tokio_postgres::Client) -> Result<(), tokio_postgres::Error> {
    let transaction = client.transaction().await?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    transaction
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version INTEGER PRIMARY KEY,
                 applied_at TEXT NOT NULL
             )",
        )
        .await?;
    let applied: i32 = transaction
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .try_get(0)?;
    for (version, migration) in (1..)
        .zip(migrations::MIGRATIONS)
        .skip_while(|(version, _)| *version <= applied)
    {
        transaction.batch_execute(migration).await?;
        transaction
            .execute(
                &format!(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, {SQL_NOW})"
                ),
                &[&version],
            )
            .await?;
    }
    transaction.commit().await
}

struct PostgresTransaction<'r, 'c> {
    transaction: deadpool_postgres::Transaction<'c>,
    runtime: &'r Handle,
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl PostgresTransaction<'_, '_> {
    /// After appending the events `ids`: makes each consent id's highest-`seq` one its current
    /// state, and records the first texts hash of each revision and language. Returns how
    /// many current states changed.
    fn derive_state_and_texts(&self, ids: &[i64]) -> StoreResult<usize> {
        let ids = ids.to_vec();
        // Equal seq does not replace either: the first event stored for a seq wins. Two
        // instances writing one consent id meet at the primary key; ON CONFLICT waits for
        // the other's commit and then compares with what it stored.
        let state_changed = self.execute(
            "INSERT INTO consent_state
             (consent_id, event_id, seq, revision, action, categories, services, timestamp,
              language, texts_hash, gpc, updated_at)
             SELECT DISTINCT ON (consent_id) consent_id, id, seq, revision, action, categories,
                    services, timestamp, language, texts_hash, gpc, received_at
             FROM consent_events WHERE id = ANY($1) ORDER BY consent_id, seq DESC, id
             ON CONFLICT (consent_id) DO UPDATE SET
                 event_id = excluded.event_id, seq = excluded.seq, revision = excluded.revision,
                 action = excluded.action, categories = excluded.categories,
                 services = excluded.services, timestamp = excluded.timestamp,
                 language = excluded.language, texts_hash = excluded.texts_hash,
                 gpc = excluded.gpc, updated_at = excluded.updated_at
             WHERE excluded.seq > consent_state.seq",
            &[&ids],
        )?;
        self.execute(
            "INSERT INTO consent_texts (revision, language, texts_hash, first_seen_at)
             SELECT DISTINCT ON (revision, language) revision, language, texts_hash, received_at
             FROM consent_events WHERE id = ANY($1) AND texts_hash IS NOT NULL
             ORDER BY revision, language, id
             ON CONFLICT (revision, language) DO NOTHING",
            &[&ids],
        )?;
        Ok(state_changed)
    }

    fn execute(&self, sql: &str, params: Params<'_>) -> StoreResult<usize> {
        let changed = self
            .runtime
            .block_on(self.transaction.execute(sql, params))?;
        Ok(usize::try_from(changed).unwrap_or(usize::MAX))
    }

    fn query(&self, sql: &str, params: Params<'_>) -> StoreResult<Vec<Row>> {
        Ok(self.runtime.block_on(self.transaction.query(sql, params))?)
    }

    fn query_opt(&self, sql: &str, params: Params<'_>) -> StoreResult<Option<Row>> {
        Ok(self
            .runtime
            .block_on(self.transaction.query_opt(sql, params))?)
    }

    fn rows<T>(
        &self,
        sql: &str,
        params: Params<'_>,
        map: impl Fn(&Row) -> Result<T, tokio_postgres::Error>,
    ) -> StoreResult<Vec<T>> {
        self.query(sql, params)?
            .iter()
            .map(|row| map(row).map_err(StoreError::from))
            .collect()
    }
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

/// Rows per statement of a bulk import: large enough to amortise the round trip, small
/// enough to keep each statement's arrays a few megabytes.
const IMPORT_CHUNK: usize = 5_000;

fn event_row(row: &Row) -> Result<ConsentEventRow, tokio_postgres::Error> {
    Ok(ConsentEventRow {
        id: row.try_get(0)?,
        idempotency_key: row.try_get(1)?,
        consent_id: row.try_get(2)?,
        seq: row.try_get(3)?,
        revision: row.try_get(4)?,
        action: row.try_get(5)?,
        categories_json: row.try_get(6)?,
        services_json: row.try_get(7)?,
        timestamp: row.try_get(8)?,
        language: row.try_get(9)?,
        texts_hash: row.try_get(10)?,
        gpc: row.try_get(11)?,
        history_json: row.try_get(12)?,
        received_at: row.try_get(13)?,
    })
}

fn mail_row(row: &Row) -> Result<MailRow, tokio_postgres::Error> {
    Ok(MailRow {
        id: row.try_get(0)?,
        to: row.try_get(1)?,
        subject: row.try_get(2)?,
        body: row.try_get(3)?,
        purpose: row.try_get(4)?,
        list_unsubscribe: row.try_get(5)?,
        smtp_status: row.try_get(6)?,
        created_at: row.try_get(7)?,
    })
}

fn request_row(row: &Row) -> Result<RightsRequestRow, tokio_postgres::Error> {
    Ok(RightsRequestRow {
        id: row.try_get(0)?,
        reference: row.try_get(1)?,
        request_type: row.try_get(2)?,
        email: row.try_get(3)?,
        message: row.try_get(4)?,
        consent_id: row.try_get(5)?,
        language: row.try_get(6)?,
        status: row.try_get(7)?,
        created_at: row.try_get(8)?,
        updated_at: row.try_get(9)?,
    })
}

fn subscriber_row(row: &Row) -> Result<SubscriberRow, tokio_postgres::Error> {
    Ok(SubscriberRow {
        id: row.try_get(0)?,
        email: row.try_get(1)?,
        status: row.try_get(2)?,
        consented_at: row.try_get(3)?,
        consent_text: row.try_get(4)?,
        consent_text_version: row.try_get(5)?,
        revision: row.try_get(6)?,
        language: row.try_get(7)?,
        confirmed_at: row.try_get(8)?,
    })
}

impl Transaction for PostgresTransaction<'_, '_> {
    fn idempotency_record(
        &mut self,
        endpoint: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotencyRecord>> {
        // Held until this transaction ends: another instance asking for the same key waits,
        // then finds the record this one stored.
        self.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 0))",
            &[&endpoint, &key],
        )?;
        let Some(row) = self.query_opt(
            "SELECT body_sha256, status, response_body, created_at FROM idempotency_records
             WHERE endpoint = $1 AND idempotency_key = $2",
            &[&endpoint, &key],
        )?
        else {
            return Ok(None);
        };
        let status: i32 = row.try_get(1)?;
        let created_at: String = row.try_get(3)?;
        Ok(Some(IdempotencyRecord {
            endpoint: endpoint.to_owned(),
            key: key.to_owned(),
            body_sha256: row.try_get(0)?,
            status: u16::try_from(status)
                .map_err(|_| StoreError::Corrupt(format!("idempotency status {status}")))?,
            response_body: row.try_get(2)?,
            created_at: Timestamp::parse_rfc3339(&created_at).ok_or_else(|| {
                StoreError::Corrupt(format!("idempotency created_at {created_at:?}"))
            })?,
        }))
    }

    fn insert_idempotency_record(&mut self, record: &IdempotencyRecord) -> StoreResult<()> {
        self.execute(
            "INSERT INTO idempotency_records
             (endpoint, idempotency_key, body_sha256, status, response_body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &record.endpoint,
                &record.key,
                &record.body_sha256,
                &i32::from(record.status),
                &record.response_body,
                &record.created_at.rfc3339(),
            ],
        )?;
        Ok(())
    }

    fn delete_idempotency_records(
        &mut self,
        endpoints: &[&str],
        cutoff: Timestamp,
    ) -> StoreResult<usize> {
        let endpoints: Vec<&str> = endpoints.to_vec();
        self.execute(
            "DELETE FROM idempotency_records WHERE endpoint = ANY($1) AND created_at <= $2",
            &[&endpoints, &cutoff.rfc3339()],
        )
    }

    fn insert_consent_event(&mut self, event: &NewConsentEvent<'_>) -> StoreResult<ConsentInsert> {
        let receipt: i64 = self
            .query_opt(
                &format!(
                    "INSERT INTO consent_events
                     (idempotency_key, consent_id, seq, revision, action, categories, services,
                      timestamp, language, texts_hash, gpc, history, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, {SQL_NOW})
                     RETURNING id"
                ),
                &[
                    &event.idempotency_key,
                    &event.consent_id,
                    &event.seq,
                    &event.revision,
                    &event.action,
                    &event.categories_json,
                    &event.services_json,
                    &event.timestamp,
                    &event.language,
                    &event.texts_hash,
                    &event.gpc,
                    &event.history_json,
                ],
            )?
            .ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".to_owned()))?
            .try_get(0)?;
        let state_changed = self.derive_state_and_texts(&[receipt])?;
        Ok(ConsentInsert {
            receipt,
            current: state_changed == 1,
        })
    }

    fn import_consent_events(&mut self, events: &[ImportedConsentEvent<'_>]) -> StoreResult<()> {
        for chunk in events.chunks(IMPORT_CHUNK) {
            let column = |field: fn(&ImportedConsentEvent<'_>) -> Option<String>| {
                chunk.iter().map(field).collect::<Vec<_>>()
            };
            let seqs: Vec<i64> = chunk.iter().map(|imported| imported.event.seq).collect();
            let gpcs: Vec<Option<bool>> = chunk.iter().map(|imported| imported.event.gpc).collect();
            let ids: Vec<i64> = self.rows(
                "INSERT INTO consent_events
                 (idempotency_key, consent_id, seq, revision, action, categories, services,
                  timestamp, language, texts_hash, gpc, history, received_at)
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[],
                     $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                     $11::boolean[], $12::text[], $13::text[])
                 RETURNING id",
                &[
                    &column(|i| Some(i.event.idempotency_key.to_owned())),
                    &column(|i| Some(i.event.consent_id.to_owned())),
                    &seqs,
                    &column(|i| Some(i.event.revision.to_owned())),
                    &column(|i| Some(i.event.action.to_owned())),
                    &column(|i| Some(i.event.categories_json.clone())),
                    &column(|i| Some(i.event.services_json.clone())),
                    &column(|i| Some(i.event.timestamp.to_owned())),
                    &column(|i| Some(i.event.language.to_owned())),
                    &column(|i| i.event.texts_hash.map(str::to_owned)),
                    &gpcs,
                    &column(|i| i.event.history_json.clone()),
                    &column(|i| Some(i.received_at.rfc3339())),
                ],
                |row| row.try_get(0),
            )?;
            self.derive_state_and_texts(&ids)?;
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
                 WHERE id > $1 AND ($2::text IS NULL OR received_at >= $2)
                   AND ($3::text IS NULL OR received_at < $3)
                   AND ($4::text IS NULL OR revision = $4)
                 ORDER BY id LIMIT $5"
            ),
            &[
                &after_id,
                &filter.received_from.map(Timestamp::rfc3339),
                &filter.received_before.map(Timestamp::rfc3339),
                &filter.revision,
                &i64::from(limit),
            ],
            event_row,
        )
    }

    fn consent_texts(
        &mut self,
        revision: &str,
        language: &str,
    ) -> StoreResult<Option<ConsentTextsRow>> {
        self.query_opt(
            "SELECT revision, language, texts_hash, first_seen_at FROM consent_texts
             WHERE revision = $1 AND language = $2",
            &[&revision, &language],
        )?
        .map(|row| {
            Ok(ConsentTextsRow {
                revision: row.try_get(0)?,
                language: row.try_get(1)?,
                texts_hash: row.try_get(2)?,
                first_seen_at: row.try_get(3)?,
            })
        })
        .transpose()
    }

    fn latest_consent_revision(&mut self) -> StoreResult<Option<String>> {
        self.query_opt(
            "SELECT revision FROM consent_events ORDER BY id DESC LIMIT 1",
            &[],
        )?
        .map(|row| Ok(row.try_get(0)?))
        .transpose()
    }

    fn delete_consent_events_before(
        &mut self,
        cutoff: Timestamp,
        valid_revision: Option<&str>,
    ) -> StoreResult<ConsentPurge> {
        let cutoff = cutoff.rfc3339();
        let consents = self.execute(
            "DELETE FROM consent_state
             WHERE ($2::text IS NULL OR revision <> $2)
               AND event_id IN (SELECT id FROM consent_events WHERE received_at < $1)",
            &[&cutoff, &valid_revision],
        )?;
        let events = self.execute(
            "DELETE FROM consent_events WHERE received_at < $1
               AND NOT EXISTS (SELECT 1 FROM consent_state WHERE event_id = consent_events.id)",
            &[&cutoff],
        )?;
        Ok(ConsentPurge { consents, events })
    }

    fn consent_events_of(&mut self, consent_id: &str) -> StoreResult<Vec<ConsentEventRow>> {
        self.rows(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM consent_events WHERE consent_id = $1 ORDER BY id"
            ),
            &[&consent_id],
            event_row,
        )
    }

    fn latest_consent_events(&mut self, limit: u32) -> StoreResult<Vec<ConsentEventRow>> {
        self.rows(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM
                   (SELECT * FROM consent_events ORDER BY id DESC LIMIT $1) AS latest
                 ORDER BY id"
            ),
            &[&i64::from(limit)],
            event_row,
        )
    }

    fn consent_state_of(&mut self, consent_id: &str) -> StoreResult<Option<ConsentStateRow>> {
        let row = self.query_opt(
            "SELECT consent_id, event_id, seq, revision, action, categories, services,
                    timestamp, language, texts_hash, gpc, updated_at
             FROM consent_state WHERE consent_id = $1",
            &[&consent_id],
        )?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ConsentStateRow {
            consent_id: row.try_get(0)?,
            event_id: row.try_get(1)?,
            seq: row.try_get(2)?,
            revision: row.try_get(3)?,
            action: row.try_get(4)?,
            categories_json: row.try_get(5)?,
            services_json: row.try_get(6)?,
            timestamp: row.try_get(7)?,
            language: row.try_get(8)?,
            texts_hash: row.try_get(9)?,
            gpc: row.try_get(10)?,
            updated_at: row.try_get(11)?,
        }))
    }

    fn subscriber_by_email(&mut self, email: &str) -> StoreResult<Option<SubscriberRef>> {
        let row = self.query_opt(
            "SELECT id, status, language FROM newsletter_subscribers WHERE email = $1",
            &[&email],
        )?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SubscriberRef {
            id: row.try_get(0)?,
            confirmed: row.try_get::<_, String>(1)? == "confirmed",
            language: row.try_get(2)?,
        }))
    }

    fn insert_subscriber(&mut self, proof: &SubscriberProof<'_>) -> StoreResult<i64> {
        let row = self.query_opt(
            "INSERT INTO newsletter_subscribers
             (email, status, consented_at, consent_text, consent_text_version, revision, language)
             VALUES ($1, 'pending', $2, $3, $4, $5, $6) RETURNING id",
            &[
                &proof.email,
                &proof.consented_at.rfc3339(),
                &proof.consent_text,
                &proof.consent_text_version,
                &proof.revision,
                &proof.language,
            ],
        )?;
        row.ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".to_owned()))?
            .try_get(0)
            .map_err(StoreError::from)
    }

    fn update_subscriber_proof(&mut self, id: i64, proof: &SubscriberProof<'_>) -> StoreResult<()> {
        self.execute(
            "UPDATE newsletter_subscribers
             SET consented_at = $2, consent_text = $3, consent_text_version = $4,
                 revision = $5, language = $6
             WHERE id = $1",
            &[
                &id,
                &proof.consented_at.rfc3339(),
                &proof.consent_text,
                &proof.consent_text_version,
                &proof.revision,
                &proof.language,
            ],
        )?;
        Ok(())
    }

    fn confirm_subscriber(&mut self, id: i64, now: Timestamp) -> StoreResult<()> {
        self.execute(
            "UPDATE newsletter_subscribers SET status = 'confirmed', confirmed_at = $2
             WHERE id = $1 AND status = 'pending'",
            &[&id, &now.rfc3339()],
        )?;
        Ok(())
    }

    fn delete_subscriber(&mut self, id: i64) -> StoreResult<()> {
        self.execute("DELETE FROM newsletter_subscribers WHERE id = $1", &[&id])?;
        Ok(())
    }

    fn pending_subscribers_before(&mut self, cutoff: Timestamp) -> StoreResult<Vec<(i64, String)>> {
        self.rows(
            "SELECT id, email FROM newsletter_subscribers
             WHERE status = 'pending' AND consented_at <= $1",
            &[&cutoff.rfc3339()],
            |row| Ok((row.try_get(0)?, row.try_get(1)?)),
        )
    }

    fn subscribers(&mut self) -> StoreResult<Vec<SubscriberRow>> {
        self.rows(
            &format!("SELECT {SUBSCRIBER_COLUMNS} FROM newsletter_subscribers ORDER BY id DESC"),
            &[],
            subscriber_row,
        )
    }

    fn subscribers_page(&mut self, after_id: i64, limit: u32) -> StoreResult<Vec<SubscriberRow>> {
        self.rows(
            &format!(
                "SELECT {SUBSCRIBER_COLUMNS} FROM newsletter_subscribers WHERE id > $1
                 ORDER BY id LIMIT $2"
            ),
            &[&after_id, &i64::from(limit)],
            subscriber_row,
        )
    }

    fn insert_token(&mut self, token: &NewToken<'_>) -> StoreResult<()> {
        self.execute(
            "INSERT INTO newsletter_tokens
             (token_sha256, subscriber_id, purpose, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &token.token_sha256,
                &token.subscriber_id,
                &token.purpose.as_str(),
                &token.created_at.rfc3339(),
                &token.expires_at.map(Timestamp::rfc3339),
            ],
        )?;
        Ok(())
    }

    fn token(
        &mut self,
        token_sha256: &str,
        purpose: TokenPurpose,
    ) -> StoreResult<Option<TokenRow>> {
        let row = self.query_opt(
            "SELECT t.subscriber_id, s.email, s.language, t.expires_at, t.used_at
             FROM newsletter_tokens t JOIN newsletter_subscribers s ON s.id = t.subscriber_id
             WHERE t.token_sha256 = $1 AND t.purpose = $2",
            &[&token_sha256, &purpose.as_str()],
        )?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(TokenRow {
            subscriber_id: row.try_get(0)?,
            email: row.try_get(1)?,
            language: row.try_get(2)?,
            expires_at: row.try_get(3)?,
            used_at: row.try_get(4)?,
        }))
    }

    fn mark_token_used(&mut self, token_sha256: &str, now: Timestamp) -> StoreResult<()> {
        self.execute(
            "UPDATE newsletter_tokens SET used_at = $2 WHERE token_sha256 = $1",
            &[&token_sha256, &now.rfc3339()],
        )?;
        Ok(())
    }

    fn delete_tokens_of(&mut self, subscriber_id: i64, purpose: TokenPurpose) -> StoreResult<()> {
        self.execute(
            "DELETE FROM newsletter_tokens WHERE subscriber_id = $1 AND purpose = $2",
            &[&subscriber_id, &purpose.as_str()],
        )?;
        Ok(())
    }

    fn delete_confirm_tokens_expired_before(&mut self, cutoff: Timestamp) -> StoreResult<usize> {
        self.execute(
            "DELETE FROM newsletter_tokens WHERE purpose = 'confirm' AND expires_at <= $1",
            &[&cutoff.rfc3339()],
        )
    }

    fn insert_mail(&mut self, mail: &NewMail<'_>) -> StoreResult<i64> {
        let row = self.query_opt(
            "INSERT INTO mailbox
             (to_address, subject, body, purpose, list_unsubscribe, smtp_status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[
                &mail.to,
                &mail.subject,
                &mail.body,
                &mail.purpose,
                &mail.list_unsubscribe,
                &mail.smtp_status,
                &mail.created_at.rfc3339(),
            ],
        )?;
        row.ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".to_owned()))?
            .try_get(0)
            .map_err(StoreError::from)
    }

    fn pending_mail(&mut self, limit: u32) -> StoreResult<Vec<MailRow>> {
        self.rows(
            &format!(
                "SELECT {MAIL_COLUMNS} FROM mailbox WHERE smtp_status = 'pending'
                 ORDER BY id LIMIT $1"
            ),
            &[&i64::from(limit)],
            mail_row,
        )
    }

    fn set_mail_status(&mut self, id: i64, status: &str) -> StoreResult<()> {
        self.execute(
            "UPDATE mailbox SET smtp_status = $1 WHERE id = $2",
            &[&status, &id],
        )?;
        Ok(())
    }

    fn latest_mail(&mut self, to: Option<&str>, limit: u32) -> StoreResult<Vec<MailRow>> {
        self.rows(
            &format!(
                "SELECT {MAIL_COLUMNS} FROM mailbox WHERE $1::text IS NULL OR to_address = $1
                 ORDER BY id DESC LIMIT $2"
            ),
            &[&to, &i64::from(limit)],
            mail_row,
        )
    }

    fn delete_mail_to(&mut self, address: &str, purpose: &str) -> StoreResult<usize> {
        self.execute(
            "DELETE FROM mailbox WHERE to_address = $1 AND purpose = $2",
            &[&address, &purpose],
        )
    }

    fn delete_mail_before(&mut self, cutoff: Timestamp) -> StoreResult<usize> {
        self.execute(
            "DELETE FROM mailbox WHERE created_at <= $1",
            &[&cutoff.rfc3339()],
        )
    }

    fn next_rights_request_number(&mut self, year: i64) -> StoreResult<i64> {
        self.execute("SELECT pg_advisory_xact_lock($1)", &[&RIGHTS_NUMBER_LOCK])?;
        let row = self.query_opt(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM rights_requests WHERE year = $1",
            &[&year],
        )?;
        row.ok_or_else(|| StoreError::Corrupt("MAX(number) gave no row".to_owned()))?
            .try_get(0)
            .map_err(StoreError::from)
    }

    fn insert_rights_request(&mut self, request: &NewRightsRequest<'_>) -> StoreResult<()> {
        self.execute(
            "INSERT INTO rights_requests
             (reference, year, number, type, email, message, consent_id, language, status,
              created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'received', $9, $9)",
            &[
                &request.reference,
                &request.year,
                &request.number,
                &request.request_type,
                &request.email,
                &request.message,
                &request.consent_id,
                &request.language,
                &request.created_at.rfc3339(),
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
        let changed = self.execute(
            "UPDATE rights_requests SET status = $2, updated_at = $3 WHERE reference = $1",
            &[&reference, &status, &now.rfc3339()],
        )?;
        Ok(changed > 0)
    }

    fn rights_request(&mut self, reference: &str) -> StoreResult<Option<RightsRequestRow>> {
        self.query_opt(
            &format!("SELECT {REQUEST_COLUMNS} FROM rights_requests WHERE reference = $1"),
            &[&reference],
        )?
        .map(|row| request_row(&row).map_err(StoreError::from))
        .transpose()
    }

    fn rights_requests(&mut self, limit: u32) -> StoreResult<Vec<RightsRequestRow>> {
        self.rows(
            &format!("SELECT {REQUEST_COLUMNS} FROM rights_requests ORDER BY id DESC LIMIT $1"),
            &[&i64::from(limit)],
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
        self.execute(
            "INSERT INTO rights_request_status_changes (reference, status, changed_by, changed_at)
             VALUES ($1, $2, $3, $4)",
            &[&reference, &status, &changed_by, &changed_at.rfc3339()],
        )?;
        Ok(())
    }

    fn status_changes(&mut self, reference: &str) -> StoreResult<Vec<StatusChangeRow>> {
        self.rows(
            "SELECT status, changed_by, changed_at FROM rights_request_status_changes
             WHERE reference = $1 ORDER BY id",
            &[&reference],
            |row| {
                Ok(StatusChangeRow {
                    status: row.try_get(0)?,
                    changed_by: row.try_get(1)?,
                    changed_at: row.try_get(2)?,
                })
            },
        )
    }

    fn insert_admin_session(&mut self, session: &NewAdminSession<'_>) -> StoreResult<()> {
        self.execute(
            "INSERT INTO admin_sessions (id_sha256, user_name, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &session.id_sha256,
                &session.user,
                &session.csrf_token,
                &session.created_at.rfc3339(),
                &session.expires_at.rfc3339(),
            ],
        )?;
        Ok(())
    }

    fn admin_session(
        &mut self,
        id_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<Option<AdminSessionRow>> {
        self.query_opt(
            "SELECT user_name, csrf_token, expires_at FROM admin_sessions
             WHERE id_sha256 = $1 AND expires_at > $2",
            &[&id_sha256, &now.rfc3339()],
        )?
        .map(|row| {
            Ok(AdminSessionRow {
                user: row.try_get(0)?,
                csrf_token: row.try_get(1)?,
                expires_at: row.try_get(2)?,
            })
        })
        .transpose()
    }

    fn delete_admin_session(&mut self, id_sha256: &str) -> StoreResult<()> {
        self.execute(
            "DELETE FROM admin_sessions WHERE id_sha256 = $1",
            &[&id_sha256],
        )?;
        Ok(())
    }

    fn delete_admin_sessions_expired(&mut self, now: Timestamp) -> StoreResult<usize> {
        self.execute(
            "DELETE FROM admin_sessions WHERE expires_at <= $1",
            &[&now.rfc3339()],
        )
    }

    fn insert_sign_in_failure(&mut self, subject: &str, at: Timestamp) -> StoreResult<()> {
        self.execute(
            "INSERT INTO admin_sign_in_failures (subject, attempted_at) VALUES ($1, $2)",
            &[&subject, &at.rfc3339()],
        )?;
        Ok(())
    }

    fn sign_in_failures_since(
        &mut self,
        subject: &str,
        since: Timestamp,
    ) -> StoreResult<SignInFailures> {
        let row = self.query_opt(
            "SELECT COUNT(*), MIN(attempted_at) FROM admin_sign_in_failures
             WHERE subject = $1 AND attempted_at > $2",
            &[&subject, &since.rfc3339()],
        )?;
        let Some(row) = row else {
            return Ok(SignInFailures::default());
        };
        let count: i64 = row.try_get(0)?;
        Ok(SignInFailures {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            oldest: row.try_get(1)?,
        })
    }

    fn delete_sign_in_failures_before(&mut self, cutoff: Timestamp) -> StoreResult<usize> {
        self.execute(
            "DELETE FROM admin_sign_in_failures WHERE attempted_at <= $1",
            &[&cutoff.rfc3339()],
        )
    }

    fn daily_choice_counts(&mut self, since: Timestamp) -> StoreResult<Vec<DailyChoiceCount>> {
        self.rows(
            "SELECT substr(received_at, 1, 10) AS day, categories, COUNT(*)
             FROM consent_events WHERE received_at >= $1
             GROUP BY day, categories ORDER BY day, categories",
            &[&since.rfc3339()],
            |row| {
                Ok(DailyChoiceCount {
                    day: row.try_get(0)?,
                    categories_json: row.try_get(1)?,
                    count: row.try_get(2)?,
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
                "SELECT {REQUEST_COLUMNS} FROM rights_requests WHERE id > $1 ORDER BY id LIMIT $2"
            ),
            &[&after_id, &i64::from(limit)],
            request_row,
        )
    }

    fn table_columns(&mut self, table: &str) -> StoreResult<Vec<String>> {
        self.rows(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1
             ORDER BY ordinal_position",
            &[&table],
            |row| row.try_get(0),
        )
    }

    fn dump_all_tables(&mut self) -> StoreResult<String> {
        let tables: Vec<String> = self.rows(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
             ORDER BY table_name",
            &[],
            |row| row.try_get(0),
        )?;
        let mut dump = String::new();
        for table in tables {
            let lines: Vec<String> = self.rows(
                &format!("SELECT row_to_json(t)::text FROM \"{table}\" t"),
                &[],
                |row| row.try_get(0),
            )?;
            for line in lines {
                dump.push_str(&table);
                dump.push_str(" | ");
                dump.push_str(&line);
                dump.push('\n');
            }
        }
        Ok(dump)
    }
}
