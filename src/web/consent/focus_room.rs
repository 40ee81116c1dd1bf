//! Keeps keyboard focus on the page visible above the banner (WCAG 2.2, 2.4.11 Focus Not
//! Obscured): the banner does not block the page, so a keyboard user may tab past it into the
//! shop, and the browser would scroll a focused link into the strip the banner covers. When
//! focus enters the page while the banner is shown, the page's root gets a
//! `scroll-padding-bottom` as tall as that strip, which the browser honours when it then
//! scrolls the focused element into view, and a `margin-bottom` as tall, so the page can scroll
//! its last links (a footer) above the banner too. The root's margin moves no element of the
//! page; it is added only to a page that scrolls already, since a scrollbar appearing would
//! narrow and reflow the page. The preferences dialog needs none of this: it is modal, the page
//! behind it is inert.
//!
//! Only on focus, not when the banner appears: changing the root's style makes the browser lay
//! out the whole page again, which at start-up on a slow phone is a long task, and visitors who
//! never tab into the page behind the banner do not need it.

use crate::prelude::*;

use crate::web::shared::dom;
use core::cell::RefCell;
use privacy_widget_core::json::push_int;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, EventTarget, HtmlElement, ShadowRoot};

/// Scroll padding first: the margin is set only on pages that scroll.
const PROPERTIES: [&str; 2] = ["scroll-padding-bottom", "margin-bottom"];

struct Room {
    /// The banner on screen, if any.
    banner: Option<HtmlElement>,
    /// The page's own inline values of `PROPERTIES` while ours are set, given back when the
    /// banner goes.
    page_values: Option<Vec<String>>,
}

crate::page_state! {
    static ROOM: RefCell<Room> = const { RefCell::new(Room { banner: None, page_values: None }) };
}

/// Notes the banner just rendered, or with `None` (no banner any more) gives the page its own
/// values back.
pub fn follow(banner: Option<&Element>) {
    ROOM.with(|cell| {
        let mut room = cell.borrow_mut();
        room.banner = banner.and_then(|b| b.dyn_ref::<HtmlElement>()).cloned();
        if room.banner.is_some() {
            return;
        }
        let (Some(root), Some(values)) = (root_style_owner(), room.page_values.take()) else { return };
        for (property, value) in PROPERTIES.iter().zip(values) {
            let _ = if value.is_empty() {
                root.style().remove_property(property).map(drop)
            } else {
                root.style().set_property(property, &value)
            };
        }
    });
}

/// Focus moved to `target`: if that is an element of the page, not the widget, makes room
/// below it for the banner, measured now (the banner may have grown or shrunk with the window).
pub fn page_focused(target: Option<EventTarget>) {
    ROOM.with(|cell| {
        let mut room = cell.borrow_mut();
        let Some(banner) = room.banner.clone() else { return };
        // Focus inside the widget reaches the document as focus on its shadow host.
        let host = banner.get_root_node().dyn_into::<ShadowRoot>().ok().map(|root| root.host());
        if let (Some(target), Some(host)) = (&target, &host) {
            if AsRef::<JsValue>::as_ref(target) == AsRef::<JsValue>::as_ref(host) {
                return;
            }
        }
        let (Some(root), Some(viewport)) =
            (root_style_owner(), dom::window().inner_height().ok().and_then(|h| h.as_f64()))
        else {
            return;
        };
        let style = root.style();
        if room.page_values.is_none() {
            room.page_values =
                Some(PROPERTIES.iter().map(|p| style.get_property_value(p).unwrap_or_default()).collect());
        }
        // From the banner's top edge (layout, not the entrance animation's transform) down to
        // the bottom of the viewport: the banner plus the gap below it.
        let covered = (viewport as i64 - i64::from(banner.offset_top())).max(0);
        let mut value = String::new();
        push_int(&mut value, covered);
        value.push_str("px");
        let scrolls = f64::from(root.scroll_height()) > viewport;
        for property in if scrolls { &PROPERTIES[..] } else { &PROPERTIES[..1] } {
            let _ = style.set_property(property, &value);
        }
    });
}

fn root_style_owner() -> Option<HtmlElement> {
    dom::document().document_element()?.dyn_into::<HtmlElement>().ok()
}
