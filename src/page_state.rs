//! The browser layer's global state (the app, the delivery driver, the open viewer …) as
//! `page_state! { static NAME: T = const { … }; }`, used like std's `thread_local!`, whose
//! `with` it mirrors. The wasm build is `no_std` (see `lib.rs`), which has no thread-locals.

/// In the browser (wasm32 without the atomics feature: one thread) a plain static; in host
/// builds, which have std and threads, std's thread-local.
macro_rules! page_state {
    ($($(#[$attr:meta])* static $name:ident: $t:ty = const { $init:expr };)*) => {
        $(
            #[cfg(target_arch = "wasm32")]
            $(#[$attr])*
            static $name: $crate::page_state::PageState<$t> = $crate::page_state::PageState($init);
            #[cfg(not(target_arch = "wasm32"))]
            std::thread_local! { $(#[$attr])* static $name: $t = const { $init }; }
        )*
    };
}
pub(crate) use page_state;

/// A value of the page's one thread (see `page_state!`); `with` as on std's `LocalKey`.
#[cfg(target_arch = "wasm32")]
pub(crate) struct PageState<T>(pub(crate) T);

// Safety: wasm32 without the atomics target feature runs this module on exactly one thread.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl<T> Sync for PageState<T> {}

#[cfg(target_arch = "wasm32")]
impl<T> PageState<T> {
    pub(crate) fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}
