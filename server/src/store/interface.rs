//! The storage interface itself: the [`Transaction`] trait every store implements, where the
//! data lives, and the errors. Below both implementations, so neither imports the other.

use std::fmt;
use std::path::PathBuf;

use super::records::*;
use crate::clock::Timestamp;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// `DATABASE_PATH` or `DATA_DIR/privacy-widget.sqlite3`.
    File(PathBuf),
    /// `DATABASE_PATH=:memory:`: gone when the process ends (tests).
    InMemory,
    /// `DATABASE_URL=postgres://…`.
    Postgres(DatabaseUrl),
}

/// A `postgres://` connection string. Never printed: it usually holds a password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// `None` unless `url` names PostgreSQL (`postgres://` or `postgresql://`).
    pub fn parse(url: &str) -> Option<Self> {
        (url.starts_with("postgres://") || url.starts_with("postgresql://"))
            .then(|| DatabaseUrl(url.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseUrl(..)")
    }
}

/// A failure of the database itself (not of the request): the caller answers 500.
#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    Postgres(tokio_postgres::Error),
    /// No connection could be taken from the PostgreSQL pool.
    Pool(String),
    /// A stored value that cannot be read back (e.g. a status code out of range).
    Corrupt(String),
    /// The blocking task running the work panicked or was cancelled.
    Task(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sqlite(error) => write!(f, "SQLite: {error}"),
            StoreError::Postgres(error) => write!(f, "PostgreSQL: {error:?}"),
            StoreError::Pool(error) => write!(f, "PostgreSQL pool: {error}"),
            StoreError::Corrupt(what) => write!(f, "stored data cannot be read: {what}"),
            StoreError::Task(error) => write!(f, "database task failed: {error}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Sqlite(error)
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        StoreError::Postgres(error)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database could not be opened or migrated at start-up.
#[derive(Debug)]
pub struct DatabaseOpenError {
    pub message: String,
}

impl fmt::Display for DatabaseOpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DatabaseOpenError {}

/// Everything the server stores, as operations inside one open transaction. Work given to
/// [`Database::call`] runs against it and commits together, or not at all.
pub trait Transaction {
    // --- idempotency -----------------------------------------------------------------
    /// The stored answer to (`endpoint`, `key`). Also makes every other transaction asking
    /// for the same pair wait until this one ends, so two instances racing with one key
    /// cannot both store.
    fn idempotency_record(
        &mut self,
        endpoint: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotencyRecord>>;
    fn insert_idempotency_record(&mut self, record: &IdempotencyRecord) -> StoreResult<()>;
    /// Deletes the records of `endpoints` created at or before `cutoff`.
    fn delete_idempotency_records(
        &mut self,
        endpoints: &[&str],
        cutoff: Timestamp,
    ) -> StoreResult<usize>;

    // --- consent ---------------------------------------------------------------------
    /// Appends the event (received "now" by the database clock) and makes it the consent
    /// id's current state if its `seq` is higher than the stored one.
    fn insert_consent_event(&mut self, event: &NewConsentEvent<'_>) -> StoreResult<ConsentInsert>;
    /// Every event of one consent id, oldest first.
    fn consent_events_of(&mut self, consent_id: &str) -> StoreResult<Vec<ConsentEventRow>>;
    /// The latest `limit` events of all, oldest first.
    fn latest_consent_events(&mut self, limit: u32) -> StoreResult<Vec<ConsentEventRow>>;
    fn consent_state_of(&mut self, consent_id: &str) -> StoreResult<Option<ConsentStateRow>>;
    /// Appends many events at once with their own received times, updating each consent
    /// id's current state and the texts hashes as [`Transaction::insert_consent_event`] does.
    fn import_consent_events(&mut self, events: &[ImportedConsentEvent<'_>]) -> StoreResult<()>;
    /// Up to `limit` events matching `filter` with a row id above `after_id`, by id: one page
    /// of an export, read by keyset so that no page costs more than the first.
    fn consent_events_page(
        &mut self,
        filter: &ConsentEventFilter,
        after_id: i64,
        limit: u32,
    ) -> StoreResult<Vec<ConsentEventRow>>;
    /// The hash first received for (`revision`, `language`), if any event carried one.
    fn consent_texts(
        &mut self,
        revision: &str,
        language: &str,
    ) -> StoreResult<Option<ConsentTextsRow>>;
    /// The revision of the event received last: the one the shop's widget sends today.
    fn latest_consent_revision(&mut self) -> StoreResult<Option<String>>;
    /// Deletes the events received before `cutoff`, except each consent id's current event
    /// while its revision is `valid_revision` (that consent still holds and needs its proof).
    /// A consent id whose current event goes loses its current state with it.
    fn delete_consent_events_before(
        &mut self,
        cutoff: Timestamp,
        valid_revision: Option<&str>,
    ) -> StoreResult<ConsentPurge>;

    // --- newsletter ------------------------------------------------------------------
    fn subscriber_by_email(&mut self, email: &str) -> StoreResult<Option<SubscriberRef>>;
    /// A new pending subscriber; returns its id.
    fn insert_subscriber(&mut self, proof: &SubscriberProof<'_>) -> StoreResult<i64>;
    /// Replaces the proof of consent of a pending subscriber (a repeated signup).
    fn update_subscriber_proof(&mut self, id: i64, proof: &SubscriberProof<'_>) -> StoreResult<()>;
    fn confirm_subscriber(&mut self, id: i64, now: Timestamp) -> StoreResult<()>;
    /// Deletes the subscriber and (by cascade) its tokens.
    fn delete_subscriber(&mut self, id: i64) -> StoreResult<()>;
    /// Pending subscribers whose last signup was at or before `cutoff`: (id, email).
    fn pending_subscribers_before(&mut self, cutoff: Timestamp) -> StoreResult<Vec<(i64, String)>>;
    /// Every subscriber with the proof of consent, newest signup first.
    fn subscribers(&mut self) -> StoreResult<Vec<SubscriberRow>>;
    /// Up to `limit` subscribers with a row id above `after_id`, by id (an export page).
    fn subscribers_page(&mut self, after_id: i64, limit: u32) -> StoreResult<Vec<SubscriberRow>>;
    fn insert_token(&mut self, token: &NewToken<'_>) -> StoreResult<()>;
    fn token(&mut self, token_sha256: &str, purpose: TokenPurpose)
        -> StoreResult<Option<TokenRow>>;
    fn mark_token_used(&mut self, token_sha256: &str, now: Timestamp) -> StoreResult<()>;
    fn delete_tokens_of(&mut self, subscriber_id: i64, purpose: TokenPurpose) -> StoreResult<()>;
    /// Deletes confirmation tokens that expired at or before `cutoff`.
    fn delete_confirm_tokens_expired_before(&mut self, cutoff: Timestamp) -> StoreResult<usize>;

    // --- outgoing mail ---------------------------------------------------------------
    /// Returns the row id.
    fn insert_mail(&mut self, mail: &NewMail<'_>) -> StoreResult<i64>;
    /// Mail waiting for SMTP, oldest first.
    fn pending_mail(&mut self, limit: u32) -> StoreResult<Vec<MailRow>>;
    fn set_mail_status(&mut self, id: i64, status: &str) -> StoreResult<()>;
    /// Newest first; only mail to `to` when given.
    fn latest_mail(&mut self, to: Option<&str>, limit: u32) -> StoreResult<Vec<MailRow>>;
    fn delete_mail_to(&mut self, address: &str, purpose: &str) -> StoreResult<usize>;
    fn delete_mail_before(&mut self, cutoff: Timestamp) -> StoreResult<usize>;

    // --- rights requests -------------------------------------------------------------
    /// The next free number of `year`. Holds other transactions numbering requests until
    /// this one ends, so two instances never hand out the same reference.
    fn next_rights_request_number(&mut self, year: i64) -> StoreResult<i64>;
    fn insert_rights_request(&mut self, request: &NewRightsRequest<'_>) -> StoreResult<()>;
    /// Returns false when no request has that reference.
    fn set_rights_request_status(
        &mut self,
        reference: &str,
        status: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    fn rights_request(&mut self, reference: &str) -> StoreResult<Option<RightsRequestRow>>;
    /// The latest `limit`, newest first.
    fn rights_requests(&mut self, limit: u32) -> StoreResult<Vec<RightsRequestRow>>;
    /// Up to `limit` requests with a row id above `after_id`, by id (an export page).
    fn rights_requests_page(
        &mut self,
        after_id: i64,
        limit: u32,
    ) -> StoreResult<Vec<RightsRequestRow>>;
    fn insert_status_change(
        &mut self,
        reference: &str,
        status: &str,
        changed_by: &str,
        changed_at: Timestamp,
    ) -> StoreResult<()>;
    /// The status changes of one request, oldest first.
    fn status_changes(&mut self, reference: &str) -> StoreResult<Vec<StatusChangeRow>>;

    // --- operator pages --------------------------------------------------------------
    fn insert_admin_session(&mut self, session: &NewAdminSession<'_>) -> StoreResult<()>;
    /// The session whose id hashes to `id_sha256`, unless it expired at or before `now`.
    fn admin_session(
        &mut self,
        id_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<Option<AdminSessionRow>>;
    fn delete_admin_session(&mut self, id_sha256: &str) -> StoreResult<()>;
    fn delete_admin_sessions_expired(&mut self, now: Timestamp) -> StoreResult<usize>;
    fn insert_sign_in_failure(&mut self, subject: &str, at: Timestamp) -> StoreResult<()>;
    /// Failed sign-ins of `subject` after `since`.
    fn sign_in_failures_since(
        &mut self,
        subject: &str,
        since: Timestamp,
    ) -> StoreResult<SignInFailures>;
    fn delete_sign_in_failures_before(&mut self, cutoff: Timestamp) -> StoreResult<usize>;
    /// Consent events received at or after `since`, counted per day and choice of categories.
    fn daily_choice_counts(&mut self, since: Timestamp) -> StoreResult<Vec<DailyChoiceCount>>;

    // --- audit -----------------------------------------------------------------------
    /// The column names of `table`, in order: what is stored about a person, checkable.
    fn table_columns(&mut self, table: &str) -> StoreResult<Vec<String>>;
    /// Every row of every table as text, one line each: "is this address stored anywhere?".
    fn dump_all_tables(&mut self) -> StoreResult<String>;
}
