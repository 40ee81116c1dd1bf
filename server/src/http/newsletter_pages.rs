//! The pages the links in newsletter mails open: confirming a signup, and unsubscribing.
//! Each link opens a page with a one-click form and changes nothing by itself, since mail
//! scanners prefetch GET links; the form's POST acts (for unsubscribing it also serves RFC
//! 8058 one-click unsubscribe from the `List-Unsubscribe` header).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use privacy_widget_core::wire;

use super::pages::{link_paragraph, paragraph, Page};
use super::state::AppState;
use super::static_files::escape_html;
use crate::domain::newsletter::flows::{self, ConfirmToken};
use crate::domain::newsletter::texts::{self, FormPageText, PageText, TextLanguage};
use crate::domain::token::LinkToken;
use crate::error::ApiError;

type TokenQuery = Result<Query<BTreeMap<String, String>>, QueryRejection>;
/// The form body, at most [`super::api_post::MAX_BODY_BYTES`]: the routes carry that
/// `DefaultBodyLimit`, so a larger body is refused as soon as it is seen, not buffered.
type FormBody = Result<Bytes, BytesRejection>;

/// What a link from a mail carries: `?token=…&lang=…`.
struct LinkQuery {
    /// `None` unless it has the shape of a token.
    token: Option<LinkToken>,
    /// The language of the mail the link came from, which the page speaks too.
    language: Option<TextLanguage>,
}

impl LinkQuery {
    fn read(query: TokenQuery) -> Self {
        let query = query.map(|Query(query)| query).unwrap_or_default();
        LinkQuery {
            token: query.get("token").and_then(|raw| LinkToken::parse(raw)),
            language: query
                .get("lang")
                .filter(|tag| wire::language(tag).is_some())
                .map(|tag| TextLanguage::for_tag(tag)),
        }
    }

    /// The link's language, else the subscriber's.
    fn language_or(&self, stored: &str) -> TextLanguage {
        self.language
            .unwrap_or_else(|| TextLanguage::for_tag(stored))
    }
}

fn page(status: StatusCode, language: TextLanguage, text: PageText) -> Page {
    let mut body: String = text.paragraphs.iter().map(|p| paragraph(p)).collect();
    body.push_str(&link_paragraph("/", text.back_link));
    Page {
        status,
        lang: language.html_lang(),
        title: text.title.to_owned(),
        body,
    }
}

fn unknown_link(unsubscribing: bool) -> Page {
    page(
        StatusCode::NOT_FOUND,
        TextLanguage::Bokmal,
        texts::unknown_link_page(unsubscribing),
    )
}

/// A failure of ours, as a page rather than the API's JSON.
fn failure_page(error: ApiError) -> Page {
    if let ApiError::Internal { detail } = &error {
        eprintln!("privacy-widget server: internal error: {detail}");
    }
    Page {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        lang: "nb",
        title: "Noe gikk galt / Something went wrong".to_owned(),
        body: paragraph("Prøv igjen om litt. / Please try again in a moment."),
    }
}

/// `GET /newsletter/confirm?token=…`: asks for the one click that confirms; changes nothing,
/// since mail scanners open the links in a mail before its owner does (and HEAD, which axum
/// answers with this handler, must not use the single-use token up either).
pub async fn confirm_form_page(State(state): State<AppState>, query: TokenQuery) -> Page {
    let link = LinkQuery::read(query);
    let Some(token) = link.token.clone() else {
        return unknown_link(false);
    };
    let now = state.clock.now();
    let lookup = token.clone();
    let checked = state
        .database
        .call(move |transaction| flows::check_confirm_token(transaction, &lookup, now))
        .await;
    match checked {
        Ok(ConfirmToken::Usable(tag)) => {
            let language = link.language_or(&tag);
            form_page(
                language,
                texts::confirm_form(language, state.mailer.shop_name()),
                &token,
            )
        }
        Ok(unusable) => unusable_confirm_link(&state, &link, unusable),
        Err(error) => failure_page(error),
    }
}

/// `POST /newsletter/confirm[?token=…]`: the confirmation page's button (token in the form
/// body). Confirms the address; the token is the authorisation, so no CSRF token is needed.
pub async fn confirm_submit(
    State(state): State<AppState>,
    query: TokenQuery,
    headers: HeaderMap,
    body: FormBody,
) -> Page {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return unreadable_body(rejection),
    };
    let link = LinkQuery::read(query);
    let Some(token) = link.token.clone().or_else(|| form_token(&headers, &body)) else {
        return unknown_link(false);
    };
    let now = state.clock.now();
    let outcome = state
        .database
        .call(move |transaction| {
            let outcome = flows::confirm(transaction, &token, now)?;
            Ok(outcome)
        })
        .await;
    match outcome {
        Ok(ConfirmToken::Usable(tag)) => {
            let language = link.language_or(&tag);
            page(
                StatusCode::OK,
                language,
                texts::confirmed_page(language, state.mailer.shop_name()),
            )
        }
        Ok(unusable) => unusable_confirm_link(&state, &link, unusable),
        Err(error) => failure_page(error),
    }
}

/// The page for a confirmation link that cannot confirm (any more).
fn unusable_confirm_link(state: &AppState, link: &LinkQuery, token: ConfirmToken) -> Page {
    match token {
        ConfirmToken::AlreadyUsed(tag) => {
            let language = link.language_or(&tag);
            page(StatusCode::GONE, language, texts::used_page(language))
        }
        ConfirmToken::Expired(tag) => {
            let language = link.language_or(&tag);
            let token_ttl_hours = state.config.newsletter_token_ttl.as_secs() / 3600;
            page(
                StatusCode::GONE,
                language,
                texts::expired_page(language, token_ttl_hours),
            )
        }
        ConfirmToken::Usable(_) | ConfirmToken::Unknown => unknown_link(false),
    }
}

/// `GET /newsletter/unsubscribe?token=…`: asks for the one click; changes nothing.
pub async fn unsubscribe_form_page(State(state): State<AppState>, query: TokenQuery) -> Page {
    let link = LinkQuery::read(query);
    let Some(token) = link.token.clone() else {
        return unknown_link(true);
    };
    let lookup = token.clone();
    let language = state
        .database
        .call(move |transaction| flows::unsubscribe_token_language(transaction, &lookup))
        .await;
    match language {
        Ok(Some(tag)) => {
            let language = link.language_or(&tag);
            form_page(
                language,
                texts::unsubscribe_form(language, state.mailer.shop_name()),
                &token,
            )
        }
        Ok(None) => unknown_link(true),
        Err(error) => failure_page(error),
    }
}

/// A page with one button that posts the link's token back to the same URL.
fn form_page(language: TextLanguage, text: FormPageText, token: &LinkToken) -> Page {
    let mut body: String = text.page.paragraphs.iter().map(|p| paragraph(p)).collect();
    // No `action`: the form posts to this very URL, token and any BASE_URL path included.
    body.push_str(&format!(
        "<form method=\"post\">\n<input type=\"hidden\" name=\"token\" value=\"{}\">\n\
         <button type=\"submit\" class=\"primary\">{}</button>\n</form>\n",
        escape_html(token.as_str()),
        escape_html(text.button)
    ));
    body.push_str(&link_paragraph("/", text.page.back_link));
    Page {
        status: StatusCode::OK,
        lang: language.html_lang(),
        title: text.page.title.to_owned(),
        body,
    }
}

/// A form body that was too large or could not be read, as a page like the others rather
/// than axum's plain-text rejection.
fn unreadable_body(rejection: BytesRejection) -> Page {
    let title = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        "For stor forespørsel / Request too large"
    } else {
        "Ugyldig forespørsel / Bad request"
    };
    Page {
        status: rejection.status(),
        lang: "nb",
        title: title.to_owned(),
        body: String::new(),
    }
}

/// The `token` field of an `application/x-www-form-urlencoded` body (a [`form_page`]'s POST).
fn form_token(headers: &HeaderMap, body: &Bytes) -> Option<LinkToken> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !is_form {
        return None;
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    fields
        .into_iter()
        .find(|(name, _)| name == "token")
        .and_then(|(_, value)| LinkToken::parse(&value))
}

/// `POST /newsletter/unsubscribe[?token=…]`: the form's button (token in the form body,
/// `application/x-www-form-urlencoded`) or an RFC 8058 one-click POST from a mail client
/// (token in the URL, body `List-Unsubscribe=One-Click`). Deletes the address entirely.
/// The token itself is the authorisation, so no CSRF token is needed.
pub async fn unsubscribe_submit(
    State(state): State<AppState>,
    query: TokenQuery,
    headers: HeaderMap,
    body: FormBody,
) -> Page {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return unreadable_body(rejection),
    };
    let link = LinkQuery::read(query);
    let Some(token) = link.token.clone().or_else(|| form_token(&headers, &body)) else {
        return unknown_link(true);
    };
    let outcome = state
        .database
        .call(move |transaction| {
            let outcome = flows::unsubscribe(transaction, &token)?;
            Ok(outcome)
        })
        .await;
    match outcome {
        Ok(Some(tag)) => {
            let language = link.language_or(&tag);
            page(
                StatusCode::OK,
                language,
                texts::unsubscribed_page(language, state.mailer.shop_name()),
            )
        }
        Ok(None) => unknown_link(true),
        Err(error) => failure_page(error),
    }
}
