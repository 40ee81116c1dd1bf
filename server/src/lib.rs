//! Reference backend of privacy-widget: the consent, newsletter and rights-request API the
//! widget speaks (see `openapi.yaml`), the demo shop as static files, and test-only fault
//! injection. Layers, each using only those below it:
//!
//! - [`http`]: routes, handlers, extractors, pages ([`app`] builds the surface, [`serve`] runs it);
//! - [`domain`]: the rules (validation with the core's wire contract, idempotency, rate
//!   limits, mail, newsletter, rights requests, housekeeping);
//! - [`store`]: the storage interface and its SQLite and PostgreSQL implementations;
//! - [`clock`], [`config`], [`error`]: shared by all.

pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod store;

pub use http::{app, serve, AppState};
