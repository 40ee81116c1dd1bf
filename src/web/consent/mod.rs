//! The consent build, loaded on every page: the banner and preferences dialog (`app`, `render`),
//! prior blocking of scripts and embeds (`blocking`) and `window.PrivacyWidget` (`api`).

pub mod api;
pub mod app;
pub mod blocking;
pub mod render;
