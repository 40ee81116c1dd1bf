//! The newsletter's SQL: subscribers (address + proof of consent), their link tokens
//! (SHA-256 only), and the mail each step sends. Every function runs inside the caller's
//! transaction or connection lock, so a step and its mail commit together.

use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::{json, Value};

use crate::clock::Timestamp;
use crate::error::ApiError;
use crate::mail::{delete_newsletter_mail, MailPurpose, Mailer, OutgoingMail};
use crate::token::LinkToken;

use super::texts::{self, MailText, TextLanguage};
use super::{SubscribeRequest, CONFIRM_PAGE, UNSUBSCRIBE_PAGE};

/// What the steps that send mail need besides the database.
pub struct MailSettings {
    pub mailer: Arc<Mailer>,
    /// `BASE_URL`, without a trailing slash.
    pub base_url: String,
    pub token_ttl: Duration,
    pub pending_ttl: Duration,
}

impl MailSettings {
    /// A link for a mail written in `language`; the page it opens speaks the same.
    fn link(&self, page: &str, token: &LinkToken, language: TextLanguage) -> String {
        format!(
            "{}{page}?token={}&lang={}",
            self.base_url,
            token.as_str(),
            language.html_lang()
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Confirmed,
}

struct Subscriber {
    id: i64,
    status: Status,
    language: String,
}

fn subscriber_by_email(
    connection: &Connection,
    email: &str,
) -> rusqlite::Result<Option<Subscriber>> {
    connection
        .query_row(
            "SELECT id, status, language FROM newsletter_subscribers WHERE email = ?1",
            [email],
            |row| {
                Ok(Subscriber {
                    id: row.get(0)?,
                    status: if row.get::<_, String>(1)? == "confirmed" {
                        Status::Confirmed
                    } else {
                        Status::Pending
                    },
                    language: row.get(2)?,
                })
            },
        )
        .optional()
}

/// Stores a new token for `subscriber_id` and returns it for the mail.
fn issue_token(
    connection: &Connection,
    subscriber_id: i64,
    purpose: &str,
    now: Timestamp,
    expires_at: Option<Timestamp>,
) -> Result<LinkToken, ApiError> {
    let token = LinkToken::generate()?;
    connection.execute(
        "INSERT INTO newsletter_tokens (token_sha256, subscriber_id, purpose, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        (
            token.sha256(),
            subscriber_id,
            purpose,
            now.rfc3339(),
            expires_at.map(Timestamp::rfc3339),
        ),
    )?;
    Ok(token)
}

fn send(
    connection: &Connection,
    settings: &MailSettings,
    to: &str,
    text: MailText,
    unsubscribe_url: &str,
    now: Timestamp,
) -> rusqlite::Result<i64> {
    settings.mailer.enqueue(
        connection,
        &OutgoingMail {
            to: to.to_owned(),
            subject: text.subject,
            body: text.body,
            purpose: MailPurpose::Newsletter,
            list_unsubscribe: Some(unsubscribe_url.to_owned()),
        },
        now,
    )
}

/// A signup: a new or pending address gets (again) a confirmation mail and its proof of
/// consent is (re)recorded; a confirmed address gets an "already subscribed" mail and
/// keeps the proof it confirmed.
pub fn subscribe(
    connection: &Connection,
    request: &SubscribeRequest,
    settings: &MailSettings,
    now: Timestamp,
) -> Result<(), ApiError> {
    let shop = settings.mailer.shop_name();
    let language = TextLanguage::for_tag(request.language);
    let existing = subscriber_by_email(connection, &request.email)?;
    if let Some(Subscriber {
        id,
        status: Status::Confirmed,
        ..
    }) = existing
    {
        let unsubscribe = issue_token(connection, id, "unsubscribe", now, None)?;
        let unsubscribe_url = settings.link(UNSUBSCRIBE_PAGE, &unsubscribe, language);
        let text = texts::already_subscribed_mail(language, shop, &unsubscribe_url);
        send(
            connection,
            settings,
            &request.email,
            text,
            &unsubscribe_url,
            now,
        )?;
        return Ok(());
    }

    let id = match existing {
        Some(Subscriber { id, .. }) => {
            connection.execute(
                "UPDATE newsletter_subscribers
                 SET consented_at = ?2, consent_text = ?3, consent_text_version = ?4,
                     revision = ?5, language = ?6
                 WHERE id = ?1",
                (
                    id,
                    now.rfc3339(),
                    &request.consent_text,
                    &request.consent_text_version,
                    &request.revision,
                    request.language,
                ),
            )?;
            // Only the newest confirmation mail counts: its proof is the one stored.
            connection.execute(
                "DELETE FROM newsletter_tokens WHERE subscriber_id = ?1 AND purpose = 'confirm'",
                [id],
            )?;
            id
        }
        None => {
            connection.execute(
                "INSERT INTO newsletter_subscribers
                 (email, status, consented_at, consent_text, consent_text_version, revision, language)
                 VALUES (?1, 'pending', ?2, ?3, ?4, ?5, ?6)",
                (
                    &request.email,
                    now.rfc3339(),
                    &request.consent_text,
                    &request.consent_text_version,
                    &request.revision,
                    request.language,
                ),
            )?;
            connection.last_insert_rowid()
        }
    };
    let confirm = issue_token(
        connection,
        id,
        "confirm",
        now,
        Some(now.plus(settings.token_ttl)),
    )?;
    let unsubscribe = issue_token(connection, id, "unsubscribe", now, None)?;
    let unsubscribe_url = settings.link(UNSUBSCRIBE_PAGE, &unsubscribe, language);
    let text = texts::confirmation_mail(
        language,
        shop,
        &settings.link(CONFIRM_PAGE, &confirm, language),
        &unsubscribe_url,
        settings.token_ttl.as_secs() / 3600,
        settings.pending_ttl.as_secs() / 3600,
    );
    send(
        connection,
        settings,
        &request.email,
        text,
        &unsubscribe_url,
        now,
    )?;
    Ok(())
}

/// `POST /api/newsletter/unsubscribe`: mails a link to a listed address (pending or
/// confirmed); an unknown address gets nothing. `language` overrides the stored one.
pub fn mail_unsubscribe_link(
    connection: &Connection,
    email: &str,
    language: Option<&str>,
    settings: &MailSettings,
    now: Timestamp,
) -> Result<(), ApiError> {
    let Some(subscriber) = subscriber_by_email(connection, email)? else {
        return Ok(());
    };
    let unsubscribe = issue_token(connection, subscriber.id, "unsubscribe", now, None)?;
    let language = TextLanguage::for_tag(language.unwrap_or(&subscriber.language));
    let unsubscribe_url = settings.link(UNSUBSCRIBE_PAGE, &unsubscribe, language);
    let text =
        texts::unsubscribe_link_mail(language, settings.mailer.shop_name(), &unsubscribe_url);
    send(connection, settings, email, text, &unsubscribe_url, now)?;
    Ok(())
}

/// What a confirmation token can do.
#[derive(Debug, PartialEq, Eq)]
pub enum ConfirmToken {
    /// It confirms the subscriber with this language (used: it has just confirmed them).
    Usable(String),
    AlreadyUsed(String),
    Expired(String),
    Unknown,
}

/// Looks at a confirmation token without using it (the page its link opens).
pub fn check_confirm_token(
    connection: &Connection,
    token: &LinkToken,
    now: Timestamp,
) -> Result<ConfirmToken, ApiError> {
    Ok(match usable_confirm_token(connection, token, now)? {
        Ok((_, language)) => ConfirmToken::Usable(language),
        Err(unusable) => unusable,
    })
}

/// The subscriber id and language of a usable confirmation token, else why it is not usable.
fn usable_confirm_token(
    connection: &Connection,
    token: &LinkToken,
    now: Timestamp,
) -> Result<Result<(i64, String), ConfirmToken>, ApiError> {
    let found = connection
        .query_row(
            "SELECT t.subscriber_id, t.expires_at, t.used_at, s.language
             FROM newsletter_tokens t JOIN newsletter_subscribers s ON s.id = t.subscriber_id
             WHERE t.token_sha256 = ?1 AND t.purpose = 'confirm'",
            [token.sha256()],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, Option<String>>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, String>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((subscriber_id, expires_at, used_at, language)) = found else {
        return Ok(Err(ConfirmToken::Unknown));
    };
    if used_at.is_some() {
        return Ok(Err(ConfirmToken::AlreadyUsed(language)));
    }
    let expired = expires_at
        .as_deref()
        .and_then(Timestamp::parse_rfc3339)
        .is_none_or(|expires_at| expires_at <= now);
    if expired {
        return Ok(Err(ConfirmToken::Expired(language)));
    }
    Ok(Ok((subscriber_id, language)))
}

/// Uses a confirmation token: single use, only before it expires. Returns what the token
/// could do: `Usable` means it has confirmed its subscriber now.
pub fn confirm(
    connection: &Connection,
    token: &LinkToken,
    now: Timestamp,
) -> Result<ConfirmToken, ApiError> {
    let (subscriber_id, language) = match usable_confirm_token(connection, token, now)? {
        Ok(usable) => usable,
        Err(unusable) => return Ok(unusable),
    };
    connection.execute(
        "UPDATE newsletter_tokens SET used_at = ?2 WHERE token_sha256 = ?1",
        (token.sha256(), now.rfc3339()),
    )?;
    connection.execute(
        "UPDATE newsletter_subscribers SET status = 'confirmed', confirmed_at = ?2
         WHERE id = ?1 AND status = 'pending'",
        (subscriber_id, now.rfc3339()),
    )?;
    Ok(ConfirmToken::Usable(language))
}

/// The language of the subscriber an unsubscribe token belongs to, if it is one.
pub fn unsubscribe_token_language(
    connection: &Connection,
    token: &LinkToken,
) -> Result<Option<String>, ApiError> {
    Ok(connection
        .query_row(
            "SELECT s.language
             FROM newsletter_tokens t JOIN newsletter_subscribers s ON s.id = t.subscriber_id
             WHERE t.token_sha256 = ?1 AND t.purpose = 'unsubscribe'",
            [token.sha256()],
            |row| row.get(0),
        )
        .optional()?)
}

/// Deletes the subscriber an unsubscribe token belongs to, with all of its tokens and the
/// newsletter mail sent to it. Returns the subscriber's language, or `None` for an unknown
/// token.
pub fn unsubscribe(connection: &Connection, token: &LinkToken) -> Result<Option<String>, ApiError> {
    let found = connection
        .query_row(
            "SELECT s.id, s.email, s.language
             FROM newsletter_tokens t JOIN newsletter_subscribers s ON s.id = t.subscriber_id
             WHERE t.token_sha256 = ?1 AND t.purpose = 'unsubscribe'",
            [token.sha256()],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?;
    let Some((id, email, language)) = found else {
        return Ok(None);
    };
    delete_subscriber(connection, id, &email)?;
    Ok(Some(language))
}

fn delete_subscriber(connection: &Connection, id: i64, email: &str) -> rusqlite::Result<()> {
    // Tokens go by ON DELETE CASCADE.
    connection.execute("DELETE FROM newsletter_subscribers WHERE id = ?1", [id])?;
    delete_newsletter_mail(connection, email)?;
    Ok(())
}

/// What one purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Addresses never confirmed within `NEWSLETTER_PENDING_TTL_HOURS`.
    pub pending_subscribers: usize,
    /// Confirmation tokens of confirmed subscribers, expired for a whole token lifetime.
    pub stale_tokens: usize,
}

/// Deletes unconfirmed addresses whose last signup is older than `pending_ttl` (with their
/// tokens and mail), and confirmation tokens that expired more than `token_ttl` ago.
pub fn purge(
    connection: &Connection,
    now: Timestamp,
    pending_ttl: Duration,
    token_ttl: Duration,
) -> Result<PurgeReport, ApiError> {
    let cutoff = now.minus(pending_ttl).rfc3339();
    let expired: Vec<(i64, String)> = {
        let mut statement = connection.prepare(
            "SELECT id, email FROM newsletter_subscribers
             WHERE status = 'pending' AND consented_at <= ?1",
        )?;
        let rows = statement.query_map([&cutoff], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, email) in &expired {
        delete_subscriber(connection, *id, email)?;
    }
    let stale_tokens = connection.execute(
        "DELETE FROM newsletter_tokens WHERE purpose = 'confirm' AND expires_at <= ?1",
        [now.minus(token_ttl).rfc3339()],
    )?;
    Ok(PurgeReport {
        pending_subscribers: expired.len(),
        stale_tokens,
    })
}

/// Every subscriber with the proof of consent, newest signup first.
pub fn list(connection: &Connection) -> Result<Vec<Value>, ApiError> {
    let mut statement = connection.prepare(
        "SELECT email, status, consented_at, consent_text, consent_text_version, revision,
                language, confirmed_at
         FROM newsletter_subscribers ORDER BY id DESC",
    )?;
    let rows = statement.query_map([], subscriber_json)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn subscriber_json(row: &Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "email": row.get::<_, String>(0)?,
        "status": row.get::<_, String>(1)?,
        "consent": {
            "given_at": row.get::<_, String>(2)?,
            "text": row.get::<_, String>(3)?,
            "text_version": row.get::<_, String>(4)?,
            "revision": row.get::<_, String>(5)?,
            "language": row.get::<_, String>(6)?,
        },
        "confirmed_at": row.get::<_, Option<String>>(7)?,
    }))
}
