//! The pages for the shop's records: the proof lookup (`GET /admin/proof?id=…`, a consent id
//! from a visitor's receipt) and the exports (`GET /admin/export`, forms leading to
//! `GET /admin/export/{kind}?format=…&from=…&to=…&revision=…`). The forms check what they
//! are given; the data behind them (the proof with its texts-hash check, the streamed
//! exports) comes from the export work of issue #19 and is not served here yet: a valid
//! request answers 501 and says so.

use std::collections::BTreeMap;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::session::SignedIn;
use super::shell::{AdminPage, Section};
use crate::clock::Timestamp;
use crate::domain::consent::{CONSENT_ID_RULE, REVISION_RULE};
use crate::domain::validation::text;
use crate::error::ApiError;
use crate::http::admin::QueryParams;
use crate::http::static_files::escape_html;

pub const PROOF_PATH: &str = "/admin/proof";
pub const EXPORT_PATH: &str = "/admin/export";

/// What can be exported: (path segment, heading, whether a revision filter applies).
pub const EXPORT_KINDS: [(&str, &str, bool); 3] = [
    ("consent-events", "Consent events", true),
    (
        "subscribers",
        "Newsletter subscribers with their proof of consent",
        false,
    ),
    ("rights-requests", "Rights requests", false),
];
pub const EXPORT_FORMATS: [(&str, &str); 2] = [("csv", "CSV"), ("jsonl", "JSON Lines")];

/// A query string that cannot be read at all counts as empty: the form is shown again.
fn query_map(query: QueryParams) -> BTreeMap<String, String> {
    query.map(|Query(query)| query).unwrap_or_default()
}

/// An error shown above a form: which field, what was found, what was expected.
fn field_error(error: &ApiError) -> String {
    format!(
        "<p class=\"error\" role=\"alert\">{}</p>\n",
        escape_html(&error.message().unwrap_or_default())
    )
}

fn not_available(what: &str, endpoint: &str) -> String {
    format!(
        "<p class=\"notice\" role=\"status\"><strong>Not available yet.</strong> {}</p>\n",
        escape_html(&format!(
            "The request is valid, but {what} is not served by these pages yet; until it is, the bearer-token API gives it: {endpoint}."
        ))
    )
}

/// `GET /admin/proof[?id=…]`.
pub async fn proof(signed_in: SignedIn, query: QueryParams) -> Response {
    let query = query_map(query);
    let id = query.get("id").map(|id| id.trim().to_owned());
    let (status, outcome) = match &id {
        None => (StatusCode::OK, String::new()),
        Some(id) => match text(&Value::String(id.clone()), "id", &CONSENT_ID_RULE) {
            Err(error) => (StatusCode::BAD_REQUEST, field_error(&error)),
            Ok(id) => (
                StatusCode::NOT_IMPLEMENTED,
                not_available(
                    "the proof of this consent id (its history, revision and texts-hash check)",
                    &format!("GET /api/admin/proof/{id}"),
                ),
            ),
        },
    };
    let body = format!(
        "<p>Enter the consent id from a visitor's receipt to see every decision stored for it, the revision and texts hash it was given under, and whether that hash matches the texts of that revision.</p>\n\
         {outcome}<form class=\"stacked\" method=\"get\" action=\"{PROOF_PATH}\">\n\
         <p><label for=\"consent-id\">Consent id</label>\
         <input id=\"consent-id\" name=\"id\" value=\"{value}\" required spellcheck=\"false\" autocomplete=\"off\" aria-describedby=\"consent-id-hint\" pattern=\"[0-9a-f]{{32}}\">\
         <span class=\"hint\" id=\"consent-id-hint\">32 lowercase hexadecimal characters</span></p>\n\
         <p><button type=\"submit\">Look up</button></p>\n</form>\n",
        value = escape_html(id.as_deref().unwrap_or_default()),
    );
    let mut page = AdminPage::signed_in(&signed_in.session, Section::Proof, "Proof lookup", body);
    page.status = status;
    page.into_response()
}

/// A checked export request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub kind: &'static str,
    pub format: &'static str,
    /// First and last day (UTC), both included.
    pub from: Option<String>,
    pub to: Option<String>,
    pub revision: Option<String>,
}

impl ExportRequest {
    /// Checks the path's kind and the query; empty fields (an untouched form input) count as absent.
    pub fn read(kind: &str, query: &BTreeMap<String, String>) -> Result<Self, ApiError> {
        let invalid = |field: &str, found: &str, expected: &str| ApiError::InvalidField {
            field: field.to_owned(),
            message: format!("found {found:?}; expected {expected}"),
        };
        let &(kind, _, takes_revision) = EXPORT_KINDS
            .iter()
            .find(|(name, _, _)| *name == kind)
            .ok_or_else(|| {
                invalid(
                    "kind",
                    kind,
                    "consent-events, subscribers or rights-requests",
                )
            })?;
        let allowed: &'static [&'static str] = if takes_revision {
            &["format", "from", "to", "revision"]
        } else {
            &["format", "from", "to"]
        };
        if let Some(unknown) = query.keys().find(|name| !allowed.contains(&name.as_str())) {
            return Err(ApiError::UnknownField {
                field: unknown.clone(),
                allowed,
            });
        }
        let field = |name: &str| {
            query
                .get(name)
                .map(|value| value.trim())
                .filter(|value| !value.is_empty())
        };
        let format_found = field("format").unwrap_or("csv");
        let format = EXPORT_FORMATS
            .iter()
            .map(|(name, _)| *name)
            .find(|name| *name == format_found)
            .ok_or_else(|| invalid("format", format_found, "csv or jsonl"))?;
        let date = |name: &str| -> Result<Option<String>, ApiError> {
            match field(name) {
                None => Ok(None),
                Some(day) if Timestamp::parse_date(day).is_some() => Ok(Some(day.to_owned())),
                Some(day) => Err(invalid(name, day, "a date like 2026-12-06 (YYYY-MM-DD)")),
            }
        };
        let (from, to) = (date("from")?, date("to")?);
        if let (Some(first), Some(last)) = (&from, &to) {
            if first > last {
                return Err(invalid(
                    "to",
                    last,
                    &format!("a date on or after from ({first})"),
                ));
            }
        }
        let revision = match field("revision") {
            None => None,
            Some(revision) => Some(
                text(
                    &Value::String(revision.to_owned()),
                    "revision",
                    &REVISION_RULE,
                )?
                .to_owned(),
            ),
        };
        Ok(ExportRequest {
            kind,
            format,
            from,
            to,
            revision,
        })
    }

    /// The same request on the bearer-token API.
    pub fn api_path(&self) -> String {
        let mut query = vec![("format", self.format)];
        for (name, value) in [
            ("from", &self.from),
            ("to", &self.to),
            ("revision", &self.revision),
        ] {
            if let Some(value) = value {
                query.push((name, value));
            }
        }
        format!(
            "/api/admin/export/{}?{}",
            self.kind,
            serde_urlencoded::to_string(query).unwrap_or_default()
        )
    }
}

fn export_forms(values: &BTreeMap<String, String>) -> String {
    let value = |name: &str| escape_html(values.get(name).map(String::as_str).unwrap_or_default());
    EXPORT_KINDS
        .iter()
        .map(|(kind, heading, takes_revision)| {
            let chosen = values.get("format").map_or("csv", String::as_str);
            let formats: String = EXPORT_FORMATS
                .iter()
                .map(|(format, label)| {
                    let checked = if *format == chosen { " checked" } else { "" };
                    format!(
                        "<label class=\"choice\"><input type=\"radio\" name=\"format\" value=\"{format}\"{checked}> {label}</label>"
                    )
                })
                .collect();
            let revision = if *takes_revision {
                format!(
                    "<p><label for=\"{kind}-revision\">Policy revision (optional)</label>\
                     <input id=\"{kind}-revision\" name=\"revision\" value=\"{}\" spellcheck=\"false\"></p>\n",
                    value("revision")
                )
            } else {
                String::new()
            };
            format!(
                "<section aria-labelledby=\"{kind}-heading\">\n<h2 id=\"{kind}-heading\">{heading}</h2>\n\
                 <form class=\"stacked\" method=\"get\" action=\"{EXPORT_PATH}/{kind}\">\n\
                 <fieldset><legend>Format</legend>{formats}</fieldset>\n\
                 <p><label for=\"{kind}-from\">From (optional)</label><input id=\"{kind}-from\" name=\"from\" type=\"date\" value=\"{from}\"></p>\n\
                 <p><label for=\"{kind}-to\">To (optional, included)</label><input id=\"{kind}-to\" name=\"to\" type=\"date\" value=\"{to}\"></p>\n\
                 {revision}<p><button type=\"submit\">Export {lower}</button></p>\n</form>\n</section>\n",
                from = value("from"),
                to = value("to"),
                lower = escape_html(&heading.to_lowercase()),
            )
        })
        .collect()
}

/// `GET /admin/export`: a form per kind of record.
pub async fn exports(signed_in: SignedIn) -> Response {
    let body = format!(
        "<p>Download the records as CSV or JSON Lines, optionally for a range of days (UTC).</p>\n{}",
        export_forms(&BTreeMap::new())
    );
    AdminPage::signed_in(&signed_in.session, Section::Export, "Exports", body).into_response()
}

/// `GET /admin/export/{kind}?…`: checks the request; the download itself is not served yet.
pub async fn export(signed_in: SignedIn, Path(kind): Path<String>, query: QueryParams) -> Response {
    let query = query_map(query);
    let (status, outcome) = match ExportRequest::read(&kind, &query) {
        Err(error) => (StatusCode::BAD_REQUEST, field_error(&error)),
        Ok(request) => (
            StatusCode::NOT_IMPLEMENTED,
            not_available("this export", &format!("GET {}", request.api_path())),
        ),
    };
    let body = format!("{outcome}{}", export_forms(&query));
    let mut page = AdminPage::signed_in(&signed_in.session, Section::Export, "Exports", body);
    page.status = status;
    page.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn export_requests_are_checked_field_by_field() {
        let request = ExportRequest::read(
            "consent-events",
            &query(&[
                ("format", "jsonl"),
                ("from", "2026-12-01"),
                ("to", ""),
                ("revision", "2026-11-01"),
            ]),
        )
        .unwrap();
        assert_eq!(
            request.api_path(),
            "/api/admin/export/consent-events?format=jsonl&from=2026-12-01&revision=2026-11-01"
        );
        assert_eq!(
            ExportRequest::read("subscribers", &query(&[]))
                .unwrap()
                .format,
            "csv"
        );
        for (kind, pairs, field) in [
            ("everything", vec![], "kind"),
            ("subscribers", vec![("format", "xml")], "format"),
            ("subscribers", vec![("from", "2026-13-01")], "from"),
            (
                "subscribers",
                vec![("from", "2026-12-02"), ("to", "2026-12-01")],
                "to",
            ),
            ("subscribers", vec![("revision", "2026-11-01")], "revision"),
            (
                "consent-events",
                vec![("revision", "not a revision!")],
                "revision",
            ),
        ] {
            let error = ExportRequest::read(kind, &query(&pairs)).unwrap_err();
            assert_eq!(error.field(), Some(field), "{kind} {pairs:?}");
        }
    }
}
