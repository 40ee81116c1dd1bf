//! The thin browser layer: renders the core's state into a Shadow DOM, executes its effects
//! and connects the page (blocked scripts, re-open links, the JS API, the backend).
//! The `consent` build carries the consent manager; the `extras` build the statement viewer
//! and the forms, which talk to the consent manager only through `window.PrivacyWidget`.

#[cfg(feature = "consent")]
pub mod api;
#[cfg(feature = "consent")]
pub mod app;
#[cfg(feature = "consent")]
pub mod blocking;
#[cfg(feature = "extras")]
pub mod bridge;
pub mod delivery;
pub mod dom;
#[cfg(feature = "consent")]
pub mod focus_room;
#[cfg(feature = "extras")]
pub mod forms;
#[cfg(feature = "extras")]
pub mod newsletter;
#[cfg(feature = "consent")]
pub mod render;
#[cfg(feature = "extras")]
pub mod rights;
#[cfg(feature = "extras")]
pub mod statement;
