//! The rights-request form (access, rectification, erasure, withdrawal of consent) inside the
//! statement viewer. The core's `RightsForm` decides; this module renders it, forwards input,
//! delivers through the consent manager's outbox (`consent_bridge::send`) or opens a prefilled
//! e-mail, and names Datatilsynet.

use crate::prelude::*;

use super::consent_bridge;
use super::forms::{self, TextField};
use crate::page_state::RefCellExt;
use crate::web::shared::dom::{self, append, attr, el, text_el};
use core::cell::RefCell;
use privacy_widget_core::config::Config;
use privacy_widget_core::form::{FormEffect, Phase, SubmissionMsg};
use privacy_widget_core::i18n::{FormText, SharedText};
use privacy_widget_core::lang::Lang;
use privacy_widget_core::rights::{
    Field, RequestType, RightsChannel, RightsEffect, RightsForm, RightsMsg, DATATILSYNET_URL,
};
use web_sys::{Element, Event};

const PREFIX: &str = "rr";
/// The form's section in the viewer (the pre-rendered page's id); re-rendered on its own, the
/// statement stays put.
pub const SECTION_ID: &str = privacy_widget_core::form_markup::RIGHTS_SECTION_ID;

struct Rights {
    config: Config,
    form: RightsForm,
    /// The element the form is rendered into (inside the viewer's shadow root).
    scope: Option<Element>,
}

crate::page_state! {
    static RIGHTS: RefCell<Option<Rights>> = const { RefCell::new(None) };
}

/// Whether the shop offers the form: an endpoint, or a contact address for the e-mail fallback.
pub fn available(config: &Config) -> bool {
    RightsChannel::of(config).is_some()
}

/// The form's section, built from its state (created on first use, prefilled with the consent id).
pub fn section(config: &Config, lang: Lang, consent_id: Option<String>) -> Element {
    RIGHTS.with(|cell| {
        let mut cell = cell.write();
        let rights = cell.get_or_insert_with(|| {
            // The form's submission machine picks out the report about its own request.
            consent_bridge::on_delivery(|msg| dispatch(RightsMsg::Submission(msg)));
            Rights { config: config.clone(), form: RightsForm::new(lang, None), scope: None }
        });
        // Language and consent id follow the visitor (a decision made after the form appeared).
        rights.form.lang = lang;
        rights.form.consent_id = consent_id;
        let section = el("section", "rights");
        attr(&section, "id", SECTION_ID);
        attr(&section, "aria-labelledby", "rr-title");
        append(&section, &render(rights));
        rights.scope = Some(section.clone());
        section
    })
}

fn dispatch(msg: RightsMsg) {
    let effects = RIGHTS.with(|c| {
        let mut c = c.write();
        let r = c.as_mut()?;
        let config = r.config.clone();
        Some(r.form.update(&config, msg))
    });
    for effect in effects.unwrap_or_default() {
        match effect {
            FormEffect::Post { endpoint, body } => {
                let msg = match consent_bridge::send(endpoint, &body) {
                    Some(key) => SubmissionMsg::Queued(key),
                    None => SubmissionMsg::Failed,
                };
                dispatch(RightsMsg::Submission(msg));
            }
            FormEffect::OpenMailto(url) => dom::navigate(&url),
            other => RIGHTS.with(|c| {
                if let Some(r) = c.read().as_ref() {
                    execute(r, other);
                }
            }),
        }
    }
}

fn field_name(field: Field) -> &'static str {
    match field {
        Field::RequestType => "type",
        Field::Email => "email",
        Field::Message => "message",
        Field::Confirm => "confirm",
    }
}

fn execute(r: &Rights, effect: RightsEffect) {
    let Some(scope) = &r.scope else { return };
    let t = |key| r.config.text(r.form.lang, key);
    match effect {
        FormEffect::Render => {
            dom::clear(scope);
            append(scope, &render(r));
        }
        FormEffect::SyncErrors => {
            let errors: Vec<(&str, Option<&str>)> = [Field::RequestType, Field::Email, Field::Message, Field::Confirm]
                .iter()
                .map(|f| (field_name(*f), r.form.error(*f).map(&t)))
                .collect();
            forms::sync_errors(scope, PREFIX, &errors);
            if let Some(counter) = dom::query(scope, ".counter") {
                dom::set_text(&counter, &r.form.message_counter(&r.config));
            }
        }
        FormEffect::FocusField(field) => {
            // A radio group is focused through its first option.
            let name = if field == Field::RequestType { "type-access" } else { field_name(field) };
            forms::focus_field(scope, PREFIX, name);
        }
        FormEffect::FocusStatus => forms::focus_status(scope),
        FormEffect::Announce(key) => forms::announce(scope, t(key)),
        // Run by `dispatch`.
        FormEffect::Post { .. } | FormEffect::OpenMailto(_) => {}
    }
}

fn render(r: &Rights) -> Element {
    let (config, form) = (&r.config, &r.form);
    let t = |key| config.text(form.lang, key);
    let wrap = el("div", "pw-form");
    let title = text_el("h3", "", t(FormText::RightsTitle));
    attr(&title, "id", "rr-title");
    append(&wrap, &title);
    append(&wrap, &text_el("p", "", t(FormText::RightsIntro)));
    let live = el("p", "live sr-only");
    attr(&live, "aria-live", "polite");
    let status = form.status(config);
    if form.phase() == Phase::Done {
        let done = text_el("p", "status", status.as_deref().unwrap_or(""));
        attr(&done, "tabindex", "-1");
        append(&wrap, &done);
        append(&wrap, &complaint(config, form.lang));
        append(&wrap, &live);
        return wrap;
    }
    let f = el("form", "rights-form");
    attr(&f, "novalidate", "");
    attr(&f, "aria-labelledby", "rr-title");
    let err = |field| form.error(field).map(&t);

    let group = el("fieldset", "");
    let legend = text_el("legend", "", t(FormText::RightsTypeLabel));
    append(&group, &legend);
    for kind in RequestType::ALL {
        let choice = el("div", "choice");
        let mut name = String::from("type-");
        name.push_str(kind.name());
        let id = forms::field_id(PREFIX, &name);
        let input = el("input", "");
        attr(&input, "type", "radio");
        attr(&input, "name", "type");
        attr(&input, "id", &id);
        attr(&input, "value", kind.name());
        let mut desc_id = id.clone();
        desc_id.push_str("-desc");
        attr(&input, "aria-describedby", &desc_id);
        dom::set_checked(&input, form.request_type == Some(kind));
        append(&choice, &input);
        let label = text_el("label", "", t(kind.title()));
        attr(&label, "for", &id);
        append(&choice, &label);
        let desc = text_el("p", "desc", t(kind.description()));
        attr(&desc, "id", &desc_id);
        append(&choice, &desc);
        append(&group, &choice);
    }
    let type_error = text_el("p", "error", err(Field::RequestType).unwrap_or(""));
    attr(&type_error, "id", "rr-type-error");
    if err(Field::RequestType).is_none() {
        attr(&type_error, "hidden", "");
    }
    append(&group, &type_error);
    append(&f, &group);

    append(
        &f,
        &forms::email_field(
            PREFIX,
            t(FormText::EmailLabel),
            &form.email,
            Some(t(FormText::RightsEmailHint)),
            err(Field::Email),
        ),
    );
    let message = TextField {
        prefix: PREFIX,
        name: "message",
        label: t(FormText::RightsMessageLabel),
        kind: "textarea",
        autocomplete: "",
        value: &form.message,
        hint: Some(t(FormText::RightsMessageHint)),
        error: err(Field::Message),
    };
    let message = message.build();
    let counter = text_el("p", "hint counter", &form.message_counter(config));
    attr(&counter, "aria-live", "off");
    append(&message, &counter);
    append(&f, &message);
    if let Some(id) = &form.consent_id {
        let p = el("p", "");
        append(&p, &text_el("span", "", config.text(form.lang, SharedText::ReceiptId)));
        append(&p, &dom::text_node(": "));
        append(&p, &text_el("span", "readonly", id));
        append(&f, &p);
        append(&f, &text_el("p", "hint", t(FormText::RightsConsentIdHint)));
    }
    append(
        &f,
        &forms::checkbox(PREFIX, "confirm", t(FormText::RightsConfirmLabel), form.confirmed, err(Field::Confirm)),
    );
    let submit = text_el("button", "submit", t(form.submit_label(config)));
    attr(&submit, "type", "submit");
    if form.phase() == Phase::Sending {
        attr(&submit, "aria-disabled", "true");
    }
    append(&f, &submit);
    if let Some(text) = status {
        let s = text_el("p", "status", &text);
        attr(&s, "tabindex", "-1");
        if let (Phase::Editing, Some(url)) = (form.phase(), &form.mailto) {
            append(&s, &dom::text_node(" "));
            let link = text_el("a", "mailto", t(FormText::RightsSubmitMailto));
            attr(&link, "href", url);
            append(&s, &link);
        }
        append(&f, &s);
    }
    append(&wrap, &f);
    append(&wrap, &complaint(config, form.lang));
    append(&wrap, &live);
    wrap
}

/// The complaint route is always named, with its link.
fn complaint(config: &Config, lang: Lang) -> Element {
    let p = el("p", "complaint");
    append(&p, &dom::text_node(config.text(lang, FormText::RightsComplaint)));
    append(&p, &dom::text_node(": "));
    let a = text_el("a", "", DATATILSYNET_URL);
    attr(&a, "href", DATATILSYNET_URL);
    append(&p, &a);
    p
}

/// Input inside the viewer's shadow root that belongs to this form.
pub fn on_input(event: &Event) {
    let in_form = dom::target_closest(event, ".rights-form").is_some();
    let Some(input) = dom::control_input(event).filter(|_| in_form) else { return };
    let msg = match input.name.as_str() {
        "type" => match RequestType::from_name(&input.value) {
            Some(kind) => RightsMsg::TypeSelected(kind),
            None => return,
        },
        "email" => RightsMsg::EmailInput(input.value),
        "message" => RightsMsg::MessageInput(input.value),
        "confirm" => RightsMsg::ConfirmToggled(input.checked),
        _ => return,
    };
    dispatch(msg);
}

pub fn on_submit(event: &Event) {
    if dom::event_element(event).is_none_or(|f| f.class_name() != "rights-form") {
        return;
    }
    event.prevent_default();
    // After a failure the same button retries: the core knows which it is.
    dispatch(RightsMsg::Submission(SubmissionMsg::Submit));
}
