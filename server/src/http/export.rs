//! `GET /api/admin/export/…`: consent events, newsletter subscribers and rights requests as
//! CSV or JSON Lines, streamed. A task reads the table a page at a time by row id (keyset,
//! so the last page costs what the first does), formats each page and hands it to the
//! response through a channel of [`CHANNEL_PAGES`] pages: when the client reads slowly the
//! task waits, and when it goes away the task stops. However large the table, the server
//! holds a few pages, never the whole result.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use serde_json::json;
use tokio::sync::mpsc;

use super::admin::{query_params, AdminAccess, QueryParams};
use super::state::AppState;
use crate::clock::Timestamp;
use crate::domain::consent::REVISION_RULE;
use crate::domain::export::{ExportFormat, ExportRecord};
use crate::domain::validation::invalid;
use crate::error::ApiError;
use crate::store::{ConsentEventFilter, Database, StoreResult, Transaction};

pub const CONSENT_EVENTS_ENDPOINT: &str = "/api/admin/export/consent-events";
pub const SUBSCRIBERS_ENDPOINT: &str = "/api/admin/export/subscribers";
pub const RIGHTS_REQUESTS_ENDPOINT: &str = "/api/admin/export/rights-requests";

/// Rows read and formatted per step.
pub const PAGE_ROWS: u32 = 500;
/// Formatted pages waiting for the client at most.
const CHANNEL_PAGES: usize = 2;

const DATE_EXPECTED: &str = "a date YYYY-MM-DD (UTC), e.g. 2026-11-26";
const ONE_DAY: Duration = Duration::from_secs(86_400);

/// `GET /api/admin/export/consent-events?format=csv|jsonl[&from=YYYY-MM-DD][&to=YYYY-MM-DD][&revision=…]`:
/// the events received from `from` to `to` (both whole UTC days, inclusive), of one revision
/// when given, by receipt number.
pub async fn consent_events(
    _access: AdminAccess,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Response, ApiError> {
    let query = query_params(query, CONSENT_EVENTS_PARAMS, CONSENT_EVENTS_EXPECTED)?;
    consent_events_download(&state, &query)
}

/// The query parameters of the consent events' export.
pub const CONSENT_EVENTS_PARAMS: &[&str] = &["format", "from", "to", "revision"];
const CONSENT_EVENTS_EXPECTED: &str =
    "?format=csv|jsonl&from=YYYY-MM-DD&to=YYYY-MM-DD&revision=<revision>";

/// The consent events' download for checked parameter names (the API's query, or the operator
/// page's form): the values are checked here.
pub fn consent_events_download(
    state: &AppState,
    query: &BTreeMap<String, String>,
) -> Result<Response, ApiError> {
    let format = format_of(query.get("format"))?;
    let from = query
        .get("from")
        .map(|day| start_of_day("from", day))
        .transpose()?;
    let to = query
        .get("to")
        .map(|day| start_of_day("to", day))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(ApiError::InvalidField {
                field: "to".to_owned(),
                message: format!(
                    "found {:?}, which is before from ({:?}); expected the last day of the range, on or after from",
                    query["to"], query["from"]
                ),
            });
        }
    }
    let revision = query.get("revision").cloned();
    if let Some(revision) = &revision {
        if !REVISION_RULE.accepts(revision) {
            return Err(invalid(
                "revision",
                &json!(revision),
                REVISION_RULE.expected,
            ));
        }
    }
    let filter = ConsentEventFilter {
        received_from: from,
        received_before: to.map(|day| day.plus(ONE_DAY)),
        revision,
    };
    Ok(download(
        state,
        "consent-events",
        format,
        move |transaction, after, limit| transaction.consent_events_page(&filter, after, limit),
    ))
}

/// `GET /api/admin/export/subscribers?format=csv|jsonl`: every subscriber with the proof of
/// consent (when, which checkbox text and version, which statement revision, confirmed when).
pub async fn subscribers(
    _access: AdminAccess,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Response, ApiError> {
    subscribers_download(&state, &query_params(query, FORMAT_ONLY, FORMAT_EXPECTED)?)
}

/// The subscribers' download (see [`consent_events_download`]).
pub fn subscribers_download(
    state: &AppState,
    query: &BTreeMap<String, String>,
) -> Result<Response, ApiError> {
    let format = format_of(query.get("format"))?;
    Ok(download(
        state,
        "newsletter-subscribers",
        format,
        |transaction, after, limit| transaction.subscribers_page(after, limit),
    ))
}

/// `GET /api/admin/export/rights-requests?format=csv|jsonl`: every rights request, oldest first.
pub async fn rights_requests(
    _access: AdminAccess,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Response, ApiError> {
    rights_requests_download(&state, &query_params(query, FORMAT_ONLY, FORMAT_EXPECTED)?)
}

/// The rights requests' download (see [`consent_events_download`]).
pub fn rights_requests_download(
    state: &AppState,
    query: &BTreeMap<String, String>,
) -> Result<Response, ApiError> {
    let format = format_of(query.get("format"))?;
    Ok(download(
        state,
        "rights-requests",
        format,
        |transaction, after, limit| transaction.rights_requests_page(after, limit),
    ))
}

/// The query parameters of the subscribers' and the rights requests' exports.
pub const FORMAT_ONLY: &[&str] = &["format"];
const FORMAT_EXPECTED: &str = "?format=csv|jsonl";

fn format_of(name: Option<&String>) -> Result<ExportFormat, ApiError> {
    let name = name.ok_or(ApiError::MissingField {
        field: "format".to_owned(),
        expected: ExportFormat::EXPECTED,
    })?;
    ExportFormat::from_name(name)
        .ok_or_else(|| invalid("format", &json!(name), ExportFormat::EXPECTED))
}

/// Midnight UTC of `day` (`YYYY-MM-DD`, a real calendar date).
fn start_of_day(field: &str, day: &str) -> Result<Timestamp, ApiError> {
    let midnight = (day.len() == 10)
        .then(|| Timestamp::parse_rfc3339(&format!("{day}T00:00:00.000Z")))
        .flatten()
        // 2026-02-30 parses as 2 March: only a date that writes back the same is real.
        .filter(|midnight| midnight.rfc3339().starts_with(day));
    midnight.ok_or_else(|| invalid(field, &json!(day), DATE_EXPECTED))
}

/// A download named `<what>-<today>.<extension>` of every row `fetch` pages through
/// (`stream_pages`). Personal data: never stored by a cache.
fn download<R, F>(state: &AppState, what: &str, format: ExportFormat, fetch: F) -> Response
where
    R: ExportRecord + Send + 'static,
    F: Fn(&mut dyn Transaction, i64, u32) -> StoreResult<Vec<R>> + Clone + Send + 'static,
{
    let body = stream_pages(state.database.clone(), format, fetch);
    let today = &state.clock.now().rfc3339()[..10];
    let disposition = format!(
        "attachment; filename=\"{what}-{today}.{}\"",
        format.extension()
    );
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).expect("ASCII file name"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

/// Streams every row `fetch` returns, page after page from row id 0, in `format`.
/// A database failure mid-way ends the response with an error, so the client sees an
/// incomplete transfer, never a file that looks complete.
fn stream_pages<R, F>(database: Database, format: ExportFormat, fetch: F) -> Body
where
    R: ExportRecord + Send + 'static,
    F: Fn(&mut dyn Transaction, i64, u32) -> StoreResult<Vec<R>> + Clone + Send + 'static,
{
    let (sender, receiver) = mpsc::channel(CHANNEL_PAGES);
    tokio::spawn(async move {
        let preamble = format.preamble(R::COLUMNS);
        if !preamble.is_empty() && sender.send(Ok(Bytes::from(preamble))).await.is_err() {
            return;
        }
        let mut after = 0;
        loop {
            let fetch = fetch.clone();
            let page = database
                .call(move |transaction| Ok::<_, ApiError>(fetch(transaction, after, PAGE_ROWS)?))
                .await
                .and_then(|rows| format_page(format, &rows).map(|text| (rows, text)));
            let (rows, text) = match page {
                Ok(page) => page,
                Err(error) => {
                    eprintln!("privacy-widget server: export stopped: {error:?}");
                    let _ = sender
                        .send(Err(std::io::Error::other("the export failed")))
                        .await;
                    return;
                }
            };
            let Some(last) = rows.last() else { return };
            after = last.cursor();
            // The client went away: stop reading.
            if sender.send(Ok(Bytes::from(text))).await.is_err() || rows.len() < PAGE_ROWS as usize
            {
                return;
            }
        }
    });
    Body::new(ChannelBody { pages: receiver })
}

fn format_page<R: ExportRecord>(format: ExportFormat, rows: &[R]) -> Result<String, ApiError> {
    let mut text = String::new();
    for row in rows {
        format.write(row, &mut text)?;
    }
    Ok(text)
}

/// A response body fed by the export task, page by page.
struct ChannelBody {
    pages: mpsc::Receiver<Result<Bytes, std::io::Error>>,
}

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        self.pages
            .poll_recv(context)
            .map(|page| page.map(|page| page.map(Frame::data)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real_calendar_days() {
        assert_eq!(
            start_of_day("from", "2026-11-26").unwrap().rfc3339(),
            "2026-11-26T00:00:00.000Z"
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-11-2026",
            "2026-11-26T00:00",
            "",
            "2026-1-1",
        ] {
            let error = start_of_day("from", bad).unwrap_err();
            assert_eq!(error.field(), Some("from"), "{bad:?}");
        }
    }
}
