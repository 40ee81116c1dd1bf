//! The routes: which handler answers which path, and the server loop around them.

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{any, get, post};
use axum::{Json, Router};

use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::admin;
use super::admin_pages;
use super::api_post;
use super::connection::{ConnectionHandle, SeverableListener};
use super::consent;
use super::cors;
use super::export;
use super::faults;
use super::form_posts;
use super::mailbox;
use super::newsletter;
use super::newsletter_pages;
use super::rights_requests;
use super::state::AppState;
use super::static_files;
use crate::domain;
use crate::domain::mail;
use crate::error::ApiError;

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    // The API POSTs that store data: the only ones fault injection may break. The
    // newsletter's link pages store too, but a person clicks those, not the widget's
    // retry logic, and a fault plan meant for the widget must not be used up by them.
    let mut data_routes = Router::new()
        .route(domain::consent::ENDPOINT, post(consent::record_consent))
        // These three take the JSON API and plain HTML form posts (`form_posts`).
        .route(
            domain::newsletter::SUBSCRIBE_ENDPOINT,
            post(form_posts::subscribe),
        )
        .route(
            domain::newsletter::UNSUBSCRIBE_ENDPOINT,
            post(form_posts::unsubscribe),
        )
        .route(
            domain::rights_requests::ENDPOINT,
            post(form_posts::rights_request),
        );
    if state.config.faults_enabled {
        data_routes =
            data_routes.route_layer(from_fn_with_state(state.clone(), faults::inject_faults));
    }

    let api = data_routes
        .route("/api/health", get(health))
        .route("/api/admin/consents", get(admin::list_consents))
        .route(admin::PROOF_ENDPOINT, get(admin::proof))
        .route(export::CONSENT_EVENTS_ENDPOINT, get(export::consent_events))
        .route(export::SUBSCRIBERS_ENDPOINT, get(export::subscribers))
        .route(
            export::RIGHTS_REQUESTS_ENDPOINT,
            get(export::rights_requests),
        )
        .route(
            domain::newsletter::ADMIN_ENDPOINT,
            get(newsletter::list_subscribers),
        )
        .route("/api/admin/mailbox", get(mailbox::list_mailbox))
        .route(
            domain::rights_requests::ADMIN_LIST_ENDPOINT,
            get(rights_requests::list),
        )
        .route(
            domain::rights_requests::ADMIN_STATUS_ENDPOINT,
            post(rights_requests::update_status),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .route("/api/{*rest}", any(api_not_found))
        .layer(from_fn_with_state(state.clone(), cors::apply_cors));

    // The link pages' forms get the API's body limit instead of axum's default of 2 MB.
    let form_limit = DefaultBodyLimit::max(api_post::MAX_BODY_BYTES);
    let mut router = Router::new()
        .merge(api)
        .merge(admin_pages::routes(&state))
        .route(
            domain::newsletter::CONFIRM_PAGE,
            get(newsletter_pages::confirm_form_page)
                .post(newsletter_pages::confirm_submit)
                .layer(form_limit),
        )
        .route(
            domain::newsletter::UNSUBSCRIBE_PAGE,
            get(newsletter_pages::unsubscribe_form_page)
                .post(newsletter_pages::unsubscribe_submit)
                .layer(form_limit),
        );
    if state.config.faults_enabled {
        router = router.route(
            faults::ENDPOINT,
            get(faults::show_faults).post(faults::set_faults),
        );
        router = router.route(faults::CLOCK_ENDPOINT, post(faults::set_clock));
    }
    if state.config.demo_mailbox {
        router = router.route(mailbox::DEMO_MAILBOX_PATH, get(mailbox::demo_mailbox_page));
    }
    router
        .fallback(static_files::serve_static)
        .with_state(state)
}

/// Serves [`app`] on `listener` until `shutdown` completes, then lets open requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut background = vec![tokio::spawn(state.housekeeping().run())];
    if state.mailer.smtp_enabled() {
        background.push(tokio::spawn(mail::run_delivery(
            Arc::clone(&state.mailer),
            state.database.clone(),
        )));
    }
    let service = app(state).into_make_service_with_connect_info::<ConnectionHandle>();
    let served = axum::serve(SeverableListener::new(listener), service)
        .with_graceful_shutdown(shutdown)
        .await;
    for task in background {
        task.abort();
    }
    served
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn api_not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
