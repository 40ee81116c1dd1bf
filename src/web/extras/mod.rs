//! The extras build, loaded by the consent build where a page needs it: the entry point
//! (`start`), the statement viewer, the cookie declaration, the newsletter and rights-request
//! forms, and the bridge to
//! `window.PrivacyWidget` they call (`consent_bridge`).

pub mod consent_bridge;
pub mod declaration;
pub mod forms;
pub mod newsletter;
pub mod rights;
pub mod start;
pub mod statement;
