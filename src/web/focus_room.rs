//! Keeps keyboard focus on the page visible above the banner (WCAG 2.2, 2.4.11 Focus Not
//! Obscured): the banner does not block the page, so a keyboard user may tab past it into the
//! shop, and the browser would scroll a focused link into the strip the banner covers. While
//! the banner is shown, the page's root gets a `scroll-padding-bottom` as tall as the strip,
//! which the browser honours when it scrolls focus into view, and a `margin-bottom` as tall,
//! so the page can scroll its last links (a footer) above the banner too. The root's margin
//! moves no element of the page; it is added only to a page that scrolls already, since a
//! scrollbar appearing would narrow and reflow the page (a layout shift). The preferences
//! dialog needs none of this: it is modal, the page behind it is inert.
//!
//! A ResizeObserver measures the banner after layout (no forced layout at start-up) and again
//! whenever its size changes: a narrower window, a longer text, zoom.

use super::dom;
use privacy_widget_core::json::push_int;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, ResizeObserver};

/// Scroll padding first: the margin is set only on pages that scroll.
const PROPERTIES: [&str; 2] = ["scroll-padding-bottom", "margin-bottom"];

#[derive(Default)]
struct Room {
    observer: Option<ResizeObserver>,
    /// The page's own inline values of `PROPERTIES` while ours are set, given back when the
    /// banner goes.
    page_values: Option<Vec<String>>,
}

thread_local! {
    static ROOM: RefCell<Room> = RefCell::new(Room::default());
}

/// Reserves room for `banner` (the banner just rendered) or, with `None`, gives the page its
/// own values back.
pub fn follow(banner: Option<&Element>) {
    let Some(root) = root_style_owner() else { return };
    ROOM.with(|cell| {
        let mut room = cell.borrow_mut();
        if let Some(observer) = &room.observer {
            observer.disconnect();
        }
        match banner {
            Some(banner) => {
                if room.page_values.is_none() {
                    let style = root.style();
                    room.page_values = Some(PROPERTIES.iter().map(|p| style.get_property_value(p).unwrap_or_default()).collect());
                }
                if room.observer.is_none() {
                    room.observer = new_observer();
                }
                if let Some(observer) = &room.observer {
                    observer.observe(banner);
                }
            }
            None => {
                for (property, value) in PROPERTIES.iter().zip(room.page_values.take().unwrap_or_default()) {
                    let _ = if value.is_empty() {
                        root.style().remove_property(property).map(drop)
                    } else {
                        root.style().set_property(property, &value)
                    };
                }
            }
        }
    });
}

fn root_style_owner() -> Option<HtmlElement> {
    dom::document().document_element()?.dyn_into::<HtmlElement>().ok()
}

fn new_observer() -> Option<ResizeObserver> {
    let callback = Closure::<dyn Fn(js_sys::Array)>::new(|entries: js_sys::Array| {
        let Some(banner) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>().ok() else { return };
        let Ok(banner) = banner.target().dyn_into::<HtmlElement>() else { return };
        let (Some(root), Some(viewport)) = (root_style_owner(), dom::window().inner_height().ok().and_then(|h| h.as_f64())) else { return };
        // From the banner's top edge (layout, not the entrance animation's transform) down to
        // the bottom of the viewport: the banner plus the gap below it.
        let covered = (viewport as i64 - i64::from(banner.offset_top())).max(0);
        let mut value = String::new();
        push_int(&mut value, covered);
        value.push_str("px");
        let scrolls = f64::from(root.scroll_height()) > viewport;
        let style = root.style();
        for property in if scrolls { &PROPERTIES[..] } else { &PROPERTIES[..1] } {
            let _ = style.set_property(property, &value);
        }
    });
    let observer = ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    // Lives as long as the page, like the observer.
    callback.forget();
    Some(observer)
}
