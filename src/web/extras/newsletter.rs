//! The newsletter signup (and unsubscribe) form in any container the shop marks with
//! `data-pw-newsletter` (`="unsubscribe"` for the withdrawal form). The core's `NewsletterForm`
//! decides; this module renders, forwards input and delivers through the consent manager's outbox
//! (`consent_bridge::send`).

use crate::prelude::*;

use super::consent_bridge;
use super::forms::{self, TextField};
use crate::page_state::RefCellExt;
use crate::web::shared::dom::{self, append, attr, button, el, text_el};
use core::cell::RefCell;
use privacy_widget_core::config::Config;
use privacy_widget_core::form::{FormEffect, Phase, SubmissionMsg};
use privacy_widget_core::i18n::{FormText, SharedText};
use privacy_widget_core::lang::Lang;
use privacy_widget_core::newsletter::{
    self as newsletter, consent_text, Field, NewsletterEffect, NewsletterForm, NewsletterMode, NewsletterMsg,
};
use web_sys::{Element, Event, ShadowRoot};

const CSS: &str = include_str!("forms.css");
const PREFIX: &str = "nl";
/// The plain form's focused control was its submit button (`PlainInput::focused`).
const SUBMIT: &str = "submit";

struct Mounted {
    form: NewsletterForm,
    root: ShadowRoot,
}

crate::page_state! {
    static FORMS: RefCell<Vec<Mounted>> = const { RefCell::new(Vec::new()) };
    static CONFIG: RefCell<Option<Config>> = const { RefCell::new(None) };
}

/// Renders a form into every `[data-pw-newsletter]` container, if the shop configured the endpoint.
pub fn start(config: &Config, lang: Lang) {
    if config.endpoints.newsletter.is_none() {
        return;
    }
    let containers = dom::query_all(&dom::document(), newsletter::CONTAINERS);
    if containers.is_empty() {
        return;
    }
    CONFIG.with(|c| *c.write() = Some(config.clone()));
    for container in containers {
        // Taken over already: by the forms build, before the page needed the extras build too.
        if dom::get(&container, "shadowRoot").is_truthy() {
            continue;
        }
        // The page's plain form (pre-rendered, for visitors without script) may already hold
        // what the visitor typed, and the focus: both move into the widget's form.
        let plain = PlainInput::read(&container);
        let Some(root) = dom::attach_shadow(&container, CSS) else { continue };
        let mut form = match dom::get_attr(&container, "data-pw-newsletter").as_deref() {
            Some("unsubscribe") => NewsletterForm::unsubscribe(lang),
            _ => NewsletterForm::subscribe(lang, container.has_attribute("data-ask-first-name")),
        };
        form.email = plain.email;
        form.consent = plain.consent && form.mode == NewsletterMode::Subscribe;
        let index = FORMS.with(|f| {
            let mut f = f.write();
            f.push(Mounted { form, root: root.clone() });
            f.len() - 1
        });
        listen(&root, index);
        run(index, Vec::from([FormEffect::Render]));
        // The plain form is not shown beside the shadow root's; gone, it cannot be found either.
        dom::clear(&container);
        match (plain.focused.as_deref(), dom::query(&root, "form")) {
            (Some(SUBMIT), Some(scope)) => {
                if let Some(submit) = dom::query(&scope, "button[type=submit]") {
                    dom::focus(&submit);
                }
            }
            (Some(name), Some(scope)) => forms::focus_field(&scope, PREFIX, name),
            _ => {}
        }
    }
    // Every form hears every report; each one's submission machine knows its own request.
    consent_bridge::on_delivery(|msg| {
        let count = FORMS.with(|f| f.read().len());
        for index in 0..count {
            dispatch(index, NewsletterMsg::Submission(msg.clone()));
        }
    });
}

/// What the visitor did in the pre-rendered plain form before the widget took it over.
struct PlainInput {
    email: String,
    consent: bool,
    /// The name of the control that has the focus (`email`, `consent`), or `SUBMIT` for the
    /// button, if one does: the widget's form takes over at the visitor's first move in the plain
    /// one (`entry-banner.js`), so a keyboard user may be anywhere in it by then.
    focused: Option<String>,
}

impl PlainInput {
    fn read(container: &Element) -> PlainInput {
        let control = |name: &str| dom::query(container, &(String::from("input[name=") + name + "]"));
        PlainInput {
            email: control("email").and_then(|i| dom::get(&i, "value").as_string()).unwrap_or_default(),
            consent: control("consent").is_some_and(|i| dom::get(&i, "checked").is_truthy()),
            focused: dom::query(container, ":focus").and_then(|control| match dom::get_attr(&control, "type") {
                Some(kind) if kind == SUBMIT => Some(SUBMIT.into()),
                _ => dom::get_attr(&control, "name"),
            }),
        }
    }
}

/// The visitor's language changed elsewhere (statement viewer, config).
pub fn set_language(lang: Lang) {
    let count = FORMS.with(|f| f.read().len());
    for index in 0..count {
        dispatch(index, NewsletterMsg::SetLanguage(lang));
    }
}

fn dispatch(index: usize, msg: NewsletterMsg) {
    let effects = CONFIG.with(|c| {
        let config = c.read();
        let config = config.as_ref()?;
        FORMS.with(|f| f.write().get_mut(index).map(|m| m.form.update(config, msg)))
    });
    if let Some(effects) = effects {
        run(index, effects);
    }
}

fn run(index: usize, effects: Vec<NewsletterEffect>) {
    for effect in effects {
        match effect {
            FormEffect::Post { endpoint, body } => {
                let msg = match consent_bridge::send(endpoint, &body) {
                    Some(key) => SubmissionMsg::Queued(key),
                    None => SubmissionMsg::Failed,
                };
                dispatch(index, NewsletterMsg::Submission(msg));
            }
            other => CONFIG.with(|c| {
                let config = c.read();
                let Some(config) = config.as_ref() else { return };
                FORMS.with(|f| execute(config, &f.read()[index], other));
            }),
        }
    }
}

fn field_name(field: Field) -> &'static str {
    match field {
        Field::Email => "email",
        Field::FirstName => "first-name",
        Field::Consent => "consent",
    }
}

fn execute(config: &Config, mounted: &Mounted, effect: NewsletterEffect) {
    let form = &mounted.form;
    let root: &web_sys::Node = mounted.root.as_ref();
    let scope = || dom::query(&mounted.root, "form, .done");
    let t = |key| config.text(form.lang, key);
    match effect {
        FormEffect::Render => {
            dom::clear(root);
            append(root, &render(config, form));
        }
        FormEffect::SyncErrors => {
            if let Some(scope) = scope() {
                let errors: Vec<(&str, Option<&str>)> = [Field::Email, Field::FirstName, Field::Consent]
                    .iter()
                    .map(|f| (field_name(*f), form.error(*f).map(&t)))
                    .collect();
                forms::sync_errors(&scope, PREFIX, &errors);
            }
        }
        FormEffect::FocusField(field) => {
            if let Some(scope) = scope() {
                forms::focus_field(&scope, PREFIX, field_name(field));
            }
        }
        FormEffect::FocusStatus => forms::focus_status(&mounted.root),
        FormEffect::Announce(key) => forms::announce(&mounted.root, t(key)),
        // Run by `run`; a newsletter never opens an e-mail program.
        FormEffect::Post { .. } | FormEffect::OpenMailto(_) => {}
    }
}

fn render(config: &Config, form: &NewsletterForm) -> Element {
    let t = |key| config.text(form.lang, key);
    let wrap = el("div", "pw-form");
    attr(&wrap, "lang", form.lang.tag());
    let live = el("p", "live sr-only");
    attr(&live, "aria-live", "polite");
    if form.phase() == Phase::Done {
        let key = form.status().unwrap_or(FormText::NewsletterCheckEmail);
        let done = text_el("p", "done status", t(key));
        attr(&done, "tabindex", "-1");
        append(&wrap, &done);
        append(&wrap, &live);
        return wrap;
    }
    let f = el("form", "");
    attr(&f, "novalidate", "");
    let title_key = match form.mode {
        NewsletterMode::Subscribe => FormText::NewsletterTitle,
        NewsletterMode::Unsubscribe => FormText::NewsletterUnsubscribeTitle,
    };
    let title = text_el("h3", "form-title", t(title_key));
    attr(&title, "id", "nl-title");
    attr(&f, "aria-labelledby", "nl-title");
    append(&f, &title);
    let err = |field| form.error(field).map(&t);
    append(&f, &forms::email_field(PREFIX, t(FormText::EmailLabel), &form.email, None, err(Field::Email)));
    if let Some(first_name) = &form.first_name {
        let field = TextField {
            prefix: PREFIX,
            name: "first-name",
            label: t(FormText::NewsletterFirstNameLabel),
            kind: "text",
            autocomplete: "given-name",
            value: first_name,
            hint: None,
            error: err(Field::FirstName),
        };
        append(&f, &field.build());
    }
    if form.mode == NewsletterMode::Subscribe {
        append(
            &f,
            &forms::checkbox(PREFIX, "consent", &consent_text(config, form.lang), form.consent, err(Field::Consent)),
        );
        // Beside the label, not inside it: the label text is posted as the exact consent wording.
        if let Some(url) = &config.privacy_policy_url {
            let p = el("p", "policy");
            let link = text_el("a", "", config.text(form.lang, SharedText::PrivacyStatement));
            attr(&link, "href", url);
            attr(&link, "data-action", "statement");
            append(&p, &link);
            append(&f, &p);
        }
    }
    append(&f, &forms::honeypot(PREFIX, t(FormText::FormHoneypotLabel)));
    let submit = button("submit", t(form.submit_label()), "submit");
    attr(&submit, "type", "submit");
    if form.phase() == Phase::Sending {
        attr(&submit, "aria-disabled", "true");
    }
    append(&f, &submit);
    if let Some(key) = form.status() {
        let status = text_el("p", "status", t(key));
        attr(&status, "tabindex", "-1");
        append(&f, &status);
    }
    append(&wrap, &f);
    append(&wrap, &live);
    wrap
}

fn listen(root: &ShadowRoot, index: usize) {
    dom::listen(root, "input", move |event: Event| {
        let Some(input) = dom::control_input(&event) else { return };
        let msg = match input.name.as_str() {
            "email" => NewsletterMsg::EmailInput(input.value),
            "first-name" => NewsletterMsg::FirstNameInput(input.value),
            "website" => NewsletterMsg::HoneypotInput(input.value),
            "consent" => NewsletterMsg::ConsentToggled(input.checked),
            _ => return,
        };
        dispatch(index, msg);
    });
    dom::listen(root, "submit", move |event: Event| {
        event.prevent_default();
        // After a failure the same button retries: the core knows which it is.
        dispatch(index, NewsletterMsg::Submission(SubmissionMsg::Submit));
    });
    // The statement's newsletter section in the viewer, which this build may not carry: the
    // consent manager opens it (`showStatement`). Without a viewer configured, the plain link.
    dom::listen(root, "click", |event: Event| {
        let configured = CONFIG.with(|c| c.read().as_ref().is_some_and(|c| c.statement.is_some()));
        if configured && dom::target_closest(&event, "a[data-action=\"statement\"]").is_some() {
            event.prevent_default();
            consent_bridge::show_statement("nyhetsbrev");
        }
    });
}
