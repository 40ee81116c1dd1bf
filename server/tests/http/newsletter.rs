//! Newsletter: double opt-in end to end, the same answer whatever the address's state,
//! token reuse and expiry, unsubscribe by link, one-click and API, purge, rate limits, and
//! what is (not) stored.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use privacy_widget_server::domain::newsletter::PurgeReport;
use serde_json::{json, Value};

use crate::support::{TestApp, TestResponse, BASE_URL};

const SUBSCRIBE: &str = "/api/newsletter/subscribe";
const UNSUBSCRIBE: &str = "/api/newsletter/unsubscribe";
const HOUR: Duration = Duration::from_secs(3600);

fn signup(email: &str) -> Value {
    json!({
        "email": email,
        "consent_text": "Ja, send meg nyhetsbrev fra Serviteur AS om nyheter og tilbud, omtrent én gang i måneden.",
        "consent_text_version": "a3f1c2",
        "revision": "2026-11-01",
        "language": "nb"
    })
}

/// The token of a link path from [`link_to`].
fn token_of(link: &str) -> &str {
    link.split("token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
}

/// The path and query of the first link to `page` in a mail body.
fn link_to(mail: &Value, page: &str) -> Option<String> {
    let body = mail["body"].as_str().unwrap();
    let start = body.find(&format!("{BASE_URL}{page}?token="))?;
    let url = body[start..].split_whitespace().next().unwrap();
    Some(url.strip_prefix(BASE_URL).unwrap().to_owned())
}

async fn subscribers(app: &TestApp) -> Vec<Value> {
    app.admin_get("/api/admin/newsletter").await["subscribers"]
        .as_array()
        .unwrap()
        .clone()
}

async fn subscriber(app: &TestApp, email: &str) -> Option<Value> {
    subscribers(app)
        .await
        .into_iter()
        .find(|subscriber| subscriber["email"] == email)
}

async fn post_form(app: &TestApp, path: &str, content_type: &str, body: String) -> TestResponse {
    app.send(
        Request::post(path)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn assert_check_your_email(response: &TestResponse) {
    assert_eq!(response.status, StatusCode::ACCEPTED, "{}", response.text());
    assert_eq!(response.json(), json!({"status": "check_your_email"}));
}

/// What the confirmation page's button does: posts the link's token to the link's URL.
async fn press_confirm(app: &TestApp, link: &str) -> TestResponse {
    let token = token_of(link).to_owned();
    post_form(
        app,
        link,
        "application/x-www-form-urlencoded",
        format!("token={token}"),
    )
    .await
}

/// Opens a confirmation link and presses the page's button, as its reader does.
async fn confirm(app: &TestApp, link: &str) -> TestResponse {
    let page = app.get(link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    press_confirm(app, link).await
}

/// Subscribes and confirms `email`; returns the confirmation mail.
async fn subscribe_and_confirm(app: &TestApp, email: &str, key: &str) -> Value {
    assert_check_your_email(&app.post_json(SUBSCRIBE, key, &signup(email)).await);
    let mail = app.mails_to(email).await.remove(0);
    let confirmed = confirm(app, &link_to(&mail, "/newsletter/confirm").unwrap()).await;
    assert_eq!(confirmed.status, StatusCode::OK);
    mail
}

#[tokio::test]
async fn double_opt_in_from_signup_to_confirmed() {
    let app = TestApp::new(&[]);

    let response = app
        .post_json(SUBSCRIBE, "nl-1", &signup("  Kari@Example.NO "))
        .await;
    assert_check_your_email(&response);

    // Stored as pending, with the proof of consent, the domain lowercased.
    let pending = subscriber(&app, "Kari@example.no").await.unwrap();
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["confirmed_at"], Value::Null);
    assert_eq!(
        pending["consent"],
        json!({
            "given_at": "2026-11-26T12:00:00.000Z",
            "text": signup("")["consent_text"],
            "text_version": "a3f1c2",
            "revision": "2026-11-01",
            "language": "nb",
        })
    );

    // One mail, in bokmål, with a confirmation link and an unsubscribe link.
    let mails = app.mails_to("Kari@example.no").await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(
        mail["subject"],
        "Bekreft påmeldingen til nyhetsbrevet fra Serviteur AS"
    );
    assert_eq!(mail["purpose"], "newsletter");
    assert_eq!(mail["smtp_status"], Value::Null, "no SMTP_URL configured");
    let confirm = link_to(mail, "/newsletter/confirm").expect("confirmation link");
    let unsubscribe = link_to(mail, "/newsletter/unsubscribe").expect("unsubscribe link");
    assert_eq!(
        mail["list_unsubscribe"],
        format!("{BASE_URL}{unsubscribe}"),
        "the List-Unsubscribe header points at the mail's own unsubscribe link"
    );

    // The link only opens a page with the button: a mail scanner that prefetches it, or a
    // link checker's HEAD, confirms nothing.
    for method in ["GET", "HEAD"] {
        let request = Request::builder().method(method).uri(&confirm);
        let page = app.send(request.body(Body::empty()).unwrap()).await;
        assert_eq!(page.status, StatusCode::OK, "{method}");
    }
    let page = app.get(&confirm).await;
    let html = page.text();
    assert!(html.contains("<h1>Bekreft påmeldingen</h1>"), "{html}");
    assert!(html.contains("<form method=\"post\">"), "{html}");
    assert!(html.contains(&format!(
        "<input type=\"hidden\" name=\"token\" value=\"{}\">",
        token_of(&confirm)
    )));
    assert_eq!(
        subscriber(&app, "Kari@example.no").await.unwrap()["status"],
        "pending"
    );

    // Its button confirms, on a page under the strict CSP.
    app.clock.advance(Duration::from_secs(90));
    let page = press_confirm(&app, &confirm).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Takk! Du er nå påmeldt"));
    assert!(page.text().contains("<html lang=\"nb\">"));
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("script-src 'self'"));
    assert!(!page.text().contains("<script") && !page.text().contains("style="));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));

    let confirmed = subscriber(&app, "Kari@example.no").await.unwrap();
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(confirmed["confirmed_at"], "2026-11-26T12:01:30.000Z");
    assert_eq!(confirmed["consent"], pending["consent"]);

    // Single use: the same link again, opened or pressed, fails and changes nothing.
    assert_eq!(press_confirm(&app, &confirm).await.status, StatusCode::GONE);
    let again = app.get(&confirm).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.text().contains("Lenken er allerede brukt"));
    assert!(
        again.text().contains("href=\"/\""),
        "a link back to the shop"
    );
    assert_eq!(
        subscriber(&app, "Kari@example.no").await.unwrap()["confirmed_at"],
        "2026-11-26T12:01:30.000Z"
    );
}

#[tokio::test]
async fn english_and_nynorsk_signups_get_mail_and_pages_in_their_language() {
    let app = TestApp::new(&[]);
    let mut body = signup("ola@example.com");
    body["language"] = json!("en");
    app.post_json(SUBSCRIBE, "en-1", &body).await;
    let mail = app.mails_to("ola@example.com").await.remove(0);
    assert_eq!(
        mail["subject"],
        "Confirm your subscription to the Serviteur AS newsletter"
    );
    let link = link_to(&mail, "/newsletter/confirm").unwrap();
    assert!(app.get(&link).await.text().contains("Confirm subscription"));
    let page = press_confirm(&app, &link).await;
    assert!(page.text().contains("Thank you! You are now subscribed"));
    assert!(page.text().contains("<html lang=\"en\">"));

    let mut body = signup("per@example.no");
    body["language"] = json!("nn");
    app.post_json(SUBSCRIBE, "nn-1", &body).await;
    let mail = app.mails_to("per@example.no").await.remove(0);
    assert_eq!(
        mail["subject"],
        "Stadfest påmeldinga til nyheitsbrevet frå Serviteur AS"
    );
    let link = link_to(&mail, "/newsletter/confirm").unwrap();
    assert!(link.ends_with("&lang=nn"), "{link}");
    let form = app.get(&link).await.text();
    assert!(form.contains("<html lang=\"nn\">") && form.contains("Stadfest påmeldinga"));
    let page = press_confirm(&app, &link).await;
    assert!(page.text().contains("Takk! No er du påmeld"));
    assert_eq!(
        subscriber(&app, "per@example.no").await.unwrap()["consent"]["language"],
        "nn",
        "the proof keeps the language the visitor used"
    );
}

#[tokio::test]
async fn the_answer_is_the_same_for_new_pending_and_confirmed_addresses() {
    let app = TestApp::new(&[]);
    subscribe_and_confirm(&app, "confirmed@example.no", "c-1").await;
    app.post_json(SUBSCRIBE, "p-1", &signup("pending@example.no"))
        .await;

    let mut answers = Vec::new();
    for (key, email) in [
        ("again-new", "new@example.no"),
        ("again-pending", "pending@example.no"),
        ("again-confirmed", "confirmed@example.no"),
    ] {
        let response = app.post_json(SUBSCRIBE, key, &signup(email)).await;
        let mut headers: Vec<_> = response
            .headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        headers.sort();
        answers.push((response.status, headers, response.body.clone()));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[1], answers[2]);

    // The pending address got a new confirmation link; the old one no longer works.
    let pending_mails = app.mails_to("pending@example.no").await;
    assert_eq!(pending_mails.len(), 2);
    let newest = link_to(&pending_mails[0], "/newsletter/confirm").unwrap();
    let older = link_to(&pending_mails[1], "/newsletter/confirm").unwrap();
    assert_ne!(newest, older);
    assert_eq!(app.get(&older).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&newest).await.status, StatusCode::OK);

    // The confirmed address got "already subscribed" with an unsubscribe link, no new
    // confirmation, and stays confirmed.
    let confirmed_mails = app.mails_to("confirmed@example.no").await;
    assert_eq!(confirmed_mails.len(), 2);
    let latest = &confirmed_mails[0];
    assert_eq!(
        latest["subject"],
        "Du abonnerer allerede på nyhetsbrevet fra Serviteur AS"
    );
    assert!(link_to(latest, "/newsletter/confirm").is_none());
    assert!(link_to(latest, "/newsletter/unsubscribe").is_some());
    assert_eq!(
        subscriber(&app, "confirmed@example.no").await.unwrap()["status"],
        "confirmed"
    );
}

#[tokio::test]
async fn a_replayed_signup_sends_no_second_mail() {
    let app = TestApp::new(&[]);
    let body = signup("kari@example.no");
    let first = app.post_json(SUBSCRIBE, "same-key", &body).await;
    let replay = app.post_json(SUBSCRIBE, "same-key", &body).await;
    assert_eq!(replay.status, first.status);
    assert_eq!(replay.header("idempotency-replayed"), Some("true"));
    assert_eq!(app.mails_to("kari@example.no").await.len(), 1);
}

#[tokio::test]
async fn a_beacon_signup_is_accepted() {
    let app = TestApp::new(&[]);
    let envelope = json!({"idempotency_key": "beacon-1", "body": signup("kari@example.no")});
    let response = post_form(&app, SUBSCRIBE, "text/plain", envelope.to_string()).await;
    assert_check_your_email(&response);
    assert_eq!(subscribers(&app).await.len(), 1);
}

#[tokio::test]
async fn confirmation_links_expire_after_the_token_ttl() {
    let app = TestApp::new(&[("NEWSLETTER_TOKEN_TTL_HOURS", "24")]);
    app.post_json(SUBSCRIBE, "x-1", &signup("kari@example.no"))
        .await;
    let mail = app.mails_to("kari@example.no").await.remove(0);
    assert!(mail["body"].as_str().unwrap().contains("24 timer"));
    let confirm = link_to(&mail, "/newsletter/confirm").unwrap();

    app.clock.advance(24 * HOUR);
    let page = app.get(&confirm).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.text().contains("Lenken har utløpt"));
    let pressed = press_confirm(&app, &confirm).await;
    assert_eq!(
        pressed.status,
        StatusCode::GONE,
        "a page opened in time, pressed too late"
    );
    assert_eq!(
        subscriber(&app, "kari@example.no").await.unwrap()["status"],
        "pending"
    );
}

#[tokio::test]
async fn unknown_malformed_and_missing_tokens_get_a_404_page() {
    let app = TestApp::new(&[]);
    for path in [
        format!("/newsletter/confirm?token={}", "a".repeat(64)),
        "/newsletter/confirm?token=nope".to_owned(),
        "/newsletter/confirm".to_owned(),
        format!("/newsletter/unsubscribe?token={}", "b".repeat(64)),
        "/newsletter/unsubscribe".to_owned(),
    ] {
        let page = app.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.text().contains("Ukjent lenke"), "{path}");
        assert!(page.header("content-security-policy").is_some());
    }
    for token in ["a".repeat(64), "nope".to_owned(), String::new()] {
        let pressed = press_confirm(&app, &format!("/newsletter/confirm?token={token}")).await;
        assert_eq!(
            pressed.status,
            StatusCode::NOT_FOUND,
            "POST with token {token:?}"
        );
        assert!(pressed.text().contains("Ukjent lenke"));
    }
}

#[tokio::test]
async fn link_page_posts_over_16_kib_get_a_413_page() {
    let app = TestApp::new(&[]);
    for path in ["/newsletter/confirm", "/newsletter/unsubscribe"] {
        // Just over the limit, and over axum's default limit of 2 MB, which answered in
        // plain text.
        for size in [16 * 1024 + 1, 3 * 1024 * 1024] {
            let response = post_form(
                &app,
                path,
                "application/x-www-form-urlencoded",
                "a".repeat(size),
            )
            .await;
            assert_eq!(
                response.status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "{path} {size}"
            );
            assert_eq!(
                response.header("content-type"),
                Some("text/html; charset=utf-8")
            );
            assert!(response.text().contains("Request too large"));
        }
    }

    // A form of exactly 16 KiB still confirms.
    assert_check_your_email(
        &app.post_json(SUBSCRIBE, "big-form", &signup("kari@example.no"))
            .await,
    );
    let mail = app.mails_to("kari@example.no").await.remove(0);
    let link = link_to(&mail, "/newsletter/confirm").unwrap();
    let mut form = format!("token={}&padding=", token_of(&link));
    form.push_str(&"p".repeat(16 * 1024 - form.len()));
    let confirmed = post_form(&app, &link, "application/x-www-form-urlencoded", form).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text());
}

#[tokio::test]
async fn unsubscribe_link_shows_a_form_and_its_post_deletes_everything() {
    let app = TestApp::new(&[]);
    let mail = subscribe_and_confirm(&app, "kari@example.no", "u-1").await;
    let unsubscribe = link_to(&mail, "/newsletter/unsubscribe").unwrap();

    // GET (what a mail scanner prefetches) only shows the one-click form.
    let page = app.get(&unsubscribe).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("<form method=\"post\">"), "{html}");
    assert!(html.contains("Meld meg av"));
    assert!(subscriber(&app, "kari@example.no").await.is_some());

    // The form posts the token in its body to the same URL.
    let token = token_of(&unsubscribe);
    let done = post_form(
        &app,
        &unsubscribe,
        "application/x-www-form-urlencoded",
        format!("token={token}"),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.text().contains("Du er nå avmeldt"));
    assert!(subscriber(&app, "kari@example.no").await.is_none());
    assert!(
        app.mails_to("kari@example.no").await.is_empty(),
        "newsletter mail to the address goes with it"
    );
    assert!(!app.dump_database().await.contains("kari@example.no"));

    // The link is gone with the address.
    let again = post_form(
        &app,
        "/newsletter/unsubscribe",
        "application/x-www-form-urlencoded",
        format!("token={token}"),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_click_unsubscribe_per_rfc_8058() {
    let app = TestApp::new(&[]);
    let mail = subscribe_and_confirm(&app, "kari@example.no", "rfc-1").await;
    let header_url = mail["list_unsubscribe"].as_str().unwrap();
    let path = header_url.strip_prefix(BASE_URL).unwrap();

    // What a mail client sends: POST to the header's URL, the token only in the URL.
    let response = post_form(
        &app,
        path,
        "multipart/form-data; boundary=x",
        "--x\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--x--\r\n"
            .to_owned(),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(subscriber(&app, "kari@example.no").await.is_none());
}

#[tokio::test]
async fn a_pending_address_can_be_removed_with_the_link_in_the_confirmation_mail() {
    let app = TestApp::new(&[]);
    app.post_json(SUBSCRIBE, "p-1", &signup("kari@example.no"))
        .await;
    let mail = app.mails_to("kari@example.no").await.remove(0);
    let unsubscribe = link_to(&mail, "/newsletter/unsubscribe").unwrap();
    let response = post_form(
        &app,
        &unsubscribe,
        "application/x-www-form-urlencoded",
        "List-Unsubscribe=One-Click".to_owned(),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(subscribers(&app).await.is_empty());
}

#[tokio::test]
async fn unsubscribe_by_api_mails_a_link_and_deletes_only_through_it() {
    let app = TestApp::new(&[]);
    subscribe_and_confirm(&app, "kari@example.no", "a-1").await;

    let listed = app
        .post_json(
            UNSUBSCRIBE,
            "un-1",
            &json!({"email": "kari@EXAMPLE.no", "language": "en"}),
        )
        .await;
    let unknown = app
        .post_json(UNSUBSCRIBE, "un-2", &json!({"email": "nobody@example.no"}))
        .await;
    assert_check_your_email(&listed);
    assert_eq!(unknown.status, listed.status);
    assert_eq!(unknown.body, listed.body);
    assert!(app.mails_to("nobody@example.no").await.is_empty());

    // No proof of mailbox ownership yet: still subscribed.
    assert_eq!(
        subscriber(&app, "kari@example.no").await.unwrap()["status"],
        "confirmed"
    );
    let mail = app.mails_to("kari@example.no").await.remove(0);
    assert_eq!(
        mail["subject"],
        "Unsubscribe from the Serviteur AS newsletter"
    );
    let link = link_to(&mail, "/newsletter/unsubscribe").unwrap();
    let token = token_of(&link);
    assert!(link.ends_with("&lang=en"));
    let page = app.get(&link).await;
    assert!(page.text().contains("Unsubscribe from the newsletter"));
    // Submitted from the page: token in the body, the page's URL as the target.
    let done = post_form(
        &app,
        &link,
        "application/x-www-form-urlencoded",
        format!("token={token}"),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.text().contains("You are now unsubscribed"));
    assert!(subscribers(&app).await.is_empty());
}

#[tokio::test]
async fn purge_deletes_unconfirmed_addresses_after_the_pending_ttl_only() {
    let app = TestApp::new(&[]);
    app.post_json(SUBSCRIBE, "pg-1", &signup("pending@example.no"))
        .await;
    subscribe_and_confirm(&app, "confirmed@example.no", "pg-2").await;

    app.clock.advance(47 * HOUR);
    assert_eq!(
        app.purge_newsletter().await.unwrap(),
        PurgeReport::default()
    );
    assert_eq!(subscribers(&app).await.len(), 2);

    app.clock.advance(HOUR);
    let report = app.purge_newsletter().await.unwrap();
    assert_eq!(report.pending_subscribers, 1);
    let left = subscribers(&app).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["email"], "confirmed@example.no");
    let dump = app.dump_database().await;
    assert!(!dump.contains("pending@example.no"), "{dump}");
    assert!(
        !dump.contains("/api/newsletter/subscribe"),
        "idempotency records go too"
    );

    // Nothing left to purge; the confirmed address's used token goes after another TTL.
    app.clock.advance(48 * HOUR);
    let report = app.purge_newsletter().await.unwrap();
    assert_eq!(report.pending_subscribers, 0);
    assert_eq!(report.stale_tokens, 1);
    assert_eq!(subscribers(&app).await.len(), 1);
}

#[tokio::test]
async fn per_address_limit_answers_429_with_retry_after_and_replays_do_not_count() {
    let app = TestApp::new(&[("RATE_LIMIT_PER_ADDRESS", "5/3600")]);
    for attempt in 0..5 {
        app.clock.advance(Duration::from_secs(60));
        let response = app
            .post_json(
                SUBSCRIBE,
                &format!("rl-{attempt}"),
                &signup("kari@example.no"),
            )
            .await;
        assert_eq!(response.status, StatusCode::ACCEPTED, "attempt {attempt}");
    }
    // A retry of an earlier request is answered from the idempotency store.
    let replay = app
        .post_json(SUBSCRIBE, "rl-0", &signup("kari@example.no"))
        .await;
    assert_eq!(replay.status, StatusCode::ACCEPTED);

    let refused = app
        .post_json(SUBSCRIBE, "rl-5", &signup("kari@EXAMPLE.no"))
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let error = refused.json();
    assert_eq!(error["error"], "rate_limited");
    assert_eq!(error["field"], "email");
    // The first request was at +60 s, now is +300 s: free again at +3660 s.
    assert_eq!(refused.header("retry-after"), Some("3360"));
    assert_eq!(app.mails_to("kari@example.no").await.len(), 5);

    // Other addresses are unaffected; the refused key can be retried once the window moved.
    assert_eq!(
        app.post_json(SUBSCRIBE, "rl-other", &signup("ola@example.no"))
            .await
            .status,
        StatusCode::ACCEPTED
    );
    app.clock.advance(Duration::from_secs(3360));
    assert_eq!(
        app.post_json(SUBSCRIBE, "rl-5", &signup("kari@EXAMPLE.no"))
            .await
            .status,
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn per_ip_limit_counts_the_peer_address() {
    let app = TestApp::new(&[("RATE_LIMIT_PER_IP", "20/600")]);
    for n in 0..20 {
        let response = app
            .post_json_from(
                "198.51.100.7:4000",
                SUBSCRIBE,
                &format!("ip-{n}"),
                &signup(&format!("person{n}@example.no")),
            )
            .await;
        assert_eq!(response.status, StatusCode::ACCEPTED, "request {n}");
    }
    app.clock.advance(Duration::from_secs(100));
    let refused = app
        .post_json_from(
            "198.51.100.7:4001",
            SUBSCRIBE,
            "ip-20",
            &signup("person20@example.no"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.json()["error"], "rate_limited");
    assert_eq!(refused.json().get("field"), None);
    assert_eq!(refused.header("retry-after"), Some("500"));
    // The unsubscribe request shares the newsletter budget.
    assert_eq!(
        app.post_json_from(
            "198.51.100.7:4002",
            UNSUBSCRIBE,
            "ip-u",
            &json!({"email": "x@example.no"})
        )
        .await
        .status,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Another client is not affected.
    let other = app
        .post_json_from(
            "198.51.100.8:4000",
            SUBSCRIBE,
            "ip-21",
            &signup("person20@example.no"),
        )
        .await;
    assert_eq!(other.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn x_forwarded_for_is_used_only_behind_a_trusted_proxy() {
    async fn from_proxy(app: &TestApp, key: &str, forwarded_for: &str) -> StatusCode {
        let mut request = Request::post(SUBSCRIBE)
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .header("x-forwarded-for", forwarded_for)
            .body(Body::from(signup(&format!("{key}@example.no")).to_string()))
            .unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(
            privacy_widget_server::http::connection::ConnectionHandle::detached(
                "10.0.0.1:443".parse().unwrap(),
            ),
        ));
        app.send(request).await.status
    }

    let direct = TestApp::new(&[("RATE_LIMIT_PER_IP", "1/600")]);
    assert_eq!(
        from_proxy(&direct, "a", "203.0.113.1").await,
        StatusCode::ACCEPTED
    );
    // Without TRUST_PROXY the header is ignored: same peer, so limited.
    assert_eq!(
        from_proxy(&direct, "b", "203.0.113.2").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    let proxied = TestApp::new(&[("RATE_LIMIT_PER_IP", "1/600"), ("TRUST_PROXY", "1")]);
    assert_eq!(
        from_proxy(&proxied, "a", "203.0.113.1").await,
        StatusCode::ACCEPTED
    );
    // The proxy's entry is the last one; a forged first entry does not help.
    assert_eq!(
        from_proxy(&proxied, "b", "203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        from_proxy(&proxied, "c", "192.0.2.99, 203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        from_proxy(&proxied, "d", "203.0.113.2").await,
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn subscribers_are_stored_with_the_address_and_proof_of_consent_only() {
    let app = TestApp::new(&[]);
    let columns: Vec<String> = app
        .state
        .database
        .call(|transaction| transaction.table_columns("newsletter_subscribers"))
        .await
        .unwrap();
    assert_eq!(
        columns,
        [
            "id",
            "email",
            "status",
            "consented_at",
            "consent_text",
            "consent_text_version",
            "revision",
            "language",
            "confirmed_at"
        ]
    );

    let mut body = signup("kari@example.no");
    body["first_name"] = json!("Kari");
    let response = app
        .post_json_from("203.0.113.77:61000", SUBSCRIBE, "stored-1", &body)
        .await;
    assert_check_your_email(&response);
    let mail = app.mails_to("kari@example.no").await.remove(0);
    confirm(&app, &link_to(&mail, "/newsletter/confirm").unwrap()).await;

    let dump = app.dump_database().await;
    assert!(dump.contains("kari@example.no"));
    for absent in ["203.0.113.77", "TestAgent", "Kari\""] {
        assert!(!dump.contains(absent), "{absent} found in:\n{dump}");
    }
    assert!(
        !mail["body"].as_str().unwrap().contains("Kari"),
        "the first name is not used"
    );

    // Tokens are stored as SHA-256 only: the links' tokens appear in no token row.
    let confirm = link_to(&mail, "/newsletter/confirm").unwrap();
    let token = token_of(&confirm);
    let token_rows: String = dump
        .lines()
        .filter(|line| line.starts_with("newsletter_tokens"))
        .collect();
    assert!(!token_rows.is_empty());
    assert!(!token_rows.contains(token));
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let app = TestApp::new(&[]);
    for (field, value) in [
        ("email", json!("kari@localhost")),
        ("consent_text", json!("")),
        ("consent_text_version", json!("has space")),
        ("revision", json!("")),
        ("language", json!("sv")),
    ] {
        let mut body = signup("kari@example.no");
        body[field] = value;
        let response = app.post_json(SUBSCRIBE, &format!("v-{field}"), &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{field}");
        assert_eq!(response.json()["field"], field);
    }
    let mut body = signup("kari@example.no");
    body["ip_address"] = json!("192.0.2.1");
    let response = app.post_json(SUBSCRIBE, "v-unknown", &body).await;
    assert_eq!(response.json()["error"], "unknown_field");
    assert!(subscribers(&app).await.is_empty());
}

#[tokio::test]
async fn demo_mailbox_page_lists_mail_newest_first_with_clickable_links() {
    let without = TestApp::new(&[]);
    assert_eq!(
        without.get("/demo/mailbox").await.status,
        StatusCode::NOT_FOUND
    );

    let app = TestApp::new(&[("DEMO_MAILBOX", "1")]);
    assert!(app
        .get("/demo/mailbox")
        .await
        .text()
        .contains("Ingen e-post"));
    app.post_json(SUBSCRIBE, "d-1", &signup("first@example.no"))
        .await;
    app.post_json(SUBSCRIBE, "d-2", &signup("second@example.no"))
        .await;
    let page = app.get("/demo/mailbox").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.header("content-security-policy").is_some());
    let html = page.text();
    let first = html.find("first@example.no").unwrap();
    let second = html.find("second@example.no").unwrap();
    assert!(second < first, "newest first");
    assert!(html.contains(&format!("<a href=\"{BASE_URL}/newsletter/confirm?token=")));
}

#[tokio::test]
async fn admin_lists_need_the_token() {
    let app = TestApp::new(&[]);
    for path in ["/api/admin/newsletter", "/api/admin/mailbox"] {
        let anonymous = app.get(path).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
        let wrong = app
            .send(
                Request::get(path)
                    .header("authorization", "Bearer wrong")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let disabled = TestApp::new(&[("ADMIN_TOKEN", "")]);
    assert_eq!(
        disabled.get("/api/admin/newsletter").await.status,
        StatusCode::NOT_FOUND
    );
}
