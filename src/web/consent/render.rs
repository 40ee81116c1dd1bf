//! Builds the banner and the preferences dialog from the core state, with elements and
//! text nodes only. Interaction is delegated: buttons carry `data-action`, switches
//! `data-category` / `data-service`, and one listener on the shadow root reads them.

use crate::prelude::*;

use crate::web::shared::dom::{self, append, attr, button, el, get_attr, text_el};
use crate::web::shared::markup_dom;
use privacy_widget_core::banner::{self, BannerState};
use privacy_widget_core::config::{Category, Config, Service};
use privacy_widget_core::i18n::{push_joined, BannerText, SharedText, TextKey};
use privacy_widget_core::lang::Lang;
use privacy_widget_core::ui::{receipt_rows, ConsentUi, View};
use wasm_bindgen::JsValue;
use web_sys::Element;

/// Replaces the view inside `container` with the one the state asks for.
pub fn render(container: &Element, config: &Config, ui: &ConsentUi) {
    dom::clear(container);
    attr(container, "lang", ui.lang.tag());
    match ui.view {
        View::Hidden if config.floating_button && ui.consent.is_some() => {
            append(container, &markup_dom::build(&banner::reopen_button(config, ui.lang)));
        }
        View::Hidden => {}
        View::Banner => append(container, &banner(config, ui)),
        View::Preferences { .. } => append(container, &preferences(config, ui)),
    }
}

/// The core's banner tree (the banner build shows the same one before this module loads).
fn banner(config: &Config, ui: &ConsentUi) -> Element {
    let revision_changed = BannerState::revision_changed(config, ui.previous_revision.is_some());
    markup_dom::build(&banner::banner(config, BannerState { lang: ui.lang, gpc: ui.gpc, revision_changed }))
}

fn preferences(config: &Config, ui: &ConsentUi) -> Element {
    let lang = ui.lang;
    let t = |key| config.text(lang, key);
    let dialog = el("dialog", "prefs");
    attr(&dialog, "aria-labelledby", "pw-prefs-title");
    let head = el("div", "head");
    let title = text_el("h2", "title", t(TextKey::PreferencesTitle));
    attr(&title, "id", "pw-prefs-title");
    append(&head, &title);
    let close = button("close", "×", "close");
    attr(&close, "aria-label", config.text(lang, SharedText::Close));
    append(&head, &close);
    append(&dialog, &head);

    let body = el("div", "body");
    let intro = text_el("p", "text", config.text(lang, BannerText::PreferencesIntro));
    if let Some(link) = banner::statement_link(config, lang) {
        append(&intro, &dom::text_node(" "));
        append(&intro, &markup_dom::build(&link));
    }
    append(&body, &intro);
    if ui.gpc {
        append(&body, &text_el("p", "notice", config.text(lang, BannerText::GpcNotice)));
    }
    for category in &config.categories {
        append(&body, &category_section(config, lang, category));
    }
    if let Some(receipt) = receipt(config, ui) {
        append(&body, &receipt);
    }
    append(&dialog, &body);
    append(&dialog, &markup_dom::build(&banner::decision_buttons(config, lang, "save", TextKey::SaveChoices)));
    dialog
}

/// The visitor's proof of what they decided and what they were shown.
fn receipt(config: &Config, ui: &ConsentUi) -> Option<Element> {
    let rows = receipt_rows(config, ui)?;
    let lang = ui.lang;
    let section = el("section", "receipt");
    append(&section, &text_el("h3", "", config.text(lang, TextKey::ReceiptTitle)));
    let facts = el("dl", "facts");
    for (label, value) in &rows {
        append(&facts, &text_el("dt", "", label));
        append(&facts, &text_el("dd", "", value));
    }
    append(&section, &facts);
    append(&section, &button("download-receipt", config.text(lang, TextKey::ReceiptDownload), "btn-secondary"));
    Some(section)
}

fn switch(kind: &str, id: &str, label: &str, described_by: Option<&str>, required: bool) -> Element {
    let input = el("input", "switch");
    attr(&input, "type", "checkbox");
    attr(&input, kind, id);
    attr(&input, "aria-label", label);
    if let Some(d) = described_by {
        attr(&input, "aria-describedby", d);
    }
    if required {
        dom::set_prop(&input, "checked", &JsValue::TRUE);
        dom::set_prop(&input, "disabled", &JsValue::TRUE);
    }
    input
}

fn category_section(config: &Config, lang: Lang, category: &Category) -> Element {
    let section = el("section", "category");
    let head = el("div", "row");
    let title = config.category_title(category, lang);
    append(&head, &text_el("h3", "", &title));
    let mut desc_id = String::from("pw-desc-");
    desc_id.push_str(&category.id);
    if category.required {
        let always = text_el("span", "always", config.text(lang, TextKey::AlwaysOn));
        append(&head, &always);
    }
    append(&head, &switch("data-category", &category.id, &title, Some(&desc_id), category.required));
    append(&section, &head);
    let desc = text_el("p", "desc", &config.category_description(category, lang));
    attr(&desc, "id", &desc_id);
    append(&section, &desc);
    if !category.services.is_empty() {
        let details = el("details", "services");
        let mut summary_text = String::from(config.text(lang, TextKey::Cookies));
        summary_text.push_str(" · ");
        push_joined(&mut summary_text, category.services.iter().map(|s| s.name.as_str()), ", ");
        append(&details, &text_el("summary", "", &summary_text));
        let list = el("ul", "service-list");
        for service in &category.services {
            append(&list, &service_item(config, lang, service, category.required));
        }
        append(&details, &list);
        append(&section, &details);
    }
    section
}

fn service_item(config: &Config, lang: Lang, service: &Service, required: bool) -> Element {
    let item = el("li", "service");
    let row = el("div", "row");
    append(&row, &text_el("strong", "", &service.name));
    append(&row, &switch("data-service", &service.id, &service.name, None, required));
    append(&item, &row);
    let facts = el("dl", "facts");
    let fact = |label: TextKey, value: &str| {
        append(&facts, &text_el("dt", "", config.text(lang, label)));
        append(&facts, &text_el("dd", "", value));
    };
    if let Some(provider) = &service.provider {
        fact(TextKey::Provider, provider);
    }
    if let Some(purpose) = &service.purpose {
        fact(TextKey::Purpose, purpose.get(lang));
    }
    if !service.cookies.is_empty() {
        let listed: Vec<String> = service
            .cookies
            .iter()
            .map(|c| match &c.lifetime {
                Some(l) => {
                    let mut s = c.name.clone();
                    s.push_str(" (");
                    s.push_str(l.get(lang));
                    s.push(')');
                    s
                }
                None => c.name.clone(),
            })
            .collect();
        let mut text = String::new();
        push_joined(&mut text, listed.iter().map(String::as_str), ", ");
        fact(TextKey::Cookies, &text);
    }
    append(&item, &facts);
    item
}

/// Sets every switch in the open dialog from the draft; a category with some but not all
/// services on shows as mixed (a native indeterminate checkbox, announced as such).
pub fn sync_switches(root: &web_sys::ShadowRoot, config: &Config, ui: &ConsentUi) {
    for input in dom::query_all(root, "input.switch") {
        if let Some(id) = get_attr(&input, "data-category") {
            let on = ui.draft.category(&id);
            let mixed = config.category(&id).is_some_and(|c| !on && ui.draft.services_on(c) > 0);
            dom::set_prop(&input, "checked", &JsValue::from_bool(on));
            dom::set_prop(&input, "indeterminate", &JsValue::from_bool(mixed));
        } else if let Some(id) = get_attr(&input, "data-service") {
            dom::set_prop(&input, "checked", &JsValue::from_bool(ui.draft.service(&id)));
        }
    }
}
