//! Plain form posts (no script) on the newsletter and rights-request endpoints: HTML answers under
//! the strict CSP, the JSON API's rules (double opt-in, same answer, rate limits, references),
//! the honeypot, and the same-origin and CSRF-token checks.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::{TestApp, TestResponse};

const HOST: &str = "shop.example";
const SUBSCRIBE: &str = "/api/newsletter/subscribe";
const UNSUBSCRIBE: &str = "/api/newsletter/unsubscribe";
const RIGHTS: &str = "/api/rights-requests";
const WORDING: &str = "Ja takk, send meg nyhetsbrev.";

fn encode(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

async fn post_form_from(
    app: &TestApp,
    path: &str,
    origin: Option<&str>,
    fields: &[(&str, &str)],
) -> TestResponse {
    let mut request = Request::post(path)
        .header("host", HOST)
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "referer",
            format!("http://{HOST}/personopplysninger?x=1#pw-rights"),
        );
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    app.send(request.body(Body::from(encode(fields))).unwrap())
        .await
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    post_form_from(app, path, Some("http://shop.example"), fields).await
}

fn signup(email: &str) -> Vec<(&str, &str)> {
    vec![
        ("language", "nb"),
        ("csrf", ""),
        ("website", ""),
        ("email", email),
        ("consent_text", WORDING),
        ("revision", "2026-11-01"),
        ("consent", "yes"),
    ]
}

fn assert_page(response: &TestResponse, status: StatusCode) -> String {
    let html = response.text();
    assert_eq!(response.status, status, "{html}");
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = response.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(
        !html.contains("<script") && !html.contains("style="),
        "no inline script or style"
    );
    assert!(
        html.contains("<a href=\"/personopplysninger?x=1\">"),
        "a link back to the form's page: {html}"
    );
    html
}

#[tokio::test]
async fn a_signup_form_mails_a_confirmation_and_answers_the_same_for_a_known_address() {
    let app = TestApp::new(&[]);
    let first = post_form(&app, SUBSCRIBE, &signup("kari@example.no")).await;
    let html = assert_page(&first, StatusCode::OK);
    assert!(html.contains("<html lang=\"nb\">"));
    assert!(html.contains("Sjekk e-posten din"), "{html}");
    let mails = app.mails_to("kari@example.no").await;
    assert_eq!(mails.len(), 1, "double opt-in: one confirmation mail");
    let subscribers = app.admin_get("/api/admin/newsletter").await;
    assert_eq!(subscribers["subscribers"][0]["status"], "pending");
    assert_eq!(
        subscribers["subscribers"][0]["consent"]["text"], WORDING,
        "the proof is the wording the form carried"
    );

    let again = post_form(&app, SUBSCRIBE, &signup("kari@example.no")).await;
    assert_eq!(
        again.text(),
        first.text(),
        "a known address gets the very same page"
    );
}

#[tokio::test]
async fn mistakes_come_back_in_the_form_with_the_input_kept_and_nothing_stored() {
    let app = TestApp::new(&[]);
    let mut fields = signup("kari@localhost");
    fields.retain(|(name, _)| *name != "consent");
    let response = post_form(&app, SUBSCRIBE, &fields).await;
    let html = assert_page(&response, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("value=\"kari@localhost\""), "{html}");
    assert!(
        html.contains("id=\"pw-nl-email-error\"") && html.contains("id=\"pw-nl-consent-error\"")
    );
    assert!(app.mails_to("kari@localhost").await.is_empty());
}

#[tokio::test]
async fn a_filled_honeypot_gets_the_same_answer_and_nothing_is_stored() {
    let app = TestApp::new(&[]);
    let mut fields = signup("bot@example.no");
    fields.retain(|(name, _)| *name != "website");
    fields.push(("website", "http://spam.example"));
    let response = post_form(&app, SUBSCRIBE, &fields).await;
    assert!(assert_page(&response, StatusCode::OK).contains("Sjekk e-posten din"));
    assert!(
        !app.dump_database().await.contains("bot@example.no"),
        "not stored anywhere"
    );
}

#[tokio::test]
async fn a_withdrawal_form_answers_the_same_whether_or_not_the_address_is_listed() {
    let app = TestApp::new(&[]);
    post_form(&app, SUBSCRIBE, &signup("kari@example.no")).await;
    let fields = |email| vec![("language", "en"), ("website", ""), ("email", email)];
    let listed = post_form(&app, UNSUBSCRIBE, &fields("kari@example.no")).await;
    let unknown = post_form(&app, UNSUBSCRIBE, &fields("ola@example.no")).await;
    assert!(assert_page(&listed, StatusCode::OK).contains("<html lang=\"en\">"));
    assert_eq!(listed.text(), unknown.text());
}

#[tokio::test]
async fn a_rights_request_form_is_stored_with_a_reference_and_a_reload_does_not_store_it_twice() {
    let app = TestApp::new(&[]);
    let fields = [
        ("language", "en"),
        ("website", ""),
        ("type", "erasure"),
        ("email", "kari@example.no"),
        ("message", "Please delete my account."),
        ("confirmed", "yes"),
    ];
    let response = post_form(&app, RIGHTS, &fields).await;
    let html = assert_page(&response, StatusCode::OK);
    assert!(
        html.contains("Your reference number is PV-2026-000001."),
        "{html}"
    );
    let reload = post_form(&app, RIGHTS, &fields).await;
    assert!(
        reload.text().contains("PV-2026-000001"),
        "the same request, the same reference"
    );
    let requests = app.admin_get("/api/admin/rights-requests").await;
    assert_eq!(requests["requests"].as_array().unwrap().len(), 1);
    assert_eq!(requests["requests"][0]["type"], "erasure");
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_a_page_that_says_when() {
    let app = TestApp::new(&[("RATE_LIMIT_PER_ADDRESS", "1/3600")]);
    post_form(&app, SUBSCRIBE, &signup("kari@example.no")).await;
    let response = post_form(&app, SUBSCRIBE, &signup("kari@example.no")).await;
    assert_page(&response, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        response
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn a_post_from_another_site_is_refused_and_stores_nothing() {
    let app = TestApp::new(&[]);
    for origin in ["https://evil.example", "null"] {
        let response =
            post_form_from(&app, SUBSCRIBE, Some(origin), &signup("kari@example.no")).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{origin}");
    }
    assert!(app.mails_to("kari@example.no").await.is_empty());
}

#[tokio::test]
async fn with_a_csrf_token_configured_the_form_must_carry_it() {
    let app = TestApp::new(&[("CSRF_TOKEN", "s3cret-token")]);
    let without = post_form(&app, SUBSCRIBE, &signup("kari@example.no")).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    let mut fields = signup("kari@example.no");
    fields.retain(|(name, _)| *name != "csrf");
    fields.push(("csrf", "s3cret-token"));
    let with = post_form(&app, SUBSCRIBE, &fields).await;
    assert_page(&with, StatusCode::OK);
    assert_eq!(app.mails_to("kari@example.no").await.len(), 1);
}

#[tokio::test]
async fn a_tampered_hidden_field_is_refused_with_the_apis_field_named_message() {
    let app = TestApp::new(&[]);
    let mut fields = signup("kari@example.no");
    fields.retain(|(name, _)| *name != "revision");
    fields.push(("revision", "../x"));
    let response = post_form(&app, SUBSCRIBE, &fields).await;
    let html = assert_page(&response, StatusCode::BAD_REQUEST);
    assert!(html.contains("`revision`"), "{html}");
}
