//! The pages for the shop's records: the proof lookup (`GET /admin/proof?id=…`, a consent id
//! from a visitor's receipt: its history and the texts-hash check, `domain::proof`) and the
//! exports (`GET /admin/export`, forms leading to the streamed downloads of `http::export`,
//! `GET /admin/export/{kind}?format=…&from=…&to=…&revision=…`). The values are checked by the
//! same code as on the bearer-token API; an error is shown above the form, with what was typed.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::session::SignedIn;
use super::shell::{AdminPage, Section};
use crate::domain::consent::CONSENT_ID_RULE;
use crate::domain::proof;
use crate::domain::validation::text;
use crate::error::ApiError;
use crate::http::admin::{only_allowed, QueryParams};
use crate::http::export;
use crate::http::state::AppState;
use crate::http::static_files::escape_html;

pub const PROOF_PATH: &str = "/admin/proof";
pub const EXPORT_PATH: &str = "/admin/export";

/// What can be exported, with the query parameters its download takes.
pub struct ExportKind {
    /// The path segment.
    pub name: &'static str,
    pub heading: &'static str,
    params: &'static [&'static str],
    download: fn(&AppState, &BTreeMap<String, String>) -> Result<Response, ApiError>,
}

pub const EXPORT_KINDS: [ExportKind; 3] = [
    ExportKind {
        name: "consent-events",
        heading: "Consent events",
        params: export::CONSENT_EVENTS_PARAMS,
        download: export::consent_events_download,
    },
    ExportKind {
        name: "subscribers",
        heading: "Newsletter subscribers with their proof of consent",
        params: export::FORMAT_ONLY,
        download: export::subscribers_download,
    },
    ExportKind {
        name: "rights-requests",
        heading: "Rights requests",
        params: export::FORMAT_ONLY,
        download: export::rights_requests_download,
    },
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

/// `GET /admin/proof[?id=…]`.
pub async fn proof(
    signed_in: SignedIn,
    State(state): State<AppState>,
    query: QueryParams,
) -> Response {
    let query = query_map(query);
    let id = query.get("id").map(|id| id.trim().to_owned());
    let (status, outcome) = match &id {
        None => (StatusCode::OK, String::new()),
        Some(id) => match text(&Value::String(id.clone()), "id", &CONSENT_ID_RULE) {
            Err(error) => (StatusCode::BAD_REQUEST, field_error(&error)),
            Ok(id) => match proof::proof_of(&state.database, id.to_owned()).await {
                Ok(found) => (StatusCode::OK, proof_table(&found)),
                Err(error) => (error.status(), field_error(&error)),
            },
        },
    };
    let body = format!(
        "<p>Enter the consent id from a visitor's receipt to see every decision stored for it, the revision and texts hash it was given under, and whether that hash matches the texts of that revision.</p>\n\
         <form class=\"stacked\" method=\"get\" action=\"{PROOF_PATH}\">\n\
         <p><label for=\"consent-id\">Consent id</label>\
         <input id=\"consent-id\" name=\"id\" value=\"{value}\" required spellcheck=\"false\" autocomplete=\"off\" aria-describedby=\"consent-id-hint\" pattern=\"[0-9a-f]{{32}}\">\
         <span class=\"hint\" id=\"consent-id-hint\">32 lowercase hexadecimal characters</span></p>\n\
         <p><button type=\"submit\">Look up</button></p>\n</form>\n{outcome}",
        value = escape_html(id.as_deref().unwrap_or_default()),
    );
    let mut page = AdminPage::signed_in(&signed_in.session, Section::Proof, "Proof lookup", body);
    page.status = status;
    page.into_response()
}

/// The proof (`domain::proof::proof_of`'s JSON) as a summary and a table, one row per event.
fn proof_table(found: &Value) -> String {
    let text_of = |value: &Value| match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let choices = |value: &Value| {
        value
            .as_object()
            .map(|map| {
                map.iter()
                    .map(|(id, on)| {
                        format!(
                            "{id}: {}",
                            if on == &Value::Bool(true) {
                                "allowed"
                            } else {
                                "not allowed"
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let check = |name: &str| match name {
        "matches" => "matches the texts recorded for its revision",
        "differs" => "DIFFERS from the texts recorded for its revision",
        _ => "not sent",
    };
    let all_match = found["all_texts_match"] == Value::Bool(true);
    let rows: String = found["events"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|event| {
            let current = if found["current_event"] == event["receipt"] { " (in force)" } else { "" };
            format!(
                "<tr><td>{receipt}{current}</td><td>{seq}</td><td>{action}</td><td>{time}</td><td>{received}</td>\
                 <td>{revision}</td><td>{language}</td><td>{categories}</td><td><code>{hash}</code><br>{check}</td></tr>\n",
                receipt = escape_html(&text_of(&event["receipt"])),
                seq = escape_html(&text_of(&event["seq"])),
                action = escape_html(&text_of(&event["action"])),
                time = escape_html(&text_of(&event["timestamp"])),
                received = escape_html(&text_of(&event["received_at"])),
                revision = escape_html(&text_of(&event["revision"])),
                language = escape_html(&text_of(&event["language"])),
                categories = escape_html(&choices(&event["categories"])),
                hash = escape_html(&text_of(&event["texts_hash"])),
                check = check(event["texts_check"].as_str().unwrap_or_default()),
            )
        })
        .collect();
    format!(
        "<section aria-labelledby=\"proof-heading\">\n<h2 id=\"proof-heading\">Consent {id}</h2>\n\
         <p role=\"status\">{verdict}</p>\n\
         <table>\n<caption>Every decision stored for this consent id, oldest first</caption>\n\
         <thead><tr><th scope=\"col\">Receipt</th><th scope=\"col\">Seq</th><th scope=\"col\">Action</th><th scope=\"col\">Decided (visitor's clock)</th>\
         <th scope=\"col\">Received</th><th scope=\"col\">Revision</th><th scope=\"col\">Language</th><th scope=\"col\">Categories</th><th scope=\"col\">Texts hash</th></tr></thead>\n\
         <tbody>\n{rows}</tbody>\n</table>\n</section>\n",
        id = escape_html(&text_of(&found["consent_id"])),
        verdict = if all_match {
            "Every decision's texts hash matches the texts recorded for its revision and language."
        } else {
            "Not every decision's texts hash matches the texts recorded for its revision and language: see the last column."
        },
    )
}

fn export_forms(kind_shown: Option<&str>, values: &BTreeMap<String, String>) -> String {
    EXPORT_KINDS
        .iter()
        .map(|kind| {
            // What was typed stays in the form it was typed in.
            let value = |name: &str| {
                let typed = (kind_shown == Some(kind.name)).then(|| values.get(name)).flatten();
                escape_html(typed.map(String::as_str).unwrap_or_default())
            };
            let chosen = values.get("format").filter(|_| kind_shown == Some(kind.name)).map_or("csv", String::as_str);
            let formats: String = EXPORT_FORMATS
                .iter()
                .map(|(format, label)| {
                    let checked = if *format == chosen { " checked" } else { "" };
                    format!(
                        "<label class=\"choice\"><input type=\"radio\" name=\"format\" value=\"{format}\"{checked}> {label}</label>"
                    )
                })
                .collect();
            let name = kind.name;
            let dates = if kind.params.contains(&"from") {
                format!(
                    "<p><label for=\"{name}-from\">From (optional)</label><input id=\"{name}-from\" name=\"from\" type=\"date\" value=\"{}\"></p>\n\
                     <p><label for=\"{name}-to\">To (optional, included)</label><input id=\"{name}-to\" name=\"to\" type=\"date\" value=\"{}\"></p>\n",
                    value("from"),
                    value("to"),
                )
            } else {
                String::new()
            };
            let revision = if kind.params.contains(&"revision") {
                format!(
                    "<p><label for=\"{name}-revision\">Policy revision (optional)</label>\
                     <input id=\"{name}-revision\" name=\"revision\" value=\"{}\" spellcheck=\"false\"></p>\n",
                    value("revision")
                )
            } else {
                String::new()
            };
            format!(
                "<section aria-labelledby=\"{name}-heading\">\n<h2 id=\"{name}-heading\">{heading}</h2>\n\
                 <form class=\"stacked\" method=\"get\" action=\"{EXPORT_PATH}/{name}\">\n\
                 <fieldset><legend>Format</legend>{formats}</fieldset>\n\
                 {dates}{revision}<p><button type=\"submit\">Export {lower}</button></p>\n</form>\n</section>\n",
                heading = kind.heading,
                lower = escape_html(&kind.heading.to_lowercase()),
            )
        })
        .collect()
}

/// `GET /admin/export`: a form per kind of record.
pub async fn exports(signed_in: SignedIn) -> Response {
    let body = format!(
        "<p>Download the records as CSV or JSON Lines; consent events optionally for a range of days (UTC) or one revision.</p>\n{}",
        export_forms(None, &BTreeMap::new())
    );
    AdminPage::signed_in(&signed_in.session, Section::Export, "Exports", body).into_response()
}

/// The form's fields as the export takes them: trimmed, an untouched (empty) input left out,
/// no name the kind's export does not have.
fn export_query(
    kind: &str,
    query: &BTreeMap<String, String>,
) -> Result<(&'static ExportKind, BTreeMap<String, String>), ApiError> {
    let kind = EXPORT_KINDS
        .iter()
        .find(|k| k.name == kind)
        .ok_or_else(|| ApiError::InvalidField {
            field: "kind".to_owned(),
            message: format!(
                "found {kind:?}; expected consent-events, subscribers or rights-requests"
            ),
        })?;
    let filled = query
        .iter()
        .map(|(name, value)| (name.clone(), value.trim().to_owned()))
        .filter(|(_, value)| !value.is_empty())
        .collect();
    Ok((kind, only_allowed(filled, kind.params)?))
}

/// `GET /admin/export/{kind}?…`: the download, or the forms again with the mistake named.
pub async fn export(
    signed_in: SignedIn,
    State(state): State<AppState>,
    Path(kind): Path<String>,
    query: QueryParams,
) -> Response {
    let query = query_map(query);
    let error = match export_query(&kind, &query)
        .and_then(|(kind, checked)| (kind.download)(&state, &checked))
    {
        Ok(download) => return download,
        Err(error) => error,
    };
    let body = format!(
        "{}{}",
        field_error(&error),
        export_forms(Some(&kind), &query)
    );
    let mut page = AdminPage::signed_in(&signed_in.session, Section::Export, "Exports", body);
    page.status = StatusCode::BAD_REQUEST;
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
    fn a_form_is_read_as_its_export_takes_it() {
        let (kind, checked) = export_query(
            "consent-events",
            &query(&[
                ("format", "jsonl"),
                ("from", " 2026-12-01 "),
                ("to", ""),
                ("revision", "2026-11-01"),
            ]),
        )
        .unwrap();
        assert_eq!(kind.name, "consent-events");
        assert_eq!(
            checked,
            query(&[
                ("format", "jsonl"),
                ("from", "2026-12-01"),
                ("revision", "2026-11-01")
            ]),
            "trimmed, the untouched input left out"
        );
        for (kind, pairs, field) in [
            ("everything", vec![], "kind"),
            ("subscribers", vec![("from", "2026-12-01")], "from"),
            (
                "rights-requests",
                vec![("revision", "2026-11-01")],
                "revision",
            ),
        ] {
            let error = export_query(kind, &query(&pairs)).err().unwrap();
            assert_eq!(error.field(), Some(field), "{kind} {pairs:?}");
        }
    }
}
