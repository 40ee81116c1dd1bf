//! The operator pages under `/admin`, server-rendered HTML that works without JavaScript
//! under the shop's strict CSP: sign-in, the consent overview, the rights-request inbox,
//! the proof lookup and the exports. They exist only when `ADMIN_PASSWORD_HASH` is set.

mod chart;
mod inbox;
mod overview;
mod records;
mod session;
mod shell;
mod sign_in;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::http::api_post::MAX_BODY_BYTES;
use crate::http::state::AppState;

/// The pages' routes, or none when the operator pages are off.
pub fn routes(state: &AppState) -> Router<AppState> {
    if state.config.admin_pages.is_none() {
        return Router::new();
    }
    Router::new()
        .route(shell::HOME_PATH, get(overview::show))
        .route(shell::STYLESHEET_PATH, get(shell::stylesheet))
        .route(
            shell::SIGN_IN_PATH,
            get(sign_in::show).post(sign_in::submit),
        )
        .route(shell::SIGN_OUT_PATH, post(sign_in::sign_out))
        .route(inbox::INBOX_PATH, get(inbox::list))
        .route("/admin/requests/{reference}", get(inbox::show))
        .route(
            "/admin/requests/{reference}/status",
            post(inbox::change_status),
        )
        .route(records::PROOF_PATH, get(records::proof))
        .route(records::EXPORT_PATH, get(records::exports))
        .route("/admin/export/{kind}", get(records::export))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}
