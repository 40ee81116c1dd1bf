//! Outgoing mail. Every mail is written to the `mailbox` table in the same transaction as
//! the data it belongs to, so a rolled-back request sends nothing and an idempotent replay
//! sends nothing twice. With `SMTP_URL` set, a background task then delivers the new rows
//! through lettre; a failure is logged and the row kept. `GET /demo/mailbox` (with
//! `DEMO_MAILBOX=1`) and `GET /api/admin/mailbox` show what was sent.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rusqlite::{Connection, Row};
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::admin::{query_params, AdminAccess, QueryParams};
use crate::clock::Timestamp;
use crate::config::Config;
use crate::db::Database;
use crate::error::ApiError;
use crate::pages::{paragraph, Page};
use crate::static_files::escape_html;
use crate::AppState;

pub const DEMO_MAILBOX_PATH: &str = "/demo/mailbox";

/// Mails shown by the demo page and the admin list.
const LIST_LIMIT: u32 = 200;
/// Rows one delivery pass sends, so a backlog cannot hold the database for long.
const DELIVERY_BATCH: u32 = 50;
/// How often the delivery task looks for rows it was not woken for.
const DELIVERY_POLL: Duration = Duration::from_secs(60);

const MAIL_COLUMNS: &str =
    "id, to_address, subject, body, purpose, list_unsubscribe, smtp_status, created_at";

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
        connection: &Connection,
        mail: &OutgoingMail,
        now: Timestamp,
    ) -> rusqlite::Result<i64> {
        connection.execute(
            "INSERT INTO mailbox
             (to_address, subject, body, purpose, list_unsubscribe, smtp_status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            (
                &mail.to,
                &mail.subject,
                &mail.body,
                mail.purpose.as_str(),
                &mail.list_unsubscribe,
                self.smtp_enabled().then_some("pending"),
                now.rfc3339(),
            ),
        )?;
        Ok(connection.last_insert_rowid())
    }

    /// Sends every pending row once; returns how many were sent successfully.
    pub async fn deliver_pending(&self, database: &Database) -> Result<usize, ApiError> {
        let Some(transport) = &self.transport else {
            return Ok(0);
        };
        let pending = database
            .call(|connection| {
                let mut statement = connection.prepare(&format!(
                    "SELECT {MAIL_COLUMNS} FROM mailbox WHERE smtp_status = 'pending'
                     ORDER BY id LIMIT {DELIVERY_BATCH}"
                ))?;
                let rows = statement.query_map([], stored_mail)?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
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
                .call(move |connection| {
                    connection.execute(
                        "UPDATE mailbox SET smtp_status = ?1 WHERE id = ?2",
                        (status, id),
                    )?;
                    Ok(())
                })
                .await?;
        }
        Ok(sent)
    }

    fn message(&self, mail: &StoredMail) -> Result<Message, String> {
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
pub async fn run_delivery(state: AppState) {
    loop {
        if let Err(error) = state.mailer.deliver_pending(&state.database).await {
            eprintln!("privacy-widget server: mail delivery pass failed: {error:?}");
        }
        tokio::select! {
            _ = state.mailer.wake.notified() => {}
            _ = tokio::time::sleep(DELIVERY_POLL) => {}
        }
    }
}

/// Deletes the newsletter mail sent to `address` (when the subscriber is deleted).
pub fn delete_newsletter_mail(connection: &Connection, address: &str) -> rusqlite::Result<usize> {
    connection.execute(
        "DELETE FROM mailbox WHERE to_address = ?1 AND purpose = ?2",
        (address, MailPurpose::Newsletter.as_str()),
    )
}

/// Deletes mail written at or before `cutoff`. Returns how many rows went.
pub fn delete_mail_before(connection: &Connection, cutoff: Timestamp) -> rusqlite::Result<usize> {
    connection.execute(
        "DELETE FROM mailbox WHERE created_at <= ?1",
        [cutoff.rfc3339()],
    )
}

/// A row of the `mailbox` table.
#[derive(Debug, Clone)]
pub struct StoredMail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub purpose: String,
    pub list_unsubscribe: Option<String>,
    pub smtp_status: Option<String>,
    pub created_at: String,
}

impl StoredMail {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "purpose": self.purpose,
            "list_unsubscribe": self.list_unsubscribe,
            "smtp_status": self.smtp_status,
            "created_at": self.created_at,
        })
    }
}

fn stored_mail(row: &Row<'_>) -> rusqlite::Result<StoredMail> {
    Ok(StoredMail {
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

/// Newest first; only mail to `to` when given.
async fn latest_mail(database: &Database, to: Option<String>) -> Result<Vec<StoredMail>, ApiError> {
    database
        .call(move |connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {MAIL_COLUMNS} FROM mailbox WHERE ?1 IS NULL OR to_address = ?1
                 ORDER BY id DESC LIMIT {LIST_LIMIT}"
            ))?;
            let rows = statement.query_map([to], stored_mail)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
}

/// `GET /api/admin/mailbox[?to=address]`: the latest 200 mails, newest first.
pub async fn list_mailbox(
    _access: AdminAccess,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let query = query_params(query, &["to"], "?to=<e-mail address>")?;
    let mails = latest_mail(&state.database, query.get("to").cloned()).await?;
    Ok(Json(json!({
        "mails": mails.iter().map(StoredMail::to_json).collect::<Vec<_>>()
    })))
}

/// `GET /demo/mailbox` (only with `DEMO_MAILBOX=1`): the outgoing mail as a page, newest
/// first, with the links clickable, so the double opt-in can be tried without a mail server.
pub async fn demo_mailbox_page(State(state): State<AppState>) -> Result<Page, ApiError> {
    let mails = latest_mail(&state.database, None).await?;
    let mut body = paragraph(
        "Demo: e-poster serveren har sendt, nyeste først. / Demo: mail the server has sent, newest first.",
    );
    if mails.is_empty() {
        body.push_str(&paragraph("Ingen e-post ennå. / No mail yet."));
    }
    for mail in &mails {
        body.push_str(&format!(
            "<article class=\"mail\">\n<h2>{subject}</h2>\n<p>Til / To: {to} · {created_at}</p>\n<pre>{text}</pre>\n</article>\n",
            subject = escape_html(&mail.subject),
            to = escape_html(&mail.to),
            created_at = escape_html(&mail.created_at),
            text = linkify(&mail.body),
        ));
    }
    Ok(Page {
        status: StatusCode::OK,
        lang: "nb",
        title: "Demo-postkasse".to_owned(),
        body,
    })
}

/// Escapes `text` and turns every `http://` or `https://` URL in it into a link.
fn linkify(text: &str) -> String {
    let mut html = String::new();
    let mut rest = text;
    while let Some(start) = [rest.find("https://"), rest.find("http://")]
        .into_iter()
        .flatten()
        .min()
    {
        html.push_str(&escape_html(&rest[..start]));
        let url_length = rest[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(rest.len() - start);
        let url = &rest[start..start + url_length];
        html.push_str(&format!("<a href=\"{0}\">{0}</a>", escape_html(url)));
        rest = &rest[start + url_length..];
    }
    html.push_str(&escape_html(rest));
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linkify_escapes_and_links() {
        assert_eq!(
            linkify("Klikk: https://shop.example/a?x=1&y=2\n<b>"),
            "Klikk: <a href=\"https://shop.example/a?x=1&amp;y=2\">https://shop.example/a?x=1&amp;y=2</a>\n&lt;b&gt;"
        );
        assert_eq!(linkify("no links"), "no links");
        assert_eq!(
            linkify("http://a http://b"),
            "<a href=\"http://a\">http://a</a> <a href=\"http://b\">http://b</a>"
        );
    }
}
