//! Rights requests from the privacy-statement viewer (access, rectification, erasure,
//! withdrawal of consent). Each is stored with a reference like `PV-2026-000123` (year and
//! a per-year sequence), acknowledged by mail, and worked through by the shop with the
//! admin status endpoint. GDPR art. 12(3): the answer is due within one month.

use std::sync::Arc;

use axum::http::StatusCode;
use privacy_widget_core::wire;
use serde_json::{json, Value};

use super::consent::CONSENT_ID_RULE;
use super::email::{email_field, EMAIL_EXPECTED};
use super::idempotency::{respond_once, BodyFingerprint, IdempotencyKey, StoredResponse};
use super::mail::{MailPurpose, Mailer, OutgoingMail};
use super::newsletter::texts::TextLanguage;
use super::rate_limit::{ClientIp, MailLimits, Scope};
use super::validation::{
    boolean, is_multi_line_char, one_of, text, widget_language, ObjectReader, TextRule,
};
use crate::clock::Timestamp;
use crate::error::ApiError;
use crate::store::{Database, NewRightsRequest, RightsRequestRow, StatusChangeRow, Transaction};

pub const ENDPOINT: &str = "/api/rights-requests";
pub const ADMIN_LIST_ENDPOINT: &str = "/api/admin/rights-requests";
pub const ADMIN_STATUS_ENDPOINT: &str = "/api/admin/rights-requests/{reference}/status";

const FIELDS: &[&str] = &[
    "type",
    "email",
    "message",
    "consent_id",
    "language",
    "confirmed",
];
const STATUS_FIELDS: &[&str] = &["status"];

/// What the visitor asks for.
pub const REQUEST_TYPES: &[&str] = &["access", "rectification", "erasure", "withdraw_consent"];
/// The statuses an operator can set; every request starts as `received`.
pub const SETTABLE_STATUSES: &[&str] = &["in_progress", "completed", "rejected"];

const TYPE_EXPECTED: &str = "one of access, rectification, erasure, withdraw_consent";
const MESSAGE_RULE: TextRule = TextRule {
    min_chars: 0,
    max_chars: 4000,
    allowed: is_multi_line_char,
    expected: "free text of at most 4000 characters (may be empty; line breaks allowed, no other control characters)",
};
/// Rights requests listed by the admin endpoint.
const LIST_LIMIT: u32 = 500;
/// Digits of the sequence number in a reference.
const REFERENCE_DIGITS: usize = 6;
/// Days before the deadline from which an open request is flagged as due soon.
pub const DUE_SOON_DAYS: i64 = 7;
/// Who changed a status through `POST /api/admin/rights-requests/{reference}/status`.
pub const CHANGED_BY_API: &str = "admin API (bearer token)";

/// A validated rights request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightsRequest {
    pub request_type: &'static str,
    pub email: String,
    pub message: String,
    pub consent_id: Option<String>,
    pub language: &'static str,
}

impl RightsRequest {
    pub fn from_json(body: &Value) -> Result<Self, ApiError> {
        let reader = ObjectReader::new(body, "", FIELDS)?;
        let request = RightsRequest {
            request_type: reader.read("type", TYPE_EXPECTED, |value, path| {
                one_of(value, path, REQUEST_TYPES).map(|index| REQUEST_TYPES[index])
            })?,
            email: reader.read("email", EMAIL_EXPECTED, email_field)?,
            message: reader.read("message", MESSAGE_RULE.expected, |value, path| {
                text(value, path, &MESSAGE_RULE).map(str::to_owned)
            })?,
            consent_id: reader.read_optional("consent_id", |value, path| {
                text(value, path, &CONSENT_ID_RULE).map(str::to_owned)
            })?,
            language: reader.read("language", wire::LANGUAGE_EXPECTED, widget_language)?,
        };
        let confirmed = reader.read("confirmed", "true", boolean)?;
        if !confirmed {
            return Err(ApiError::InvalidField {
                field: "confirmed".to_owned(),
                message: "found false; expected true: the visitor must confirm that the information is correct and that the request concerns themselves".to_owned(),
            });
        }
        Ok(request)
    }
}

/// `PV-2026-000123`.
pub fn reference(year: i64, number: i64) -> String {
    format!("PV-{year}-{number:0width$}", width = REFERENCE_DIGITS)
}

/// `POST /api/rights-requests`: numbers and stores the request and writes the
/// acknowledgement mail, at most once per idempotency key. Returns the answer and whether
/// it was a replay.
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    database: &Database,
    now: Timestamp,
    limits: MailLimits,
    mailer: Arc<Mailer>,
    client: ClientIp,
    key: IdempotencyKey,
    fingerprint: BodyFingerprint,
    body: &Value,
) -> Result<(StoredResponse, bool), ApiError> {
    let request = RightsRequest::from_json(body)?;
    respond_once(
        database,
        now,
        ENDPOINT,
        key,
        fingerprint,
        move |transaction, _key| {
            // The acknowledgement goes to whatever address was typed: limited like the
            // newsletter's mail.
            let now = limits.admit(Scope::RightsRequests, client, &request.email)?;
            let reference = store(transaction, &request, now)?;
            mailer.enqueue(
                transaction,
                &acknowledgement(&mailer, &request, &reference),
                now,
            )?;
            Ok(StoredResponse {
                status: StatusCode::CREATED,
                body: json!({"status": "received", "reference": reference}),
            })
        },
    )
    .await
}

/// Inserts the request with the next number of the year; runs inside the immediate
/// transaction of `respond_once`, so two requests cannot take the same number.
fn store(
    transaction: &mut dyn Transaction,
    request: &RightsRequest,
    now: Timestamp,
) -> Result<String, ApiError> {
    let year = now.year();
    let number = transaction.next_rights_request_number(year)?;
    let reference = reference(year, number);
    transaction.insert_rights_request(&NewRightsRequest {
        reference: &reference,
        year,
        number,
        request_type: request.request_type,
        email: &request.email,
        message: &request.message,
        consent_id: request.consent_id.as_deref(),
        language: request.language,
        created_at: now,
    })?;
    Ok(reference)
}

/// The receipt mail. It does not repeat the message: the address is unverified, and the
/// form must not become a way to send arbitrary text to strangers.
fn acknowledgement(mailer: &Mailer, request: &RightsRequest, reference: &str) -> OutgoingMail {
    let shop = mailer.shop_name();
    let (subject, body) = match TextLanguage::for_tag(request.language) {
        TextLanguage::Bokmal => {
            let what = match request.request_type {
                "access" => "innsyn i personopplysningene dine",
                "rectification" => "retting av personopplysningene dine",
                "erasure" => "sletting av personopplysningene dine",
                _ => "å trekke tilbake et samtykke",
            };
            (
                format!("Vi har mottatt forespørselen din ({reference})"),
                format!(
                    "Hei!\n\n\
                     Vi har mottatt forespørselen din om {what}. Referansen er {reference}; \
                     oppgi den hvis du kontakter oss om saken.\n\n\
                     Vi svarer så snart vi kan, og senest innen én måned (personvernforordningen \
                     artikkel 12 nr. 3). Vi kan be deg bekrefte hvem du er før vi svarer.\n\n\
                     Sendte du ikke denne forespørselen? Gi oss beskjed ved å svare på denne e-posten.\n\n\
                     Er du ikke fornøyd med hvordan vi behandler personopplysningene dine, kan du \
                     klage til Datatilsynet.\n\n\
                     Vennlig hilsen\n{shop}\n"
                ),
            )
        }
        TextLanguage::Nynorsk => {
            let what = match request.request_type {
                "access" => "innsyn i personopplysningane dine",
                "rectification" => "retting av personopplysningane dine",
                "erasure" => "sletting av personopplysningane dine",
                _ => "å trekkje tilbake eit samtykke",
            };
            (
                format!("Vi har fått førespurnaden din ({reference})"),
                format!(
                    "Hei!\n\n\
                     Vi har fått førespurnaden din om {what}. Referansen er {reference}; \
                     oppgi han om du kontaktar oss om saka.\n\n\
                     Vi svarar så snart vi kan, og seinast innan éin månad (personvernforordninga \
                     artikkel 12 nr. 3). Vi kan be deg stadfeste kven du er før vi svarar.\n\n\
                     Sende du ikkje denne førespurnaden? Gi oss beskjed ved å svare på denne e-posten.\n\n\
                     Er du ikkje nøgd med korleis vi behandlar personopplysningane dine, kan du \
                     klage til Datatilsynet.\n\n\
                     Venleg helsing\n{shop}\n"
                ),
            )
        }
        TextLanguage::English => {
            let what = match request.request_type {
                "access" => "access to your personal data",
                "rectification" => "rectification of your personal data",
                "erasure" => "erasure of your personal data",
                _ => "withdrawal of a consent",
            };
            (
                format!("We have received your request ({reference})"),
                format!(
                    "Hello,\n\n\
                     We have received your request for {what}. Its reference is {reference}; \
                     please quote it if you contact us about it.\n\n\
                     We will answer as soon as we can, and within one month at the latest (GDPR \
                     Article 12(3)). We may ask you to confirm your identity before we answer.\n\n\
                     Did you not send this request? Please tell us by replying to this e-mail.\n\n\
                     If you are not satisfied with how we process your personal data, you can \
                     complain to the Norwegian Data Protection Authority (Datatilsynet).\n\n\
                     Kind regards,\n{shop}\n"
                ),
            )
        }
    };
    OutgoingMail {
        to: request.email.clone(),
        subject,
        body,
        purpose: MailPurpose::RightsRequest,
        list_unsubscribe: None,
    }
}

fn request_json(row: &RightsRequestRow) -> Value {
    json!({
        "reference": row.reference,
        "type": row.request_type,
        "email": row.email,
        "message": row.message,
        "consent_id": row.consent_id,
        "language": row.language,
        "status": row.status,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    })
}

/// The latest 500 requests, newest first.
pub async fn latest(database: &Database) -> Result<Value, ApiError> {
    database
        .call(|transaction| {
            let rows = transaction.rights_requests(LIST_LIMIT)?;
            Ok(json!({ "requests": rows.iter().map(request_json).collect::<Vec<_>>() }))
        })
        .await
}

/// The status of `{"status": …}` (also the operator page's form field).
pub fn settable_status(value: &Value) -> Result<&'static str, ApiError> {
    let reader = ObjectReader::new(value, "", STATUS_FIELDS)?;
    reader.read(
        "status",
        "one of in_progress, completed, rejected",
        |value, path| one_of(value, path, SETTABLE_STATUSES).map(|index| SETTABLE_STATUSES[index]),
    )
}

/// Sets the status (`{"status": …}`) and `updated_at` of the request `reference` and records
/// the change with who made it; returns the updated request.
pub async fn update_status(
    database: &Database,
    now: Timestamp,
    reference: String,
    body: &Value,
    changed_by: String,
) -> Result<Value, ApiError> {
    let status = settable_status(body)?;
    database
        .call(move |transaction| {
            if !transaction.set_rights_request_status(&reference, status, now)? {
                return Err(ApiError::RecordNotFound {
                    field: "reference",
                    what: "rights request",
                    id: reference,
                });
            }
            transaction.insert_status_change(&reference, status, &changed_by, now)?;
            let updated = transaction.rights_request(&reference)?;
            Ok(updated.as_ref().map_or(Value::Null, request_json))
        })
        .await
}

/// The latest 500 requests as rows, newest first (the operator's inbox).
pub async fn inbox(database: &Database) -> Result<Vec<RightsRequestRow>, ApiError> {
    database
        .call(|transaction| Ok(transaction.rights_requests(LIST_LIMIT)?))
        .await
}

/// One request and its status changes (oldest first), if the reference exists.
pub async fn with_history(
    database: &Database,
    reference: String,
) -> Result<Option<(RightsRequestRow, Vec<StatusChangeRow>)>, ApiError> {
    database
        .call(move |transaction| {
            let Some(request) = transaction.rights_request(&reference)? else {
                return Ok(None);
            };
            let changes = transaction.status_changes(&reference)?;
            Ok(Some((request, changes)))
        })
        .await
}

/// Where a request stands against its deadline: one month after it was received
/// (GDPR Art. 12(3)), counted in whole days from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineState {
    /// Answered (completed or rejected): the deadline no longer matters.
    Closed,
    /// Open, and the deadline has passed `days_late` days ago (0: earlier today).
    Overdue {
        days_late: i64,
    },
    /// Open, due within [`DUE_SOON_DAYS`] days.
    DueSoon {
        days_left: i64,
    },
    Open {
        days_left: i64,
    },
}

/// The answer is due one calendar month after the request was received.
pub fn deadline(received: Timestamp) -> Timestamp {
    received.plus_one_month()
}

pub fn deadline_state(status: &str, received: Timestamp, now: Timestamp) -> DeadlineState {
    if matches!(status, "completed" | "rejected") {
        return DeadlineState::Closed;
    }
    let due = deadline(received);
    if due <= now {
        return DeadlineState::Overdue {
            days_late: due.days_until(now),
        };
    }
    match now.days_until(due) {
        days_left if days_left < DUE_SOON_DAYS => DeadlineState::DueSoon { days_left },
        days_left => DeadlineState::Open { days_left },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Value {
        json!({
            "type": "access",
            "email": "kari@example.no",
            "message": "Hva har dere lagret om meg?\nTakk.",
            "consent_id": "0123456789abcdef0123456789abcdef",
            "language": "nb",
            "confirmed": true
        })
    }

    #[test]
    fn deadlines_flag_overdue_and_due_within_seven_days_of_open_requests_only() {
        let received = Timestamp::parse_rfc3339("2026-11-06T09:00:00.000Z").unwrap();
        let at = |text: &str| Timestamp::parse_rfc3339(text).unwrap();
        assert_eq!(deadline(received).rfc3339(), "2026-12-06T09:00:00.000Z");
        assert_eq!(
            deadline_state("received", received, at("2026-11-20T09:00:00.000Z")),
            DeadlineState::Open { days_left: 16 }
        );
        // 7 days and a minute before: not yet "within 7 days"; 6 days 23 hours: due soon.
        assert_eq!(
            deadline_state("received", received, at("2026-11-29T08:59:00.000Z")),
            DeadlineState::Open { days_left: 7 }
        );
        assert_eq!(
            deadline_state("in_progress", received, at("2026-11-29T10:00:00.000Z")),
            DeadlineState::DueSoon { days_left: 6 }
        );
        assert_eq!(
            deadline_state("received", received, at("2026-12-06T09:00:00.000Z")),
            DeadlineState::Overdue { days_late: 0 }
        );
        assert_eq!(
            deadline_state("in_progress", received, at("2026-12-16T10:00:00.000Z")),
            DeadlineState::Overdue { days_late: 10 }
        );
        for status in ["completed", "rejected"] {
            assert_eq!(
                deadline_state(status, received, at("2027-06-01T00:00:00.000Z")),
                DeadlineState::Closed
            );
        }
    }

    #[test]
    fn references_are_year_and_zero_padded_number() {
        assert_eq!(reference(2026, 123), "PV-2026-000123");
        assert_eq!(reference(2027, 1_234_567), "PV-2027-1234567");
    }

    #[test]
    fn parses_a_request_and_names_fields_at_fault() {
        let request = RightsRequest::from_json(&valid()).unwrap();
        assert_eq!(request.request_type, "access");
        let mut empty_message = valid();
        empty_message["message"] = json!("");
        empty_message.as_object_mut().unwrap().remove("consent_id");
        assert!(RightsRequest::from_json(&empty_message).is_ok());

        for (field, value) in [
            ("type", json!("delete")),
            ("email", json!("kari@")),
            ("message", json!("x".repeat(4001))),
            ("message", json!("bell\u{7}")),
            ("consent_id", json!("XYZ")),
            ("language", json!("de")),
            ("confirmed", json!(false)),
            ("confirmed", json!("yes")),
        ] {
            let mut body = valid();
            body[field] = value;
            let error = RightsRequest::from_json(&body).unwrap_err();
            assert_eq!(error.field(), Some(field), "{body}");
        }
    }
}
