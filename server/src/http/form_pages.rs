//! The pages that answer a plain form post (no script): the outcome, or the same form again with
//! what the visitor typed and each error next to its field. Built as `markup` trees (escaped on
//! output) from the core's form renderer and text catalogue, in the form's language, under the
//! strict CSP of [`Page`], with a link back to the page the form was on.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use privacy_widget_core::form_markup::{self, FormContext, NewsletterFields};
use privacy_widget_core::form_post::Signup;
use privacy_widget_core::i18n::{fill, FormText};
use privacy_widget_core::lang::Lang;
use privacy_widget_core::markup::{Element, Node};
use privacy_widget_core::newsletter::NewsletterForm;
use privacy_widget_core::rights::RightsForm;

use super::pages::Page;

/// The few sentences only these pages say (the rest is the widget's catalogue).
#[derive(Clone, Copy)]
enum PageText {
    /// Title of the page that shows the form again.
    CheckTheForm,
    /// Above the list of errors.
    FixTheFields,
    Back,
    /// The post came from another site (or without the page's CSRF token).
    CrossSite,
    /// The body was too large or not a form.
    Unreadable,
    /// Title of the pages that refuse or fail.
    NotSent,
    /// Before the API's own message when it refused what the page carried (a hidden field).
    Refused,
}

fn page_text(lang: Lang, key: PageText) -> &'static str {
    use PageText::*;
    match (key, lang) {
        (CheckTheForm, Lang::En) => "Check the form",
        (CheckTheForm, _) => "Sjekk skjemaet",
        (FixTheFields, Lang::Nb) => "Rett opp dette, og send skjemaet igjen. Det du skrev, er tatt vare på.",
        (FixTheFields, Lang::Nn) => "Rett opp dette, og send skjemaet igjen. Det du skreiv, er teke vare på.",
        (FixTheFields, Lang::En) => "Please correct the following and send the form again. What you entered has been kept.",
        (Back, Lang::Nb) => "Tilbake til siden du kom fra",
        (Back, Lang::Nn) => "Tilbake til sida du kom frå",
        (Back, Lang::En) => "Back to the page you came from",
        (CrossSite, Lang::Nb) => "Skjemaet ble ikke sendt fra denne nettbutikkens sider, eller siden var for gammel. Gå tilbake, last inn siden på nytt og prøv igjen.",
        (CrossSite, Lang::Nn) => "Skjemaet vart ikkje sendt frå sidene til denne nettbutikken, eller sida var for gammal. Gå tilbake, last inn sida på nytt og prøv igjen.",
        (CrossSite, Lang::En) => "The form was not sent from this shop's pages, or the page was too old. Go back, reload the page and try again.",
        (Unreadable, Lang::Nb) => "Skjemaet kunne ikke leses (for stort, eller ikke et skjema).",
        (Unreadable, Lang::Nn) => "Skjemaet kunne ikkje lesast (for stort, eller ikkje eit skjema).",
        (Unreadable, Lang::En) => "The form could not be read (too large, or not a form).",
        (NotSent, Lang::Nb) => "Skjemaet ble ikke sendt",
        (NotSent, Lang::Nn) => "Skjemaet vart ikkje sendt",
        (NotSent, Lang::En) => "The form was not sent",
        (Refused, Lang::Nb) => "Skjemaet på siden passer ikke med det serveren venter:",
        (Refused, Lang::Nn) => "Skjemaet på sida passar ikkje med det serveren ventar:",
        (Refused, Lang::En) => "The form on the page does not match what the server expects:",
    }
}

/// The widget's catalogue text (the backend has no shop config; the consent wording, which a
/// shop may reword, comes with the post).
fn form_text(lang: Lang) -> impl Fn(FormText) -> &'static str {
    move |key| key.default_text(lang)
}

/// Where the answer's link leads: the page the form was on, or the shop's front page.
pub struct Back<'a>(pub &'a str);

impl Back<'_> {
    fn link(&self, lang: Lang) -> Element {
        Element::new("p").child(
            Element::new("a")
                .attr("href", self.0)
                .text(page_text(lang, PageText::Back)),
        )
    }
}

/// A [`Page`] whose own forms may post again: its referrer policy keeps `Origin` on same-origin
/// posts (a `no-referrer` page sends `Origin: null`, which the same-origin check refuses) and
/// still sends nothing to other sites.
pub struct FormPage(Page);

impl IntoResponse for FormPage {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response.headers_mut().insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        response
    }
}

fn page(
    status: StatusCode,
    lang: Lang,
    title: &str,
    content: Vec<Element>,
    back: &Back,
) -> FormPage {
    let mut body: String = content.iter().map(Element::to_html).collect();
    body.push_str(&back.link(lang).to_html());
    FormPage(Page {
        status,
        lang: lang.tag(),
        title: title.to_owned(),
        body,
    })
}

fn answer(lang: Lang, title: FormText, text: String, back: &Back) -> FormPage {
    let t = form_text(lang);
    let status = Element::new("p").attr("class", "pw-answer").text(text);
    page(StatusCode::OK, lang, t(title), vec![status], back)
}

/// Signed up, or nothing to do: the same words whether or not the address was known.
pub fn signup_received(lang: Lang, back: &Back) -> FormPage {
    answer(
        lang,
        FormText::NewsletterTitle,
        form_text(lang)(FormText::NewsletterCheckEmail).to_owned(),
        back,
    )
}

/// The withdrawal was asked for: the same words whether or not the address was listed.
pub fn withdrawal_received(lang: Lang, back: &Back) -> FormPage {
    let t = form_text(lang);
    answer(
        lang,
        FormText::NewsletterUnsubscribeTitle,
        t(FormText::NewsletterUnsubscribeCheckEmail).to_owned(),
        back,
    )
}

/// The rights request is stored: its reference, when there is one (a bot gets none).
pub fn rights_received(lang: Lang, reference: Option<&str>, back: &Back) -> FormPage {
    let t = form_text(lang);
    let mut text = t(FormText::RightsDelivered).to_owned();
    if let Some(reference) = reference {
        text.push(' ');
        text.push_str(&fill(
            t(FormText::RightsReference),
            &[("reference", reference)],
        ));
    }
    answer(lang, FormText::RightsTitle, text, back)
}

/// The error summary above a form shown again: each error, linking to its field.
fn summary(lang: Lang, id_prefix: &str, errors: &[(&str, FormText)]) -> Element {
    let t = form_text(lang);
    let mut list = Element::new("ul");
    for (name, key) in errors {
        let href = format!("#{id_prefix}-{name}");
        list.push(Element::new("li").child(Element::new("a").attr("href", href).text(t(*key))));
    }
    Element::new("div")
        .attr("class", "pw-answer")
        .child(Element::new("p").text(page_text(lang, PageText::FixTheFields)))
        .child(list)
}

/// The hidden field that carries the page the form was first on through a form shown again
/// (whose own `Referer` is this answer page).
pub const BACK_FIELD: &str = "back";

/// Adds the back field to the `<form>` inside `markup`.
fn carry_back(markup: &mut Element, back: &Back) -> bool {
    if markup.tag == "form" {
        markup.push(
            Element::new("input")
                .attr("type", "hidden")
                .attr("name", BACK_FIELD)
                .attr("value", back.0),
        );
        return true;
    }
    markup.children.iter_mut().any(|child| match child {
        Node::Element(e) => carry_back(e, back),
        Node::Text(_) => false,
    })
}

fn check_the_form(lang: Lang, mut content: Vec<Element>, back: &Back) -> FormPage {
    for markup in &mut content {
        carry_back(markup, back);
    }
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        lang,
        page_text(lang, PageText::CheckTheForm),
        content,
        back,
    )
}

/// The id prefixes of the forms shown again (the pre-rendered page's, so a shop's CSS fits both).
const SIGNUP_PREFIX: &str = "pw-nl";
const WITHDRAWAL_PREFIX: &str = "pw-nlu";
const RIGHTS_PREFIX: &str = "pw-rr";

fn context<'a>(
    lang: Lang,
    action: &'a str,
    csrf: &'a str,
    id_prefix: &'a str,
    texts: &'a dyn Fn(FormText) -> &'a str,
) -> FormContext<'a> {
    FormContext {
        lang,
        action,
        csrf,
        id_prefix,
        texts,
    }
}

fn newsletter_field_name(field: privacy_widget_core::newsletter::Field) -> &'static str {
    use privacy_widget_core::newsletter::Field;
    match field {
        Field::Email => "email",
        Field::FirstName => "first-name",
        Field::Consent => form_markup::CONSENT_FIELD,
    }
}

/// The signup form again, as the visitor filled it (the wording and revision it carried kept).
pub fn signup_again(signup: &Signup, action: &str, csrf: &str, back: &Back) -> FormPage {
    let lang = signup.form.lang;
    let texts = |key: FormText| -> &str { key.default_text(lang) };
    let fields = NewsletterFields {
        consent_text: Some(&signup.consent_text),
        revision: &signup.revision,
        privacy_policy_url: None,
        privacy_statement_label: "",
    };
    let errors: Vec<_> = signup
        .form
        .errors
        .iter()
        .map(|(f, key)| (newsletter_field_name(*f), *key))
        .collect();
    let form = form_markup::newsletter(
        &context(lang, action, csrf, SIGNUP_PREFIX, &texts),
        &fields,
        &signup.form,
    );
    check_the_form(
        lang,
        vec![summary(lang, SIGNUP_PREFIX, &errors), form],
        back,
    )
}

/// The withdrawal form again, with the address as typed.
pub fn withdrawal_again(form: &NewsletterForm, action: &str, csrf: &str, back: &Back) -> FormPage {
    let lang = form.lang;
    let texts = |key: FormText| -> &str { key.default_text(lang) };
    let fields = NewsletterFields {
        consent_text: None,
        revision: "",
        privacy_policy_url: None,
        privacy_statement_label: "",
    };
    let errors: Vec<_> = form
        .errors
        .iter()
        .map(|(f, key)| (newsletter_field_name(*f), *key))
        .collect();
    let markup = form_markup::newsletter(
        &context(lang, action, csrf, WITHDRAWAL_PREFIX, &texts),
        &fields,
        form,
    );
    check_the_form(
        lang,
        vec![summary(lang, WITHDRAWAL_PREFIX, &errors), markup],
        back,
    )
}

/// The rights-request form again, as the visitor filled it.
pub fn rights_again(form: &RightsForm, action: &str, csrf: &str, back: &Back) -> FormPage {
    use privacy_widget_core::rights::{Field, RequestType};
    let lang = form.lang;
    let texts = |key: FormText| -> &str { key.default_text(lang) };
    let first_type = String::from("type-") + RequestType::ALL[0].name();
    let errors: Vec<_> = form
        .errors
        .iter()
        .map(|(field, key)| {
            let name = match field {
                Field::RequestType => first_type.as_str(),
                Field::Email => "email",
                Field::Message => "message",
                Field::Confirm => form_markup::CONFIRM_FIELD,
            };
            (name, *key)
        })
        .collect();
    let markup =
        form_markup::rights_section(&context(lang, action, csrf, RIGHTS_PREFIX, &texts), form);
    check_the_form(
        lang,
        vec![summary(lang, RIGHTS_PREFIX, &errors), markup],
        back,
    )
}

/// Why a post was not taken, for the visitor.
pub enum Refusal {
    /// Not same-origin, or the CSRF token was missing or wrong.
    CrossSite,
    /// Too large, or not a form body.
    Unreadable(StatusCode),
    /// The mail budget for this client or address is used up.
    RateLimited { retry_after_secs: u64 },
    /// The API refused what the page carried: its status and its field-named message.
    Refused { status: StatusCode, message: String },
    /// Ours: logged, not shown.
    Failed,
}

/// The page for a post that was not taken; the visitor's input is still in the form they
/// go back to (the browser keeps it).
pub fn refusal(lang: Lang, refusal: Refusal, back: &Back) -> Response {
    let t = form_text(lang);
    let say = |text: &str| Element::new("p").attr("class", "pw-answer").text(text);
    let title = page_text(lang, PageText::NotSent);
    let (status, content, retry_after) = match refusal {
        Refusal::CrossSite => (
            StatusCode::FORBIDDEN,
            vec![say(page_text(lang, PageText::CrossSite))],
            None,
        ),
        Refusal::Unreadable(status) => (
            status,
            vec![say(page_text(lang, PageText::Unreadable))],
            None,
        ),
        Refusal::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            vec![say(t(FormText::FormRateLimited))],
            Some(retry_after_secs),
        ),
        Refusal::Refused { status, message } => (
            status,
            vec![
                say(page_text(lang, PageText::Refused)),
                Element::new("p").child(Element::new("code").text(message)),
            ],
            None,
        ),
        Refusal::Failed => (
            StatusCode::INTERNAL_SERVER_ERROR,
            vec![say(t(FormText::FormFailed))],
            None,
        ),
    };
    let mut response = page(status, lang, title, content, back).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use privacy_widget_core::form_post::{self, Checked, PostedFields};

    async fn read_page(response: Response) -> (StatusCode, String) {
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[tokio::test]
    async fn a_signup_with_mistakes_comes_back_with_the_input_kept_and_errors_linked_to_fields() {
        let posted = fields(&[
            ("language", "en"),
            ("email", "kari@localhost\"><script>"),
            ("consent_text", "Yes <b>please</b>"),
            ("revision", "r1"),
        ]);
        let Checked::Invalid(signup) = Signup::read(&PostedFields(&posted)).check() else {
            panic!("invalid")
        };
        let (status, html) = read_page(
            signup_again(
                &signup,
                "/api/newsletter/subscribe",
                "tok",
                &Back("/shop?x=1"),
            )
            .into_response(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("<html lang=\"en\">"), "{html}");
        assert!(html.contains("<title>Check the form</title>"));
        assert!(
            html.contains("value=\"kari@localhost&quot;&gt;&lt;script&gt;\""),
            "typed value kept, escaped: {html}"
        );
        assert!(!html.contains("<script"), "no script at all");
        assert!(
            html.contains("<a href=\"#pw-nl-email\">"),
            "the summary links to the field"
        );
        assert!(html.contains("<a href=\"#pw-nl-consent\">"));
        assert!(
            html.contains("id=\"pw-nl-email-error\""),
            "the error sits next to the field"
        );
        assert!(
            html.contains("name=\"consent_text\" value=\"Yes &lt;b&gt;please&lt;/b&gt;\""),
            "the wording goes back as it came"
        );
        assert!(html.contains("name=\"csrf\" value=\"tok\""));
        assert!(html.contains("<form method=\"post\" action=\"/api/newsletter/subscribe\""));
        assert!(html.contains("<a href=\"/shop?x=1\">Back to the page you came from</a>"));
        assert!(
            html.contains("<input type=\"hidden\" name=\"back\" value=\"/shop?x=1\"></form>"),
            "carried through a second post"
        );
    }

    #[tokio::test]
    async fn a_rights_request_with_mistakes_keeps_the_chosen_type_and_message() {
        let posted = fields(&[
            ("language", "nn"),
            ("type", "rectification"),
            ("email", "kari@example.no"),
            ("message", ""),
        ]);
        let Checked::Invalid(form) = form_post::rights(&PostedFields(&posted)) else {
            panic!("invalid")
        };
        let (status, html) =
            read_page(rights_again(&form, "/api/rights-requests", "", &Back("/")).into_response())
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("<html lang=\"nn\">"));
        assert!(
            html.contains("value=\"rectification\" required=\"\" checked=\"\""),
            "{html}"
        );
        assert!(html.contains("value=\"kari@example.no\""));
        assert!(html.contains("<a href=\"#pw-rr-message\">"));
        assert!(html.contains("<a href=\"#pw-rr-confirmed\">"));
        assert!(
            !html.contains("name=\"csrf\""),
            "no token configured, no field"
        );
    }

    #[tokio::test]
    async fn answers_say_the_same_for_every_address_and_give_the_reference() {
        let (status, html) = read_page(signup_received(Lang::Nb, &Back("/")).into_response()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(FormText::NewsletterCheckEmail.default_text(Lang::Nb)));
        let response = signup_received(Lang::Nb, &Back("/")).into_response();
        assert_eq!(
            response.headers()[header::REFERRER_POLICY],
            "same-origin",
            "its form can post again"
        );
        let (_, html) = read_page(
            rights_received(Lang::En, Some("PV-2026-000007"), &Back("/")).into_response(),
        )
        .await;
        assert!(
            html.contains("Your reference number is PV-2026-000007."),
            "{html}"
        );
    }

    #[tokio::test]
    async fn refusals_have_their_status_and_a_rate_limit_says_when_to_retry() {
        let response = refusal(
            Lang::En,
            Refusal::RateLimited {
                retry_after_secs: 120,
            },
            &Back("/"),
        );
        assert_eq!(response.headers()[header::RETRY_AFTER], "120");
        let (status, html) = read_page(response).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(html.contains(FormText::FormRateLimited.default_text(Lang::En)));
        let refused = Refusal::Refused {
            status: StatusCode::BAD_REQUEST,
            message: "`revision`: <bad>".into(),
        };
        let (status, html) = read_page(refusal(Lang::Nb, refused, &Back("/"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            html.contains("<code>`revision`: &lt;bad&gt;</code>"),
            "the API's field-named message, escaped"
        );
        let (status, _) = read_page(refusal(Lang::Nb, Refusal::CrossSite, &Back("/"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}
