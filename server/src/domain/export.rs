//! The exports' rows as text, one line per record: CSV (RFC 4180, with spreadsheet formulas
//! defused) or JSON Lines. Pure formatting; `http::export` streams pages of rows through it.

use std::borrow::Cow;

use crate::error::ApiError;
use crate::store::{ConsentEventRow, RightsRequestRow, SubscriberRow};

/// The two formats an export is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    JsonLines,
}

impl ExportFormat {
    pub const EXPECTED: &'static str = "csv or jsonl";

    /// The `format` query parameter's value.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "csv" => Some(ExportFormat::Csv),
            "jsonl" => Some(ExportFormat::JsonLines),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8; header=present",
            ExportFormat::JsonLines => "application/jsonl; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::JsonLines => "jsonl",
        }
    }

    /// What comes before the first record: the CSV header line; nothing for JSON Lines,
    /// where every line names its fields.
    pub fn preamble(self, columns: &[&str]) -> String {
        match self {
            ExportFormat::Csv => {
                let mut line = columns.join(",");
                line.push_str("\r\n");
                line
            }
            ExportFormat::JsonLines => String::new(),
        }
    }

    /// Appends `record` as one line to `out`.
    pub fn write<R: ExportRecord>(self, record: &R, out: &mut String) -> Result<(), ApiError> {
        let cells = record.cells();
        debug_assert_eq!(cells.len(), R::COLUMNS.len());
        match self {
            ExportFormat::Csv => {
                for (index, cell) in cells.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    cell.write_csv(out);
                }
                out.push_str("\r\n");
            }
            ExportFormat::JsonLines => {
                out.push('{');
                for (index, (column, cell)) in R::COLUMNS.iter().zip(&cells).enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    out.push_str(&json_string(column));
                    out.push(':');
                    cell.write_json(out)?;
                }
                out.push_str("}\n");
            }
        }
        Ok(())
    }
}

/// One value of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'r> {
    Text(&'r str),
    /// Empty in CSV, `null` in JSON.
    Missing,
    Integer(i64),
    Flag(bool),
    /// A column that holds JSON text (the choices, the history): nested as JSON in JSON
    /// Lines, its text in CSV.
    Json(&'r str),
}

impl<'r> Cell<'r> {
    pub fn optional_text(value: Option<&'r str>) -> Self {
        value.map_or(Cell::Missing, Cell::Text)
    }

    fn write_csv(&self, out: &mut String) {
        match self {
            Cell::Text(text) | Cell::Json(text) => out.push_str(&csv_field(text)),
            Cell::Missing => {}
            Cell::Integer(number) => out.push_str(&number.to_string()),
            Cell::Flag(flag) => out.push_str(if *flag { "true" } else { "false" }),
        }
    }

    fn write_json(&self, out: &mut String) -> Result<(), ApiError> {
        match self {
            Cell::Text(text) => out.push_str(&json_string(text)),
            Cell::Missing => out.push_str("null"),
            Cell::Integer(number) => out.push_str(&number.to_string()),
            Cell::Flag(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Cell::Json(text) => {
                // Stored by this server from parsed JSON; checked anyway, so that a damaged
                // row fails the export instead of producing a line no reader can parse.
                serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|error| {
                    ApiError::internal(format!("stored JSON in an export row: {error}"))
                })?;
                out.push_str(text);
            }
        }
        Ok(())
    }
}

/// A row an export can write.
pub trait ExportRecord {
    /// Column names: the CSV header, and the JSON Lines keys, in this order.
    const COLUMNS: &'static [&'static str];
    /// Row id: the export reads the next page after the last one written.
    fn cursor(&self) -> i64;
    fn cells(&self) -> Vec<Cell<'_>>;
}

/// A CSV field: quoted when it holds a comma, quote or line break (quotes doubled, RFC 4180),
/// and prefixed with `'` when a spreadsheet would run it as a formula (it starts with `=`,
/// `+`, `-`, `@`, tab or carriage return; OWASP "CSV Injection"). The prefixed field is
/// always quoted, so the `'` reads as part of the text.
pub fn csv_field(text: &str) -> Cow<'_, str> {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let needs_quotes = formula || text.contains([',', '"', '\n', '\r']);
    if !needs_quotes {
        return Cow::Borrowed(text);
    }
    let mut field = String::with_capacity(text.len() + 4);
    field.push('"');
    if formula {
        field.push('\'');
    }
    field.push_str(&text.replace('"', "\"\""));
    field.push('"');
    Cow::Owned(field)
}

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

impl ExportRecord for ConsentEventRow {
    const COLUMNS: &'static [&'static str] = &[
        "receipt",
        "received_at",
        "consent_id",
        "seq",
        "revision",
        "action",
        "timestamp",
        "language",
        "texts_hash",
        "gpc",
        "categories",
        "services",
        "history",
    ];

    fn cursor(&self) -> i64 {
        self.id
    }

    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Integer(self.id),
            Cell::Text(&self.received_at),
            Cell::Text(&self.consent_id),
            Cell::Integer(self.seq),
            Cell::Text(&self.revision),
            Cell::Text(&self.action),
            Cell::Text(&self.timestamp),
            Cell::Text(&self.language),
            Cell::optional_text(self.texts_hash.as_deref()),
            self.gpc.map_or(Cell::Missing, Cell::Flag),
            Cell::Json(&self.categories_json),
            Cell::Json(&self.services_json),
            self.history_json
                .as_deref()
                .map_or(Cell::Missing, Cell::Json),
        ]
    }
}

impl ExportRecord for SubscriberRow {
    const COLUMNS: &'static [&'static str] = &[
        "email",
        "status",
        "consented_at",
        "consent_text",
        "consent_text_version",
        "revision",
        "language",
        "confirmed_at",
    ];

    fn cursor(&self) -> i64 {
        self.id
    }

    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Text(&self.email),
            Cell::Text(&self.status),
            Cell::Text(&self.consented_at),
            Cell::Text(&self.consent_text),
            Cell::Text(&self.consent_text_version),
            Cell::Text(&self.revision),
            Cell::Text(&self.language),
            Cell::optional_text(self.confirmed_at.as_deref()),
        ]
    }
}

impl ExportRecord for RightsRequestRow {
    const COLUMNS: &'static [&'static str] = &[
        "reference",
        "type",
        "status",
        "created_at",
        "updated_at",
        "email",
        "language",
        "consent_id",
        "message",
    ];

    fn cursor(&self) -> i64 {
        self.id
    }

    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Text(&self.reference),
            Cell::Text(&self.request_type),
            Cell::Text(&self.status),
            Cell::Text(&self.created_at),
            Cell::Text(&self.updated_at),
            Cell::Text(&self.email),
            Cell::Text(&self.language),
            Cell::optional_text(self.consent_id.as_deref()),
            Cell::Text(&self.message),
        ]
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn request(message: &str, consent_id: Option<&str>) -> RightsRequestRow {
        RightsRequestRow {
            id: 7,
            reference: "PV-2026-000007".into(),
            request_type: "access".into(),
            email: "kari@example.no".into(),
            message: message.into(),
            consent_id: consent_id.map(str::to_owned),
            language: "nb".into(),
            status: "received".into(),
            created_at: "2026-11-26T12:00:00.000Z".into(),
            updated_at: "2026-11-26T12:00:00.000Z".into(),
        }
    }

    fn event() -> ConsentEventRow {
        ConsentEventRow {
            id: 42,
            idempotency_key: "k".into(),
            consent_id: "0123456789abcdef0123456789abcdef".into(),
            seq: 2,
            revision: "2026-11-01".into(),
            action: "save".into(),
            categories_json: r#"{"analytics":false,"necessary":true}"#.into(),
            services_json: "{}".into(),
            timestamp: "2026-11-26T12:00:00.000Z".into(),
            language: "nb".into(),
            texts_hash: None,
            gpc: Some(true),
            history_json: None,
            received_at: "2026-11-26T12:00:01.000Z".into(),
        }
    }

    fn line<R: ExportRecord>(format: ExportFormat, record: &R) -> String {
        let mut out = String::new();
        format.write(record, &mut out).unwrap();
        out
    }

    #[test]
    fn plain_csv_fields_stay_as_they_are() {
        assert_eq!(csv_field("2026-11-01"), "2026-11-01");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field("ærlig talt"), "ærlig talt");
    }

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("line one\nline two"), "\"line one\nline two\"");
        assert_eq!(csv_field("cr\r"), "\"cr\r\"");
    }

    #[test]
    fn csv_defuses_formulas_as_owasp_advises() {
        for formula in ["=1+1", "+4790000000", "-2", "@SUM(A1)", "\tx", "\rx"] {
            let field = csv_field(formula);
            assert_eq!(field, format!("\"'{formula}\""), "{formula:?}");
        }
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        assert_eq!(csv_field("a=b"), "a=b", "only a leading sign is a formula");
    }

    #[test]
    fn csv_rows_have_one_field_per_column_and_end_with_crlf() {
        let text = line(
            ExportFormat::Csv,
            &request("=cmd|' /C calc'!A0, bitte\n\"sofort\"", None),
        );
        assert_eq!(
            text,
            "PV-2026-000007,access,received,2026-11-26T12:00:00.000Z,2026-11-26T12:00:00.000Z,\
             kari@example.no,nb,,\"'=cmd|' /C calc'!A0, bitte\n\"\"sofort\"\"\"\r\n"
        );
        assert_eq!(
            ExportFormat::Csv.preamble(RightsRequestRow::COLUMNS),
            "reference,type,status,created_at,updated_at,email,language,consent_id,message\r\n"
        );
    }

    #[test]
    fn csv_writes_json_columns_as_their_text_and_missing_values_empty() {
        let text = line(ExportFormat::Csv, &event());
        assert_eq!(
            text,
            "42,2026-11-26T12:00:01.000Z,0123456789abcdef0123456789abcdef,2,2026-11-01,save,\
             2026-11-26T12:00:00.000Z,nb,,true,\"{\"\"analytics\"\":false,\"\"necessary\"\":true}\",{},\r\n"
        );
    }

    #[test]
    fn json_lines_are_objects_in_column_order_with_nested_json() {
        let text = line(ExportFormat::JsonLines, &event());
        assert!(text.ends_with("}\n") && text.matches('\n').count() == 1);
        assert!(
            text.starts_with("{\"receipt\":42,\"received_at\":"),
            "{text}"
        );
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            parsed["categories"],
            json!({"analytics": false, "necessary": true})
        );
        assert_eq!(parsed["texts_hash"], Value::Null);
        assert_eq!(parsed["gpc"], json!(true));
        assert_eq!(parsed["history"], Value::Null);
        assert_eq!(
            ExportFormat::JsonLines.preamble(ConsentEventRow::COLUMNS),
            ""
        );
    }

    #[test]
    fn json_lines_escape_text_and_keep_line_breaks_inside_strings() {
        let text = line(
            ExportFormat::JsonLines,
            &request("a\n\"b\"\u{2028}", Some("x")),
        );
        assert_eq!(
            text.matches('\n').count(),
            1,
            "one record, one line: {text:?}"
        );
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["message"], json!("a\n\"b\"\u{2028}"));
        assert_eq!(parsed["consent_id"], json!("x"));
    }

    #[test]
    fn a_damaged_json_column_fails_instead_of_writing_a_broken_line() {
        let mut damaged = event();
        damaged.services_json = "{not json".into();
        let mut out = String::new();
        assert!(ExportFormat::JsonLines.write(&damaged, &mut out).is_err());
    }

    #[test]
    fn every_record_type_has_one_cell_per_column() {
        let subscriber = SubscriberRow {
            id: 1,
            email: "a@b.no".into(),
            status: "confirmed".into(),
            consented_at: "t".into(),
            consent_text: "Ja".into(),
            consent_text_version: "v1".into(),
            revision: "r".into(),
            language: "nb".into(),
            confirmed_at: None,
        };
        assert_eq!(subscriber.cells().len(), SubscriberRow::COLUMNS.len());
        assert_eq!(event().cells().len(), ConsentEventRow::COLUMNS.len());
        assert_eq!(
            request("m", None).cells().len(),
            RightsRequestRow::COLUMNS.len()
        );
        assert_eq!(
            ExportFormat::from_name("jsonl"),
            Some(ExportFormat::JsonLines)
        );
        assert_eq!(ExportFormat::from_name("xlsx"), None);
    }
}
