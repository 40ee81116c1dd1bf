//! The outgoing mail as the operator and the demo see it: `GET /api/admin/mailbox` and, with
//! `DEMO_MAILBOX=1`, the page `GET /demo/mailbox`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::admin::{query_params, AdminAccess, QueryParams};
use super::pages::{paragraph, Page};
use super::state::AppState;
use super::static_files::escape_html;
use crate::domain::mail::{latest_mail, mail_json};
use crate::error::ApiError;

pub const DEMO_MAILBOX_PATH: &str = "/demo/mailbox";

/// `GET /api/admin/mailbox[?to=address]`: the latest 200 mails, newest first.
pub async fn list_mailbox(
    _access: AdminAccess,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let query = query_params(query, &["to"], "?to=<e-mail address>")?;
    let mails = latest_mail(&state.database, query.get("to").cloned()).await?;
    Ok(Json(json!({
        "mails": mails.iter().map(mail_json).collect::<Vec<_>>()
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
