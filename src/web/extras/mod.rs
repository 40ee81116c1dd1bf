//! The extras build, loaded by the consent build where a page needs it: the statement viewer,
//! the newsletter and rights-request forms, and the bridge to `window.PrivacyWidget`.

pub mod bridge;
pub mod forms;
pub mod newsletter;
pub mod rights;
pub mod statement;
