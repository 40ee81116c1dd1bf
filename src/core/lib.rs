//! privacy-widget-core: every decision the widget makes that does not need a browser.
//! No web-sys, js-sys or wasm-bindgen here (this crate has no dependencies at all), so
//! everything is host-tested with plain `cargo test` and the browser layer stays thin.

#![cfg_attr(not(test), no_std)]
extern crate alloc;
#[cfg(test)]
extern crate std;

/// What std's prelude would bring, from `alloc` (tests have std's prelude, hence the allow).
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

pub mod banner;
pub mod blocking;
pub mod config;
pub mod consent;
pub mod cookie;
pub mod declaration;
pub mod form;
pub mod form_markup;
pub mod form_post;
pub mod i18n;
pub mod json;
pub mod lang;
pub mod markup;
pub mod newsletter;
pub mod outbox;
pub mod rights;
pub mod separated;
pub mod sha256;
pub mod statement;
pub mod time;
pub mod ui;
pub mod viewer;
pub mod wire;
