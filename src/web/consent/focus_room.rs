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
use wasm_bindgen::JsValue;
use web_sys::{Element, EventTarget};

/// Scroll padding first: the margin is set only on pages that scroll.
const PROPERTIES: [&str; 2] = ["scroll-padding-bottom", "margin-bottom"];

struct Room {
    /// The banner on screen, if any.
    banner: Option<Element>,
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
        room.banner = banner.cloned();
        if room.banner.is_some() {
            return;
        }
        let (Some(root), Some(values)) = (dom::root_element(), room.page_values.take()) else { return };
        for (property, value) in PROPERTIES.iter().zip(values) {
            dom::set_style(&root, property, Some(&value).filter(|v| !v.is_empty()).map(String::as_str));
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
        if let (Some(target), Some(host)) = (&target, dom::host_of(&banner)) {
            if AsRef::<JsValue>::as_ref(target) == AsRef::<JsValue>::as_ref(&host) {
                return;
            }
        }
        let (Some(root), Some(viewport)) = (dom::root_element(), dom::viewport_height()) else { return };
        if room.page_values.is_none() {
            room.page_values = Some(PROPERTIES.iter().map(|p| dom::style_of(&root, p)).collect());
        }
        // From the banner's top edge (layout, not the entrance animation's transform) down to
        // the bottom of the viewport: the banner plus the gap below it.
        let top = dom::get(&banner, "offsetTop").as_f64().unwrap_or(0.0);
        let covered = (viewport - top).max(0.0) as i64;
        let mut value = String::new();
        push_int(&mut value, covered);
        value.push_str("px");
        let scrolls = dom::get(&root, "scrollHeight").as_f64().unwrap_or(0.0) > viewport;
        for property in if scrolls { &PROPERTIES[..] } else { &PROPERTIES[..1] } {
            dom::set_style(&root, property, Some(&value));
        }
    });
}
