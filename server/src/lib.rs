//! Reference backend of privacy-widget: the consent, newsletter and rights-request API the
//! widget speaks (see `openapi.yaml`), the demo shop as static files, and test-only fault
//! injection. [`app`] builds the whole HTTP surface; [`serve`] runs it on a socket.

pub mod admin;
pub mod api_post;
pub mod clock;
pub mod config;
pub mod connection;
pub mod consent;
pub mod cors;
pub mod db;
pub mod email;
pub mod error;
pub mod faults;
pub mod form_pages;
pub mod form_posts;
pub mod housekeeping;
pub mod idempotency;
pub mod mail;
pub mod newsletter;
pub mod pages;
pub mod rate_limit;
pub mod rights_requests;
pub mod static_files;
pub mod token;
pub mod validation;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::connection::{ConnectionHandle, SeverableListener};
use crate::db::Database;
use crate::error::ApiError;
use crate::faults::FaultInjector;
use crate::mail::Mailer;
use crate::rate_limit::RateLimiter;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub database: Database,
    pub faults: Arc<FaultInjector>,
    /// "Now" for tokens, purges, references and rate limits; a `ManualClock` in tests.
    pub clock: Arc<dyn Clock>,
    pub rate_limiter: Arc<RateLimiter>,
    pub mailer: Arc<Mailer>,
}

impl AppState {
    pub fn new(config: Config, database: Database) -> Self {
        Self::with_clock(config, database, Arc::new(SystemClock))
    }

    pub fn with_clock(config: Config, database: Database, clock: Arc<dyn Clock>) -> Self {
        AppState {
            mailer: Arc::new(Mailer::new(&config)),
            config: Arc::new(config),
            database,
            faults: Arc::new(FaultInjector::default()),
            clock,
            rate_limiter: Arc::new(RateLimiter::default()),
        }
    }
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    // The API POSTs that store data: the only ones fault injection may break. The
    // newsletter's link pages store too, but a person clicks those, not the widget's
    // retry logic, and a fault plan meant for the widget must not be used up by them.
    let mut data_routes = Router::new()
        .route(consent::ENDPOINT, post(consent::record_consent))
        // These three take the JSON API and plain HTML form posts (`form_posts`).
        .route(newsletter::SUBSCRIBE_ENDPOINT, post(form_posts::subscribe))
        .route(
            newsletter::UNSUBSCRIBE_ENDPOINT,
            post(form_posts::unsubscribe),
        )
        .route(rights_requests::ENDPOINT, post(form_posts::rights_request));
    if state.config.faults_enabled {
        data_routes =
            data_routes.route_layer(from_fn_with_state(state.clone(), faults::inject_faults));
    }

    let api = data_routes
        .route("/api/health", get(health))
        .route("/api/admin/consents", get(admin::list_consents))
        .route(
            newsletter::ADMIN_ENDPOINT,
            get(newsletter::list_subscribers),
        )
        .route("/api/admin/mailbox", get(mail::list_mailbox))
        .route(
            rights_requests::ADMIN_LIST_ENDPOINT,
            get(rights_requests::list),
        )
        .route(
            rights_requests::ADMIN_STATUS_ENDPOINT,
            post(rights_requests::update_status),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .route("/api/{*rest}", any(api_not_found))
        .layer(from_fn_with_state(state.clone(), cors::apply_cors));

    // The link pages' forms get the API's body limit instead of axum's default of 2 MB.
    let form_limit = DefaultBodyLimit::max(api_post::MAX_BODY_BYTES);
    let mut router = Router::new()
        .merge(api)
        .route(
            newsletter::CONFIRM_PAGE,
            get(newsletter::confirm_form_page)
                .post(newsletter::confirm_submit)
                .layer(form_limit),
        )
        .route(
            newsletter::UNSUBSCRIBE_PAGE,
            get(newsletter::unsubscribe_form_page)
                .post(newsletter::unsubscribe_submit)
                .layer(form_limit),
        );
    if state.config.faults_enabled {
        router = router.route(
            faults::ENDPOINT,
            get(faults::show_faults).post(faults::set_faults),
        );
    }
    if state.config.demo_mailbox {
        router = router.route(mail::DEMO_MAILBOX_PATH, get(mail::demo_mailbox_page));
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
    let mut background = vec![tokio::spawn(housekeeping::run(state.clone()))];
    if state.mailer.smtp_enabled() {
        background.push(tokio::spawn(mail::run_delivery(state.clone())));
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
