//! Two server processes on one database behave as one (issue #19): the same idempotency key
//! sent to both at once stores one event and both get the same answer, and the highest `seq`
//! wins whichever instance stored it. Runs on the shared SQLite file, and on PostgreSQL when
//! the suite has `TEST_DATABASE_URL` (scripts/with-postgres.sh).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;

use serde_json::Value;

use crate::socket::exchange;
use crate::support::{consent_body, fresh_database, TempDir, ADMIN_TOKEN};

/// One server process.
pub struct Instance {
    pub child: Child,
    pub address: SocketAddr,
}

impl Instance {
    /// Starts the binary on a free loopback port with `database` (variable, value) and
    /// `www` as `WWW_DIR`, admin enabled; returns once it printed its address.
    pub fn start(database: &(&'static str, String), www: &TempDir) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_privacy-widget-server"))
            .env_clear()
            .env("PORT", "0")
            .env("HOST", "127.0.0.1")
            .env(database.0, &database.1)
            .env("WWW_DIR", www.path())
            .env("ADMIN_TOKEN", ADMIN_TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim_end()
            .trim_end_matches('/')
            .rsplit("http://")
            .next()
            .and_then(|address| address.parse().ok())
            .unwrap_or_else(|| panic!("unexpected start-up line {line:?}"));
        Instance { child, address }
    }

    fn post_consent(&self, key: &str, body: &Value) -> (u16, String) {
        exchange(
            self.address,
            "POST",
            "/api/consent",
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", key),
            ],
            &body.to_string(),
        )
        .expect("an answer")
    }

    fn consents_of(&self, consent_id: &str) -> Value {
        let auth = format!("Bearer {ADMIN_TOKEN}");
        let (status, body) = exchange(
            self.address,
            "GET",
            &format!("/api/admin/consents?consent_id={consent_id}"),
            &[("Authorization", &auth)],
            "",
        )
        .unwrap();
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two instances on one database: the suite's PostgreSQL database, else one SQLite file.
fn two_instances(folder: &TempDir) -> (Instance, Instance) {
    let database = match fresh_database() {
        ("DATABASE_PATH", _) => (
            "DATABASE_PATH",
            folder.path().join("shared.sqlite3").display().to_string(),
        ),
        postgres => postgres,
    };
    // One after the other: the first migrates, the second finds the schema in place.
    let first = Instance::start(&database, folder);
    let second = Instance::start(&database, folder);
    (first, second)
}

fn consent_id(n: usize) -> String {
    format!("{n:032x}")
}

#[test]
fn one_key_sent_to_two_instances_at_once_stores_one_event_and_gets_one_answer() {
    let folder = TempDir::new("instances");
    let (a, b) = two_instances(&folder);
    let (a, b) = (Arc::new(a), Arc::new(b));
    const RACES: usize = 20;
    for race in 0..RACES {
        let key = format!("race-{race}");
        let body = consent_body(&consent_id(race), 1);
        let start = Arc::new(Barrier::new(2));
        let answers: Vec<(u16, String)> = [Arc::clone(&a), Arc::clone(&b)]
            .into_iter()
            .map(|instance| {
                let (key, body, start) = (key.clone(), body.clone(), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    instance.post_consent(&key, &body)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|sender| sender.join().unwrap())
            .collect();
        assert_eq!(answers[0].0, 201, "{}", answers[0].1);
        assert_eq!(
            answers[0], answers[1],
            "race {race}: both instances answer alike"
        );
        let stored = a.consents_of(&consent_id(race));
        assert_eq!(
            stored["events"].as_array().unwrap().len(),
            1,
            "race {race}: one row"
        );
    }
}

#[test]
fn the_highest_seq_wins_across_instances() {
    let folder = TempDir::new("instances-seq");
    let (a, b) = two_instances(&folder);
    let (a, b) = (Arc::new(a), Arc::new(b));
    let id = consent_id(4242);
    const EVENTS: i64 = 12;
    let start = Arc::new(Barrier::new(EVENTS as usize));
    // Newest first and spread over both instances, all at once.
    let senders: Vec<_> = (1..=EVENTS)
        .rev()
        .map(|seq| {
            let instance = Arc::clone(if seq % 2 == 0 { &a } else { &b });
            let (id, start) = (id.clone(), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                instance.post_consent(&format!("seq-{seq}"), &consent_body(&id, seq))
            })
        })
        .collect();
    for sender in senders {
        let (status, body) = sender.join().unwrap();
        assert_eq!(status, 201, "{body}");
    }
    for instance in [&a, &b] {
        let stored = instance.consents_of(&id);
        assert_eq!(stored["events"].as_array().unwrap().len(), EVENTS as usize);
        assert_eq!(stored["state"]["seq"], EVENTS, "{stored}");
    }
}
