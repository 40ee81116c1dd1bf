//! Building blocks shared by the newsletter and rights-request forms: labelled fields whose
//! errors sit next to them (`aria-describedby`, `aria-invalid`), the focus and the live region.

use crate::prelude::*;

use crate::web::shared::dom::{self, append, attr, el, text_el};
use web_sys::Element;

/// `<prefix>-<name>` ids keep several forms in one shadow root apart.
pub fn field_id(prefix: &str, name: &str) -> String {
    let mut id = String::from(prefix);
    id.push('-');
    id.push_str(name);
    id
}

fn error_id(prefix: &str, name: &str) -> String {
    let mut id = field_id(prefix, name);
    id.push_str("-error");
    id
}

/// The error line under a field; empty and hidden when there is no error.
fn error_line(prefix: &str, name: &str, error: Option<&str>) -> Element {
    let p = text_el("p", "error", error.unwrap_or(""));
    attr(&p, "id", &error_id(prefix, name));
    if error.is_none() {
        attr(&p, "hidden", "");
    }
    p
}

fn describe(control: &Element, prefix: &str, name: &str, hint_id: Option<&str>, error: Option<&str>) {
    let mut described = error_id(prefix, name);
    if let Some(h) = hint_id {
        described.push(' ');
        described.push_str(h);
    }
    attr(control, "aria-describedby", &described);
    if error.is_some() {
        attr(control, "aria-invalid", "true");
    }
}

/// A labelled text input (or textarea when `kind` is "textarea") with its value, hint and error.
pub struct TextField<'a> {
    pub prefix: &'a str,
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub autocomplete: &'a str,
    pub value: &'a str,
    pub hint: Option<&'a str>,
    pub error: Option<&'a str>,
}

impl TextField<'_> {
    pub fn build(&self) -> Element {
        let wrap = el("div", "field");
        let id = field_id(self.prefix, self.name);
        let label = text_el("label", "", self.label);
        attr(&label, "for", &id);
        append(&wrap, &label);
        let mut hint_id = None;
        if let Some(hint) = self.hint {
            let h = text_el("p", "hint", hint);
            let hid = field_id(&id, "hint");
            attr(&h, "id", &hid);
            append(&wrap, &h);
            hint_id = Some(hid);
        }
        let control = if self.kind == "textarea" {
            let t = el("textarea", "");
            attr(&t, "rows", "5");
            t
        } else {
            let i = el("input", "");
            attr(&i, "type", self.kind);
            i
        };
        dom::set_value(&control, self.value);
        attr(&control, "id", &id);
        attr(&control, "name", self.name);
        if !self.autocomplete.is_empty() {
            attr(&control, "autocomplete", self.autocomplete);
        }
        describe(&control, self.prefix, self.name, hint_id.as_deref(), self.error);
        append(&wrap, &control);
        append(&wrap, &error_line(self.prefix, self.name, self.error));
        wrap
    }
}

/// The e-mail field both forms start with.
pub fn email_field(prefix: &str, label: &str, value: &str, hint: Option<&str>, error: Option<&str>) -> Element {
    TextField { prefix, name: "email", label, kind: "email", autocomplete: "email", value, hint, error }.build()
}

/// A checkbox with its label after it (never pre-ticked unless the state says so) and its error.
pub fn checkbox(prefix: &str, name: &str, label: &str, checked: bool, error: Option<&str>) -> Element {
    let wrap = el("div", "check");
    let id = field_id(prefix, name);
    let input = el("input", "");
    attr(&input, "type", "checkbox");
    attr(&input, "id", &id);
    attr(&input, "name", name);
    dom::set_checked(&input, checked);
    describe(&input, prefix, name, None, error);
    append(&wrap, &input);
    let l = text_el("label", "", label);
    attr(&l, "for", &id);
    append(&wrap, &l);
    append(&wrap, &error_line(prefix, name, error));
    wrap
}

/// Visually hidden, out of the tab order and hidden from assistive technology: only bots fill it.
pub fn honeypot(prefix: &str, label: &str) -> Element {
    let wrap = el("div", "hp");
    attr(&wrap, "aria-hidden", "true");
    let id = field_id(prefix, "website");
    let l = text_el("label", "", label);
    attr(&l, "for", &id);
    append(&wrap, &l);
    let input = el("input", "");
    attr(&input, "type", "text");
    attr(&input, "id", &id);
    attr(&input, "name", "website");
    attr(&input, "tabindex", "-1");
    attr(&input, "autocomplete", "off");
    append(&wrap, &input);
    wrap
}

/// Updates error lines and `aria-invalid` in place, so the caret stays where the visitor types.
pub fn sync_errors(scope: &Element, prefix: &str, fields: &[(&str, Option<&str>)]) {
    for (name, error) in fields {
        let mut selector = String::from("#");
        selector.push_str(&error_id(prefix, name));
        if let Some(line) = dom::query(scope, &selector) {
            dom::set_text(&line, error.unwrap_or(""));
            if error.is_some() {
                dom::remove_attr(&line, "hidden");
            } else {
                attr(&line, "hidden", "");
            }
        }
        selector.clear();
        selector.push('#');
        selector.push_str(&field_id(prefix, name));
        if let Some(control) = dom::query(scope, &selector) {
            if error.is_some() {
                attr(&control, "aria-invalid", "true");
            } else {
                dom::remove_attr(&control, "aria-invalid");
            }
        }
    }
}

/// Focuses `<prefix>-<name>` inside `scope`.
pub fn focus_field(scope: &Element, prefix: &str, name: &str) {
    let mut selector = String::from("#");
    selector.push_str(&field_id(prefix, name));
    if let Some(control) = dom::query(scope, &selector) {
        dom::focus(&control);
    }
}

/// Says `text` in the `.live` region inside `scope`.
pub fn announce(scope: &impl AsRef<wasm_bindgen::JsValue>, text: &str) {
    if let Some(live) = dom::query(scope, ".live") {
        dom::announce(&live, text);
    }
}

/// Moves focus to the `.status` message inside `scope`.
pub fn focus_status(scope: &impl AsRef<wasm_bindgen::JsValue>) {
    if let Some(status) = dom::query(scope, ".status") {
        dom::focus(&status);
    }
}
