//! The frame of every operator page: a skip link, the navigation, the sign-out form with
//! its anti-forgery token, and the page's own content; headers as on the other
//! server-rendered pages (strict CSP, no caching). Styles come from one static stylesheet.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::domain::admin_sessions::OperatorSession;
use crate::error::ApiError;
use crate::http::pages::{html_response, paragraph};
use crate::http::static_files::escape_html;

pub const HOME_PATH: &str = "/admin";
pub const SIGN_IN_PATH: &str = "/admin/sign-in";
pub const SIGN_OUT_PATH: &str = "/admin/sign-out";
pub const STYLESHEET_PATH: &str = "/admin/admin.css";
/// The hidden field every form carries its anti-forgery token in.
pub const CSRF_FIELD: &str = "csrf_token";

/// The stylesheet, compiled in so the pages need nothing from `WWW_DIR`.
const STYLESHEET: &str = include_str!("admin.css");

/// The sections in the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Requests,
    Proof,
    Export,
}

const SECTIONS: [(Section, &str, &str); 4] = [
    (Section::Overview, HOME_PATH, "Consent overview"),
    (Section::Requests, "/admin/requests", "Rights requests"),
    (Section::Proof, "/admin/proof", "Proof lookup"),
    (Section::Export, "/admin/export", "Exports"),
];

/// An operator page. `body` is HTML built with [`escape_html`] around every value.
pub struct AdminPage {
    pub status: StatusCode,
    pub title: String,
    /// The signed-in operator (navigation and sign-out shown), or `None` (sign-in, errors).
    pub session: Option<(OperatorSession, Section)>,
    pub body: String,
    /// `Set-Cookie`, `Retry-After`.
    pub headers: Vec<(HeaderName, String)>,
}

impl AdminPage {
    /// A page for a signed-in operator.
    pub fn signed_in(
        session: &OperatorSession,
        section: Section,
        title: &str,
        body: String,
    ) -> Self {
        AdminPage {
            status: StatusCode::OK,
            title: title.to_owned(),
            session: Some((session.clone(), section)),
            body,
            headers: Vec::new(),
        }
    }

    /// A page with a title and a message only.
    pub fn message(status: StatusCode, title: &str, body: &str) -> Self {
        AdminPage {
            status,
            title: title.to_owned(),
            session: None,
            body: body.to_owned(),
            headers: Vec::new(),
        }
    }

    /// The 500 page; the detail goes to the log only.
    pub fn failure(error: ApiError) -> Self {
        if let ApiError::Internal { detail } = &error {
            eprintln!("privacy-widget server: admin page failed: {detail}");
        }
        AdminPage::message(
            error.status(),
            "Something went wrong",
            &paragraph("The page could not be shown. Try again; if it keeps failing, the server's log says why."),
        )
    }

    pub fn with_header(mut self, name: HeaderName, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// A hidden input with the session's anti-forgery token, for every form.
pub fn csrf_input(token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{}\">",
        escape_html(token)
    )
}

fn navigation(session: &OperatorSession, current: Section) -> String {
    let links: String = SECTIONS
        .iter()
        .map(|(section, href, label)| {
            let current = if *section == current {
                " aria-current=\"page\""
            } else {
                ""
            };
            format!("<li><a href=\"{href}\"{current}>{label}</a></li>")
        })
        .collect();
    format!(
        "<nav aria-label=\"Operator pages\"><ul>{links}</ul></nav>\n\
         <form class=\"sign-out\" method=\"post\" action=\"{SIGN_OUT_PATH}\">{csrf}\
         <button type=\"submit\">Sign out <span class=\"user\">({user})</span></button></form>\n",
        csrf = csrf_input(&session.csrf_token),
        user = escape_html(&session.user),
    )
}

impl IntoResponse for AdminPage {
    fn into_response(self) -> Response {
        let header_bar = match &self.session {
            Some((session, section)) => navigation(session, *section),
            None => String::new(),
        };
        let html = format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"robots\" content=\"noindex\">\n\
             <title>{title} · Privacy admin</title>\n\
             <link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"{STYLESHEET_PATH}\">\n</head>\n<body>\n\
             <a class=\"skip-link\" href=\"#main\">Skip to content</a>\n\
             <header class=\"top\">\n<p class=\"brand\">Privacy admin</p>\n{header_bar}</header>\n\
             <main id=\"main\" tabindex=\"-1\">\n<h1>{title}</h1>\n{body}</main>\n</body>\n</html>\n",
            title = escape_html(&self.title),
            body = self.body,
        );
        let mut response = html_response(self.status, html);
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

/// `GET /admin/admin.css`.
pub async fn stylesheet() -> Response {
    let mut response = STYLESHEET.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
