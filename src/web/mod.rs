//! The thin browser layer: renders the core's state into a Shadow DOM, executes its effects
//! and connects the page (blocked scripts, re-open links, the JS API, the backend).

pub mod api;
pub mod app;
pub mod blocking;
pub mod delivery;
pub mod dom;
pub mod forms;
pub mod newsletter;
pub mod render;
pub mod rights;
pub mod statement;
