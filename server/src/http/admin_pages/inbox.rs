//! The rights-request inbox: `GET /admin/requests` lists requests with their status, age and
//! deadline (one month after receipt, GDPR Art. 12(3)), overdue and due-within-7-days ones
//! flagged in words as well as colour; `GET /admin/requests/{reference}` shows one with its
//! history; `POST …/status` changes its status, recorded with who and when.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::session::{SignedIn, SignedInForm};
use super::shell::{csrf_input, AdminPage, Section};
use crate::clock::Timestamp;
use crate::domain::rights_requests::{
    self, deadline, deadline_state, DeadlineState, DUE_SOON_DAYS, SETTABLE_STATUSES,
};
use crate::error::ApiError;
use crate::http::admin::QueryParams;
use crate::http::pages::paragraph;
use crate::http::state::AppState;
use crate::http::static_files::escape_html;
use crate::store::{RightsRequestRow, StatusChangeRow};

pub const INBOX_PATH: &str = "/admin/requests";

fn status_label(status: &str) -> &str {
    match status {
        "received" => "Received",
        "in_progress" => "In progress",
        "completed" => "Completed",
        "rejected" => "Rejected",
        other => other,
    }
}

fn type_label(request_type: &str) -> &str {
    match request_type {
        "access" => "Access",
        "rectification" => "Rectification",
        "erasure" => "Erasure",
        "withdraw_consent" => "Withdraw consent",
        other => other,
    }
}

fn days(count: i64) -> String {
    if count == 1 {
        "1 day".to_owned()
    } else {
        format!("{count} days")
    }
}

/// The row class and the words that say where a request stands: the words carry the
/// meaning, the class only adds colour and an outline.
fn deadline_words(state: DeadlineState) -> (&'static str, String) {
    match state {
        DeadlineState::Closed => ("closed", "Answered".to_owned()),
        DeadlineState::Overdue { days_late: 0 } => ("overdue", "Overdue: due today".to_owned()),
        DeadlineState::Overdue { days_late } => {
            ("overdue", format!("Overdue by {}", days(days_late)))
        }
        DeadlineState::DueSoon { days_left } => {
            ("due-soon", format!("Due soon: {} left", days(days_left)))
        }
        DeadlineState::Open { days_left } => ("open", format!("{} left", days(days_left))),
    }
}

fn received(row: &RightsRequestRow) -> Result<Timestamp, ApiError> {
    Timestamp::parse_rfc3339(&row.created_at).ok_or_else(|| {
        ApiError::internal(format!(
            "rights request {} has an unreadable created_at {:?}",
            row.reference, row.created_at
        ))
    })
}

fn request_href(reference: &str) -> String {
    format!("{INBOX_PATH}/{}", escape_html(reference))
}

/// `GET /admin/requests`.
pub async fn list(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let now = state.clock.now();
    let page = match rights_requests::inbox(&state.database).await {
        Ok(rows) => list_body(&rows, now),
        Err(error) => Err(error),
    };
    match page {
        Ok(body) => AdminPage::signed_in(
            &signed_in.session,
            Section::Requests,
            "Rights requests",
            body,
        )
        .into_response(),
        Err(error) => AdminPage::failure(error).into_response(),
    }
}

fn list_body(rows: &[RightsRequestRow], now: Timestamp) -> Result<String, ApiError> {
    let mut overdue = 0;
    let mut due_soon = 0;
    let mut table_rows = String::new();
    for row in rows {
        let received = received(row)?;
        let state = deadline_state(&row.status, received, now);
        match state {
            DeadlineState::Overdue { .. } => overdue += 1,
            DeadlineState::DueSoon { .. } => due_soon += 1,
            _ => {}
        }
        let (class, words) = deadline_words(state);
        table_rows.push_str(&format!(
            "<tr class=\"{class}\"><th scope=\"row\"><a href=\"{href}\">{reference}</a></th>\
             <td>{kind}</td><td>{status}</td><td>{received}</td><td>{age}</td><td>{due}</td>\
             <td class=\"deadline\"><span class=\"flag\">{words}</span></td></tr>\n",
            href = request_href(&row.reference),
            reference = escape_html(&row.reference),
            kind = type_label(&row.request_type),
            status = escape_html(status_label(&row.status)),
            received = received.date(),
            age = days(received.days_until(now).max(0)),
            due = deadline(received).date(),
        ));
    }
    if rows.is_empty() {
        return Ok(paragraph("No rights requests have come in yet."));
    }
    Ok(format!(
        "<p class=\"summary\" id=\"inbox-summary\"><strong>{overdue}</strong> overdue, <strong>{due_soon}</strong> due within {DUE_SOON_DAYS} days, of {total} requests. \
         An answer is due one month after a request is received (GDPR Art. 12(3)).</p>\n\
         <div class=\"table-scroll\" role=\"region\" aria-labelledby=\"inbox-caption\" tabindex=\"0\">\n\
         <table id=\"inbox\">\n<caption id=\"inbox-caption\">Rights requests, newest first</caption>\n\
         <thead><tr><th scope=\"col\">Reference</th><th scope=\"col\">Type</th><th scope=\"col\">Status</th>\
         <th scope=\"col\">Received</th><th scope=\"col\">Age</th><th scope=\"col\">Due</th><th scope=\"col\">Deadline</th></tr></thead>\n\
         <tbody>\n{table_rows}</tbody>\n</table>\n</div>\n",
        total = rows.len(),
    ))
}

/// `GET /admin/requests/{reference}`.
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(reference): Path<String>,
    query: QueryParams,
) -> Response {
    // `?updated=1` after a status change, to confirm it.
    let updated = query.is_ok_and(|Query(query)| query.contains_key("updated"));
    match rights_requests::with_history(&state.database, reference.clone()).await {
        Ok(Some((request, changes))) => {
            match detail_body(&request, &changes, state.clock.now(), &signed_in, updated) {
                Ok(body) => AdminPage::signed_in(
                    &signed_in.session,
                    Section::Requests,
                    &format!("Request {}", request.reference),
                    body,
                )
                .into_response(),
                Err(error) => AdminPage::failure(error).into_response(),
            }
        }
        Ok(None) => not_found(&signed_in, &reference),
        Err(error) => AdminPage::failure(error).into_response(),
    }
}

fn not_found(signed_in: &SignedIn, reference: &str) -> Response {
    let mut page = AdminPage::signed_in(
        &signed_in.session,
        Section::Requests,
        "Request not found",
        format!(
            "{}<p><a href=\"{INBOX_PATH}\">Back to the inbox</a></p>\n",
            paragraph(&format!(
                "No rights request has the reference {reference:?}."
            ))
        ),
    );
    page.status = StatusCode::NOT_FOUND;
    page.into_response()
}

fn detail_body(
    request: &RightsRequestRow,
    changes: &[StatusChangeRow],
    now: Timestamp,
    signed_in: &SignedIn,
    updated: bool,
) -> Result<String, ApiError> {
    let received = received(request)?;
    let state = deadline_state(&request.status, received, now);
    let (class, words) = deadline_words(state);
    let confirmation = if updated {
        format!(
            "<p class=\"notice\" role=\"status\">Status changed to {}.</p>\n",
            escape_html(status_label(&request.status))
        )
    } else {
        String::new()
    };
    let consent = match &request.consent_id {
        Some(id) => format!(
            "<a href=\"/admin/proof?id={id}\">{id}</a>",
            id = escape_html(id)
        ),
        None => "none given".to_owned(),
    };
    let message = if request.message.is_empty() {
        "<p>(no message)</p>".to_owned()
    } else {
        // Line breaks kept by the stylesheet (white-space: pre-wrap), not by markup.
        format!("<p class=\"message\">{}</p>", escape_html(&request.message))
    };
    let history: String = std::iter::once(format!(
        "<li><time datetime=\"{at}\">{at}</time>: received from the statement page's form</li>",
        at = escape_html(&request.created_at)
    ))
    .chain(changes.iter().map(|change| {
        format!(
            "<li><time datetime=\"{at}\">{at}</time>: status set to <strong>{status}</strong> by {who}</li>",
            at = escape_html(&change.changed_at),
            status = escape_html(status_label(&change.status)),
            who = escape_html(&change.changed_by),
        )
    }))
    .collect();
    let options: String = SETTABLE_STATUSES
        .iter()
        .map(|status| {
            let selected = if *status == request.status {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{status}\"{selected}>{}</option>",
                status_label(status)
            )
        })
        .collect();
    Ok(format!(
        "{confirmation}<p><a href=\"{INBOX_PATH}\">Back to the inbox</a></p>\n\
         <dl class=\"facts\">\n\
         <dt>Type</dt><dd>{kind}</dd>\n\
         <dt>Status</dt><dd id=\"request-status\">{status}</dd>\n\
         <dt>Received</dt><dd>{received_at}</dd>\n\
         <dt>Due</dt><dd>{due}</dd>\n\
         <dt>Deadline</dt><dd class=\"{class}\"><span class=\"flag\">{words}</span></dd>\n\
         <dt>E-mail (as typed, not verified)</dt><dd>{email}</dd>\n\
         <dt>Language</dt><dd>{language}</dd>\n\
         <dt>Consent id</dt><dd>{consent}</dd>\n\
         </dl>\n<h2>Message</h2>\n{message}\n\
         <h2>History</h2>\n<ol class=\"history\" id=\"history\">{history}</ol>\n\
         <h2>Change the status</h2>\n\
         <form class=\"stacked\" method=\"post\" action=\"{href}/status\">{csrf}\n\
         <p><label for=\"status\">New status</label><select id=\"status\" name=\"status\">{options}</select></p>\n\
         <p><button type=\"submit\">Change status</button></p>\n</form>\n",
        kind = type_label(&request.request_type),
        status = escape_html(status_label(&request.status)),
        received_at = escape_html(&request.created_at),
        due = deadline(received).rfc3339(),
        email = escape_html(&request.email),
        language = escape_html(&request.language),
        href = request_href(&request.reference),
        csrf = csrf_input(&signed_in.session.csrf_token),
    ))
}

/// `POST /admin/requests/{reference}/status` with `status`: records the change with the
/// operator's name, then back to the request (post/redirect/get).
pub async fn change_status(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    form: SignedInForm,
) -> Response {
    let status = form.fields.get("status").unwrap_or_default();
    let outcome = rights_requests::update_status(
        &state.database,
        state.clock.now(),
        reference.clone(),
        &json!({ "status": status }),
        form.signed_in.session.user.clone(),
    )
    .await;
    match outcome {
        Ok(_) => Redirect::to(&format!("{}?updated=1", request_href(&reference))).into_response(),
        Err(ApiError::RecordNotFound { .. }) => not_found(&form.signed_in, &reference),
        Err(error @ ApiError::InvalidField { .. }) => AdminPage::message(
            StatusCode::BAD_REQUEST,
            "Status not changed",
            &paragraph(&format!(
                "{} Nothing was changed; go back and choose one of the listed statuses.",
                error.message().unwrap_or_default()
            )),
        )
        .into_response(),
        Err(error) => AdminPage::failure(error).into_response(),
    }
}
