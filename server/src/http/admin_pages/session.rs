//! The operator's session on the pages: the cookie that names it (`HttpOnly`,
//! `SameSite=Strict`, `Secure` behind TLS), the [`SignedIn`] extractor that guards every
//! page, and [`SignedInForm`], a form post whose anti-forgery token was checked.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::shell::{AdminPage, CSRF_FIELD, SIGN_IN_PATH};
use crate::config::AdminPagesConfig;
use crate::domain::admin_sessions::{self, OperatorSession};
use crate::http::api_post::MAX_BODY_BYTES;
use crate::http::pages::paragraph;
use crate::http::state::AppState;

/// Names the session; scoped to the pages, so the API and the shop never receive it.
pub const SESSION_COOKIE: &str = "pw_admin_session";
/// The sign-in form's own anti-forgery token (there is no session yet to hold one).
pub const SIGN_IN_COOKIE: &str = "pw_admin_sign_in";

const FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// The value of cookie `name` in the request, if sent.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Whether cookies must be `Secure`: the configured public address is https, or a trusted
/// proxy (`TRUST_PROXY=1`) says the browser's request came over TLS.
pub fn served_over_tls(state: &AppState, pages: &AdminPagesConfig, headers: &HeaderMap) -> bool {
    pages.always_secure
        || (state.config.trust_proxy
            && headers
                .get(FORWARDED_PROTO)
                .and_then(|value| value.to_str().ok())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https")))
}

/// A `Set-Cookie` value for the pages; `None` clears the cookie.
pub fn set_cookie(name: &str, path: &str, value: Option<&str>, secure: bool) -> String {
    let mut cookie = match value {
        Some(value) => format!("{name}={value}; Path={path}"),
        None => format!("{name}=; Path={path}; Max-Age=0"),
    };
    cookie.push_str("; HttpOnly; SameSite=Strict");
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// The settings of the pages; `None` when they are off (no `ADMIN_PASSWORD_HASH`), which
/// handlers answer with 404. The routes exist only when they are on, so this is a second
/// guard, not the first.
pub fn pages_config(state: &AppState) -> Option<&AdminPagesConfig> {
    state.config.admin_pages.as_ref()
}

/// A signed-in operator. Taking it as a handler argument is what protects a page; without a
/// valid session the browser is sent to the sign-in page.
pub struct SignedIn {
    pub session: OperatorSession,
    pub session_id: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        if pages_config(state).is_none() {
            return Err(StatusCode::NOT_FOUND.into_response());
        }
        let Some(session_id) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
            return Err(Redirect::to(SIGN_IN_PATH).into_response());
        };
        match admin_sessions::session(&state.database, state.clock.now(), &session_id).await {
            Ok(Some(session)) => Ok(SignedIn {
                session,
                session_id,
            }),
            Ok(None) => Err(Redirect::to(SIGN_IN_PATH).into_response()),
            Err(error) => Err(AdminPage::failure(error).into_response()),
        }
    }
}

/// The fields of an `application/x-www-form-urlencoded` body.
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    /// Reads a form body; `None` if it is not one.
    pub fn parse(headers: &HeaderMap, body: &Bytes) -> Option<Self> {
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
        serde_urlencoded::from_bytes(body).ok().map(FormFields)
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The 403 page of a form whose anti-forgery token is missing or wrong.
pub fn forged_form() -> AdminPage {
    AdminPage::message(
        StatusCode::FORBIDDEN,
        "Form refused",
        &format!(
            "{}{}",
            paragraph("This form did not carry this session's security token (it may be old, or sent from another site), so nothing was changed."),
            paragraph("Go back, reload the page and send the form again."),
        ),
    )
}

/// A form post from a signed-in operator whose anti-forgery token matched the session's:
/// every state-changing page handler takes one.
pub struct SignedInForm {
    pub signed_in: SignedIn,
    pub fields: FormFields,
}

impl FromRequest<AppState> for SignedInForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let signed_in = SignedIn::from_request_parts(&mut parts, state).await?;
        let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                AdminPage::message(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Form too large",
                    &paragraph("The form sent more than this server accepts; nothing was changed."),
                )
                .into_response()
            })?;
        let fields = FormFields::parse(&parts.headers, &body);
        let token = fields.as_ref().and_then(|fields| fields.get(CSRF_FIELD));
        match fields {
            Some(fields) if signed_in.session.csrf_matches(token) => {
                Ok(SignedInForm { signed_in, fields })
            }
            _ => Err(forged_form().into_response()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("xpw_admin_session=1; pw_admin_session=abc"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("other=2"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "other"), Some("2"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn session_cookies_are_http_only_strict_and_secure_when_asked() {
        assert_eq!(
            set_cookie(SESSION_COOKIE, "/admin", Some("abc"), true),
            "pw_admin_session=abc; Path=/admin; HttpOnly; SameSite=Strict; Secure"
        );
        assert_eq!(
            set_cookie(SESSION_COOKIE, "/admin", None, false),
            "pw_admin_session=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict"
        );
    }
}
