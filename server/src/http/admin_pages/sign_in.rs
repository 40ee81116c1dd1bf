//! `GET`/`POST /admin/sign-in` and `POST /admin/sign-out`. The sign-in form carries its own
//! anti-forgery token (a cookie and a hidden field that must match), since no session
//! exists yet to hold one; failed attempts are limited per client and per account.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::session::{
    cookie, forged_form, pages_config, served_over_tls, set_cookie, FormFields, SignedInForm,
    SESSION_COOKIE, SIGN_IN_COOKIE,
};
use super::shell::{csrf_input, AdminPage, CSRF_FIELD, HOME_PATH, SIGN_IN_PATH};
use crate::config::Secret;
use crate::domain::admin_sessions::{self, SignInOutcome};
use crate::domain::rate_limit::ClientIp;
use crate::domain::token::LinkToken;
use crate::http::pages::paragraph;
use crate::http::state::AppState;
use crate::http::static_files::escape_html;

/// The sign-in form, with a fresh anti-forgery token in a cookie and in the form.
fn sign_in_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let Some(pages) = pages_config(state) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let token = match LinkToken::generate() {
        Ok(token) => token,
        Err(error) => return AdminPage::failure(error).into_response(),
    };
    let error_summary = error
        .map(|message| {
            format!(
                "<p class=\"error\" role=\"alert\" id=\"sign-in-error\">{}</p>\n",
                escape_html(message)
            )
        })
        .unwrap_or_default();
    let described_by = if error.is_some() {
        " aria-describedby=\"sign-in-error\""
    } else {
        ""
    };
    let body = format!(
        "{error_summary}<form class=\"stacked\" method=\"post\" action=\"{SIGN_IN_PATH}\"{described_by}>\n{csrf}\n\
         <p><label for=\"user\">Account name</label>\
         <input id=\"user\" name=\"user\" autocomplete=\"username\" required spellcheck=\"false\" autocapitalize=\"none\"></p>\n\
         <p><label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\n\
         <p><button type=\"submit\">Sign in</button></p>\n</form>\n",
        csrf = csrf_input(token.as_str()),
    );
    AdminPage::message(status, "Sign in", &body)
        .with_header(
            header::SET_COOKIE,
            set_cookie(
                SIGN_IN_COOKIE,
                SIGN_IN_PATH,
                Some(token.as_str()),
                served_over_tls(state, pages, headers),
            ),
        )
        .into_response()
}

/// `GET /admin/sign-in`: the form, or straight to the overview when already signed in.
pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(session_id) = cookie(&headers, SESSION_COOKIE) {
        let now = state.clock.now();
        if let Ok(Some(_)) = admin_sessions::session(&state.database, now, session_id).await {
            return Redirect::to(HOME_PATH).into_response();
        }
    }
    sign_in_page(&state, &headers, StatusCode::OK, None)
}

/// `POST /admin/sign-in`: checks the form's token, the limits, then name and password.
pub async fn submit(
    State(state): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(pages) = pages_config(&state).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let fields = FormFields::parse(&headers, &body);
    let presented = fields.as_ref().and_then(|fields| fields.get(CSRF_FIELD));
    let expected = cookie(&headers, SIGN_IN_COOKIE);
    let token_ok = match (expected, presented) {
        (Some(expected), Some(presented)) => Secret::new(expected.to_owned()).matches(presented),
        _ => false,
    };
    let Some(fields) = fields.filter(|_| token_ok) else {
        return forged_form().into_response();
    };
    let user = fields.get("user").unwrap_or_default().to_owned();
    let password = fields.get("password").unwrap_or_default().to_owned();
    let outcome = admin_sessions::sign_in(
        &state.database,
        state.clock.now(),
        &pages,
        client,
        user,
        password,
    )
    .await;
    let secure = served_over_tls(&state, &pages, &headers);
    match outcome {
        Ok(SignInOutcome::SignedIn { session_id }) => {
            let mut response = Redirect::to(HOME_PATH).into_response();
            for cookie in [
                set_cookie(SESSION_COOKIE, HOME_PATH, Some(session_id.as_str()), secure),
                set_cookie(SIGN_IN_COOKIE, SIGN_IN_PATH, None, secure),
            ] {
                if let Ok(value) = cookie.parse() {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            response
        }
        Ok(SignInOutcome::Refused) => sign_in_page(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some("The account name or the password is wrong."),
        ),
        Ok(SignInOutcome::Limited { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60);
            AdminPage::message(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many sign-in attempts",
                &format!(
                    "{}{}",
                    paragraph(&format!(
                        "Sign-in is paused after too many wrong passwords. Try again in {minutes} minute{}.",
                        if minutes == 1 { "" } else { "s" }
                    )),
                    paragraph("Nothing was checked: while the pause lasts, even the right password is refused."),
                ),
            )
            .with_header(header::RETRY_AFTER, retry_after_secs.to_string())
            .into_response()
        }
        Err(error) => AdminPage::failure(error).into_response(),
    }
}

/// `POST /admin/sign-out`: ends the session (in the database, for every instance) and
/// clears the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedInForm,
) -> Response {
    let Some(pages) = pages_config(&state) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let secure = served_over_tls(&state, pages, &headers);
    if let Err(error) = admin_sessions::sign_out(&state.database, &form.signed_in.session_id).await
    {
        return AdminPage::failure(error).into_response();
    }
    let mut response = Redirect::to(SIGN_IN_PATH).into_response();
    if let Ok(value) = set_cookie(SESSION_COOKIE, HOME_PATH, None, secure).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
