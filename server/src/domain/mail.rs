//! Outgoing mail. Every mail is written to the `mailbox` table in the same transaction as
//! the data it belongs to, so a rolled-back request sends nothing and an idempotent replay
//! sends nothing twice. With `SMTP_URL` set, a background task then delivers the new rows
//! through lettre; a failure is logged and the row kept. `GET /demo/mailbox` (with
//! `DEMO_MAILBOX=1`) and `GET /api/admin/mailbox` show what was sent.

use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::clock::Timestamp;
use crate::config::Config;
use crate::error::ApiError;
use crate::store::{Database, MailRow, NewMail, StoreResult, Transaction};

/// Mails shown by the demo page and the admin list.
const LIST_LIMIT: u32 = 200;
/// Rows one delivery pass sends, so a backlog cannot hold the database for long.
const DELIVERY_BATCH: u32 = 50;
/// How often the delivery task looks for rows it was not woken for.
const DELIVERY_POLL: Duration = Duration::from_secs(60);

/// What a mail belongs to; newsletter mail is deleted with the subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailPurpose {
    Newsletter,
    RightsRequest,
}

impl MailPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            MailPurpose::Newsletter => "newsletter",
            MailPurpose::RightsRequest => "rights_request",
        }
    }
}

/// A plain-text mail from the shop.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub purpose: MailPurpose,
    /// The one-click unsubscribe URL for the `List-Unsubscribe` header (RFC 8058).
    pub list_unsubscribe: Option<String>,
}

/// The SMTP side: a transport when `SMTP_URL` is set, and the wake-up for its task.
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    wake: Notify,
}

impl Mailer {
    pub fn new(config: &Config) -> Self {
        if let Some(url) = &config.smtp_url {
            let url = url.expose();
            if url.starts_with("smtp://") && url.contains('@') && !url.contains("tls=") {
                eprintln!("privacy-widget server: SMTP_URL logs in without TLS; add ?tls=required (STARTTLS) or use smtps:// unless the relay is local");
            }
        }
        let transport = config.smtp_url.as_ref().and_then(|url| {
            match AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose()) {
                Ok(builder) => Some(builder.build()),
                // Checked by `Config` already; only reachable with a hand-built config.
                Err(error) => {
                    eprintln!("privacy-widget server: SMTP_URL cannot be used ({error}); mail stays in the mailbox table");
                    None
                }
            }
        });
        Mailer {
            transport,
            from: config.mail_from.clone(),
            wake: Notify::new(),
        }
    }

    pub fn smtp_enabled(&self) -> bool {
        self.transport.is_some()
    }

    /// The name mails are signed with: the display name of `MAIL_FROM`.
    pub fn shop_name(&self) -> &str {
        self.from.name.as_deref().unwrap_or("Serviteur AS")
    }

    /// Tells the delivery task that rows were committed.
    pub fn wake(&self) {
        if self.smtp_enabled() {
            self.wake.notify_one();
        }
    }

    /// Writes `mail` inside the caller's transaction. Returns the row id.
    pub fn enqueue(
        &self,
        transaction: &mut dyn Transaction,
        mail: &OutgoingMail,
        now: Timestamp,
    ) -> StoreResult<i64> {
        transaction.insert_mail(&NewMail {
            to: &mail.to,
            subject: &mail.subject,
            body: &mail.body,
            purpose: mail.purpose.as_str(),
            list_unsubscribe: mail.list_unsubscribe.as_deref(),
            smtp_status: self.smtp_enabled().then_some("pending"),
            created_at: now,
        })
    }

    /// Sends every pending row once; returns how many were sent successfully.
    pub async fn deliver_pending(&self, database: &Database) -> Result<usize, ApiError> {
        let Some(transport) = &self.transport else {
            return Ok(0);
        };
        let pending = database
            .call(|transaction| Ok::<_, ApiError>(transaction.pending_mail(DELIVERY_BATCH)?))
            .await?;
        let mut sent = 0;
        for mail in pending {
            let outcome = match self.message(&mail) {
                Ok(message) => transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|error| error.to_string()),
                Err(error) => Err(error),
            };
            let status = match outcome {
                Ok(()) => {
                    sent += 1;
                    "sent"
                }
                Err(error) => {
                    // The mail id, not the address: logs must not collect personal data.
                    eprintln!(
                        "privacy-widget server: SMTP delivery of mailbox row {} failed: {error}",
                        mail.id
                    );
                    "failed"
                }
            };
            let id = mail.id;
            database
                .call(move |transaction| {
                    Ok::<_, ApiError>(transaction.set_mail_status(id, status)?)
                })
                .await?;
        }
        Ok(sent)
    }

    fn message(&self, mail: &MailRow) -> Result<Message, String> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|error| format!("recipient cannot be used: {error}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN);
        if let Some(url) = &mail.list_unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        builder
            .body(mail.body.clone())
            .map_err(|error| format!("cannot build the message: {error}"))
    }
}

/// Delivers committed mail through SMTP until the task is aborted. Only spawned when
/// `SMTP_URL` is set.
pub async fn run_delivery(mailer: Arc<Mailer>, database: Database) {
    loop {
        if let Err(error) = mailer.deliver_pending(&database).await {
            eprintln!("privacy-widget server: mail delivery pass failed: {error:?}");
        }
        tokio::select! {
            _ = mailer.wake.notified() => {}
            _ = tokio::time::sleep(DELIVERY_POLL) => {}
        }
    }
}

/// Deletes the newsletter mail sent to `address` (when the subscriber is deleted).
pub fn delete_newsletter_mail(
    transaction: &mut dyn Transaction,
    address: &str,
) -> StoreResult<usize> {
    transaction.delete_mail_to(address, MailPurpose::Newsletter.as_str())
}

/// A row of the `mailbox` table as the admin API lists it.
pub fn mail_json(mail: &MailRow) -> Value {
    json!({
        "id": mail.id,
        "to": mail.to,
        "subject": mail.subject,
        "body": mail.body,
        "purpose": mail.purpose,
        "list_unsubscribe": mail.list_unsubscribe,
        "smtp_status": mail.smtp_status,
        "created_at": mail.created_at,
    })
}

/// The latest mails, newest first; only mail to `to` when given.
pub async fn latest_mail(
    database: &Database,
    to: Option<String>,
) -> Result<Vec<MailRow>, ApiError> {
    database
        .call(move |transaction| Ok(transaction.latest_mail(to.as_deref(), LIST_LIMIT)?))
        .await
}
