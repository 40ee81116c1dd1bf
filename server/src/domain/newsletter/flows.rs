//! The newsletter's steps over the store: subscribers (address + proof of consent), their link tokens
//! (SHA-256 only), and the mail each step sends. Every function runs inside the caller's
//! transaction, so a step and its mail commit together.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::requests::{SubscribeRequest, CONFIRM_PAGE, UNSUBSCRIBE_PAGE};
use super::texts::{self, MailText, TextLanguage};
use crate::clock::Timestamp;
use crate::domain::mail::{delete_newsletter_mail, MailPurpose, Mailer, OutgoingMail};
use crate::domain::token::LinkToken;
use crate::error::ApiError;
use crate::store::{
    NewToken, StoreResult, SubscriberProof, SubscriberRef, SubscriberRow, TokenPurpose, TokenRow,
    Transaction,
};

/// What the steps that send mail need besides the database.
#[derive(Clone)]
pub struct NewsletterSettings {
    pub mailer: Arc<Mailer>,
    /// `BASE_URL`, without a trailing slash.
    pub base_url: String,
    pub token_ttl: Duration,
    pub pending_ttl: Duration,
}

impl NewsletterSettings {
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

/// Stores a new token for `subscriber_id` and returns it for the mail.
fn issue_token(
    transaction: &mut dyn Transaction,
    subscriber_id: i64,
    purpose: TokenPurpose,
    now: Timestamp,
    expires_at: Option<Timestamp>,
) -> Result<LinkToken, ApiError> {
    let token = LinkToken::generate()?;
    transaction.insert_token(&NewToken {
        token_sha256: &token.sha256(),
        subscriber_id,
        purpose,
        created_at: now,
        expires_at,
    })?;
    Ok(token)
}

fn send(
    transaction: &mut dyn Transaction,
    settings: &NewsletterSettings,
    to: &str,
    text: MailText,
    unsubscribe_url: &str,
    now: Timestamp,
) -> StoreResult<i64> {
    settings.mailer.enqueue(
        transaction,
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
    transaction: &mut dyn Transaction,
    request: &SubscribeRequest,
    settings: &NewsletterSettings,
    now: Timestamp,
) -> Result<(), ApiError> {
    let shop = settings.mailer.shop_name();
    let language = TextLanguage::for_tag(request.language);
    let existing = transaction.subscriber_by_email(&request.email)?;
    if let Some(SubscriberRef {
        id,
        confirmed: true,
        ..
    }) = existing
    {
        let unsubscribe = issue_token(transaction, id, TokenPurpose::Unsubscribe, now, None)?;
        let unsubscribe_url = settings.link(UNSUBSCRIBE_PAGE, &unsubscribe, language);
        let text = texts::already_subscribed_mail(language, shop, &unsubscribe_url);
        send(
            transaction,
            settings,
            &request.email,
            text,
            &unsubscribe_url,
            now,
        )?;
        return Ok(());
    }

    let proof = SubscriberProof {
        email: &request.email,
        consented_at: now,
        consent_text: &request.consent_text,
        consent_text_version: &request.consent_text_version,
        revision: &request.revision,
        language: request.language,
    };
    let id = match existing {
        Some(SubscriberRef { id, .. }) => {
            transaction.update_subscriber_proof(id, &proof)?;
            // Only the newest confirmation mail counts: its proof is the one stored.
            transaction.delete_tokens_of(id, TokenPurpose::Confirm)?;
            id
        }
        None => transaction.insert_subscriber(&proof)?,
    };
    let confirm = issue_token(
        transaction,
        id,
        TokenPurpose::Confirm,
        now,
        Some(now.plus(settings.token_ttl)),
    )?;
    let unsubscribe = issue_token(transaction, id, TokenPurpose::Unsubscribe, now, None)?;
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
        transaction,
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
    transaction: &mut dyn Transaction,
    email: &str,
    language: Option<&str>,
    settings: &NewsletterSettings,
    now: Timestamp,
) -> Result<(), ApiError> {
    let Some(subscriber) = transaction.subscriber_by_email(email)? else {
        return Ok(());
    };
    let unsubscribe = issue_token(
        transaction,
        subscriber.id,
        TokenPurpose::Unsubscribe,
        now,
        None,
    )?;
    let language = TextLanguage::for_tag(language.unwrap_or(&subscriber.language));
    let unsubscribe_url = settings.link(UNSUBSCRIBE_PAGE, &unsubscribe, language);
    let text =
        texts::unsubscribe_link_mail(language, settings.mailer.shop_name(), &unsubscribe_url);
    send(transaction, settings, email, text, &unsubscribe_url, now)?;
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
    transaction: &mut dyn Transaction,
    token: &LinkToken,
    now: Timestamp,
) -> Result<ConfirmToken, ApiError> {
    Ok(match usable_confirm_token(transaction, token, now)? {
        Ok((_, language)) => ConfirmToken::Usable(language),
        Err(unusable) => unusable,
    })
}

/// The subscriber id and language of a usable confirmation token, else why it is not usable.
fn usable_confirm_token(
    transaction: &mut dyn Transaction,
    token: &LinkToken,
    now: Timestamp,
) -> Result<Result<(i64, String), ConfirmToken>, ApiError> {
    let found = transaction.token(&token.sha256(), TokenPurpose::Confirm)?;
    let Some(TokenRow {
        subscriber_id,
        expires_at,
        used_at,
        language,
        ..
    }) = found
    else {
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
    transaction: &mut dyn Transaction,
    token: &LinkToken,
    now: Timestamp,
) -> Result<ConfirmToken, ApiError> {
    let (subscriber_id, language) = match usable_confirm_token(transaction, token, now)? {
        Ok(usable) => usable,
        Err(unusable) => return Ok(unusable),
    };
    transaction.mark_token_used(&token.sha256(), now)?;
    transaction.confirm_subscriber(subscriber_id, now)?;
    Ok(ConfirmToken::Usable(language))
}

/// The language of the subscriber an unsubscribe token belongs to, if it is one.
pub fn unsubscribe_token_language(
    transaction: &mut dyn Transaction,
    token: &LinkToken,
) -> Result<Option<String>, ApiError> {
    Ok(transaction
        .token(&token.sha256(), TokenPurpose::Unsubscribe)?
        .map(|found| found.language))
}

/// Deletes the subscriber an unsubscribe token belongs to, with all of its tokens and the
/// newsletter mail sent to it. Returns the subscriber's language, or `None` for an unknown
/// token.
pub fn unsubscribe(
    transaction: &mut dyn Transaction,
    token: &LinkToken,
) -> Result<Option<String>, ApiError> {
    let Some(found) = transaction.token(&token.sha256(), TokenPurpose::Unsubscribe)? else {
        return Ok(None);
    };
    delete_subscriber(transaction, found.subscriber_id, &found.email)?;
    Ok(Some(found.language))
}

fn delete_subscriber(transaction: &mut dyn Transaction, id: i64, email: &str) -> StoreResult<()> {
    // Tokens go by ON DELETE CASCADE.
    transaction.delete_subscriber(id)?;
    delete_newsletter_mail(transaction, email)?;
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
    transaction: &mut dyn Transaction,
    now: Timestamp,
    pending_ttl: Duration,
    token_ttl: Duration,
) -> Result<PurgeReport, ApiError> {
    let expired = transaction.pending_subscribers_before(now.minus(pending_ttl))?;
    for (id, email) in &expired {
        delete_subscriber(transaction, *id, email)?;
    }
    let stale_tokens = transaction.delete_confirm_tokens_expired_before(now.minus(token_ttl))?;
    Ok(PurgeReport {
        pending_subscribers: expired.len(),
        stale_tokens,
    })
}

/// A subscriber with the proof of consent, as the admin API lists it.
pub fn subscriber_json(row: &SubscriberRow) -> Value {
    json!({
        "email": row.email,
        "status": row.status,
        "consent": {
            "given_at": row.consented_at,
            "text": row.consent_text,
            "text_version": row.consent_text_version,
            "revision": row.revision,
            "language": row.language,
        },
        "confirmed_at": row.confirmed_at,
    })
}
