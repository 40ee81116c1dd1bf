//! The consent export with 100,000 events, against the server binary: every event arrives,
//! in order, and the server's peak memory grows by a bounded amount however many rows
//! there are, because it streams pages instead of holding the result. Runs on a SQLite file,
//! and on PostgreSQL in the suite's PostgreSQL pass. The figures are in server/README.md
//! ("Exports"); run with `--nocapture` to see them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use privacy_widget_server::store::{Database, DatabaseLocation, DatabaseUrl};

use crate::instances::Instance;
use crate::support::{fresh_database, import_events, SeedEvent, TempDir, ADMIN_TOKEN, START};

const EVENTS: usize = 100_000;

/// Peak growth allowed while exporting. Far below what holding the rows would take: the
/// CSV alone is 19 MB, the rows as Rust values (14 strings each) several times that.
const PEAK_GROWTH_LIMIT_KIB: u64 = 16 * 1024;

/// A `/proc/<pid>/status` figure in KiB (`VmRSS`, `VmHWM`: the peak resident size).
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// `GET path` over HTTP/1.1 with the admin token; returns the head and the de-chunked body,
/// insisting on the final zero-length chunk (a cut-off export must not pass).
fn download(address: std::net::SocketAddr, path: &str) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        reader.read_line(&mut size_line).unwrap();
        let size = usize::from_str_radix(size_line.trim_end(), 16)
            .unwrap_or_else(|_| panic!("bad chunk size line {size_line:?}"));
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).unwrap();
        assert_eq!(&chunk[size..], b"\r\n");
        if size == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..size]);
    }
    (head, body)
}

#[tokio::test]
async fn a_100k_event_export_is_complete_in_order_and_bounded_in_memory() {
    let folder = TempDir::new("export-memory");
    let database = match fresh_database() {
        ("DATABASE_PATH", _) => (
            "DATABASE_PATH",
            folder.path().join("export.sqlite3").display().to_string(),
        ),
        postgres => postgres,
    };
    let location = match database.0 {
        "DATABASE_URL" => DatabaseLocation::Postgres(DatabaseUrl::parse(&database.1).unwrap()),
        _ => DatabaseLocation::File(database.1.clone().into()),
    };
    let store_name = if database.0 == "DATABASE_URL" {
        "PostgreSQL"
    } else {
        "SQLite"
    };

    let seeding = Instant::now();
    let store = Database::open(&location).unwrap();
    let events = (0..EVENTS)
        .map(|n| SeedEvent::numbered(n, START.plus(Duration::from_millis(n as u64))))
        .collect();
    import_events(&store, events).await;
    let seeded_in = seeding.elapsed();
    drop(store);

    let server = Instance::start(&database, &folder);
    let pid = server.child.id();
    let rss_before = status_kib(pid, "VmRSS");
    let peak_before = status_kib(pid, "VmHWM");
    let exporting = Instant::now();
    let address = server.address;
    let (head, body) = tokio::task::spawn_blocking(move || {
        download(address, "/api/admin/export/consent-events?format=csv")
    })
    .await
    .unwrap();
    let exported_in = exporting.elapsed();
    let peak_after = status_kib(pid, "VmHWM");
    assert!(head.contains("content-type: text/csv"), "{head}");

    let text = String::from_utf8(body).unwrap();
    let mut lines = text.split("\r\n");
    assert!(lines
        .next()
        .unwrap()
        .starts_with("receipt,received_at,consent_id,seq,"));
    let mut previous_receipt = 0;
    let mut count = 0;
    for (n, line) in lines.filter(|line| !line.is_empty()).enumerate() {
        let mut fields = line.splitn(4, ',');
        let receipt: i64 = fields.next().unwrap().parse().unwrap();
        assert!(
            receipt > previous_receipt,
            "line {n}: receipt {receipt} after {previous_receipt}"
        );
        previous_receipt = receipt;
        fields.next();
        assert_eq!(fields.next().unwrap(), format!("{n:032x}"), "line {n}");
        count += 1;
    }
    assert_eq!(count, EVENTS, "every event exported once");

    let growth = peak_after.saturating_sub(rss_before.max(peak_before));
    eprintln!(
        "export of {EVENTS} events on {store_name}: seeded in {seeded_in:.1?}, exported {} bytes in {exported_in:.1?}; \
         server VmRSS before {rss_before} KiB, VmHWM before {peak_before} KiB, after {peak_after} KiB (peak growth {growth} KiB)",
        text.len()
    );
    assert!(
        growth < PEAK_GROWTH_LIMIT_KIB,
        "the server's peak memory grew by {growth} KiB during the export (limit {PEAK_GROWTH_LIMIT_KIB} KiB)"
    );
}
