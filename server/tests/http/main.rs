//! HTTP-level tests of the server: in-process through `oneshot`, plus a few over a real
//! socket (startup line, graceful shutdown, the `drop` fault).

mod admin;
mod admin_pages;
mod consent;
mod cors;
mod export;
mod export_memory;
mod faults;
mod form_posts;
mod instances;
mod newsletter;
mod proof;
mod retention;
mod rights_requests;
mod smtp;
mod socket;
mod static_files;
mod support;
mod transport;
mod wire;
