//! The thin browser layer: renders the core's state into a Shadow DOM, executes its effects
//! and connects the page (blocked scripts, re-open links, the JS API, the backend).
//! Two builds of one crate, one folder each: `consent` (every page: banner, dialog, blocking,
//! the JS API) and `extras` (the statement viewer and the forms, loaded where a page needs them),
//! which talk to each other only through `window.PrivacyWidget`; `shared` is in both.

#[cfg(feature = "consent")]
pub mod consent;
#[cfg(feature = "extras")]
pub mod extras;
pub mod shared;
