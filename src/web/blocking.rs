//! Prior blocking: shop scripts marked `type="text/plain"` and embeds marked `data-src` stay
//! inert until the visitor's choices allow their category or service, then they are started.
//! Scripts added to the page later are caught by a MutationObserver.

use super::dom::document;
use privacy_widget_core::consent::Choices;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlScriptElement, MutationObserver, MutationObserverInit};

const BLOCKED_SCRIPTS: &str = "script[type=\"text/plain\"][data-category],script[type=\"text/plain\"][data-service]";
const BLOCKED_FRAMES: &str = "iframe[data-src][data-category],iframe[data-src][data-service]";

/// Whether the element's `data-service` (preferred, more precise) or `data-category` is allowed.
/// Unknown services and categories are never allowed: fail closed.
pub fn allowed(e: &Element, choices: &Choices) -> bool {
    match (e.get_attribute("data-service"), e.get_attribute("data-category")) {
        (Some(service), _) => choices.service(&service),
        (None, Some(category)) => choices.category(&category),
        (None, None) => false,
    }
}

/// Starts every blocked script and embed the choices allow, in document order.
pub fn activate(choices: &Choices) {
    let doc = document();
    if let Ok(scripts) = doc.query_selector_all(BLOCKED_SCRIPTS) {
        for i in 0..scripts.length() {
            let Some(script) = scripts.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
            if allowed(&script, choices) {
                start_script(&script);
            }
        }
    }
    if let Ok(frames) = doc.query_selector_all(BLOCKED_FRAMES) {
        for i in 0..frames.length() {
            let Some(frame) = frames.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
            if allowed(&frame, choices) && frame.get_attribute("src").is_none() {
                if let Some(src) = frame.get_attribute("data-src") {
                    let _ = frame.set_attribute("src", &src);
                }
            }
        }
    }
}

/// A script parsed as `text/plain` never ran, so a clone with the real type runs when inserted.
/// Cloning (rather than building a new element from strings) keeps `src`, inline text and nonce
/// exactly as the shop wrote them, which also satisfies Trusted Types without a policy.
fn start_script(blocked: &Element) {
    let Ok(node) = blocked.clone_node_with_deep(true) else { return };
    let Ok(clone) = node.dyn_into::<HtmlScriptElement>() else { return };
    match blocked.get_attribute("data-type") {
        Some(kind) => clone.set_type(&kind),
        None => {
            let _ = clone.remove_attribute("type");
        }
    }
    let _ = clone.set_attribute("data-pw-started", "");
    // Keep the shop's order: dynamically inserted scripts would otherwise run as they arrive.
    clone.set_async(false);
    let _ = blocked.replace_with_with_node_1(&clone);
}

/// Watches for blocked scripts and embeds added after start-up.
pub fn observe(on_added: impl Fn() + 'static) {
    let callback = Closure::<dyn Fn(js_sys::Array, MutationObserver)>::new(move |records: js_sys::Array, _| {
        let relevant = records.iter().any(|r| {
            let r: web_sys::MutationRecord = r.unchecked_into();
            r.added_nodes().length() > 0
        });
        if relevant {
            on_added();
        }
    });
    let Ok(observer) = MutationObserver::new(callback.as_ref().unchecked_ref()) else { return };
    callback.forget();
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    if let Some(root) = document().document_element() {
        let _ = observer.observe_with_options(&root, &init);
    }
}
