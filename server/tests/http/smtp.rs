//! SMTP delivery through lettre against a minimal SMTP server on a local socket: the
//! committed mailbox rows are sent with `List-Unsubscribe` headers; a failure is logged
//! and the row kept.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{TestApp, BASE_URL};

/// Accepts connections until the test ends, speaking just enough SMTP for lettre, and
/// collects each message's DATA.
fn fake_smtp_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let received = Arc::clone(&messages);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            stream.write_all(b"220 fake.test ESMTP\r\n").unwrap();
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|read| read > 0) {
                let command = line.trim_end().to_ascii_uppercase();
                let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
                    b"250 fake.test\r\n"
                } else if command == "DATA" {
                    stream.write_all(b"354 go ahead\r\n").unwrap();
                    let mut data = String::new();
                    loop {
                        let mut data_line = String::new();
                        reader.read_line(&mut data_line).unwrap();
                        if data_line == ".\r\n" {
                            break;
                        }
                        data.push_str(&data_line);
                    }
                    received.lock().unwrap().push(data);
                    b"250 queued\r\n"
                } else if command == "QUIT" {
                    stream.write_all(b"221 bye\r\n").unwrap();
                    break;
                } else {
                    b"250 ok\r\n"
                };
                stream.write_all(reply).unwrap();
                line.clear();
            }
        }
    });
    (port, messages)
}

/// Undoes quoted-printable soft line breaks and `=XX` escapes (enough for the assertions).
fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        match (bytes[index], joined.get(index + 1..index + 3)) {
            (b'=', Some(hex)) if u8::from_str_radix(hex, 16).is_ok() => {
                out.push(u8::from_str_radix(hex, 16).unwrap());
                index += 3;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

fn signup() -> serde_json::Value {
    json!({
        "email": "kari@example.no",
        "consent_text": "Ja takk",
        "consent_text_version": "v1",
        "revision": "2026-11-01",
        "language": "nb"
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_mail_is_sent_through_smtp_with_list_unsubscribe_headers() {
    let (port, messages) = fake_smtp_server();
    let app = TestApp::new(&[("SMTP_URL", &format!("smtp://127.0.0.1:{port}"))]);
    let response = app
        .post_json("/api/newsletter/subscribe", "smtp-1", &signup())
        .await;
    assert_eq!(response.status, StatusCode::ACCEPTED);
    assert_eq!(
        app.mails_to("kari@example.no").await[0]["smtp_status"],
        "pending"
    );

    let sent = app
        .state
        .mailer
        .deliver_pending(&app.state.database)
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let mail = app.mails_to("kari@example.no").await.remove(0);
    assert_eq!(mail["smtp_status"], "sent", "the row is kept and marked");

    let data = messages.lock().unwrap().remove(0);
    let unsubscribe_url = mail["list_unsubscribe"].as_str().unwrap();
    assert!(
        data.contains("From: \"Serviteur AS\" <post@serviteur.no>")
            || data.contains("From: Serviteur AS <post@serviteur.no>"),
        "{data}"
    );
    assert!(data.contains("To: kari@example.no"), "{data}");
    assert!(
        data.contains("Content-Type: text/plain; charset=utf-8"),
        "{data}"
    );
    assert!(
        data.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{data}"
    );
    let unfolded = data.replace("\r\n ", " ").replace("\r\n\t", " ");
    assert!(
        unfolded.contains(&format!("List-Unsubscribe: <{unsubscribe_url}>")),
        "{data}"
    );
    assert!(
        data.contains("Content-Transfer-Encoding: quoted-printable"),
        "{data}"
    );
    let body = decode_quoted_printable(data.split_once("\r\n\r\n").unwrap().1);
    assert!(
        body.contains(&format!("{BASE_URL}/newsletter/confirm?token=")),
        "{body}"
    );
    assert!(body.contains("Vennlig hilsen"), "{body}");

    // Nothing is sent twice.
    assert_eq!(
        app.state
            .mailer
            .deliver_pending(&app.state.database)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_failed_delivery_is_marked_and_the_row_kept() {
    // A port with nothing listening.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::new(&[("SMTP_URL", &format!("smtp://127.0.0.1:{port}"))]);
    app.post_json("/api/newsletter/subscribe", "smtp-f", &signup())
        .await;
    let sent = app
        .state
        .mailer
        .deliver_pending(&app.state.database)
        .await
        .unwrap();
    assert_eq!(sent, 0);
    let mails = app.mails_to("kari@example.no").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["smtp_status"], "failed");
}
