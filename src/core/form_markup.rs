//! The newsletter and rights-request forms as plain HTML forms (`markup` trees) that work with
//! no script at all: `method="post"` to the shop's endpoint as `application/x-www-form-urlencoded`.
//! The pre-rendered page carries them empty; the backend answers a post that has mistakes with
//! the same form again, the visitor's input kept and each error next to its field. When the
//! widget runs it replaces them with its own forms, which post JSON through the outbox.

use crate::prelude::*;

use crate::i18n::FormText;
use crate::lang::Lang;
use crate::markup::Element;
use crate::newsletter::{self, NewsletterForm};
use crate::rights::{self, RequestType, RightsForm, DATATILSYNET_URL};

/// The hidden field that carries the CSRF token (the JSON API's `X-CSRF-Token` header).
pub const CSRF_FIELD: &str = "csrf";
/// The honeypot's name: only bots fill it in.
pub const HONEYPOT_FIELD: &str = "website";
/// The newsletter checkbox's name; its label is the exact consent text, also posted as `consent_text`.
pub const CONSENT_FIELD: &str = "consent";
/// The rights form's "the request concerns me" checkbox (the API's `confirmed: true`).
pub const CONFIRM_FIELD: &str = "confirmed";

/// Where and how a form posts, and what it says.
pub struct FormContext<'a> {
    pub lang: Lang,
    /// The endpoint the form posts to.
    pub action: &'a str,
    /// The CSRF token, or the page's placeholder for it (`__CSRF_TOKEN__`); empty: no field.
    pub csrf: &'a str,
    /// Prefix of the element ids, unique on the page (`pw-nl1`).
    pub id_prefix: &'a str,
    pub texts: &'a dyn Fn(FormText) -> &'a str,
}

impl FormContext<'_> {
    fn t(&self, key: FormText) -> &str {
        (self.texts)(key)
    }

    fn id(&self, name: &str) -> String {
        let mut id = String::from(self.id_prefix);
        id.push('-');
        id.push_str(name);
        id
    }

    /// The `<form>` with its hidden fields: the CSRF token, the language and the honeypot.
    fn form(&self, title_id: &str) -> Element {
        let mut form = Element::new("form")
            .attr("method", "post")
            .attr("action", self.action)
            .attr("aria-labelledby", title_id)
            .child(hidden("language", self.lang.tag()));
        if !self.csrf.is_empty() {
            form.push(hidden(CSRF_FIELD, self.csrf));
        }
        form.push(self.honeypot());
        form
    }

    /// Visually hidden, out of the tab order and hidden from assistive technology.
    fn honeypot(&self) -> Element {
        let id = self.id(HONEYPOT_FIELD);
        Element::new("div")
            .attr("class", "hp")
            .attr("aria-hidden", "true")
            .child(Element::new("label").attr("for", &*id).text(self.t(FormText::FormHoneypotLabel)))
            .child(
                Element::new("input")
                    .attr("type", "text")
                    .attr("id", id)
                    .attr("name", HONEYPOT_FIELD)
                    .attr("tabindex", "-1")
                    .attr("autocomplete", "off"),
            )
    }
}

fn hidden(name: &'static str, value: &str) -> Element {
    Element::new("input").attr("type", "hidden").attr("name", name).attr("value", value)
}

/// A control's error: the line under it, and the attributes that tie the two together.
struct Problem<'a> {
    id: String,
    text: Option<&'a str>,
}

impl Problem<'_> {
    fn mark(&self, control: Element, hint: Option<&str>) -> Element {
        let mut described = String::new();
        if self.text.is_some() {
            described.push_str(&self.id);
        }
        if let Some(h) = hint {
            if !described.is_empty() {
                described.push(' ');
            }
            described.push_str(h);
        }
        let mut control = control;
        if !described.is_empty() {
            control = control.attr("aria-describedby", described);
        }
        if self.text.is_some() {
            control = control.attr("aria-invalid", "true");
        }
        control
    }

    fn line(&self) -> Option<Element> {
        self.text.map(|t| Element::new("p").attr("class", "error").attr("id", &*self.id).text(t))
    }
}

fn problem<'a>(cx: &FormContext, name: &str, text: Option<&'a str>) -> Problem<'a> {
    let mut id = cx.id(name);
    id.push_str("-error");
    Problem { id, text }
}

/// A labelled input or textarea with its value, hint and error (the first error gets focus).
struct TextField<'a> {
    name: &'static str,
    label: &'a str,
    kind: &'static str,
    autocomplete: &'static str,
    value: &'a str,
    hint: Option<&'a str>,
    error: Option<&'a str>,
    autofocus: bool,
}

impl TextField<'_> {
    fn build(&self, cx: &FormContext) -> Element {
        let id = cx.id(self.name);
        let mut wrap =
            Element::new("div").attr("class", "field").child(Element::new("label").attr("for", &*id).text(self.label));
        let hint_id = self.hint.map(|hint| {
            let hint_id = cx.id(&(String::from(self.name) + "-hint"));
            wrap.push(Element::new("p").attr("class", "hint").attr("id", &*hint_id).text(hint));
            hint_id
        });
        let mut control = if self.kind == "textarea" {
            Element::new("textarea").attr("rows", "5").text(self.value)
        } else {
            Element::new("input").attr("type", self.kind).attr("value", self.value).attr("required", "")
        };
        control = control.attr("id", &*id).attr("name", self.name);
        if !self.autocomplete.is_empty() {
            control = control.attr("autocomplete", self.autocomplete);
        }
        if self.autofocus {
            control = control.attr("autofocus", "");
        }
        let problem = problem(cx, self.name, self.error);
        wrap.push(problem.mark(control, hint_id.as_deref()));
        wrap.children.extend(problem.line().map(crate::markup::Node::Element));
        wrap
    }
}

/// A required checkbox with its label after it, never pre-ticked unless the visitor ticked it.
fn checkbox(
    cx: &FormContext,
    name: &'static str,
    label: &str,
    checked: bool,
    error: Option<&str>,
    autofocus: bool,
) -> Element {
    let id = cx.id(name);
    let mut input =
        Element::new("input").attr("type", "checkbox").attr("id", &*id).attr("name", name).attr("value", "yes");
    input = input.attr("required", "");
    if checked {
        input = input.attr("checked", "");
    }
    if autofocus {
        input = input.attr("autofocus", "");
    }
    let problem = problem(cx, name, error);
    let mut wrap = Element::new("div")
        .attr("class", "check")
        .child(problem.mark(input, None))
        .child(Element::new("label").attr("for", id).text(label));
    wrap.children.extend(problem.line().map(crate::markup::Node::Element));
    wrap
}

fn submit(label: &str) -> Element {
    Element::new("button").attr("type", "submit").attr("class", "submit").text(label)
}

/// What a plain newsletter form needs beyond its context.
pub struct NewsletterFields<'a> {
    /// The exact consent wording, shown as the checkbox's label and posted as `consent_text`
    /// (`None` for the withdrawal form).
    pub consent_text: Option<&'a str>,
    /// The policy revision the consent is given under.
    pub revision: &'a str,
    /// Where the statement is, linked beside the checkbox.
    pub privacy_policy_url: Option<&'a str>,
    pub privacy_statement_label: &'a str,
}

/// The newsletter signup (or, without a consent text, the withdrawal) form, showing `form`'s
/// input and errors. Field names are the JSON API's (`email`, `consent_text`, `revision`,
/// `language`), plus `consent` for the checkbox.
pub fn newsletter(cx: &FormContext, fields: &NewsletterFields, form: &NewsletterForm) -> Element {
    let title_id = cx.id("title");
    let title_key =
        if fields.consent_text.is_some() { FormText::NewsletterTitle } else { FormText::NewsletterUnsubscribeTitle };
    let first_error = form.errors.first().map(|(f, _)| *f);
    let error = |field| form.error(field).map(|key| cx.t(key));
    let mut f = cx.form(&title_id);
    f.push(
        TextField {
            name: "email",
            label: cx.t(FormText::EmailLabel),
            kind: "email",
            autocomplete: "email",
            value: &form.email,
            hint: None,
            error: error(newsletter::Field::Email),
            autofocus: first_error == Some(newsletter::Field::Email),
        }
        .build(cx),
    );
    match fields.consent_text {
        Some(consent_text) => {
            f.push(hidden("consent_text", consent_text));
            f.push(hidden("revision", fields.revision));
            f.push(checkbox(
                cx,
                CONSENT_FIELD,
                consent_text,
                form.consent,
                error(newsletter::Field::Consent),
                first_error == Some(newsletter::Field::Consent),
            ));
            if let Some(url) = fields.privacy_policy_url {
                let link = Element::new("a").attr("href", url).text(fields.privacy_statement_label);
                f.push(Element::new("p").attr("class", "policy").child(link));
            }
            f.push(submit(cx.t(FormText::NewsletterSubmit)));
        }
        None => f.push(submit(cx.t(FormText::NewsletterUnsubscribeSubmit))),
    }
    Element::new("div")
        .attr("class", "pw-form")
        .child(Element::new("h3").attr("class", "form-title").attr("id", title_id).text(cx.t(title_key)))
        .child(f)
}

/// The rights-request form, showing `form`'s input and errors. Field names are the JSON API's
/// (`type`, `email`, `message`, `language`, `confirmed`).
pub fn rights(cx: &FormContext, form: &RightsForm) -> Element {
    let title_id = cx.id("title");
    let first_error = form.errors.first().map(|(f, _)| *f);
    let error = |field| form.error(field).map(|key| cx.t(key));
    let mut f = cx.form(&title_id).attr("class", "rights-form");

    let type_problem = problem(cx, "type", error(rights::Field::RequestType));
    let mut group = Element::new("fieldset").child(Element::new("legend").text(cx.t(FormText::RightsTypeLabel)));
    for (index, kind) in RequestType::ALL.into_iter().enumerate() {
        let id = cx.id(&(String::from("type-") + kind.name()));
        let desc_id = id.clone() + "-desc";
        let mut input = Element::new("input")
            .attr("type", "radio")
            .attr("name", "type")
            .attr("id", &*id)
            .attr("value", kind.name())
            .attr("required", "");
        if form.request_type == Some(kind) {
            input = input.attr("checked", "");
        }
        if index == 0 && first_error == Some(rights::Field::RequestType) {
            input = input.attr("autofocus", "");
        }
        group.push(
            Element::new("div")
                .attr("class", "choice")
                .child(type_problem.mark(input, Some(&desc_id)))
                .child(Element::new("label").attr("for", id).text(cx.t(kind.title())))
                .child(Element::new("p").attr("class", "desc").attr("id", desc_id).text(cx.t(kind.description()))),
        );
    }
    group.children.extend(type_problem.line().map(crate::markup::Node::Element));
    f.push(group);
    f.push(
        TextField {
            name: "email",
            label: cx.t(FormText::EmailLabel),
            kind: "email",
            autocomplete: "email",
            value: &form.email,
            hint: Some(cx.t(FormText::RightsEmailHint)),
            error: error(rights::Field::Email),
            autofocus: first_error == Some(rights::Field::Email),
        }
        .build(cx),
    );
    f.push(
        TextField {
            name: "message",
            label: cx.t(FormText::RightsMessageLabel),
            kind: "textarea",
            autocomplete: "",
            value: &form.message,
            hint: Some(cx.t(FormText::RightsMessageHint)),
            error: error(rights::Field::Message),
            autofocus: first_error == Some(rights::Field::Message),
        }
        .build(cx),
    );
    f.push(checkbox(
        cx,
        CONFIRM_FIELD,
        cx.t(FormText::RightsConfirmLabel),
        form.confirmed,
        error(rights::Field::Confirm),
        first_error == Some(rights::Field::Confirm),
    ));
    f.push(submit(cx.t(FormText::RightsSubmit)));
    Element::new("div")
        .attr("class", "pw-form")
        .child(Element::new("h3").attr("id", title_id).text(cx.t(FormText::RightsTitle)))
        .child(Element::new("p").text(cx.t(FormText::RightsIntro)))
        .child(f)
        .child(complaint(cx.t(FormText::RightsComplaint)))
}

/// The complaint route, always named with its link.
pub fn complaint(label: &str) -> Element {
    Element::new("p")
        .attr("class", "complaint")
        .text(label)
        .text(": ")
        .child(Element::new("a").attr("href", DATATILSYNET_URL).text(DATATILSYNET_URL))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(key: FormText) -> &'static str {
        key.default_text(Lang::En)
    }

    fn context() -> FormContext<'static> {
        FormContext { lang: Lang::En, action: "/api/x", csrf: "__CSRF_TOKEN__", id_prefix: "pw-t", texts: &texts }
    }

    #[test]
    fn a_fresh_signup_form_posts_the_consent_wording_revision_and_language_with_the_token() {
        let fields = NewsletterFields {
            consent_text: Some("Yes, send me news."),
            revision: "2026-11-01",
            privacy_policy_url: Some("/privacy"),
            privacy_statement_label: "Privacy statement",
        };
        let html = newsletter(&context(), &fields, &NewsletterForm::subscribe(Lang::En, false)).to_html();
        assert!(html.contains("<form method=\"post\" action=\"/api/x\" aria-labelledby=\"pw-t-title\">"), "{html}");
        for hidden in [
            "name=\"language\" value=\"en\"",
            "name=\"csrf\" value=\"__CSRF_TOKEN__\"",
            "name=\"consent_text\" value=\"Yes, send me news.\"",
            "name=\"revision\" value=\"2026-11-01\"",
        ] {
            assert!(html.contains(hidden), "{hidden} in {html}");
        }
        assert!(html.contains("<label for=\"pw-t-consent\">Yes, send me news.</label>"));
        assert!(!html.contains("checked"), "never pre-ticked");
        assert!(!html.contains("aria-invalid"));
        assert!(html.contains("<a href=\"/privacy\">Privacy statement</a>"));
    }

    #[test]
    fn errors_sit_next_to_their_fields_with_the_input_kept_and_focus_on_the_first() {
        let mut form = NewsletterForm::subscribe(Lang::En, false);
        form.email = "kari@localhost\"><b>".into();
        form.errors = form.validate();
        let fields = NewsletterFields {
            consent_text: Some("Yes"),
            revision: "r1",
            privacy_policy_url: None,
            privacy_statement_label: "",
        };
        let html = newsletter(&context(), &fields, &form).to_html();
        assert!(html.contains("value=\"kari@localhost&quot;&gt;&lt;b&gt;\""), "kept and escaped: {html}");
        assert!(html.contains("name=\"email\" autocomplete=\"email\" autofocus=\"\" aria-describedby=\"pw-t-email-error\" aria-invalid=\"true\""), "{html}");
        assert!(html.contains("<p class=\"error\" id=\"pw-t-email-error\">"));
        assert!(html.contains("id=\"pw-t-consent-error\""), "the unticked checkbox has its error too");
        assert_eq!(html.matches("autofocus").count(), 1, "focus goes to the first error only");
    }

    #[test]
    fn the_withdrawal_form_has_no_consent_checkbox() {
        let fields = NewsletterFields {
            consent_text: None,
            revision: "r1",
            privacy_policy_url: None,
            privacy_statement_label: "",
        };
        let html = newsletter(&context(), &fields, &NewsletterForm::unsubscribe(Lang::En)).to_html();
        assert!(!html.contains("consent"), "{html}");
        assert!(html.contains(">Unsubscribe</button>"));
    }

    #[test]
    fn the_rights_form_offers_every_request_type_and_names_the_authority() {
        let html = rights(&context(), &RightsForm::new(Lang::En, None)).to_html();
        for kind in RequestType::ALL {
            assert!(html.contains(&(String::from("value=\"") + kind.name() + "\"")), "{}", kind.name());
        }
        assert!(html.contains("name=\"confirmed\""));
        assert!(html.contains("href=\"https://www.datatilsynet.no/\""));
        let mut form = RightsForm::new(Lang::En, None);
        form.request_type = Some(RequestType::Rectification);
        form.message = "Fix <this>".into();
        form.errors = form.validate();
        let html = rights(&context(), &form).to_html();
        assert!(html.contains("value=\"rectification\" required=\"\" checked=\"\""), "{html}");
        assert!(html.contains(">Fix &lt;this&gt;</textarea>"));
        assert!(html.contains("id=\"pw-t-email-error\""));
        assert!(!html.contains("pw-t-type-error"), "the chosen type has no error");
    }
}
