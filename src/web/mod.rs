//! The thin browser layer: renders the core's state into a Shadow DOM, executes its effects
//! and connects the page (blocked scripts, re-open links, the JS API, the backend).
//! Builds of one crate, one folder each: `banner` (every page: a first visit's banner, and the
//! decision made at it), `consent` (loaded by it when needed: dialog, blocking, delivery, the JS
//! API) and `extras` (the statement viewer, the cookie declaration and the forms, loaded where a
//! page needs them; built again as `declaration`, the declaration alone, and as `forms`, the
//! newsletter forms alone, for pages without the statement), which talk to each other only through
//! `window.PrivacyWidget`; `shared` is in all but the banner build.

#[cfg(feature = "banner")]
pub mod banner;
#[cfg(feature = "consent")]
pub mod consent;
#[cfg(any(feature = "extras", feature = "declaration", feature = "forms"))]
pub mod extras;
#[cfg(not(feature = "banner"))]
pub mod shared;
