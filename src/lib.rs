//! privacy-widget: a consent manager, newsletter signup and privacy-statement viewer for
//! webshops, compiled to WebAssembly. This file is the entry point of the five builds: it
//! finds the shop's config and starts the browser layer (`web`), which drives the pure core
//! (`privacy_widget_core`). The `banner` build is what every page loads: the first visit's
//! banner; it loads the `consent` build (the consent manager) when a decision needs it, and
//! that one loads the `extras` build (statement viewer, cookie declaration, forms) where a page
//! needs them; on a page without the statement, the `declaration` build (the cookie declaration
//! alone) where there is one, and the `forms` build (the newsletter forms alone) at the visitor's
//! first move in a form.

#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

extern crate alloc;

const _: () = assert!(
    cfg!(feature = "banner") as u8
        + cfg!(feature = "consent") as u8
        + cfg!(feature = "extras") as u8
        + cfg!(feature = "declaration") as u8
        + cfg!(feature = "forms") as u8
        == 1,
    "`banner`, `consent`, `extras`, `declaration` and `forms` are five separate builds of the widget: enable one of them"
);

mod page_state;
pub mod web;

use page_state::page_state;

/// What std's prelude would bring, from `alloc` (the wasm build is `no_std`).
/// The banner, declaration and forms builds need fewer of them than the others.
#[cfg_attr(any(feature = "banner", feature = "declaration", feature = "forms"), allow(unused_imports))]
pub(crate) mod prelude {
    pub use alloc::boxed::Box;
    pub use alloc::rc::Rc;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
}

// A panic ends the widget with a trap, as std's handler does after formatting a message that
// goes nowhere (wasm32-unknown-unknown has no stderr). Without std that formatting code is not
// linked: 1.4 KB brotli less. The wasm tests link std (wasm-bindgen-test): feature `std`.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(not(feature = "banner"))]
use prelude::*;

use wasm_bindgen::prelude::*;

// Safety: wasm32-unknown-unknown without the atomics feature has exactly one thread.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// The element holding the config: inline JSON, or a `data-src` URL to fetch it from.
#[cfg(not(feature = "banner"))]
const CONFIG_ELEMENT: &str = "privacy-widget-config";

/// The banner build reads its config through its own operations (`web::banner`).
#[cfg(feature = "banner")]
#[wasm_bindgen(start)]
pub fn start_banner() {
    web::banner::start();
}

#[cfg(not(feature = "banner"))]
#[wasm_bindgen(start)]
pub fn start_widget() {
    #[cfg(any(feature = "extras", feature = "declaration", feature = "forms"))]
    web::extras::start::listen();
    let Some(element) = web::shared::dom::by_id(CONFIG_ELEMENT) else {
        web::shared::dom::console_error(
            "privacy-widget: no config found; add <script type=\"application/json\" id=\"privacy-widget-config\">{…}</script> to the page",
        );
        fail_closed();
        return;
    };
    match web::shared::dom::get_attr(&element, "data-src") {
        Some(url) => web::shared::dom::fetch_text(&url, {
            let url = url.clone();
            move |text| match text {
                Some(text) => start(text),
                None => {
                    let mut m = String::from("privacy-widget: could not load the config from ");
                    m.push_str(&url);
                    web::shared::dom::console_error(&m);
                    fail_closed();
                }
            }
        }),
        None => start(web::shared::dom::text_of(&element)),
    }
}

#[cfg(feature = "consent")]
fn start(config_text: String) {
    web::consent::app::start(config_text);
}

#[cfg(any(feature = "extras", feature = "declaration", feature = "forms"))]
fn start(config_text: String) {
    web::extras::start::start(&config_text);
}

/// Without a config nothing is shown and nothing blocked runs; the consent build still answers
/// the JS API (no consent) and resolves `PrivacyWidget.ready`, so shop code never waits forever.
#[cfg(feature = "consent")]
fn fail_closed() {
    web::consent::app::install_api();
}

#[cfg(any(feature = "extras", feature = "declaration", feature = "forms"))]
fn fail_closed() {}
