//! The HTTP layer: routes, handlers and extractors. It reads requests, asks `domain` to
//! decide and store, and writes the answers; [`app`] builds the whole surface, [`serve`]
//! runs it on a socket.

pub mod admin;
pub mod admin_pages;
pub mod api_post;
pub mod client_ip;
pub mod connection;
pub mod consent;
pub mod cors;
pub mod export;
pub mod fault_plan;
pub mod faults;
pub mod form_pages;
pub mod form_posts;
pub mod mailbox;
pub mod newsletter;
pub mod newsletter_pages;
pub mod pages;
pub mod rights_requests;
mod routes;
mod state;
pub mod static_files;

pub use routes::{app, serve};
pub use state::AppState;
