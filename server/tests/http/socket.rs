//! Over a real socket: the binary's start-up line and graceful shutdown, and the `drop`
//! fault closing a connection without any response.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use privacy_widget_server::store::Database;
use privacy_widget_server::{serve, AppState};
use serde_json::{json, Value};

use crate::support::{consent_body, fresh_database, test_config, TempDir, ADMIN_TOKEN, CONSENT_ID};

/// Sends one HTTP/1.1 request and reads until the server closes the connection.
/// Returns `None` when the connection closed (or was reset) without a response.
pub fn exchange(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<(u16, String)> {
    exchange_with_head(address, method, path, headers, body).map(|(status, _, body)| (status, body))
}

/// [`exchange`], also returning the response head (status line and headers).
pub fn exchange_with_head(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<(u16, String, String)> {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    if stream.read_to_end(&mut response).is_err() || response.is_empty() {
        return None;
    }
    let response = String::from_utf8(response).unwrap();
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    Some((status, head.to_ascii_lowercase(), body.to_owned()))
}

fn post_consent(address: SocketAddr, key: &str) -> Option<(u16, String)> {
    exchange(
        address,
        "POST",
        "/api/consent",
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", key),
        ],
        &consent_body(CONSENT_ID, 1).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_fault_closes_the_connection_without_a_response_and_stores_nothing() {
    let www = TempDir::new("socket-www");
    let config = test_config(www.path(), &[("PW_FAULTS", "1")]);
    let state = AppState::new(config.clone(), Database::open(&config.database).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, state, async {
        let _ = stopped.await;
    }));

    // The client side is blocking std I/O: run it off the runtime's worker threads.
    let outcome = tokio::task::spawn_blocking(move || {
        let plan = json!({"mode": "drop", "count": 1}).to_string();
        let set = exchange(
            address,
            "POST",
            "/__faults",
            &[("Content-Type", "application/json")],
            &plan,
        );
        assert_eq!(set.map(|(status, _)| status), Some(204));

        let dropped = post_consent(address, "evt-drop");
        let retried = post_consent(address, "evt-drop");
        let auth = format!("Bearer {ADMIN_TOKEN}");
        let (_, listing) = exchange(
            address,
            "GET",
            "/api/admin/consents",
            &[("Authorization", &auth)],
            "",
        )
        .unwrap();
        (dropped, retried, listing)
    })
    .await
    .unwrap();

    let (dropped, retried, listing) = outcome;
    assert_eq!(
        dropped, None,
        "the faulted request must get no response at all"
    );
    assert_eq!(retried.map(|(status, _)| status), Some(201));
    let listing: Value = serde_json::from_str(&listing).unwrap();
    assert_eq!(listing["events"].as_array().unwrap().len(), 1);

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[test]
fn binary_prints_its_address_serves_and_stops_on_sigterm() {
    let www = TempDir::new("binary-www");
    www.write("index.html", "<!doctype html><title>ok</title>");
    let database = fresh_database();
    let mut child = Command::new(env!("CARGO_BIN_EXE_privacy-widget-server"))
        .env_clear()
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env(database.0, &database.1)
        .env("WWW_DIR", www.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();

    let address = line
        .strip_prefix("privacy-widget server listening on http://")
        .and_then(|rest| rest.strip_suffix("/\n"))
        .unwrap_or_else(|| panic!("unexpected start-up line {line:?}"));
    let address: SocketAddr = address.parse().unwrap();
    assert_eq!(address.ip().to_string(), "127.0.0.1");
    assert_ne!(address.port(), 0, "the line shows the port actually bound");

    let (status, body) = exchange(address, "GET", "/api/health", &[], "").unwrap();
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    assert_eq!(exchange(address, "GET", "/", &[], "").unwrap().0, 200);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
}

#[test]
fn binary_limits_by_peer_address_and_links_mails_to_the_bound_port() {
    let www = TempDir::new("binary-mail-www");
    let database = fresh_database();
    let mut child = Command::new(env!("CARGO_BIN_EXE_privacy-widget-server"))
        .env_clear()
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env(database.0, &database.1)
        .env("WWW_DIR", www.path())
        .env("ADMIN_TOKEN", ADMIN_TOKEN)
        .env("DEMO_MAILBOX", "1")
        .env("RATE_LIMIT_PER_IP", "1/600")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .trim_end()
        .trim_end_matches('/')
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let address: SocketAddr = base.strip_prefix("http://").unwrap().parse().unwrap();

    let subscribe = |key: &str, email: &str| {
        let body = json!({
            "email": email, "consent_text": "Ja takk", "consent_text_version": "v1",
            "revision": "2026-11-01", "language": "nb"
        });
        exchange_with_head(
            address,
            "POST",
            "/api/newsletter/subscribe",
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", key),
            ],
            &body.to_string(),
        )
        .unwrap()
    };
    let (status, _, body) = subscribe("k-1", "kari@example.no");
    assert_eq!(
        (status, body.as_str()),
        (202, r#"{"status":"check_your_email"}"#)
    );
    let (status, head, body) = subscribe("k-2", "ola@example.no");
    assert_eq!(status, 429, "{body}");
    assert!(head.contains("\r\nretry-after: 600"), "{head}");

    let auth = format!("Bearer {ADMIN_TOKEN}");
    let (_, mailbox) = exchange(
        address,
        "GET",
        "/api/admin/mailbox",
        &[("Authorization", &auth)],
        "",
    )
    .unwrap();
    let mailbox: Value = serde_json::from_str(&mailbox).unwrap();
    let text = mailbox["mails"][0]["body"].as_str().unwrap();
    let prefix = format!("{base}/newsletter/confirm?token=");
    let start = text.find(&prefix).expect("links use the bound address");
    let link = text[start + base.len()..]
        .split_whitespace()
        .next()
        .unwrap();
    let (status, form) = exchange(address, "GET", link, &[], "").unwrap();
    assert_eq!(status, 200);
    assert!(form.contains("<form method=\"post\">"), "{form}");
    let token = link
        .split("token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let form_type = [("Content-Type", "application/x-www-form-urlencoded")];
    let (status, confirmed) =
        exchange(address, "POST", link, &form_type, &format!("token={token}")).unwrap();
    assert_eq!(status, 200);
    assert!(confirmed.contains("Takk! Du er nå påmeldt"));
    let (status, page) = exchange(address, "GET", "/demo/mailbox", &[], "").unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("kari@example.no"));

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}
