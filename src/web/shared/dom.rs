//! The one place that touches raw DOM APIs: element creation with text (never markup),
//! attributes, queries, listeners, cookies and the shadow root, and the one place that reports
//! the JS errors the widget drops (`Report`). Everything else calls these helpers.
//! The helpers are coarse: each distinct web-sys method costs the .wasm and its glue ~40-50 B, so
//! one helper serves many uses (`query` for document, element and shadow root; `set_prop` and
//! `get` for any property through `Reflect`).

use crate::prelude::*;

use core::cell::Cell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Document, Element, Event, EventTarget, HtmlDocument, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode,
};

crate::page_state! {
    /// How many JS errors the widget dropped (see `Report`), for tests and debugging.
    static DROPPED: Cell<u32> = const { Cell::new(0) };
}

/// A JS call whose failure the widget can do nothing about (the page removed a node, a browser
/// lacks an API): `.report("context")` instead of `let _ =`, so every dropped error is counted
/// (`dropped_errors`) and, in development builds (debug assertions or the `dev` feature), logged
/// to the console's debug level with its context.
pub trait Report<T> {
    /// The value, or `None` after counting (and in development logging) the error.
    fn report(self, context: &str) -> Option<T>;
}

impl<T> Report<T> for Result<T, JsValue> {
    fn report(self, context: &str) -> Option<T> {
        self.map_err(|e| dropped(context, &e)).ok()
    }
}

#[cfg_attr(not(any(debug_assertions, feature = "dev")), allow(unused_variables))]
fn dropped(context: &str, error: &JsValue) {
    DROPPED.with(|n| n.set(n.get().saturating_add(1)));
    #[cfg(any(debug_assertions, feature = "dev"))]
    web_sys::console::debug_3(
        &JsValue::from_str("privacy-widget: a JS call failed:"),
        &JsValue::from_str(context),
        error,
    );
}

/// How many JS errors were dropped on this page so far (`Report`).
pub fn dropped_errors() -> u32 {
    DROPPED.with(Cell::get)
}

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
        // The attribute rather than the `className` property: one binding fewer (`attr`).
        attr(&e, "class", class);
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
    // Boxed first, so `once_into_js` and its shims exist once, not once per caller's closure.
    let done: Box<dyn FnOnce(JsValue)> = Box::new(done);
    let callback = Closure::once_into_js(done);
    promise.unchecked_ref::<Thenable>().then(&callback, &callback);
}

/// GETs `url` (same-origin credentials) and calls `done` with the body of a 2xx answer.
pub fn fetch_text(url: &str, done: impl FnOnce(Option<String>) + 'static) {
    // Boxed first, so the closures below exist once, not once per caller's closure.
    let done: Box<dyn FnOnce(Option<String>)> = Box::new(done);
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
pub fn shadow_host(id: &str, css: &str) -> (Element, ShadowRoot) {
    let host = el("div", "");
    if !id.is_empty() {
        attr(&host, "id", id);
    }
    let root = attach_shadow(&host, css).expect_throw("attachShadow");
    (host, root)
}

/// An open shadow root with `css` on an element of the page; `None` when the element cannot
/// have one (or has one already).
pub fn attach_shadow(host: &Element, css: &str) -> Option<ShadowRoot> {
    let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).report("attachShadow")?;
    adopt_css(&root, css);
    Some(root)
}

/// The shadow root's host, when `e` is inside a shadow root.
pub fn host_of(e: &Element) -> Option<Element> {
    e.get_root_node().dyn_into::<ShadowRoot>().ok().map(|root| root.host())
}

/// Styles go in through a constructable stylesheet: no inline style text, so a strict CSP holds.
pub fn adopt_css(root: &ShadowRoot, css: &str) {
    let sheet = web_sys::CssStyleSheet::new().expect_throw("CSSStyleSheet");
    sheet.replace_sync(css).expect_throw("replaceSync");
    root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
}

/// Removes every child (setting no text removes them all, in one call).
pub fn clear(node: &web_sys::Node) {
    node.set_text_content(None);
}

fn html_document() -> HtmlDocument {
    document().unchecked_into()
}

pub fn cookies() -> String {
    html_document().cookie().unwrap_or_default()
}

pub fn set_cookie(assignment: &str) {
    html_document().set_cookie(assignment).report("document.cookie");
}

pub fn is_https() -> bool {
    location("protocol") == "https:"
}

pub fn host_name() -> String {
    location("hostname")
}

/// A part of the page's address (`"hash"`, `"origin"`, `"pathname"` …), or "" without one.
pub fn location(part: &str) -> String {
    get(&window().location(), part).as_string().unwrap_or_default()
}

/// Runs `f` in a task of its own after the current one.
pub fn next_task(f: impl FnOnce() + 'static) {
    after_ms(0, f);
}

/// Runs `f` in a task of its own after `ms` milliseconds (a timer).
pub fn after_ms(ms: i32, f: impl FnOnce() + 'static) {
    // Boxed first, as in `when_settled`.
    let f: Box<dyn FnOnce()> = Box::new(f);
    let callback = Closure::once_into_js(f);
    window().set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms).report("setTimeout");
}

/// Runs `f` in a task after the next frame is painted (an animation frame, then a task), so work
/// the first paint does not need cannot hold it back. A hidden tab paints no frames: there a
/// timer runs `f` after a second instead (whichever comes first runs it).
pub fn after_paint(f: impl FnOnce() + 'static) {
    let slot = Rc::new(Cell::new(Some(f)));
    let after_frame = slot.clone();
    let frame = Closure::once_into_js(move || next_task(move || after_frame.take().map_or((), |f| f())));
    window().request_animation_frame(frame.unchecked_ref()).report("requestAnimationFrame");
    after_ms(1000, move || slot.take().map_or((), |f| f()));
}

/// Focuses an element if it is focusable; a no-op otherwise.
pub fn focus(e: &Element) {
    call_method(e, "focus", &[]);
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
    web_sys::Url::revoke_object_url(&url).report("revokeObjectURL");
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

/// An error with the JS value that explains it (an exception a shop callback threw).
pub fn console_error_with(message: &str, value: &JsValue) {
    web_sys::console::error_2(&JsValue::from_str(message), value);
}

pub fn console_warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

/// The element an event happened on (`None` for the window, the document or a text node).
pub fn event_element(event: &Event) -> Option<Element> {
    event.target().and_then(|t| t.dyn_into::<Element>().ok())
}

// --- reading and changing elements ---------------------------------------------------------

/// The element with this id in the page.
pub fn by_id(id: &str) -> Option<Element> {
    document().get_element_by_id(id)
}

/// The first element matching `selector` in a document, element or shadow root. `querySelector`
/// is the same method on all three (`ParentNode`): one binding serves them.
pub fn query(root: &impl AsRef<JsValue>, selector: &str) -> Option<Element> {
    root.as_ref().unchecked_ref::<Element>().query_selector(selector).report("querySelector").flatten()
}

/// Every element matching `selector` in a document, element or shadow root, in document order.
pub fn query_all(root: &impl AsRef<JsValue>, selector: &str) -> Vec<Element> {
    let Some(list) = root.as_ref().unchecked_ref::<Element>().query_selector_all(selector).report("querySelectorAll")
    else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into().ok()).collect()
}

/// The element matching `selector` at or above the event's target (delegated listeners).
pub fn target_closest(event: &Event, selector: &str) -> Option<Element> {
    event_element(event)?.closest(selector).report("closest").flatten()
}

pub fn get_attr(e: &Element, name: &str) -> Option<String> {
    e.get_attribute(name)
}

pub fn has_attr(e: &Element, name: &str) -> bool {
    get_attr(e, name).is_some()
}

pub fn remove_attr(e: &Element, name: &str) {
    e.remove_attribute(name).report("removeAttribute");
}

/// Sets a property (not an attribute) such as an input's `checked`, through one binding.
pub fn set_prop(target: &impl AsRef<JsValue>, name: &str, value: &JsValue) {
    js_sys::Reflect::set(target.as_ref(), &JsValue::from_str(name), value).report("set property");
}

/// A property of any JS value (`checked`, `offsetTop`, an event's `key` …); undefined without.
pub fn get(target: &impl AsRef<JsValue>, name: &str) -> JsValue {
    js_sys::Reflect::get(target.as_ref(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Replaces the element's content by `text`, as a text node.
pub fn set_text(e: &Element, text: &str) {
    e.set_text_content(Some(text));
}

pub fn text_of(e: &Element) -> String {
    e.text_content().unwrap_or_default()
}

/// Takes the element out of the page.
pub fn remove(e: &Element) {
    e.remove();
}

/// Puts `new` right before `anchor`, as its sibling.
pub fn insert_before(anchor: &Element, new: &Element) {
    anchor.before_with_node_1(new).report("before");
}

/// Puts `new` in the place of `old`.
pub fn replace(old: &Element, new: &Element) {
    old.replace_with_with_node_1(new).report("replaceWith");
}

/// A deep copy of the element (with its attributes and content).
pub fn deep_clone(e: &Element) -> Option<Element> {
    e.clone_node_with_deep(true).report("cloneNode")?.dyn_into().ok()
}

pub fn previous_sibling(e: &Element) -> Option<Element> {
    e.previous_element_sibling()
}

pub fn is_connected(e: &Element) -> bool {
    e.is_connected()
}

/// The page's `<body>`; the widget cannot work without one.
pub fn body() -> HtmlElement {
    document().body().expect_throw("privacy-widget needs a <body>")
}

/// The page's root element (`<html>`).
pub fn root_element() -> Option<Element> {
    document().document_element()
}

/// The focused element, looking into open shadow roots (the widget's controls live in one).
pub fn focused_element() -> Option<Element> {
    let mut element = document().active_element()?;
    while let Some(inner) = element.shadow_root().and_then(|root| root.active_element()) {
        element = inner;
    }
    Some(element)
}

/// Scrolls the element into view and focuses it.
pub fn scroll_to(e: &Element) {
    call_method(e, "scrollIntoView", &[]);
    focus(e);
}

/// Opens a `<dialog>` modally; false (and nothing happens) when it is open already.
pub fn show_modal(dialog: &Element) -> bool {
    if get(dialog, "open").is_truthy() {
        return false;
    }
    call_method(dialog, "showModal", &[]);
    true
}

// --- the page and the browser ---------------------------------------------------------------

/// Whether the tab is hidden (another tab in front, the window minimised).
pub fn page_hidden() -> bool {
    document().hidden()
}

/// The visitor's languages, most preferred first (`navigator.languages`).
pub fn browser_languages() -> Vec<String> {
    window().navigator().languages().iter().filter_map(|v| v.as_string()).collect()
}

/// Reloads the page.
pub fn reload() {
    call_method(&window().location(), "reload", &[]);
}

/// Replaces the page's address hash without a navigation (deep links to a statement section).
pub fn replace_hash(hash: &str) {
    let args = [&JsValue::NULL, &JsValue::from_str(""), &JsValue::from_str(hash)];
    call_method(&get(&window(), "history"), "replaceState", &args);
}

/// Copies text to the clipboard where there is one (secure contexts only; elsewhere nothing
/// happens). The promise settles later; a refusal leaves the text where the caller showed it.
pub fn copy_text(text: &str) {
    call_method(&get(&window().navigator(), "clipboard"), "writeText", &[&JsValue::from_str(text)]);
}

/// Opens the browser's print dialog for the page.
pub fn print() {
    call_method(&window(), "print", &[]);
}

/// Adds `css` to the page's own constructable stylesheets (not the widget's shadow roots).
pub fn adopt_page_css(css: &str) {
    let doc = document();
    let sheets = doc.adopted_style_sheets();
    let sheet = web_sys::CssStyleSheet::new().expect_throw("CSSStyleSheet");
    sheet.replace_sync(css).report("replaceSync");
    sheets.push(&sheet);
    doc.set_adopted_style_sheets(&sheets);
}

/// Calls `on_added` whenever nodes are added anywhere in the page (a MutationObserver).
pub fn on_nodes_added(on_added: impl Fn() + 'static) {
    let callback =
        Closure::<dyn Fn(js_sys::Array, web_sys::MutationObserver)>::new(move |records: js_sys::Array, _| {
            let added =
                records.iter().any(|r| r.unchecked_into::<web_sys::MutationRecord>().added_nodes().length() > 0);
            if added {
                on_added();
            }
        });
    let Some(observer) = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).report("MutationObserver")
    else {
        return;
    };
    callback.forget();
    let init = web_sys::MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    if let Some(root) = root_element() {
        observer.observe_with_options(&root, &init).report("MutationObserver.observe");
    }
}

// --- talking to page scripts ----------------------------------------------------------------

/// Dispatches `CustomEvent(name, {detail})` on `window`.
pub fn emit(name: &str, detail: &JsValue) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    if let Some(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init).report("CustomEvent") {
        window().dispatch_event(&event).report("dispatchEvent");
    }
}

/// Calls `f(...args)` with `this` if `f` is a function: `None` when it is not, `Some(Err)` when it
/// threw (the caller decides whose fault that is). One binding for every arity.
pub fn call(f: &JsValue, this: &JsValue, args: &[&JsValue]) -> Option<Result<JsValue, JsValue>> {
    let f = f.dyn_ref::<js_sys::Function>()?;
    let list = js_sys::Array::new();
    for a in args {
        list.push(a);
    }
    Some(f.apply(this, &list))
}

/// `target[name](...args)`: the result, or undefined when there is no such function or it threw.
pub fn call_method(target: &JsValue, name: &str, args: &[&JsValue]) -> JsValue {
    call(&get(target, name), target, args).and_then(|r| r.report(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A JSON text as a JS value (null if it does not parse, which the core's output always does).
pub fn parse_json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or(JsValue::NULL)
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
    window().location().set_href(url).report("location.href");
}
