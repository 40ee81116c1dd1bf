//! Reference backend of privacy-widget: the consent API the widget speaks (see
//! `openapi.yaml`), the demo shop as static files, and test-only fault injection.
//! [`app`] builds the whole HTTP surface; [`serve`] runs it on a socket.

pub mod admin;
pub mod api_post;
pub mod config;
pub mod connection;
pub mod consent;
pub mod cors;
pub mod db;
pub mod error;
pub mod faults;
pub mod idempotency;
pub mod static_files;
pub mod validation;

use std::future::Future;
use std::sync::Arc;

use axum::middleware::from_fn_with_state;
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::config::Config;
use crate::connection::{ConnectionHandle, SeverableListener};
use crate::db::Database;
use crate::error::ApiError;
use crate::faults::FaultInjector;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub database: Database,
    pub faults: Arc<FaultInjector>,
}

impl AppState {
    pub fn new(config: Config, database: Database) -> Self {
        AppState {
            config: Arc::new(config),
            database,
            faults: Arc::new(FaultInjector::default()),
        }
    }
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    // The endpoints that store data: the only ones fault injection may break.
    let mut data_routes = Router::new().route(consent::ENDPOINT, post(consent::record_consent));
    if state.config.faults_enabled {
        data_routes =
            data_routes.route_layer(from_fn_with_state(state.clone(), faults::inject_faults));
    }

    let api = data_routes
        .route("/api/health", get(health))
        .route("/api/admin/consents", get(admin::list_consents))
        .method_not_allowed_fallback(method_not_allowed)
        .route("/api/{*rest}", any(api_not_found))
        .layer(from_fn_with_state(state.clone(), cors::apply_cors));

    let mut router = Router::new().merge(api);
    if state.config.faults_enabled {
        router = router.route(
            faults::ENDPOINT,
            get(faults::show_faults).post(faults::set_faults),
        );
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
    let service = app(state).into_make_service_with_connect_info::<ConnectionHandle>();
    axum::serve(SeverableListener::new(listener), service)
        .with_graceful_shutdown(shutdown)
        .await
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
