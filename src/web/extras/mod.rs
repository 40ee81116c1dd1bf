//! The extras build, loaded by the consent build where a page needs it: the entry point
//! (`start`), the statement viewer, the cookie declaration, the newsletter and rights-request
//! forms, and the bridge to `window.PrivacyWidget` they call (`consent_bridge`). The
//! `declaration` build is the same entry point with the cookie declaration and the newsletter
//! forms (a declaration page), the `forms` build with the newsletter forms alone: what a page
//! with neither a statement nor a cookie declaration needs (most pages: a footer's signup).

pub mod consent_bridge;
#[cfg(any(feature = "extras", feature = "declaration"))]
pub mod declaration;
pub mod forms;
pub mod newsletter;
#[cfg(feature = "extras")]
pub mod rights;
pub mod start;
#[cfg(feature = "extras")]
pub mod statement;
