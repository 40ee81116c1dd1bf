//! The rules of the backend, free of HTTP: what a valid request is (checked with the
//! core's wire contract), what gets stored for it through the `store` interface, and what
//! mail it sends.

pub mod admin_sessions;
pub mod consent;
pub mod consent_overview;
pub mod email;
pub mod export;
pub mod housekeeping;
pub mod idempotency;
pub mod mail;
pub mod newsletter;
pub mod proof;
pub mod rate_limit;
pub mod retention;
pub mod rights_requests;
pub mod token;
pub mod validation;
