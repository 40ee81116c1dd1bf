//! The extras build, loaded by the consent build where a page needs it: the entry point
//! (`start`), the statement viewer, the cookie declaration, the newsletter and rights-request
//! forms, and the bridge to `window.PrivacyWidget` they call (`consent_bridge`). The
//! `declaration` build is the same entry point with the cookie declaration alone (a declaration's
//! page without the statement), the `forms` build with the newsletter forms alone (a page without
//! the statement, at the visitor's first move in a form: a footer's signup); a page with a
//! declaration and a form gets both.

pub mod consent_bridge;
#[cfg(any(feature = "extras", feature = "declaration"))]
pub mod declaration;
#[cfg(not(feature = "declaration"))]
pub mod forms;
#[cfg(not(feature = "declaration"))]
pub mod newsletter;
#[cfg(feature = "extras")]
pub mod rights;
pub mod start;
#[cfg(feature = "extras")]
pub mod statement;
