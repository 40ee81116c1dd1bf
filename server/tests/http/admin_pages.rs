//! The operator pages under /admin: absent without a password hash; sign-in with a session
//! cookie stored server-side; CSRF on every form; failed sign-ins limited per client and per
//! account; the inbox's deadlines and recorded status changes; the overview's numbers. Run
//! on both stores (the suite runs again on PostgreSQL).

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use privacy_widget_server::clock::Clock;
use privacy_widget_server::domain::admin_sessions::hash_password;
use privacy_widget_server::http::connection::ConnectionHandle;
use serde_json::json;

use crate::support::{consent_body, TestApp, TestResponse, ADMIN_TOKEN};

const PASSWORD: &str = "correct horse battery";
const PEER: &str = "198.51.100.7:40000";

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(PASSWORD).unwrap())
}

fn admin_app(overrides: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![("ADMIN_PASSWORD_HASH", password_hash())];
    vars.extend_from_slice(overrides);
    TestApp::new(&vars)
}

/// The value of `name` in a `Set-Cookie` header of `response`.
fn set_cookie<'r>(response: &'r TestResponse, name: &str) -> Option<&'r str> {
    response
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
}

fn cookie_value(header: &str) -> String {
    header
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

/// The value of the hidden `csrf_token` input of a page.
fn csrf_field(html: &str) -> String {
    let start = html
        .find("name=\"csrf_token\" value=\"")
        .unwrap_or_else(|| panic!("no csrf_token field in {html}"))
        + "name=\"csrf_token\" value=\"".len();
    html[start..start + 64].to_owned()
}

/// A browser: the cookies it holds, the address it comes from.
struct Browser<'a> {
    app: &'a TestApp,
    peer: &'a str,
    session: Option<String>,
    /// Extra request headers (X-Forwarded-For behind a trusted proxy, …).
    headers: Vec<(&'static str, String)>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            peer: PEER,
            session: None,
            headers: Vec::new(),
        }
    }

    async fn send(&self, mut request: Request<Body>, cookies: &[String]) -> TestResponse {
        let mut all: Vec<String> = cookies.to_vec();
        if let Some(session) = &self.session {
            all.push(format!("pw_admin_session={session}"));
        }
        if !all.is_empty() {
            request
                .headers_mut()
                .insert("cookie", all.join("; ").parse().unwrap());
        }
        for (name, value) in &self.headers {
            request.headers_mut().insert(*name, value.parse().unwrap());
        }
        let peer: SocketAddr = self.peer.parse().unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(ConnectionHandle::detached(peer)));
        self.app.send(request).await
    }

    async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap(), &[])
            .await
    }

    async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        cookies: &[String],
    ) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
            cookies,
        )
        .await
    }

    /// Opens the sign-in page and sends its form; keeps the session cookie if one is set.
    async fn sign_in(&mut self, user: &str, password: &str) -> TestResponse {
        let form = self.get("/admin/sign-in").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        let cookie = set_cookie(&form, "pw_admin_sign_in").expect("sign-in cookie");
        let cookie = format!("pw_admin_sign_in={}", cookie_value(cookie));
        let token = csrf_field(&form.text());
        let response = self
            .post_form(
                "/admin/sign-in",
                &[
                    ("csrf_token", &token),
                    ("user", user),
                    ("password", password),
                ],
                &[cookie],
            )
            .await;
        if let Some(session) = set_cookie(&response, "pw_admin_session") {
            self.session = Some(cookie_value(session));
        }
        response
    }

    /// The session's CSRF token, read from the sign-out form of the overview.
    async fn csrf_token(&self) -> String {
        csrf_field(&self.get("/admin").await.text())
    }
}

fn location(response: &TestResponse) -> &str {
    response.header("location").unwrap_or("")
}

#[tokio::test]
async fn the_pages_do_not_exist_without_a_password_hash() {
    let app = TestApp::new(&[]);
    for path in [
        "/admin",
        "/admin/sign-in",
        "/admin/requests",
        "/admin/admin.css",
    ] {
        assert_eq!(app.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_bad_password_hash_stops_the_server_naming_the_variable() {
    let vars = std::collections::HashMap::from([("ADMIN_PASSWORD_HASH", "$argon2id$v=19$cut")]);
    let error = privacy_widget_server::config::Config::from_lookup(|name| {
        vars.get(name).map(|value| value.to_string())
    })
    .unwrap_err();
    assert_eq!(error.variable, "ADMIN_PASSWORD_HASH");
}

#[tokio::test]
async fn sign_in_gives_a_strict_http_only_session_kept_server_side_until_sign_out() {
    let app = admin_app(&[]);
    let mut browser = Browser::new(&app);
    let before = browser.get("/admin").await;
    assert_eq!(before.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&before), "/admin/sign-in");

    let signed_in = browser.sign_in("admin", PASSWORD).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.text()
    );
    assert_eq!(location(&signed_in), "/admin");
    let cookie = set_cookie(&signed_in, "pw_admin_session").unwrap();
    assert!(
        cookie.ends_with("; Path=/admin; HttpOnly; SameSite=Strict"),
        "{cookie}"
    );
    let session_id = browser.session.clone().unwrap();
    assert_eq!(session_id.len(), 64);
    // Only the id's SHA-256 is stored: a copy of the database holds no live session.
    let dump = app.dump_database().await;
    assert!(dump.contains("admin_sessions"), "{dump}");
    assert!(!dump.contains(&session_id));

    let overview = browser.get("/admin").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.text().contains("<h1>Consent overview</h1>"));
    assert!(overview
        .header("content-security-policy")
        .unwrap()
        .contains("style-src 'self'"));
    assert_eq!(overview.header("cache-control"), Some("no-store"));

    let token = browser.csrf_token().await;
    let signed_out = browser
        .post_form("/admin/sign-out", &[("csrf_token", &token)], &[])
        .await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert!(set_cookie(&signed_out, "pw_admin_session")
        .unwrap()
        .contains("Max-Age=0"));
    // The old cookie no longer works, on this instance or any other on the database.
    let after = browser.get("/admin").await;
    assert_eq!(location(&after), "/admin/sign-in");
}

#[tokio::test]
async fn sessions_expire() {
    let app = admin_app(&[("ADMIN_SESSION_HOURS", "1")]);
    let mut browser = Browser::new(&app);
    browser.sign_in("admin", PASSWORD).await;
    app.clock.advance(Duration::from_secs(3599));
    assert_eq!(browser.get("/admin/requests").await.status, StatusCode::OK);
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(
        location(&browser.get("/admin/requests").await),
        "/admin/sign-in"
    );
    let report = app.state.housekeeping().run_once().await.unwrap();
    assert_eq!(report.admin_sessions, 1);
}

#[tokio::test]
async fn the_cookie_is_secure_behind_tls() {
    let https = admin_app(&[("BASE_URL", "https://shop.example")]);
    let mut browser = Browser::new(&https);
    let response = browser.sign_in("admin", PASSWORD).await;
    assert!(set_cookie(&response, "pw_admin_session")
        .unwrap()
        .ends_with("; Secure"));

    // Behind a trusted proxy, its X-Forwarded-Proto decides; without TRUST_PROXY it is ignored.
    for (trust, secure) in [("1", true), ("0", false)] {
        let app = admin_app(&[("TRUST_PROXY", trust)]);
        let mut browser = Browser::new(&app);
        browser
            .headers
            .push(("x-forwarded-proto", "https".to_owned()));
        let response = browser.sign_in("admin", PASSWORD).await;
        let cookie = set_cookie(&response, "pw_admin_session").unwrap();
        assert_eq!(
            cookie.ends_with("; Secure"),
            secure,
            "TRUST_PROXY={trust}: {cookie}"
        );
    }
}

#[tokio::test]
async fn wrong_credentials_are_refused_without_saying_which() {
    let app = admin_app(&[]);
    for (user, password) in [
        ("admin", "wrong password!"),
        ("root", PASSWORD),
        ("admin", ""),
    ] {
        let mut browser = Browser::new(&app);
        let response = browser.sign_in(user, password).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{user}");
        assert!(set_cookie(&response, "pw_admin_session").is_none());
        assert!(response
            .text()
            .contains("The account name or the password is wrong."));
    }
}

#[tokio::test]
async fn the_sign_in_form_needs_its_own_token() {
    let app = admin_app(&[]);
    let browser = Browser::new(&app);
    let form = browser.get("/admin/sign-in").await;
    let cookie = cookie_value(set_cookie(&form, "pw_admin_sign_in").unwrap());
    let other = "f".repeat(64);
    for (cookies, token) in [
        (vec![], cookie.as_str()),
        (vec![format!("pw_admin_sign_in={cookie}")], ""),
        (vec![format!("pw_admin_sign_in={cookie}")], other.as_str()),
    ] {
        let fields = [
            ("csrf_token", token),
            ("user", "admin"),
            ("password", PASSWORD),
        ];
        let response = browser.post_form("/admin/sign-in", &fields, &cookies).await;
        assert_eq!(
            response.status,
            StatusCode::FORBIDDEN,
            "{cookies:?} {token}"
        );
        assert!(set_cookie(&response, "pw_admin_session").is_none());
    }
}

#[tokio::test]
async fn every_post_needs_the_sessions_csrf_token() {
    let app = admin_app(&[]);
    app.post_json(
        "/api/rights-requests",
        "rr-csrf",
        &rights_request("kari@example.no"),
    )
    .await;
    let mut browser = Browser::new(&app);
    browser.sign_in("admin", PASSWORD).await;
    let path = "/admin/requests/PV-2026-000001/status";
    let wrong = "0".repeat(64);
    for fields in [
        vec![("status", "completed")],
        vec![("status", "completed"), ("csrf_token", wrong.as_str())],
    ] {
        let response = browser.post_form(path, &fields, &[]).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{fields:?}");
        assert!(response.text().contains("nothing was changed"));
    }
    // Another session's token is no good either.
    let mut other = Browser::new(&app);
    other.sign_in("admin", PASSWORD).await;
    let other_token = other.csrf_token().await;
    let response = browser
        .post_form(
            path,
            &[("status", "completed"), ("csrf_token", &other_token)],
            &[],
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    let sign_out = browser.post_form("/admin/sign-out", &[], &[]).await;
    assert_eq!(sign_out.status, StatusCode::FORBIDDEN);
    let listed = app.admin_get("/api/admin/rights-requests").await;
    assert_eq!(listed["requests"][0]["status"], "received");
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_client_address() {
    let app = admin_app(&[("ADMIN_SIGN_IN_LIMIT_PER_IP", "3/600")]);
    let mut browser = Browser::new(&app);
    for _ in 0..3 {
        assert_eq!(
            browser.sign_in("admin", "nope nope nope").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    app.clock.advance(Duration::from_secs(100));
    // Even the right password is not checked while the pause lasts.
    let limited = browser.sign_in("admin", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("retry-after"), Some("500"));
    assert!(limited.text().contains("Try again in 9 minutes"));
    assert!(set_cookie(&limited, "pw_admin_session").is_none());

    // Another address is not affected.
    let mut neighbour = Browser::new(&app);
    neighbour.peer = "203.0.113.9:1234";
    assert_eq!(
        neighbour.sign_in("admin", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    app.clock.advance(Duration::from_secs(500));
    assert_eq!(
        browser.sign_in("admin", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Kept as long as the longer window (the account's, 900 s by default) can count them.
    let report = app.state.housekeeping().run_once().await.unwrap();
    assert_eq!(report.sign_in_failures, 0);
    app.clock.advance(Duration::from_secs(300));
    let report = app.state.housekeeping().run_once().await.unwrap();
    assert_eq!(
        report.sign_in_failures, 6,
        "3 failures, each counted per address and per account"
    );
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_account_from_any_address() {
    let app = admin_app(&[
        ("ADMIN_SIGN_IN_LIMIT_PER_ACCOUNT", "2/900"),
        ("TRUST_PROXY", "1"),
    ]);
    for address in ["192.0.2.1", "192.0.2.2"] {
        let mut browser = Browser::new(&app);
        browser
            .headers
            .push(("x-forwarded-for", address.to_owned()));
        assert_eq!(
            browser.sign_in("Admin ", "guess guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let mut third = Browser::new(&app);
    third
        .headers
        .push(("x-forwarded-for", "192.0.2.3".to_owned()));
    let limited = third.sign_in("admin", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("retry-after"), Some("900"));
}

fn rights_request(email: &str) -> serde_json::Value {
    json!({
        "type": "erasure",
        "email": email,
        "message": "Slett meg.\n<b>takk</b>",
        "language": "nb",
        "confirmed": true
    })
}

#[tokio::test]
async fn the_inbox_flags_overdue_and_due_soon_requests_in_words() {
    let app = admin_app(&[]);
    // Received 2026-11-26 (START), then 10 and 30 days after it.
    for (key, email, advance_days) in [
        ("a", "a@example.no", 0),
        ("b", "b@example.no", 10),
        ("c", "c@example.no", 20),
    ] {
        app.clock
            .advance(Duration::from_secs(advance_days * 86_400));
        let response = app
            .post_json("/api/rights-requests", key, &rights_request(email))
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    }
    // Now 2026-12-26T12:00Z: the first was due 2026-12-26T12:00Z (overdue today), the
    // second is due 2027-01-06 (11 days left); move on 5 days to make it due soon.
    app.clock.advance(Duration::from_secs(5 * 86_400));
    let mut browser = Browser::new(&app);
    browser.sign_in("admin", PASSWORD).await;
    let inbox = browser.get("/admin/requests").await.text();
    let row = |reference: &str| {
        let start = inbox.find(&format!(">{reference}<")).unwrap();
        let row_start = inbox[..start].rfind("<tr").unwrap();
        let row_end = start + inbox[start..].find("</tr>").unwrap();
        inbox[row_start..row_end].to_owned()
    };
    let first = row("PV-2026-000001");
    assert!(first.contains("class=\"overdue\""), "{first}");
    assert!(first.contains("Overdue by 5 days"), "{first}");
    assert!(first.contains("<td>2026-12-26</td>"), "due date: {first}");
    let second = row("PV-2026-000002");
    assert!(second.contains("class=\"due-soon\""), "{second}");
    assert!(second.contains("Due soon: 6 days left"), "{second}");
    assert!(second.contains("<td>25 days</td>"), "age: {second}");
    let third = row("PV-2026-000003");
    assert!(third.contains("class=\"open\""), "{third}");
    assert!(third.contains("26 days left"), "{third}");
    assert!(inbox.contains("<strong>1</strong> overdue, <strong>1</strong> due within 7 days"));
}

#[tokio::test]
async fn a_status_change_is_recorded_with_who_and_when() {
    let app = admin_app(&[]);
    app.post_json(
        "/api/rights-requests",
        "rr-1",
        &rights_request("kari@example.no"),
    )
    .await;
    let mut browser = Browser::new(&app);
    browser.sign_in("admin", PASSWORD).await;
    let page = browser.get("/admin/requests/PV-2026-000001").await;
    assert_eq!(page.status, StatusCode::OK);
    // The visitor's text is escaped.
    assert!(page.text().contains("Slett meg.\n&lt;b&gt;takk&lt;/b&gt;"));
    let token = csrf_field(&page.text());

    app.clock.advance(Duration::from_secs(3600));
    let changed = browser
        .post_form(
            "/admin/requests/PV-2026-000001/status",
            &[("csrf_token", &token), ("status", "in_progress")],
            &[],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text());
    assert_eq!(
        location(&changed),
        "/admin/requests/PV-2026-000001?updated=1"
    );
    // Through the API as well: recorded as the API.
    let api = app
        .send(
            Request::post("/api/admin/rights-requests/PV-2026-000001/status")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
                .body(Body::from(json!({"status": "completed"}).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(api.status, StatusCode::OK);

    let page = browser
        .get("/admin/requests/PV-2026-000001?updated=1")
        .await
        .text();
    assert!(page.contains(
        "<time datetime=\"2026-11-26T13:00:00.000Z\">2026-11-26T13:00:00.000Z</time>: status set to <strong>In progress</strong> by admin"
    ), "{page}");
    assert!(page.contains("status set to <strong>Completed</strong> by admin API (bearer token)"));
    assert!(page.contains("role=\"status\">Status changed to Completed."));

    let bad = browser
        .post_form(
            "/admin/requests/PV-2026-000001/status",
            &[("csrf_token", &token), ("status", "received")],
            &[],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("`status`"));
    let missing = browser
        .post_form(
            "/admin/requests/PV-2026-999999/status",
            &[("csrf_token", &token), ("status", "completed")],
            &[],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_overview_counts_todays_decisions_per_category() {
    let app = admin_app(&[]);
    // Events are dated by the database's clock: bring the app's clock to the real today.
    let real_now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let start = app.clock.now().unix_millis();
    app.clock
        .advance(Duration::from_millis((real_now - start).max(0) as u64));
    for (index, analytics) in [true, true, true, false].into_iter().enumerate() {
        let mut body = consent_body(&format!("{index:032x}"), 1);
        body["categories"] = json!({"necessary": true, "analytics": analytics});
        let response = app.post_consent(&format!("key-{index}"), &body).await;
        assert!(response.status.is_success(), "{}", response.text());
    }
    let mut browser = Browser::new(&app);
    browser.sign_in("admin", PASSWORD).await;
    let page = browser.get("/admin").await.text();
    let today = &app.state.clock.now().rfc3339()[..10];
    assert!(
        page.contains(&format!(
            "<tr><th scope=\"row\">{today}</th><td>4</td><td>75.0 % <span class=\"count\">(3 of 4)</span></td><td>100.0 % <span class=\"count\">(4 of 4)</span></td></tr>"
        )),
        "{page}"
    );
    assert_eq!(page.matches("role=\"img\"").count(), 2);
    assert!(page.contains("<title id=\"decisions-chart-title\">Consent decisions per day</title>"));
    assert!(page.contains("4 decisions from"));
}
