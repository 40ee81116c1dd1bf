//! Small server-rendered HTML pages (newsletter confirmation and unsubscribe, the demo
//! mailbox), under the same strict CSP as the shop's static pages: no inline script or
//! style, only the shop's own stylesheet.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::static_files::{escape_html, CONTENT_SECURITY_POLICY};

/// The shop's stylesheet, if the demo shop is served; harmless when missing.
const STYLESHEET: &str = "/assets/shop.css";

/// A page: `body` is HTML that the caller built with [`escape_html`] around every value.
pub struct Page {
    pub status: StatusCode,
    /// `lang` attribute of the document.
    pub lang: &'static str,
    pub title: String,
    pub body: String,
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let html = format!(
            "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"robots\" content=\"noindex\">\n\
             <title>{title}</title>\n<link rel=\"stylesheet\" href=\"{STYLESHEET}\">\n</head>\n\
             <body>\n<main>\n<div class=\"statement-page\">\n<h1>{title}</h1>\n{body}</div>\n</main>\n</body>\n</html>\n",
            lang = self.lang,
            title = escape_html(&self.title),
            body = self.body,
        );
        html_response(self.status, html)
    }
}

/// An HTML document with the headers every server-rendered page needs: the strict CSP, no
/// sniffing, no caching, no Referer.
pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // These pages carry secret tokens in their URL and forms: keep them out of caches
    // and out of the Referer of any link followed from them.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// `<p>text</p>`, escaped.
pub fn paragraph(text: &str) -> String {
    format!("<p>{}</p>\n", escape_html(text))
}

/// `<p><a href="href">text</a></p>`, escaped.
pub fn link_paragraph(href: &str, text: &str) -> String {
    format!(
        "<p><a href=\"{}\">{}</a></p>\n",
        escape_html(href),
        escape_html(text)
    )
}
