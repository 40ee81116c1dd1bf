//! The one place that touches raw DOM APIs: element creation with text (never markup),
//! attributes, listeners, cookies and the shadow root. Everything else calls these helpers.

use crate::prelude::*;

use core::cell::Cell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Document, Element, Event, EventTarget, HtmlDocument, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode,
};

pub fn window() -> web_sys::Window {
    web_sys::window().expect_throw("privacy-widget needs a window")
}

pub fn document() -> Document {
    window().document().expect_throw("privacy-widget needs a document")
}

/// A new element with a class; text is set separately, always as text.
pub fn el(tag: &str, class: &str) -> Element {
    let e = document().create_element(tag).expect_throw("createElement");
    if !class.is_empty() {
        e.set_class_name(class);
    }
    e
}

/// A new element holding `text` as a text node.
pub fn text_el(tag: &str, class: &str, text: &str) -> Element {
    let e = el(tag, class);
    e.set_text_content(Some(text));
    e
}

pub fn text_node(text: &str) -> web_sys::Text {
    document().create_text_node(text)
}

#[wasm_bindgen]
extern "C" {
    /// A promise seen only for `then(onFulfilled, onRejected)` with plain functions.
    type Thenable;
    #[wasm_bindgen(method)]
    fn then(this: &Thenable, on_fulfilled: &JsValue, on_rejected: &JsValue) -> JsValue;
}

/// Calls `done` once, when `promise` settles, with its value or its rejection reason (callers
/// tell the two apart by type). A plain `then` rather than `async`: no executor in the .wasm.
pub fn when_settled(promise: &js_sys::Promise, done: impl FnOnce(JsValue) + 'static) {
    // One function for both outcomes: exactly one of them happens, so it is called (and freed) once.
    let callback = Closure::once_into_js(done);
    promise.unchecked_ref::<Thenable>().then(&callback, &callback);
}

/// GETs `url` (same-origin credentials) and calls `done` with the body of a 2xx answer.
pub fn fetch_text(url: &str, done: impl FnOnce(Option<String>) + 'static) {
    when_settled(&window().fetch_with_str(url), move |response| match response.dyn_into::<web_sys::Response>() {
        Ok(response) if response.ok() => match response.text() {
            Ok(text) => when_settled(&text, move |text| done(text.as_string())),
            Err(_) => done(None),
        },
        _ => done(None),
    });
}

pub fn attr(e: &Element, name: &str, value: &str) {
    e.set_attribute(name, value).expect_throw("setAttribute");
}

pub fn append(parent: &impl AsRef<web_sys::Node>, child: &impl AsRef<web_sys::Node>) {
    parent.as_ref().append_child(child.as_ref()).expect_throw("appendChild");
}

/// A button that tells the delegated click handler what to do via `data-action`.
pub fn button(action: &str, label: &str, class: &str) -> Element {
    let b = text_el("button", class, label);
    attr(&b, "type", "button");
    attr(&b, "data-action", action);
    b
}

/// Adds a listener that lives as long as the page (the widget never goes away).
pub fn listen(target: &EventTarget, event: &str, handler: impl FnMut(Event) + 'static) {
    add_listener(target, event, handler, false);
}

/// Like `listen`, in the capture phase: the only way an ancestor hears events that do not
/// bubble, such as a dialog's `cancel`.
pub fn listen_capture(target: &EventTarget, event: &str, handler: impl FnMut(Event) + 'static) {
    add_listener(target, event, handler, true);
}

fn add_listener(target: &EventTarget, event: &str, handler: impl FnMut(Event) + 'static, capture: bool) {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    target
        .add_event_listener_with_callback_and_bool(event, closure.as_ref().unchecked_ref(), capture)
        .expect_throw("addEventListener");
    closure.forget();
}

/// The host element and its open shadow root (open so assistive technology and tests reach it).
pub fn shadow_host(id: &str, css: &str) -> (HtmlElement, ShadowRoot) {
    let host: HtmlElement = el("div", "").unchecked_into();
    if !id.is_empty() {
        host.set_id(id);
    }
    let init = ShadowRootInit::new(ShadowRootMode::Open);
    let root = host.attach_shadow(&init).expect_throw("attachShadow");
    adopt_css(&root, css);
    (host, root)
}

/// Styles go in through a constructable stylesheet: no inline style text, so a strict CSP holds.
pub fn adopt_css(root: &ShadowRoot, css: &str) {
    let sheet = web_sys::CssStyleSheet::new().expect_throw("CSSStyleSheet");
    sheet.replace_sync(css).expect_throw("replaceSync");
    root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
}

pub fn clear(node: &web_sys::Node) {
    while let Some(child) = node.first_child() {
        let _ = node.remove_child(&child);
    }
}

fn html_document() -> HtmlDocument {
    document().unchecked_into()
}

pub fn cookies() -> String {
    html_document().cookie().unwrap_or_default()
}

pub fn set_cookie(assignment: &str) {
    let _ = html_document().set_cookie(assignment);
}

pub fn is_https() -> bool {
    window().location().protocol().map(|p| p == "https:").unwrap_or(false)
}

pub fn host_name() -> String {
    window().location().hostname().unwrap_or_default()
}

/// Runs `f` in a task of its own after the current one.
pub fn next_task(f: impl FnOnce() + 'static) {
    after_ms(0, f);
}

/// Runs `f` in a task of its own after `ms` milliseconds (a timer).
fn after_ms(ms: i32, f: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(f);
    let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms);
}

/// Runs `f` in a task after the next frame is painted (an animation frame, then a task), so work
/// the first paint does not need cannot hold it back. A hidden tab paints no frames: there a
/// timer runs `f` after a second instead (whichever comes first runs it).
pub fn after_paint(f: impl FnOnce() + 'static) {
    let slot = Rc::new(Cell::new(Some(f)));
    let after_frame = slot.clone();
    let frame = Closure::once_into_js(move || next_task(move || after_frame.take().map_or((), |f| f())));
    let _ = window().request_animation_frame(frame.unchecked_ref());
    after_ms(1000, move || slot.take().map_or((), |f| f()));
}

/// Focuses an element if it is focusable; a no-op otherwise.
pub fn focus(e: &Element) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        let _ = h.focus();
    }
}

/// The `content` of `<meta name="…">` in the page, if any.
pub fn meta_content(name: &str) -> Option<String> {
    let mut selector = String::from("meta[name=\"");
    selector.push_str(name);
    selector.push_str("\"]");
    document()
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
        .filter(|c| !c.is_empty())
}

/// Offers `content` as a JSON file download through a temporary object URL.
pub fn download(filename: &str, content: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(content));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let link: web_sys::HtmlAnchorElement = el("a", "").unchecked_into();
    link.set_href(&url);
    link.set_download(filename);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// 16 bytes from the browser's cryptographic random source.
pub fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    let crypto = window().crypto().expect_throw("crypto");
    crypto.get_random_values_with_u8_array(&mut bytes).expect_throw("getRandomValues");
    bytes
}

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

pub fn console_error(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(message));
}

pub fn console_warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

/// Every element in the page matching `selector`, in document order (none for a bad selector).
pub fn query_all(selector: &str) -> Vec<Element> {
    let Ok(list) = document().query_selector_all(selector) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into::<Element>().ok()).collect()
}

/// The first element inside `scope` (an element or a shadow root) matching `selector`.
pub fn query(scope: &impl AsRef<web_sys::Node>, selector: &str) -> Option<Element> {
    let node = scope.as_ref();
    let found = match node.dyn_ref::<Element>() {
        Some(e) => e.query_selector(selector),
        None => node.unchecked_ref::<web_sys::DocumentFragment>().query_selector(selector),
    };
    found.ok().flatten()
}

/// `e` itself or its nearest ancestor matching `selector`.
pub fn closest(e: &Element, selector: &str) -> Option<Element> {
    e.closest(selector).ok().flatten()
}

/// The element an event happened on (`None` for the window, the document or a text node).
pub fn event_element(event: &Event) -> Option<Element> {
    event.target().and_then(|t| t.dyn_into::<Element>().ok())
}

/// An open shadow root on an element of the page, styled with `css` (`None` when the element
/// cannot host one or already has one).
pub fn attach_shadow(host: &Element, css: &str) -> Option<ShadowRoot> {
    let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).ok()?;
    adopt_css(&root, css);
    Some(root)
}

pub fn set_text(e: &Element, text: &str) {
    e.set_text_content(Some(text));
}

/// Says `text` in a live region: emptied first, so the same text twice is announced twice.
pub fn announce(live: &Element, text: &str) {
    live.set_text_content(None);
    live.set_text_content(Some(text));
}

/// The value an input or textarea shows (not its `value` attribute, which is only the default).
pub fn set_value(control: &Element, value: &str) {
    if let Some(input) = control.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(area) = control.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.set_value(value);
    }
}

/// Ticks or unticks a checkbox or radio button.
pub fn set_checked(control: &Element, checked: bool) {
    if let Some(input) = control.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_checked(checked);
    }
}

/// What an `input` event's control holds now: its name, value and (checkboxes, radio buttons)
/// whether it is ticked. `None` when the event did not come from an input or a textarea.
pub fn control_input(event: &Event) -> Option<ControlInput> {
    let target = event_element(event)?;
    if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        return Some(ControlInput { name: input.name(), value: input.value(), checked: input.checked() });
    }
    let area = target.dyn_ref::<web_sys::HtmlTextAreaElement>()?;
    Some(ControlInput { name: area.name(), value: area.value(), checked: false })
}

/// See [`control_input`].
pub struct ControlInput {
    pub name: String,
    pub value: String,
    pub checked: bool,
}

/// Leaves the page for `url` (a `mailto:` URL opens the e-mail program and the page stays).
pub fn navigate(url: &str) {
    let _ = window().location().set_href(url);
}
