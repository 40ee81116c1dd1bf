//! The thin browser layer: renders the core's state into a Shadow DOM, executes its effects
//! and connects the page (blocked scripts, re-open links, the JS API, the backend).
//! Two builds of one crate, one folder each: `consent` (every page: banner, dialog, blocking,
//! the JS API) and `extras` (the statement viewer and the forms, loaded where a page needs them),
//! which talk to each other only through `window.PrivacyWidget`; `shared` is in both.

#[cfg(all(feature = "consent", not(feature = "banner")))]
pub mod consent;
#[cfg(feature = "extras")]
pub mod extras;
#[cfg(feature = "banner")]
pub mod banner;
#[cfg(not(feature = "banner"))]
pub mod shared;
