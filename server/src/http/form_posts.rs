//! Plain form posts (`application/x-www-form-urlencoded`, no script) on the newsletter and
//! rights-request endpoints, beside their JSON. A form post is checked with the core's form
//! rules (`form_post`), turned into the JSON API's body by the core, and handed to the JSON
//! handler itself, so the API's rules hold unchanged: field validation, double opt-in, the same
//! answer for known and unknown addresses, rate limits, idempotency. The answer is an HTML page
//! (`form_pages`) instead of JSON.
//!
//! Cross-site request forgery: a form post is a "simple" request that any site can make a
//! visitor's browser send, with cookies and without a preflight. Each post must therefore come
//! from this shop's pages: its `Origin` (else its `Referer`) must name this host, or an origin in
//! `CORS_ALLOW_ORIGINS`; an opaque `Origin: null` is refused. Browsers send `Origin` with every
//! cross-origin POST, so a forged post always names its real origin; a post without either
//! header does not come from a page in a browser and is no CSRF (curl can post the JSON anyway).
//! When `CSRF_TOKEN` is configured, the form's hidden `csrf` field must carry it too.

use std::future::Future;

use axum::body::to_bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use privacy_widget_core::form_post::{self, Checked, PostedFields, Signup};
use privacy_widget_core::json::Json as CoreJson;
use privacy_widget_core::lang::Lang;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::api_post::{ApiPost, MAX_BODY_BYTES};
use super::form_pages::{self, Back, Refusal};
use super::newsletter;
use super::rights_requests;
use super::state::AppState;
use crate::domain::idempotency::{BodyFingerprint, IdempotencyKey};
use crate::domain::rate_limit::ClientIp;
use crate::domain::token::LinkToken;
use crate::error::ApiError;

/// `POST /api/newsletter/subscribe`: JSON for the widget, a form for a page without script.
pub async fn subscribe(
    State(state): State<AppState>,
    client: ClientIp,
    request: Request,
) -> Response {
    let form = match form_or_answer(newsletter::subscribe, &state, client, request).await {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    let back = form.back.as_back();
    let fields = PostedFields(&form.fields);
    let lang = fields.lang();
    if fields.is_bot() {
        return form_pages::signup_received(lang, &back).into_response();
    }
    let body = match Signup::read(&fields).check() {
        Checked::Valid(body) => body,
        Checked::Invalid(signup) => {
            return form_pages::signup_again(&signup, &form.path, &form.csrf, &back).into_response()
        }
    };
    let key = match fresh_key() {
        Ok(key) => key,
        Err(error) => return failed(lang, error, &back),
    };
    match through_json(newsletter::subscribe, state, client, key, &body).await {
        Ok(_) => form_pages::signup_received(lang, &back).into_response(),
        Err(error) => refused(lang, error, &back),
    }
}

/// `POST /api/newsletter/unsubscribe`: JSON, or the withdrawal form.
pub async fn unsubscribe(
    State(state): State<AppState>,
    client: ClientIp,
    request: Request,
) -> Response {
    let form = match form_or_answer(newsletter::request_unsubscribe, &state, client, request).await
    {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    let back = form.back.as_back();
    let fields = PostedFields(&form.fields);
    let lang = fields.lang();
    if fields.is_bot() {
        return form_pages::withdrawal_received(lang, &back).into_response();
    }
    let body = match form_post::withdrawal(&fields) {
        Checked::Valid(body) => body,
        Checked::Invalid(again) => {
            return form_pages::withdrawal_again(&again, &form.path, &form.csrf, &back)
                .into_response()
        }
    };
    let key = match fresh_key() {
        Ok(key) => key,
        Err(error) => return failed(lang, error, &back),
    };
    match through_json(newsletter::request_unsubscribe, state, client, key, &body).await {
        Ok(_) => form_pages::withdrawal_received(lang, &back).into_response(),
        Err(error) => refused(lang, error, &back),
    }
}

/// `POST /api/rights-requests`: JSON, or the rights-request form.
pub async fn rights_request(
    State(state): State<AppState>,
    client: ClientIp,
    request: Request,
) -> Response {
    let form = match form_or_answer(rights_requests::submit, &state, client, request).await {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    let back = form.back.as_back();
    let fields = PostedFields(&form.fields);
    let lang = fields.lang();
    if fields.is_bot() {
        return form_pages::rights_received(lang, None, &back).into_response();
    }
    let body = match form_post::rights(&fields) {
        Checked::Valid(body) => body,
        Checked::Invalid(again) => {
            return form_pages::rights_again(&again, &form.path, &form.csrf, &back).into_response()
        }
    };
    // The same request sent again the same day (a reload of the answer, a double click) is the
    // same request: it gets the same reference instead of a second case.
    let day = state
        .clock
        .now()
        .rfc3339()
        .chars()
        .take(10)
        .collect::<String>();
    let digest = Sha256::digest(format!("{day}\n{}", body.to_json()).as_bytes());
    let key = form_key(&hex(&digest));
    match through_json(rights_requests::submit, state, client, key, &body).await {
        Ok(answer) => {
            let reference = answer.get("reference").and_then(Value::as_str);
            form_pages::rights_received(lang, reference, &back).into_response()
        }
        Err(error) => refused(lang, error, &back),
    }
}

/// The form post behind `request`; or, as `Err`, the answer already due: a JSON request
/// answered by the API's `handler`, or a refusal page.
async fn form_or_answer<H, F>(
    handler: H,
    state: &AppState,
    client: ClientIp,
    request: Request,
) -> Result<FormPost, Response>
where
    H: FnOnce(State<AppState>, ClientIp, ApiPost) -> F,
    F: Future<Output = Result<Response, ApiError>>,
{
    match FormPost::read(state, request).await {
        Incoming::Json(request) => Err(as_json(handler, state.clone(), client, request).await),
        Incoming::Refused(lang, refusal, back) => {
            Err(form_pages::refusal(lang, refusal, &back.as_back()))
        }
        Incoming::Form(form) => Ok(form),
    }
}

/// A fresh key per post, as the widget makes one per signup or withdrawal: asking again sends
/// a new mail.
fn fresh_key() -> Result<IdempotencyKey, ApiError> {
    LinkToken::generate().map(|token| form_key(token.as_str()))
}

/// The JSON API's handler with its own extractor (for requests that are not forms).
async fn as_json<H, F>(handler: H, state: AppState, client: ClientIp, request: Request) -> Response
where
    H: FnOnce(State<AppState>, ClientIp, ApiPost) -> F,
    F: Future<Output = Result<Response, ApiError>>,
{
    match ApiPost::from_request(request, &state).await {
        Ok(post) => handler(State(state), client, post).await.into_response(),
        Err(error) => error.into_response(),
    }
}

/// The JSON API's handler with the body the core built from the form; its JSON answer.
async fn through_json<H, F>(
    handler: H,
    state: AppState,
    client: ClientIp,
    key: IdempotencyKey,
    body: &CoreJson,
) -> Result<Value, ApiError>
where
    H: FnOnce(State<AppState>, ClientIp, ApiPost) -> F,
    F: Future<Output = Result<Response, ApiError>>,
{
    let body: Value = serde_json::from_str(&body.to_json()).map_err(ApiError::internal)?;
    let post = ApiPost {
        idempotency_key: key,
        fingerprint: BodyFingerprint::of(&body),
        body,
    };
    let response = handler(State(state), client, post).await?;
    let status = response.status();
    let bytes = to_bytes(response.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(ApiError::internal)?;
    if !status.is_success() {
        return Err(ApiError::internal(format!(
            "the API answered a form post with {status}"
        )));
    }
    serde_json::from_slice(&bytes).map_err(ApiError::internal)
}

fn form_key(unique: &str) -> IdempotencyKey {
    IdempotencyKey::parse(&format!("form-{unique}"), "Idempotency-Key")
        .expect("hex digits make a valid key")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The API's refusal of a form post, as a page.
fn refused(lang: Lang, error: ApiError, back: &Back) -> Response {
    match error {
        ApiError::RateLimited {
            retry_after_secs, ..
        } => form_pages::refusal(lang, Refusal::RateLimited { retry_after_secs }, back),
        error if error.status().is_client_error() => {
            let message = error.message().unwrap_or_default();
            form_pages::refusal(
                lang,
                Refusal::Refused {
                    status: error.status(),
                    message,
                },
                back,
            )
        }
        error => failed(lang, error, back),
    }
}

fn failed(lang: Lang, error: ApiError, back: &Back) -> Response {
    if let ApiError::Internal { detail } = &error {
        eprintln!("privacy-widget server: internal error: {detail}");
    }
    form_pages::refusal(lang, Refusal::Failed, back)
}

/// A form post that passed the transport checks.
struct FormPost {
    fields: Vec<(String, String)>,
    /// Where it was posted: the action of the form shown again.
    path: String,
    /// The token the form carried, for the form shown again.
    csrf: String,
    back: BackLink,
}

/// The link back to the page the form was on, when the `Referer` names one on this host.
struct BackLink(Option<String>);

impl BackLink {
    fn as_back(&self) -> Back<'_> {
        Back(self.0.as_deref().unwrap_or("/"))
    }
}

enum Incoming {
    /// Not a form: the JSON API takes it.
    Json(Request),
    Form(FormPost),
    Refused(Lang, Refusal, BackLink),
}

impl FormPost {
    async fn read(state: &AppState, request: Request) -> Incoming {
        if !is_form(request.headers()) {
            return Incoming::Json(request);
        }
        let headers = request.headers();
        let host = text(headers, header::HOST);
        let origin = text(headers, header::ORIGIN);
        let referer = text(headers, header::REFERER);
        let path = request.uri().path().to_owned();
        // From a form shown again, the Referer is that answer (the endpoint): not a way back.
        let referring_page = referer
            .as_deref()
            .and_then(|r| same_host_path(r, host.as_deref()))
            .filter(|p| *p != path);
        let back = BackLink(referring_page.clone());
        let trusted = &state.config.cors_allow_origins;
        let from_our_pages = is_same_origin(
            origin.as_deref(),
            referer.as_deref(),
            host.as_deref(),
            trusted,
        );
        let fields = match to_bytes(request.into_body(), MAX_BODY_BYTES).await {
            Ok(bytes) => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).ok(),
            Err(_) => {
                return Incoming::Refused(
                    Lang::Nb,
                    Refusal::Unreadable(StatusCode::PAYLOAD_TOO_LARGE),
                    back,
                )
            }
        };
        let Some(fields) = fields else {
            return Incoming::Refused(Lang::Nb, Refusal::Unreadable(StatusCode::BAD_REQUEST), back);
        };
        let posted = PostedFields(&fields);
        let carried = posted
            .get(form_pages::BACK_FIELD)
            .filter(|p| is_local_path(p))
            .map(str::to_owned);
        let back = BackLink(carried.or(referring_page));
        let lang = posted.lang();
        let csrf = posted.csrf().unwrap_or_default().to_owned();
        let token_holds = state
            .config
            .csrf_token
            .as_ref()
            .is_none_or(|expected| expected.matches(&csrf));
        if !from_our_pages || !token_holds {
            return Incoming::Refused(lang, Refusal::CrossSite, back);
        }
        Incoming::Form(FormPost {
            fields,
            path,
            csrf,
            back,
        })
    }
}

fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// `scheme://authority` and the rest of an absolute URL.
fn split_origin(url: &str) -> Option<(&str, &str)> {
    let after_scheme = url.find("://")? + 3;
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    Some((&url[..end], &url[end..]))
}

fn authority(origin: &str) -> &str {
    origin
        .split_once("://")
        .map_or(origin, |(_, authority)| authority)
}

/// Whether a form post comes from this shop's pages (see the module's notes): its `Origin`,
/// else its `Referer`, names `host` or a trusted origin; `Origin: null` never does; a post with
/// neither header is not a browser's cross-site post.
pub fn is_same_origin(
    origin: Option<&str>,
    referer: Option<&str>,
    host: Option<&str>,
    trusted: &[String],
) -> bool {
    let source = match (origin, referer) {
        (Some("null"), _) => return false,
        (Some(origin), _) => origin,
        (None, Some(referer)) => match split_origin(referer) {
            Some((origin, _)) => origin,
            None => return false,
        },
        (None, None) => return true,
    };
    host.is_some_and(|host| authority(source).eq_ignore_ascii_case(host))
        || trusted.iter().any(|t| t == source)
}

/// A path on this site (`/…`, not `//host/…`): the only thing a link back may be.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')
}

/// The path (and query) of a `Referer` on `host`, for the link back; none for other sites.
fn same_host_path(referer: &str, host: Option<&str>) -> Option<String> {
    let (origin, rest) = split_origin(referer)?;
    let on_host = host.is_some_and(|host| authority(origin).eq_ignore_ascii_case(host));
    let rest = rest.split('#').next().unwrap_or_default();
    on_host.then(|| {
        if rest.is_empty() {
            "/".to_owned()
        } else {
            rest.to_owned()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_from_this_host_or_a_trusted_origin_is_same_origin() {
        let host = Some("shop.example:8080");
        let trusted = vec!["https://www.shop.example".to_owned()];
        assert!(is_same_origin(
            Some("http://shop.example:8080"),
            None,
            host,
            &trusted
        ));
        assert!(
            is_same_origin(Some("https://SHOP.example:8080"), None, host, &trusted),
            "hosts are case-insensitive"
        );
        assert!(is_same_origin(
            Some("https://www.shop.example"),
            None,
            host,
            &trusted
        ));
        assert!(is_same_origin(
            None,
            Some("http://shop.example:8080/personopplysninger?x#y"),
            host,
            &trusted
        ));
        assert!(
            is_same_origin(None, None, host, &trusted),
            "no browser sends a cross-site post without Origin"
        );
    }

    #[test]
    fn a_post_from_anywhere_else_is_not() {
        let host = Some("shop.example:8080");
        let trusted = vec!["https://www.shop.example".to_owned()];
        assert!(!is_same_origin(
            Some("https://evil.example"),
            None,
            host,
            &trusted
        ));
        assert!(
            !is_same_origin(Some("http://shop.example"), None, host, &trusted),
            "another port is another origin"
        );
        assert!(
            !is_same_origin(
                Some("null"),
                Some("http://shop.example:8080/"),
                host,
                &trusted
            ),
            "opaque origins are refused"
        );
        assert!(
            !is_same_origin(
                Some("https://evil.example"),
                Some("http://shop.example:8080/"),
                host,
                &trusted
            ),
            "Origin wins over Referer"
        );
        assert!(!is_same_origin(
            None,
            Some("https://shop.example:8080.evil.example/"),
            host,
            &trusted
        ));
        assert!(!is_same_origin(None, Some("not a url"), host, &trusted));
        assert!(
            !is_same_origin(Some("http://shop.example:8080"), None, None, &[]),
            "no Host, nothing to match"
        );
    }

    #[test]
    fn the_link_back_is_the_referring_page_on_this_host_only() {
        let host = Some("shop.example");
        assert_eq!(
            same_host_path("http://shop.example/personopplysninger/en#pw-rights", host).as_deref(),
            Some("/personopplysninger/en")
        );
        assert_eq!(
            same_host_path("http://shop.example", host).as_deref(),
            Some("/")
        );
        assert_eq!(
            same_host_path("http://shop.example/?q=1", host).as_deref(),
            Some("/?q=1")
        );
        assert_eq!(same_host_path("https://other.example/", host), None);
    }

    #[test]
    fn a_carried_link_back_stays_on_this_site() {
        assert!(is_local_path("/personopplysninger/en?x=1"));
        for foreign in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert!(!is_local_path(foreign), "{foreign}");
        }
    }

    #[test]
    fn only_url_encoded_bodies_are_forms() {
        let mut headers = HeaderMap::new();
        assert!(!is_form(&headers));
        headers.insert(
            header::CONTENT_TYPE,
            "Application/X-WWW-Form-Urlencoded; charset=UTF-8"
                .parse()
                .unwrap(),
        );
        assert!(is_form(&headers));
        headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert!(!is_form(&headers));
    }
}
