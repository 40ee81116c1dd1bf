//! Prior blocking: shop scripts marked `type="text/plain"` and embeds marked `data-src` stay
//! inert until the visitor's choices allow their category or service, then they are started.
//! Scripts added to the page later are caught by a MutationObserver.

use crate::prelude::*;

use crate::web::shared::dom::{self, append, attr, document};
use privacy_widget_core::config::Config;
use privacy_widget_core::consent::Choices;
use privacy_widget_core::lang::Lang;
use privacy_widget_core::ui::{placeholder_texts, Msg};
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

/// Starts every blocked script and embed the choices allow, in document order; embeds that are
/// not (or no longer) allowed are unloaded and get a placeholder offering that one service.
pub fn activate(config: &Config, choices: &Choices, lang: Lang) {
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
            let placeholder = frame.previous_element_sibling().filter(|p| p.has_attribute("data-pw-placeholder"));
            if allowed(&frame, choices) {
                if let Some(p) = placeholder {
                    p.remove();
                }
                let _ = frame.remove_attribute("hidden");
                if frame.get_attribute("src").is_none() {
                    if let Some(src) = frame.get_attribute("data-src") {
                        attr(&frame, "src", &src);
                    }
                }
            } else {
                // Withdrawal stops an embed: it is unloaded, not merely hidden.
                if frame.has_attribute("src") {
                    attr(&frame, "src", "about:blank");
                    let _ = frame.remove_attribute("src");
                }
                attr(&frame, "hidden", "");
                if placeholder.is_none() {
                    insert_placeholder(config, lang, &frame);
                }
            }
        }
    }
}

const PLACEHOLDER_CSS: &str = ":host{display:block}.ph{box-sizing:border-box;min-height:120px;padding:16px;display:flex;flex-direction:column;justify-content:center;gap:10px;font:15px/1.5 var(--pw-font,system-ui,sans-serif);color:var(--pw-fg,#1d2327);background:var(--pw-bg,#eef3f6);border:1px dashed var(--pw-muted,#4f5a62);border-radius:var(--pw-radius,10px)}p{margin:0}button{align-self:flex-start;min-height:44px;padding:8px 16px;font:inherit;font-weight:600;color:var(--pw-accent-fg,#fff);background:var(--pw-accent,#1f5f8b);border:0;border-radius:6px;cursor:pointer}button:focus-visible{outline:3px solid var(--pw-fg,#1d2327);outline-offset:2px}";

/// A placeholder in place of a blocked embed: what would load, and a button to allow just that
/// service (or to open the preferences when the embed names only a category).
fn insert_placeholder(config: &Config, lang: Lang, frame: &Element) {
    let service = frame.get_attribute("data-service");
    let category = frame.get_attribute("data-category");
    let (text, accept) = placeholder_texts(config, lang, service.as_deref(), category.as_deref());
    let (host, root) = dom::shadow_host("", PLACEHOLDER_CSS);
    attr(&host, "data-pw-placeholder", "");
    attr(&host, "lang", lang.tag());
    let box_ = dom::el("div", "ph");
    append(&box_, &dom::text_el("p", "", &text));
    let label = accept
        .unwrap_or_else(|| config.text(lang, privacy_widget_core::i18n::TextKey::PlaceholderSettings).to_string());
    append(&box_, &dom::button("allow", &label, ""));
    append(&root, &box_);
    dom::listen(&root, "click", move |event| {
        let on_button = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .is_some_and(|t| t.closest("button").ok().flatten().is_some());
        if on_button {
            super::app::dispatch(match &service {
                Some(id) => Msg::AcceptService(id.clone()),
                None => Msg::OpenPreferences,
            });
        }
    });
    let _ = frame.before_with_node_1(&host);
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
