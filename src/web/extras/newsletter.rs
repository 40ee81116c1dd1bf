//! The newsletter signup (and unsubscribe) form in any container the shop marks with
//! `data-pw-newsletter` (`="unsubscribe"` for the withdrawal form). The core's `NewsletterForm`
//! decides; this module renders, forwards input and delivers through the outbox.

use crate::prelude::*;

use super::forms::{self, FormOutcome, TextField};
use crate::web::shared::delivery;
use crate::web::shared::dom::{self, append, attr, button, el, text_el};
use core::cell::RefCell;
use privacy_widget_core::config::Config;
use privacy_widget_core::i18n::{FormText, TextKey};
use privacy_widget_core::lang::Lang;
use privacy_widget_core::newsletter::{
    consent_text, Field, NewsletterEffect, NewsletterForm, NewsletterMode, NewsletterMsg, NewsletterState,
};
use privacy_widget_core::outbox::{Endpoint, IdempotencyKey};
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlInputElement, ShadowRoot};

const CSS: &str = include_str!("forms.css");
const PREFIX: &str = "nl";

struct Mounted {
    form: NewsletterForm,
    root: ShadowRoot,
    /// The request of this form still in the outbox, so a retry does not post it twice.
    pending: Option<IdempotencyKey>,
}

crate::page_state! {
    static FORMS: RefCell<Vec<Mounted>> = const { RefCell::new(Vec::new()) };
    static CONFIG: RefCell<Option<Config>> = const { RefCell::new(None) };
}

/// Renders a form into every `[data-pw-newsletter]` container, if the shop configured the endpoint.
pub fn start(config: &Config, lang: Lang) {
    if !delivery::is_configured(Endpoint::Newsletter) {
        return;
    }
    let Ok(containers) = dom::document().query_selector_all("[data-pw-newsletter]") else { return };
    if containers.length() == 0 {
        return;
    }
    CONFIG.with(|c| *c.borrow_mut() = Some(config.clone()));
    for i in 0..containers.length() {
        let Some(container) = containers.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
        let Ok(root) = container.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)) else {
            continue;
        };
        dom::adopt_css(&root, CSS);
        let form = match container.get_attribute("data-pw-newsletter").as_deref() {
            Some("unsubscribe") => NewsletterForm::unsubscribe(lang),
            _ => NewsletterForm::subscribe(lang, container.has_attribute("data-ask-first-name")),
        };
        let index = FORMS.with(|f| {
            let mut f = f.borrow_mut();
            f.push(Mounted { form, root: root.clone(), pending: None });
            f.len() - 1
        });
        listen(&root, index);
        run(index, Vec::from([NewsletterEffect::Render]));
    }
    delivery::subscribe(|report| {
        let index = FORMS.with(|f| f.borrow().iter().position(|m| m.pending.as_ref() == Some(&report.key)));
        let (Some(index), Some(outcome)) = (index, forms::outcome(report)) else { return };
        let msg = match outcome {
            FormOutcome::Delivered(_) => NewsletterMsg::Delivered,
            FormOutcome::RateLimited(retry_after_s) => NewsletterMsg::RateLimited { retry_after_s },
            FormOutcome::Failed => NewsletterMsg::Failed,
        };
        if matches!(msg, NewsletterMsg::Delivered) || matches!(report.kind, delivery::ReportKind::Rejected { .. }) {
            FORMS.with(|f| f.borrow_mut()[index].pending = None);
        }
        dispatch(index, msg);
    });
}

/// The visitor's language changed elsewhere (statement viewer, config).
pub fn set_language(lang: Lang) {
    let count = FORMS.with(|f| f.borrow().len());
    for index in 0..count {
        dispatch(index, NewsletterMsg::SetLanguage(lang));
    }
}

fn dispatch(index: usize, msg: NewsletterMsg) {
    let effects = CONFIG.with(|c| {
        let config = c.borrow();
        let config = config.as_ref()?;
        FORMS.with(|f| f.borrow_mut().get_mut(index).map(|m| m.form.update(config, msg)))
    });
    if let Some(effects) = effects {
        run(index, effects);
    }
}

fn run(index: usize, effects: Vec<NewsletterEffect>) {
    for effect in effects {
        match effect {
            NewsletterEffect::Post { endpoint, body } => {
                let still_queued = FORMS.with(|f| f.borrow()[index].pending.is_some());
                if still_queued {
                    // The outbox is still trying this request; a second one would mail twice.
                    continue;
                }
                match delivery::send(endpoint, body, None) {
                    Ok(key) => FORMS.with(|f| f.borrow_mut()[index].pending = Some(key)),
                    Err(_) => dispatch(index, NewsletterMsg::Failed),
                }
            }
            other => CONFIG.with(|c| {
                let config = c.borrow();
                let Some(config) = config.as_ref() else { return };
                FORMS.with(|f| {
                    let forms = f.borrow();
                    let mounted = &forms[index];
                    execute(config, mounted, other);
                });
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
    let scope = || mounted.root.query_selector("form, .done").ok().flatten();
    let t = |key| config.text(form.lang, key);
    match effect {
        NewsletterEffect::Render => {
            dom::clear(root);
            append(root, &render(config, form));
        }
        NewsletterEffect::SyncErrors => {
            if let Some(scope) = scope() {
                let errors: Vec<(&str, Option<&str>)> = [Field::Email, Field::FirstName, Field::Consent]
                    .iter()
                    .map(|f| (field_name(*f), form.error(*f).map(&t)))
                    .collect();
                forms::sync_errors(&scope, PREFIX, &errors);
            }
        }
        NewsletterEffect::FocusField(field) => {
            if let Some(scope) = scope() {
                forms::focus_field(&scope, PREFIX, field_name(field));
            }
        }
        NewsletterEffect::FocusStatus => {
            if let Some(status) = mounted.root.query_selector(".status").ok().flatten() {
                dom::focus(&status);
            }
        }
        NewsletterEffect::Announce(key) => {
            if let Some(live) = mounted.root.query_selector(".live").ok().flatten() {
                live.set_text_content(None);
                live.set_text_content(Some(t(key)));
            }
        }
        NewsletterEffect::Post { .. } => {}
    }
}

fn render(config: &Config, form: &NewsletterForm) -> Element {
    let t = |key| config.text(form.lang, key);
    let wrap = el("div", "pw-form");
    attr(&wrap, "lang", form.lang.tag());
    let live = el("p", "live sr-only");
    attr(&live, "aria-live", "polite");
    if form.state == NewsletterState::CheckYourEmail {
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
            let link = text_el("a", "", config.text(form.lang, TextKey::PrivacyStatement));
            attr(&link, "href", url);
            attr(&link, "data-action", "statement");
            append(&p, &link);
            append(&f, &p);
        }
    }
    append(&f, &forms::honeypot(PREFIX, t(FormText::FormHoneypotLabel)));
    let submit = button("submit", t(form.submit_label()), "submit");
    attr(&submit, "type", "submit");
    if form.state == NewsletterState::Sending {
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
        let Some(input) = event.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
        let value = input.value();
        let msg = match input.name().as_str() {
            "email" => NewsletterMsg::EmailInput(value),
            "first-name" => NewsletterMsg::FirstNameInput(value),
            "website" => NewsletterMsg::HoneypotInput(value),
            "consent" => NewsletterMsg::ConsentToggled(input.checked()),
            _ => return,
        };
        dispatch(index, msg);
    });
    dom::listen(root, "submit", move |event: Event| {
        event.prevent_default();
        let retry = FORMS.with(|f| {
            matches!(f.borrow()[index].form.state, NewsletterState::Failed | NewsletterState::RateLimited { .. })
        });
        dispatch(index, if retry { NewsletterMsg::Retry } else { NewsletterMsg::Submit });
    });
    dom::listen(root, "click", |event: Event| {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        if target.closest("a[data-action=\"statement\"]").ok().flatten().is_some()
            && super::statement::open(Some("nyhetsbrev".into()), false)
        {
            event.prevent_default();
        }
    });
}
