//! The rows that go into and come out of a store: plain data, the same for every database.
//! JSON columns (categories, services, history) travel as the JSON text they were stored as.

use crate::clock::Timestamp;

/// A stored answer of an idempotent POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub endpoint: String,
    pub key: String,
    /// SHA-256 (hex) of the canonical request body.
    pub body_sha256: String,
    pub status: u16,
    pub response_body: String,
    pub created_at: Timestamp,
}

/// A consent event to append.
#[derive(Debug, Clone)]
pub struct NewConsentEvent<'a> {
    pub idempotency_key: &'a str,
    pub consent_id: &'a str,
    pub seq: i64,
    pub revision: &'a str,
    pub action: &'a str,
    pub categories_json: String,
    pub services_json: String,
    pub timestamp: &'a str,
    pub language: &'a str,
    pub texts_hash: Option<&'a str>,
    pub gpc: Option<bool>,
    pub history_json: Option<String>,
}

/// A consent event with the time it was received, for a bulk import: moving a consent log
/// from another system or store, or seeding a large log in a test.
#[derive(Debug, Clone)]
pub struct ImportedConsentEvent<'a> {
    pub event: NewConsentEvent<'a>,
    pub received_at: Timestamp,
}

/// Which consent events an export reads: received in `[received_from, received_before)`
/// (RFC 3339 text, compared as stored) and of one revision, each bound optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentEventFilter {
    pub received_from: Option<Timestamp>,
    pub received_before: Option<Timestamp>,
    pub revision: Option<String>,
}

/// The texts hash first received for a revision in one language: what later events of that
/// revision and language are compared with, since the server never sees the texts themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentTextsRow {
    pub revision: String,
    pub language: String,
    pub texts_hash: String,
    pub first_seen_at: String,
}

/// What one retention pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsentPurge {
    /// Consent ids whose latest decision was dropped with its events (no longer valid).
    pub consents: usize,
    pub events: usize,
}

/// What appending a consent event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentInsert {
    /// The event's row id: the visitor's receipt number.
    pub receipt: i64,
    /// Whether it became the consent id's current state.
    pub current: bool,
}

/// A row of the consent log.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentEventRow {
    pub id: i64,
    pub idempotency_key: String,
    pub consent_id: String,
    pub seq: i64,
    pub revision: String,
    pub action: String,
    pub categories_json: String,
    pub services_json: String,
    pub timestamp: String,
    pub language: String,
    pub texts_hash: Option<String>,
    pub gpc: Option<bool>,
    pub history_json: Option<String>,
    pub received_at: String,
}

/// The current decision of one consent id.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentStateRow {
    pub consent_id: String,
    pub event_id: i64,
    pub seq: i64,
    pub revision: String,
    pub action: String,
    pub categories_json: String,
    pub services_json: String,
    pub timestamp: String,
    pub language: String,
    pub texts_hash: Option<String>,
    pub gpc: Option<bool>,
    pub updated_at: String,
}

/// A subscriber as the signup flow needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberRef {
    pub id: i64,
    pub confirmed: bool,
    pub language: String,
}

/// The proof of consent a signup records.
#[derive(Debug, Clone)]
pub struct SubscriberProof<'a> {
    pub email: &'a str,
    pub consented_at: Timestamp,
    pub consent_text: &'a str,
    pub consent_text_version: &'a str,
    pub revision: &'a str,
    pub language: &'a str,
}

/// A subscriber with the proof of consent, as listed and exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberRow {
    /// Row id: the export's cursor, not shown.
    pub id: i64,
    pub email: String,
    pub status: String,
    pub consented_at: String,
    pub consent_text: String,
    pub consent_text_version: String,
    pub revision: String,
    pub language: String,
    pub confirmed_at: Option<String>,
}

/// What a newsletter link token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    Confirm,
    Unsubscribe,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Confirm => "confirm",
            TokenPurpose::Unsubscribe => "unsubscribe",
        }
    }
}

/// A link token to store (its SHA-256 only).
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub token_sha256: &'a str,
    pub subscriber_id: i64,
    pub purpose: TokenPurpose,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

/// A stored token with the subscriber it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub subscriber_id: i64,
    pub email: String,
    pub language: String,
    pub expires_at: Option<String>,
    pub used_at: Option<String>,
}

/// A mail to write to the outgoing-mail table.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub purpose: &'a str,
    pub list_unsubscribe: Option<&'a str>,
    /// `pending` when SMTP will send it, none when it only stays in the table.
    pub smtp_status: Option<&'a str>,
    pub created_at: Timestamp,
}

/// A row of the outgoing-mail table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRow {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub purpose: String,
    pub list_unsubscribe: Option<String>,
    pub smtp_status: Option<String>,
    pub created_at: String,
}

/// A rights request to store, numbered.
#[derive(Debug, Clone)]
pub struct NewRightsRequest<'a> {
    pub reference: &'a str,
    pub year: i64,
    pub number: i64,
    pub request_type: &'a str,
    pub email: &'a str,
    pub message: &'a str,
    pub consent_id: Option<&'a str>,
    pub language: &'a str,
    pub created_at: Timestamp,
}

/// A stored rights request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightsRequestRow {
    /// Row id: the export's cursor, not shown.
    pub id: i64,
    pub reference: String,
    pub request_type: String,
    pub email: String,
    pub message: String,
    pub consent_id: Option<String>,
    pub language: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

/// An operator's signed-in session to store. Only the SHA-256 of the session id is kept, so
/// a copy of the database does not hand out live sessions.
#[derive(Debug, Clone)]
pub struct NewAdminSession<'a> {
    pub id_sha256: &'a str,
    pub user: &'a str,
    /// The session's anti-forgery token, sent back with every form.
    pub csrf_token: &'a str,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A stored, unexpired operator session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSessionRow {
    pub user: String,
    pub csrf_token: String,
    pub expires_at: String,
}

/// Failed sign-ins counted against one subject (a client address or an account) since a cutoff.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignInFailures {
    pub count: u32,
    /// When the oldest of them happened: the window frees a slot when it ages out.
    pub oldest: Option<String>,
}

/// One change of a rights request's status: what, by whom, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChangeRow {
    pub status: String,
    pub changed_by: String,
    pub changed_at: String,
}

/// How many consent events of one day (UTC, `YYYY-MM-DD` of `received_at`) carried one
/// choice of categories (the stored JSON text, as one distinct value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyChoiceCount {
    pub day: String,
    pub categories_json: String,
    pub count: i64,
}
