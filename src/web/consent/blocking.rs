//! Prior blocking: shop scripts marked `type="text/plain"` and embeds marked `data-src` stay
//! inert until the visitor's choices allow their category or service, then they are started.
//! Scripts added to the page later are caught by a MutationObserver.

use crate::prelude::*;

use crate::web::shared::dom::{self, append, attr, document, get_attr, has_attr};
use privacy_widget_core::blocking::{self as rules, BLOCKED_FRAMES, BLOCKED_SCRIPTS};
use privacy_widget_core::config::Config;
use privacy_widget_core::consent::Choices;
use privacy_widget_core::lang::Lang;
use privacy_widget_core::ui::{placeholder_texts, Msg};
use wasm_bindgen::JsValue;
use web_sys::Element;

/// Whether the element's `data-service` or `data-category` is allowed (`blocking::allows`).
fn allowed(e: &Element, choices: &Choices) -> bool {
    rules::allows(choices, get_attr(e, "data-service").as_deref(), get_attr(e, "data-category").as_deref())
}

/// Starts every blocked script and embed the choices allow, in document order; embeds that are
/// not (or no longer) allowed are unloaded and get a placeholder offering that one service,
/// whose button sends its message (accept that service, or open the preferences) to `dispatch`.
pub fn activate(config: &Config, choices: &Choices, lang: Lang, dispatch: fn(Msg)) {
    for script in dom::query_all(&document(), BLOCKED_SCRIPTS) {
        if allowed(&script, choices) {
            start_script(&script);
        }
    }
    for frame in dom::query_all(&document(), BLOCKED_FRAMES) {
        let placeholder = dom::previous_sibling(&frame).filter(|p| has_attr(p, "data-pw-placeholder"));
        if allowed(&frame, choices) {
            if let Some(p) = placeholder {
                dom::remove(&p);
            }
            dom::remove_attr(&frame, "hidden");
            if !has_attr(&frame, "src") {
                if let Some(src) = get_attr(&frame, "data-src") {
                    attr(&frame, "src", &src);
                }
            }
        } else {
            // Withdrawal stops an embed: it is unloaded, not merely hidden.
            if has_attr(&frame, "src") {
                attr(&frame, "src", "about:blank");
                dom::remove_attr(&frame, "src");
            }
            attr(&frame, "hidden", "");
            if placeholder.is_none() {
                insert_placeholder(config, lang, &frame, dispatch);
            }
        }
    }
}

const PLACEHOLDER_CSS: &str = ":host{display:block}.ph{box-sizing:border-box;min-height:120px;padding:16px;display:flex;flex-direction:column;justify-content:center;gap:10px;font:15px/1.5 var(--pw-font,system-ui,sans-serif);color:var(--pw-fg,#1d2327);background:var(--pw-bg,#eef3f6);border:1px dashed var(--pw-muted,#4f5a62);border-radius:var(--pw-radius,10px)}p{margin:0}button{align-self:flex-start;min-height:44px;padding:8px 16px;font:inherit;font-weight:600;color:var(--pw-accent-fg,#fff);background:var(--pw-accent,#1f5f8b);border:0;border-radius:6px;cursor:pointer}button:focus-visible{outline:3px solid var(--pw-fg,#1d2327);outline-offset:2px}";

/// A placeholder in place of a blocked embed: what would load, and a button to allow just that
/// service (or to open the preferences when the embed names only a category).
fn insert_placeholder(config: &Config, lang: Lang, frame: &Element, dispatch: fn(Msg)) {
    let service = get_attr(frame, "data-service");
    let category = get_attr(frame, "data-category");
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
        if dom::target_closest(&event, "button").is_some() {
            dispatch(match &service {
                Some(id) => Msg::AcceptService(id.clone()),
                None => Msg::OpenPreferences,
            });
        }
    });
    dom::insert_before(frame, &host);
}

/// A script parsed as `text/plain` never ran, so a clone with the real type runs when inserted.
/// Cloning (rather than building a new element from strings) keeps `src`, inline text and nonce
/// exactly as the shop wrote them, which also satisfies Trusted Types without a policy.
fn start_script(blocked: &Element) {
    let Some(clone) = dom::deep_clone(blocked) else { return };
    match get_attr(blocked, "data-type") {
        Some(kind) => attr(&clone, "type", &kind),
        None => dom::remove_attr(&clone, "type"),
    }
    attr(&clone, "data-pw-started", "");
    // Keep the shop's order: dynamically inserted scripts would otherwise run as they arrive.
    dom::set_prop(&clone, "async", &JsValue::FALSE);
    // Fetched as the parser fetches a script in the head, unless the shop chose a priority: an
    // inserted script would otherwise wait behind the page's images (bench/README.md).
    if !dom::has_attr(&clone, "fetchpriority") {
        attr(&clone, "fetchpriority", "high");
    }
    dom::replace(blocked, &clone);
}

/// Watches for blocked scripts and embeds added after start-up.
pub fn observe(on_added: impl Fn() + 'static) {
    dom::on_nodes_added(on_added);
}
