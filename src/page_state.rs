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

/// `RefCell::borrow` and `borrow_mut` as `read` and `write`, without their panic: a cell borrowed
/// while it is borrowed is a bug, and it ends the widget with a trap, as the panic would, but
/// without linking the formatting of the panic's message (consent manager −257 B brotli, extras
/// −182, forms −94). The banner build keeps no `RefCell`.
#[cfg(not(feature = "banner"))]
pub(crate) trait RefCellExt<T> {
    fn read(&self) -> core::cell::Ref<'_, T>;
    fn write(&self) -> core::cell::RefMut<'_, T>;
}

#[cfg(not(feature = "banner"))]
impl<T> RefCellExt<T> for core::cell::RefCell<T> {
    fn read(&self) -> core::cell::Ref<'_, T> {
        self.try_borrow().unwrap_or_else(|_| trap())
    }

    fn write(&self) -> core::cell::RefMut<'_, T> {
        self.try_borrow_mut().unwrap_or_else(|_| trap())
    }
}

#[cfg(all(target_arch = "wasm32", not(feature = "banner")))]
fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(not(target_arch = "wasm32"))]
fn trap() -> ! {
    unreachable!("a RefCell borrowed while it is borrowed")
}
