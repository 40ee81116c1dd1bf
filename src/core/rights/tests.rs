//! Host tests: every transition of the rights-request form, the exact post body, the mailto
//! fallback and its percent-encoding.

use super::*;
use crate::config::tests::{demo, DEMO};
use crate::form::{Delivery, Phase, SubmissionMsg};
use crate::json;
use crate::outbox::IdempotencyKey;

const CONSENT_ID: &str = "0123456789abcdef0123456789abcdef";

/// The demo config with a rights-request endpoint.
fn with_endpoint() -> Config {
    let from = r#""endpoints": {"consent": "/api/consent"}"#;
    assert_eq!(DEMO.matches(from).count(), 1);
    Config::parse(
        &DEMO.replace(from, r#""endpoints": {"consent": "/api/consent", "rightsRequest": "/api/rights-requests"}"#),
    )
    .unwrap()
}

/// The demo config without a rights endpoint but with a contact address.
fn with_contact(address: &str) -> Config {
    let mut field = String::from(r#"{"contactEmail": "#);
    json::write_string(&mut field, address);
    field.push(',');
    Config::parse(&DEMO.replacen('{', &field, 1)).unwrap()
}

fn encoded(text: &str) -> String {
    let mut out = String::new();
    push_percent_encoded(&mut out, text, b"");
    out
}

const SUBMIT: RightsMsg = RightsMsg::Submission(SubmissionMsg::Submit);
const FAILED: RightsMsg = RightsMsg::Submission(SubmissionMsg::Failed);

/// The backend's 2xx answer carrying `reference`.
fn delivered(reference: &str) -> RightsMsg {
    let mut body = String::from(r#"{"reference":"#);
    json::write_string(&mut body, reference);
    body.push('}');
    RightsMsg::Submission(SubmissionMsg::Delivered(body))
}

fn rate_limited(retry_after_s: u32) -> RightsMsg {
    RightsMsg::Submission(SubmissionMsg::RateLimited { retry_after_s })
}

fn filled(form: &mut RightsForm, config: &Config, request_type: RequestType, email: &str, message: &str) {
    form.update(config, RightsMsg::TypeSelected(request_type));
    form.update(config, RightsMsg::EmailInput(email.into()));
    form.update(config, RightsMsg::MessageInput(message.into()));
    form.update(config, RightsMsg::ConfirmToggled(true));
}

fn posted(effects: &[RightsEffect]) -> String {
    match effects {
        [RightsEffect::Post { endpoint: Endpoint::RightsRequest, body }, RightsEffect::Render, RightsEffect::Announce(FormText::FormSending)] => {
            body.to_json()
        }
        other => panic!("expected Post, Render, Announce(FormSending); got {other:?}"),
    }
}

#[test]
fn percent_encoding_follows_rfc_6068() {
    let cases: &[(&str, &str)] = &[
        ("æøå", "%C3%A6%C3%B8%C3%A5"),
        ("ÆØÅ", "%C3%86%C3%98%C3%85"),
        ("a b", "a%20b"),
        ("&", "%26"),
        ("?", "%3F"),
        ("#", "%23"),
        ("%", "%25"),
        ("%20", "%2520"),
        ("\n", "%0D%0A"),
        ("\r\n", "%0D%0A"),
        ("\r", "%0D%0A"),
        ("a\n\nb\r\n\r\nc\r\rd", "a%0D%0A%0D%0Ab%0D%0A%0D%0Ac%0D%0A%0D%0Ad"),
        ("a+b=c", "a%2Bb%3Dc"),
        ("AZaz09-._~", "AZaz09-._~"),
        ("é😀", "%C3%A9%F0%9F%98%80"),
        ("/;,:@!$'()*", "%2F%3B%2C%3A%40%21%24%27%28%29%2A"),
        ("", ""),
    ];
    for (text, expected) in cases {
        assert_eq!(encoded(text), *expected, "{text:?}");
    }
}

#[test]
fn mailto_addresses_keep_their_at_and_encode_what_rfc_6068_requires() {
    assert_eq!(mailto_url("personvern@serviteur.no", "", ""), "mailto:personvern@serviteur.no?subject=&body=");
    assert_eq!(
        mailto_url("a&b=c?d#e%f/g{h}|i`j^k+l'm@serviteur.no", "x", "y"),
        "mailto:a%26b%3Dc%3Fd%23e%25f%2Fg%7Bh%7D%7Ci%60j%5Ek+l'm@serviteur.no?subject=x&body=y"
    );
}

#[test]
fn request_types_have_names_titles_and_explanations_in_every_language() {
    let names: Vec<&str> = RequestType::ALL.iter().map(|t| t.name()).collect();
    assert_eq!(names, ["access", "rectification", "erasure", "withdraw_consent"]);
    for t in RequestType::ALL {
        assert_eq!(RequestType::from_name(t.name()), Some(t));
        for lang in Lang::ALL {
            assert!(!t.title().default_text(lang).is_empty());
            assert!(t.description().default_text(lang).ends_with('.'), "{t:?} {lang:?}");
        }
    }
    assert_eq!(RequestType::from_name("delete"), None);
    assert_eq!(RequestType::Erasure.title().default_text(Lang::Nb), "Sletting");
    assert_eq!(RequestType::WithdrawConsent.title().default_text(Lang::Nn), "Trekkje tilbake samtykke");
}

#[test]
fn the_complaint_line_names_datatilsynet() {
    assert_eq!(DATATILSYNET_URL, "https://www.datatilsynet.no/");
    assert_eq!(FormText::RightsComplaint.default_text(Lang::Nb), "Du kan også klage til Datatilsynet");
    for lang in Lang::ALL {
        assert!(FormText::RightsComplaint.default_text(lang).contains("Datatilsynet"));
    }
}

#[test]
fn the_channel_is_the_endpoint_else_a_valid_contact_address_else_none() {
    assert_eq!(RightsChannel::of(&with_endpoint()), Some(RightsChannel::Endpoint));
    assert_eq!(
        RightsChannel::of(&with_contact("Personvern@Serviteur.NO")),
        Some(RightsChannel::Mailto("Personvern@serviteur.no".into()))
    );
    assert_eq!(RightsChannel::of(&with_contact("personvern at serviteur")), None);
    assert_eq!(RightsChannel::of(&demo()), None);
}

#[test]
fn a_new_form_has_nothing_chosen_or_ticked() {
    let form = RightsForm::new(Lang::Nb, Some(CONSENT_ID.into()));
    assert_eq!(form.phase(), Phase::Editing);
    assert_eq!((form.request_type, form.confirmed), (None, false));
    assert_eq!(form.consent_id.as_deref(), Some(CONSENT_ID));
    assert_eq!(form.status(&demo()), None);
    assert_eq!(form.submit_label(&with_endpoint()), FormText::RightsSubmit);
    assert_eq!(form.submit_label(&with_contact("a@b.no")), FormText::RightsSubmitMailto);
}

#[test]
fn submit_posts_the_exact_body() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::Nb, Some(CONSENT_ID.into()));
    filled(&mut form, &config, RequestType::Access, " Kari@Example.NO ", "  Hva har dere lagret om meg?\n");
    let body = posted(&form.update(&config, SUBMIT));
    assert_eq!(
        body,
        r#"{"type":"access","email":"Kari@example.no","message":"Hva har dere lagret om meg?","consent_id":"0123456789abcdef0123456789abcdef","language":"nb","confirmed":true}"#
    );
    assert_eq!(form.phase(), Phase::Sending);
    assert_eq!(form.email, " Kari@Example.NO ");

    let mut anonymous = RightsForm::new(Lang::En, None);
    filled(&mut anonymous, &config, RequestType::WithdrawConsent, "kari@example.no", "");
    assert_eq!(
        posted(&anonymous.update(&config, SUBMIT)),
        r#"{"type":"withdraw_consent","email":"kari@example.no","message":"","language":"en","confirmed":true}"#
    );
}

#[test]
fn every_missing_field_is_an_error_and_the_first_gets_focus() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::Nb, None);
    let effects = form.update(&config, SUBMIT);
    assert_eq!(effects, vec![RightsEffect::Render, RightsEffect::FocusField(Field::RequestType)]);
    assert_eq!(
        form.errors,
        vec![
            (Field::RequestType, FormText::RightsTypeRequired),
            (Field::Email, FormText::EmailEmpty),
            (Field::Confirm, FormText::RightsConfirmRequired),
        ]
    );
    form.update(&config, RightsMsg::TypeSelected(RequestType::Erasure));
    form.update(&config, RightsMsg::EmailInput("kari@sjø.no".into()));
    let effects = form.update(&config, SUBMIT);
    assert_eq!(effects, vec![RightsEffect::Render, RightsEffect::FocusField(Field::Email)]);
    assert_eq!(form.error(Field::Email), Some(FormText::EmailNonAscii));
    assert_eq!(form.email, "kari@sjø.no");
    form.update(&config, RightsMsg::EmailInput("kari@example.no".into()));
    assert_eq!(form.update(&config, SUBMIT), vec![RightsEffect::Render, RightsEffect::FocusField(Field::Confirm)]);
    assert_eq!(form.errors, vec![(Field::Confirm, FormText::RightsConfirmRequired)]);
    assert_eq!(form.update(&config, RightsMsg::ConfirmToggled(true)), vec![RightsEffect::SyncErrors]);
    posted(&form.update(&config, SUBMIT));
}

#[test]
fn the_message_is_limited_to_4000_characters_not_bytes() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::Nb, None);
    let at_limit: String = core::iter::repeat_n('ø', MAX_MESSAGE_CHARS).collect();
    filled(&mut form, &config, RequestType::Access, "kari@example.no", &at_limit);
    assert_eq!(form.message_chars_left(), 0);
    assert_eq!(form.message_counter(&config), "0 tegn igjen");
    let mut over = at_limit.clone();
    over.push('!');
    form.update(&config, RightsMsg::MessageInput(over.clone()));
    assert_eq!(form.message_chars_left(), -1);
    assert_eq!(form.update(&config, SUBMIT), vec![RightsEffect::Render, RightsEffect::FocusField(Field::Message)]);
    assert_eq!(form.error(Field::Message), Some(FormText::RightsMessageTooLong));
    assert_eq!(form.message, over, "the text is kept, not cut");
    assert_eq!(form.update(&config, RightsMsg::MessageInput(at_limit)), vec![RightsEffect::SyncErrors]);
    posted(&form.update(&config, SUBMIT));

    let mut fresh = RightsForm::new(Lang::En, None);
    fresh.update(&config, RightsMsg::MessageInput("Hei".into()));
    assert_eq!(fresh.message_counter(&config), "3997 characters left");
}

#[test]
fn rectification_needs_a_message_and_another_type_clears_that_error() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::Nb, None);
    filled(&mut form, &config, RequestType::Rectification, "kari@example.no", "  \n ");
    assert_eq!(form.update(&config, SUBMIT), vec![RightsEffect::Render, RightsEffect::FocusField(Field::Message)]);
    assert_eq!(form.errors, vec![(Field::Message, FormText::RightsMessageRequired)]);
    assert_eq!(form.update(&config, RightsMsg::TypeSelected(RequestType::Access)), vec![RightsEffect::SyncErrors]);
    assert_eq!(form.errors, vec![]);
    // Back to rectification: no new error until the next submit.
    assert!(form.update(&config, RightsMsg::TypeSelected(RequestType::Rectification)).is_empty());
    form.update(&config, SUBMIT);
    assert_eq!(
        form.update(&config, RightsMsg::MessageInput("Navnet mitt er stavet feil: Kari, ikke Karin.".into())),
        vec![RightsEffect::SyncErrors]
    );
    let body = posted(&form.update(&config, SUBMIT));
    assert_eq!(json::parse(&body).unwrap().get("type").and_then(Json::as_str), Some("rectification"));
}

#[test]
fn delivered_shows_the_reference_number() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::En, None);
    filled(&mut form, &config, RequestType::Access, "kari@example.no", "");
    form.update(&config, SUBMIT);
    let effects = form.update(&config, delivered(" PV-2026-000123 "));
    assert_eq!(effects, vec![RightsEffect::Render, RightsEffect::FocusStatus]);
    assert_eq!((form.phase(), form.reference.as_str()), (Phase::Done, "PV-2026-000123"));
    assert_eq!(
        form.status(&config).as_deref(),
        Some("Thank you! We have received your request and will answer within one month. Your reference number is PV-2026-000123.")
    );
    form.update(&config, RightsMsg::SetLanguage(Lang::Nb));
    assert!(form.status(&config).unwrap().ends_with("Referansenummeret ditt er PV-2026-000123."));
    for msg in [SUBMIT, SUBMIT, FAILED, delivered("PV-2")] {
        assert!(form.update(&config, msg).is_empty());
    }
    assert_eq!((form.phase(), form.reference.as_str()), (Phase::Done, "PV-2026-000123"));
}

#[test]
fn delivered_without_a_reference_still_confirms() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::Nn, None);
    filled(&mut form, &config, RequestType::Erasure, "kari@example.no", "");
    form.update(&config, SUBMIT);
    form.update(&config, delivered(""));
    assert_eq!(form.status(&config).as_deref(), Some("Takk! Vi har fått førespurnaden din og svarar innan ein månad."));
}

#[test]
fn double_submit_while_sending_posts_once() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::Nb, None);
    filled(&mut form, &config, RequestType::Access, "kari@example.no", "");
    posted(&form.update(&config, SUBMIT));
    assert!(form.update(&config, SUBMIT).is_empty());
    assert!(form.update(&config, SUBMIT).is_empty());
}

#[test]
fn rate_limited_and_failed_keep_all_input_and_retry_posts_the_same_body() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::Nb, Some(CONSENT_ID.into()));
    filled(&mut form, &config, RequestType::Erasure, "Kari@Example.no", "Slett kontoen min.");
    let first = posted(&form.update(&config, SUBMIT));

    let effects = form.update(&config, rate_limited(60));
    assert_eq!(effects, vec![RightsEffect::Render, RightsEffect::Announce(FormText::FormRateLimited)]);
    assert_eq!(form.phase(), Phase::RateLimited { retry_after_s: 60 });
    assert_eq!(form.submit_label(&config), FormText::FormRetry);
    assert_eq!(posted(&form.update(&config, SUBMIT)), first);

    let effects = form.update(&config, FAILED);
    assert_eq!(effects, vec![RightsEffect::Render, RightsEffect::Announce(FormText::FormFailed)]);
    assert_eq!(form.phase(), Phase::Failed);
    assert_eq!(form.status(&config).as_deref(), Some(FormText::FormFailed.default_text(Lang::Nb)));
    assert_eq!(
        (form.request_type, form.email.as_str(), form.message.as_str(), form.confirmed, form.consent_id.as_deref()),
        (Some(RequestType::Erasure), "Kari@Example.no", "Slett kontoen min.", true, Some(CONSENT_ID))
    );
    assert_eq!(posted(&form.update(&config, SUBMIT)), first);
    form.update(&config, FAILED);
    assert_eq!(posted(&form.update(&config, SUBMIT)), first);
    // A late success after a rate limit or failure is still success.
    form.update(&config, rate_limited(1));
    form.update(&config, delivered("PV-2026-000124"));
    assert_eq!((form.phase(), form.reference.as_str()), (Phase::Done, "PV-2026-000124"));
}

#[test]
fn outcomes_without_a_request_in_flight_are_ignored() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::Nb, None);
    for msg in [
        delivered("PV-1"),
        FAILED,
        rate_limited(1),
        RightsMsg::Submission(SubmissionMsg::Report {
            key: IdempotencyKey::from_random([2; 16]),
            delivery: Delivery::Dropped,
        }),
    ] {
        assert!(form.update(&config, msg).is_empty());
        assert_eq!(form.phase(), Phase::Editing);
    }
}

#[test]
fn the_typed_email_survives_every_error_state() {
    let config = with_endpoint();
    let typed = "Kari@Example.no ";
    let mut form = RightsForm::new(Lang::Nb, None);
    form.update(&config, RightsMsg::EmailInput(typed.into()));
    let script = [
        SUBMIT, // type and confirmation missing
        RightsMsg::TypeSelected(RequestType::Rectification),
        RightsMsg::ConfirmToggled(true),
        SUBMIT, // message missing
        RightsMsg::MessageInput("Feil adresse".into()),
        SUBMIT,
        rate_limited(3),
        SUBMIT,
        FAILED,
        RightsMsg::SetLanguage(Lang::En),
        SUBMIT,
        FAILED,
    ];
    for msg in script {
        let label = format!("{msg:?}");
        form.update(&config, msg);
        assert_eq!(form.email, typed, "after {label}");
    }
    assert_eq!(form.phase(), Phase::Failed);
}

#[test]
fn without_an_endpoint_submit_opens_a_prefilled_email() {
    let config = with_contact("personvern@serviteur.no");
    let mut form = RightsForm::new(Lang::Nb, Some(CONSENT_ID.into()));
    filled(
        &mut form,
        &config,
        RequestType::Rectification,
        "kari@example.no",
        "Adressen min er feil: «Storgata 1» skal være «Storgata 10» & postnr. 0155?\r\nMvh Kari #1 100%",
    );
    let effects = form.update(&config, SUBMIT);
    let expected = "mailto:personvern@serviteur.no?subject=Personvernforesp%C3%B8rsel%3A%20Retting&body=Retting%3A%20F%C3%A5%20rettet%20opplysninger%20om%20deg%20som%20er%20feil%20eller%20ufullstendige.%0D%0AE-postadresse%3A%20kari%40example.no%0D%0ASamtykke-ID%3A%200123456789abcdef0123456789abcdef%0D%0A%0D%0AAdressen%20min%20er%20feil%3A%20%C2%ABStorgata%201%C2%BB%20skal%20v%C3%A6re%20%C2%ABStorgata%2010%C2%BB%20%26%20postnr.%200155%3F%0D%0AMvh%20Kari%20%231%20100%25%0D%0A%0D%0AJeg%20bekrefter%20at%20jeg%20er%20personen%20foresp%C3%B8rselen%20gjelder.";
    assert_eq!(
        effects,
        vec![RightsEffect::OpenMailto(expected.into()), RightsEffect::Render, RightsEffect::FocusStatus]
    );
    assert_eq!((form.phase(), form.mailto.as_deref()), (Phase::Editing, Some(expected)));
    assert!(form.status(&config).unwrap().ends_with("Åpnet det seg ikke noe? Skriv til personvern@serviteur.no."));
    // Nothing opened? Submitting again opens it again; outcomes do not apply to e-mail.
    assert!(form.update(&config, delivered("x")).is_empty());
    assert_eq!(form.update(&config, SUBMIT), effects);
}

#[test]
fn the_mailto_body_leaves_out_what_the_visitor_did_not_give() {
    let config = with_contact("personvern@serviteur.no");
    let mut form = RightsForm::new(Lang::En, None);
    filled(&mut form, &config, RequestType::Access, "kari@example.no", "   ");
    let effects = form.update(&config, SUBMIT);
    let [RightsEffect::OpenMailto(url), ..] = &effects[..] else { panic!("{effects:?}") };
    let body = url.split_once("&body=").unwrap().1;
    assert_eq!(
        body,
        [
            encoded("Access: Find out what information we hold about you and get a copy of it.\n"),
            encoded("E-mail address: kari@example.no\n\nI confirm that I am the person the request concerns."),
        ]
        .concat()
    );
    assert!(url.starts_with("mailto:personvern@serviteur.no?subject=Privacy%20request%3A%20Access&body="));
}

#[test]
fn validation_comes_before_the_mailto() {
    let config = with_contact("personvern@serviteur.no");
    let mut form = RightsForm::new(Lang::Nb, None);
    form.update(&config, RightsMsg::EmailInput("kari".into()));
    assert_eq!(form.update(&config, SUBMIT), vec![RightsEffect::Render, RightsEffect::FocusField(Field::RequestType)]);
    assert_eq!(form.error(Field::Email), Some(FormText::EmailMissingAt));
}

#[test]
fn with_no_way_to_send_submit_fails_and_keeps_the_input() {
    let config = demo();
    let mut form = RightsForm::new(Lang::Nb, None);
    filled(&mut form, &config, RequestType::Access, "kari@example.no", "Hei");
    assert_eq!(form.update(&config, SUBMIT), vec![RightsEffect::Render, RightsEffect::Announce(FormText::FormFailed)]);
    assert_eq!(form.phase(), Phase::Failed);
    assert_eq!((form.email.as_str(), form.message.as_str()), ("kari@example.no", "Hei"));
}

#[test]
fn set_language_rerenders_and_the_body_carries_the_new_language() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::Nb, None);
    filled(&mut form, &config, RequestType::Access, "kari@example.no", "");
    assert_eq!(form.update(&config, RightsMsg::SetLanguage(Lang::Nn)), vec![RightsEffect::Render]);
    let body = posted(&form.update(&config, SUBMIT));
    assert_eq!(json::parse(&body).unwrap().get("language").and_then(Json::as_str), Some("nn"));
    assert_eq!(form.status(&config).as_deref(), Some("Sender …"));
}

#[test]
fn the_reference_comes_from_this_forms_own_delivery_report() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::En, None);
    filled(&mut form, &config, RequestType::Access, "kari@example.no", "");
    posted(&form.update(&config, SUBMIT));
    let key = IdempotencyKey::from_random([3; 16]);
    form.update(&config, RightsMsg::Submission(SubmissionMsg::Queued(key.clone())));
    let report = |key: &IdempotencyKey, body: &str| {
        RightsMsg::Submission(SubmissionMsg::Report {
            key: key.clone(),
            delivery: Delivery::Delivered { body: body.into() },
        })
    };
    let other = IdempotencyKey::from_random([4; 16]);
    assert!(form.update(&config, report(&other, r#"{"reference":"PV-9"}"#)).is_empty(), "another form's request");
    assert_eq!(form.phase(), Phase::Sending);
    assert_eq!(
        form.update(&config, report(&key, r#"{"id":7,"reference":" PV-2026-000125 "}"#)),
        vec![RightsEffect::Render, RightsEffect::FocusStatus]
    );
    assert_eq!((form.phase(), form.reference.as_str()), (Phase::Done, "PV-2026-000125"));
    assert_eq!(form.submission.pending(), None);
}

#[test]
fn an_answer_without_json_still_confirms_without_a_reference() {
    let config = with_endpoint();
    let mut form = RightsForm::new(Lang::Nb, None);
    filled(&mut form, &config, RequestType::Access, "kari@example.no", "");
    form.update(&config, SUBMIT);
    form.update(&config, RightsMsg::Submission(SubmissionMsg::Delivered("OK".into())));
    assert_eq!((form.phase(), form.reference.as_str()), (Phase::Done, ""));
}
