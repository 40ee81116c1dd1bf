//! Host tests: the e-mail table, every transition of the signup and unsubscribe forms, and the
//! exact request bodies.

use super::*;
use crate::config::tests::{demo, DEMO};
use crate::form::{Delivery, Phase, SubmissionMsg};
use crate::json;
use crate::outbox::IdempotencyKey;
use EmailError as E;

const SERVITEUR_CONSENT: &str = "Ja, send meg nyhetsbrev med tilbud fra Serviteur på e-post, omtrent én gang i måneden. Jeg kan melde meg av når som helst.";

/// The demo config with Serviteur's name as the newsletter sender in bokmål.
fn serviteur() -> Config {
    Config::parse(&DEMO.replacen('{', r#"{"texts": {"nb": {"newsletterSender": "Serviteur"}},"#, 1)).unwrap()
}

fn repeat(c: char, n: usize) -> String {
    core::iter::repeat_n(c, n).collect()
}

#[test]
fn email_table() {
    let label63 = repeat('a', 63);
    let local64 = repeat('l', 64);
    // 64 + 1 + 189 = 254 bytes.
    let domain189 = [repeat('a', 63), repeat('b', 63), repeat('c', 58), "no".to_string()].join(".");
    let exactly_254 = [local64.as_str(), "@", &domain189].concat();
    assert_eq!(exactly_254.len(), 254);
    let long_label = ["ola@", &label63, ".no"].concat();
    let label64 = ["ola@", &label63, "a.no"].concat();
    let local64_addr = [local64.as_str(), "@x.no"].concat();
    let local65_addr = [local64.as_str(), "l@x.no"].concat();
    let total_255 = [local64.as_str(), "@", &domain189, "x"].concat();
    let total_300 = [
        repeat('a', 40),
        "@".into(),
        repeat('b', 60),
        ".".into(),
        repeat('c', 60),
        ".".into(),
        repeat('d', 60),
        ".".into(),
        repeat('e', 60),
        ".no".into(),
    ]
    .concat();

    let valid: &[(&str, &str)] = &[
        ("ola@serviteur.no", "ola@serviteur.no"),
        ("ola.nordmann+nyhetsbrev@serviteur.no", "ola.nordmann+nyhetsbrev@serviteur.no"),
        ("post@mail.eu.serviteur.no", "post@mail.eu.serviteur.no"),
        ("kunde123@firma99.no", "kunde123@firma99.no"),
        ("kari@my-shop.no", "kari@my-shop.no"),
        ("a-b-c@d-e.f-g.no", "a-b-c@d-e.f-g.no"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("!#$%&'*+/=?^_`{|}~-@example.no", "!#$%&'*+/=?^_`{|}~-@example.no"),
        ("  ola@serviteur.no \t\n", "ola@serviteur.no"),
        ("\u{c}\rola@serviteur.no\r\n", "ola@serviteur.no"),
        // The domain is lowercased; the local part keeps its case.
        ("Ola@Serviteur.NO", "Ola@serviteur.no"),
        ("UPPER@EXAMPLE.COM", "UPPER@example.com"),
        // The HTML rule allows dots anywhere in the local part, unlike RFC 5322's dot-atom.
        (".ola@serviteur.no", ".ola@serviteur.no"),
        ("ola.@serviteur.no", "ola.@serviteur.no"),
        ("o..la@serviteur.no", "o..la@serviteur.no"),
        ("a@b.co", "a@b.co"),
        ("x@1.2.3.4", "x@1.2.3.4"),
        ("post@xn--rksmrgs-5wao1o.josefsson.org", "post@xn--rksmrgs-5wao1o.josefsson.org"),
        ("a@b-1.no", "a@b-1.no"),
        (&long_label, &long_label),
        (&local64_addr, &local64_addr),
        (&exactly_254, &exactly_254),
    ];
    for (input, expected) in valid {
        assert_eq!(validate_email(input).as_deref(), Ok(*expected), "{input:?}");
    }

    let invalid: &[(&str, EmailError)] = &[
        ("", E::Empty),
        ("  \t ", E::Empty),
        ("olaserviteur.no", E::MissingAt),
        ("ola", E::MissingAt),
        ("ola@@serviteur.no", E::BadDomain),
        ("ola@kari@serviteur.no", E::BadDomain),
        ("@serviteur.no", E::BadLocalPart),
        ("æøå@serviteur.no", E::NonAscii),
        ("post@sjø.no", E::NonAscii),
        ("ola\u{a0}@serviteur.no", E::NonAscii),
        ("ola@serviteur.no\u{200b}", E::NonAscii),
        ("\"a b\"@serviteur.no", E::QuotedLocalPart),
        ("\"ola\"@serviteur.no", E::QuotedLocalPart),
        ("a\"b@serviteur.no", E::BadLocalPart),
        ("ola@serviteur", E::MissingTld),
        ("ola@localhost", E::MissingTld),
        ("ola@-serviteur.no", E::BadDomain),
        ("ola@serviteur-.no", E::BadDomain),
        ("ola@serviteur.no-", E::BadDomain),
        (&label64, E::BadDomain),
        (&total_255, E::TooLong),
        (&total_300, E::TooLong),
        (&local65_addr, E::TooLong),
        ("ola nordmann@serviteur.no", E::BadLocalPart),
        ("ola@servi teur.no", E::BadDomain),
        ("ola@serviteur.no.", E::BadDomain),
        ("ola@.serviteur.no", E::BadDomain),
        ("ola@serviteur..no", E::BadDomain),
        ("ola@", E::BadDomain),
        ("ola,kari@serviteur.no", E::BadLocalPart),
        ("ola(kommentar)@serviteur.no", E::BadLocalPart),
        ("ola\\x@serviteur.no", E::BadLocalPart),
        ("<ola@serviteur.no>", E::BadLocalPart),
        ("ola@[127.0.0.1]", E::BadDomain),
        ("ola@serviteur_no.no", E::BadDomain),
        ("ola@serviteur.no (Ola)", E::BadDomain),
    ];
    for (input, expected) in invalid {
        assert_eq!(validate_email(input), Err(*expected), "{input:?}");
    }
    assert!(valid.len() + invalid.len() >= 40);
}

#[test]
fn every_email_error_has_its_own_message() {
    let all = [
        E::Empty,
        E::MissingAt,
        E::BadLocalPart,
        E::BadDomain,
        E::MissingTld,
        E::TooLong,
        E::NonAscii,
        E::QuotedLocalPart,
    ];
    for (i, e) in all.iter().enumerate() {
        assert!(all[..i].iter().all(|other| other.text_key() != e.text_key()), "{e:?}");
    }
    assert!(E::NonAscii.text_key().default_text(Lang::En).contains("ASCII form"));
}

#[test]
fn consent_text_names_sender_and_frequency_and_follows_overrides() {
    assert_eq!(consent_text(&serviteur(), Lang::Nb), SERVITEUR_CONSENT);
    assert_eq!(
        consent_text(&demo(), Lang::En),
        "Yes, send me newsletters with offers from us by e-mail, about once a month. I can unsubscribe at any time."
    );
    let weekly =
        Config::parse(&DEMO.replacen('{', r#"{"texts": {"nn": {"newsletterFrequency": "kvar veke"}},"#, 1)).unwrap();
    assert_eq!(
        consent_text(&weekly, Lang::Nn),
        "Ja, send meg nyheitsbrev med tilbod frå oss på e-post, kvar veke. Eg kan melde meg av når som helst."
    );
}

const SUBMIT: NewsletterMsg = NewsletterMsg::Submission(SubmissionMsg::Submit);
const FAILED: NewsletterMsg = NewsletterMsg::Submission(SubmissionMsg::Failed);

fn delivered() -> NewsletterMsg {
    NewsletterMsg::Submission(SubmissionMsg::Delivered(String::new()))
}

fn rate_limited(retry_after_s: u32) -> NewsletterMsg {
    NewsletterMsg::Submission(SubmissionMsg::RateLimited { retry_after_s })
}

fn typed(form: &mut NewsletterForm, config: &Config, email: &str, consent: bool) {
    form.update(config, NewsletterMsg::EmailInput(email.into()));
    form.update(config, NewsletterMsg::ConsentToggled(consent));
}

fn posted(effects: &[NewsletterEffect]) -> (Endpoint, String) {
    match effects {
        [NewsletterEffect::Post { endpoint, body }, NewsletterEffect::Render, NewsletterEffect::Announce(FormText::FormSending)] => {
            (*endpoint, body.to_json())
        }
        other => panic!("expected Post, Render, Announce(FormSending); got {other:?}"),
    }
}

#[test]
fn a_new_form_is_empty_and_unticked() {
    let form = NewsletterForm::subscribe(Lang::Nb, false);
    assert_eq!(form.phase(), Phase::Editing);
    assert!(!form.consent, "the consent box is never pre-ticked");
    assert_eq!((form.email.as_str(), form.first_name.as_deref()), ("", None));
    assert_eq!(form.status(), None);
    assert_eq!(form.submit_label(), FormText::NewsletterSubmit);
    assert_eq!(NewsletterForm::subscribe(Lang::Nb, true).first_name.as_deref(), Some(""));
}

#[test]
fn submit_posts_the_exact_body_with_the_consent_text_and_its_hash() {
    let config = serviteur();
    let mut form = NewsletterForm::subscribe(Lang::Nb, false);
    typed(&mut form, &config, "  Ola.Nordmann@Serviteur.NO ", true);
    let (endpoint, body) = posted(&form.update(&config, SUBMIT));
    assert_eq!(endpoint, Endpoint::Newsletter);
    let mut expected = String::from(r#"{"email":"Ola.Nordmann@serviteur.no","consent_text":""#);
    expected.push_str(SERVITEUR_CONSENT);
    expected.push_str(r#"","consent_text_version":"f016889a43be0d7d6f12a1f8629926a6562870510601692acc6066efffd838ed","revision":"2026-11-01","language":"nb"}"#);
    assert_eq!(body, expected);
    assert_eq!(form.phase(), Phase::Sending);
    assert_eq!(form.status(), Some(FormText::FormSending));
    assert_eq!(form.email, "  Ola.Nordmann@Serviteur.NO ", "the typed text is kept as typed");
}

#[test]
fn the_first_name_is_sent_only_when_asked_for_and_given() {
    let config = demo();
    let mut form = NewsletterForm::subscribe(Lang::En, true);
    typed(&mut form, &config, "kari@example.no", true);
    form.update(&config, NewsletterMsg::FirstNameInput("  Kari ".into()));
    let (_, body) = posted(&form.update(&config, SUBMIT));
    let body = json::parse(&body).unwrap();
    assert_eq!(body.get("first_name").and_then(Json::as_str), Some("Kari"));
    assert_eq!(body.get("language").and_then(Json::as_str), Some("en"));
    assert_eq!(body.get("consent_text").and_then(Json::as_str), Some(consent_text(&config, Lang::En).as_str()));

    let mut blank = NewsletterForm::subscribe(Lang::Nb, true);
    typed(&mut blank, &config, "kari@example.no", true);
    blank.update(&config, NewsletterMsg::FirstNameInput("   ".into()));
    let (_, body) = posted(&blank.update(&config, SUBMIT));
    assert!(json::parse(&body).unwrap().get("first_name").is_none());

    let mut not_asked = NewsletterForm::subscribe(Lang::Nb, false);
    assert!(not_asked.update(&config, NewsletterMsg::FirstNameInput("Kari".into())).is_empty());
    assert_eq!(not_asked.first_name, None);
}

#[test]
fn a_too_long_first_name_is_a_field_error() {
    let config = demo();
    let mut form = NewsletterForm::subscribe(Lang::Nb, true);
    typed(&mut form, &config, "kari@example.no", true);
    form.update(&config, NewsletterMsg::FirstNameInput(repeat('å', 101)));
    let effects = form.update(&config, SUBMIT);
    assert_eq!(effects, vec![NewsletterEffect::Render, NewsletterEffect::FocusField(Field::FirstName)]);
    assert_eq!(form.error(Field::FirstName), Some(FormText::NewsletterFirstNameTooLong));
    // 100 characters (200 bytes) are fine: counted in characters.
    assert_eq!(
        form.update(&config, NewsletterMsg::FirstNameInput(repeat('å', 100))),
        vec![NewsletterEffect::SyncErrors]
    );
    assert_eq!(form.errors, vec![]);
}

#[test]
fn validation_errors_are_per_field_focus_the_first_and_keep_the_input() {
    let config = demo();
    let mut form = NewsletterForm::subscribe(Lang::Nb, false);
    let effects = form.update(&config, SUBMIT);
    assert_eq!(effects, vec![NewsletterEffect::Render, NewsletterEffect::FocusField(Field::Email)]);
    assert_eq!(
        form.errors,
        vec![(Field::Email, FormText::EmailEmpty), (Field::Consent, FormText::NewsletterConsentRequired)]
    );
    assert_eq!(form.phase(), Phase::Editing);

    form.update(&config, NewsletterMsg::EmailInput("post@sjø.no".into()));
    form.update(&config, SUBMIT);
    assert_eq!(form.error(Field::Email), Some(FormText::EmailNonAscii));
    assert_eq!(form.email, "post@sjø.no");

    // A valid address with the box unticked: the error and the focus are on the checkbox.
    form.update(&config, NewsletterMsg::EmailInput("post@serviteur.no".into()));
    let effects = form.update(&config, SUBMIT);
    assert_eq!(effects, vec![NewsletterEffect::Render, NewsletterEffect::FocusField(Field::Consent)]);
    assert_eq!(form.errors, vec![(Field::Consent, FormText::NewsletterConsentRequired)]);
    assert_eq!(form.email, "post@serviteur.no");
}

#[test]
fn typing_fixes_or_changes_a_shown_error_but_never_adds_one() {
    let config = demo();
    let mut form = NewsletterForm::subscribe(Lang::Nb, false);
    // No error shown yet: typing an invalid address says nothing.
    assert!(form.update(&config, NewsletterMsg::EmailInput("ola".into())).is_empty());
    form.update(&config, SUBMIT);
    assert_eq!(form.error(Field::Email), Some(FormText::EmailMissingAt));
    // Still the same error: nothing to sync.
    assert!(form.update(&config, NewsletterMsg::EmailInput("olan".into())).is_empty());
    // A different error: synced.
    assert_eq!(form.update(&config, NewsletterMsg::EmailInput("olan@x".into())), vec![NewsletterEffect::SyncErrors]);
    assert_eq!(form.error(Field::Email), Some(FormText::EmailMissingTld));
    // Fixed: removed.
    assert_eq!(form.update(&config, NewsletterMsg::EmailInput("olan@x.no".into())), vec![NewsletterEffect::SyncErrors]);
    assert_eq!(form.error(Field::Email), None);
    // Broken again while typing: no new error until the next submit.
    assert!(form.update(&config, NewsletterMsg::EmailInput("olan@x.".into())).is_empty());
    assert_eq!(form.error(Field::Email), None);
    // Ticking clears the checkbox error; unticking does not bring it back before a submit.
    assert_eq!(form.update(&config, NewsletterMsg::ConsentToggled(true)), vec![NewsletterEffect::SyncErrors]);
    assert!(form.update(&config, NewsletterMsg::ConsentToggled(false)).is_empty());
    assert_eq!(form.errors, vec![]);
}

#[test]
fn double_submit_while_sending_posts_once() {
    let config = demo();
    let mut form = NewsletterForm::subscribe(Lang::Nb, false);
    typed(&mut form, &config, "ola@serviteur.no", true);
    posted(&form.update(&config, SUBMIT));
    assert!(form.update(&config, SUBMIT).is_empty());
    assert!(form.update(&config, SUBMIT).is_empty());
    assert_eq!(form.phase(), Phase::Sending);
}

#[test]
fn delivered_shows_check_your_email_and_moves_focus_there() {
    let config = demo();
    let mut form = NewsletterForm::subscribe(Lang::Nb, false);
    typed(&mut form, &config, "ola@serviteur.no", true);
    form.update(&config, SUBMIT);
    let effects = form.update(&config, delivered());
    assert_eq!(effects, vec![NewsletterEffect::Render, NewsletterEffect::FocusStatus]);
    assert_eq!(form.phase(), Phase::Done);
    assert_eq!(form.status(), Some(FormText::NewsletterCheckEmail));
    // Nothing moves it back: no second post, late outcomes ignored.
    for msg in [SUBMIT, SUBMIT, delivered(), FAILED, rate_limited(5)] {
        assert!(form.update(&config, msg).is_empty());
    }
    assert_eq!(form.phase(), Phase::Done);
}

#[test]
fn outcomes_without_a_request_in_flight_are_ignored() {
    let config = demo();
    let mut form = NewsletterForm::subscribe(Lang::Nb, false);
    for msg in [
        delivered(),
        FAILED,
        rate_limited(5),
        NewsletterMsg::Submission(SubmissionMsg::Queued(IdempotencyKey::from_random([1; 16]))),
        NewsletterMsg::Submission(SubmissionMsg::Report {
            key: IdempotencyKey::from_random([1; 16]),
            delivery: Delivery::Delivered { body: String::new() },
        }),
    ] {
        assert!(form.update(&config, msg).is_empty());
        assert_eq!(form.phase(), Phase::Editing);
    }
}

#[test]
fn rate_limited_keeps_the_input_and_retry_posts_the_same_body() {
    let config = serviteur();
    let mut form = NewsletterForm::subscribe(Lang::Nb, false);
    typed(&mut form, &config, "Ola@Serviteur.no", true);
    let (_, first) = posted(&form.update(&config, SUBMIT));
    let effects = form.update(&config, rate_limited(30));
    assert_eq!(effects, vec![NewsletterEffect::Render, NewsletterEffect::Announce(FormText::FormRateLimited)]);
    assert_eq!(form.phase(), Phase::RateLimited { retry_after_s: 30 });
    assert_eq!(form.status(), Some(FormText::FormRateLimited));
    assert_eq!(form.submit_label(), FormText::FormRetry);
    assert_eq!((form.email.as_str(), form.consent), ("Ola@Serviteur.no", true));
    let (_, again) = posted(&form.update(&config, SUBMIT));
    assert_eq!(again, first);
    assert_eq!(form.phase(), Phase::Sending);
}

#[test]
fn failed_keeps_the_input_and_offers_a_retry() {
    let config = demo();
    let mut form = NewsletterForm::subscribe(Lang::Nb, true);
    typed(&mut form, &config, "ola@serviteur.no", true);
    form.update(&config, NewsletterMsg::FirstNameInput("Ola".into()));
    let (_, first) = posted(&form.update(&config, SUBMIT));
    let effects = form.update(&config, FAILED);
    assert_eq!(effects, vec![NewsletterEffect::Render, NewsletterEffect::Announce(FormText::FormFailed)]);
    assert_eq!(form.phase(), Phase::Failed);
    assert_eq!(
        (form.email.as_str(), form.first_name.as_deref(), form.consent),
        ("ola@serviteur.no", Some("Ola"), true)
    );
    // The visitor may edit before retrying; Submit and Retry both send the current input.
    form.update(&config, NewsletterMsg::EmailInput("ola@serviteur.com".into()));
    assert_eq!(form.phase(), Phase::Failed, "editing keeps the failure message until the next attempt");
    let (_, again) = posted(&form.update(&config, SUBMIT));
    assert_eq!(again, first.replace("serviteur.no", "serviteur.com"));
    form.update(&config, FAILED);
    posted(&form.update(&config, SUBMIT));
}

#[test]
fn a_late_delivery_after_rate_limiting_is_still_success() {
    let config = demo();
    let mut form = NewsletterForm::subscribe(Lang::Nb, false);
    typed(&mut form, &config, "ola@serviteur.no", true);
    form.update(&config, SUBMIT);
    form.update(&config, rate_limited(1));
    assert_eq!(form.update(&config, delivered()), vec![NewsletterEffect::Render, NewsletterEffect::FocusStatus]);
    assert_eq!(form.phase(), Phase::Done);
}

#[test]
fn a_retry_with_broken_input_shows_errors_instead_of_posting() {
    let config = demo();
    let mut form = NewsletterForm::subscribe(Lang::Nb, false);
    typed(&mut form, &config, "ola@serviteur.no", true);
    form.update(&config, SUBMIT);
    form.update(&config, FAILED);
    form.update(&config, NewsletterMsg::EmailInput("ola@serviteur".into()));
    let effects = form.update(&config, SUBMIT);
    assert_eq!(effects, vec![NewsletterEffect::Render, NewsletterEffect::FocusField(Field::Email)]);
    assert_eq!(form.phase(), Phase::Editing);
    assert_eq!(form.error(Field::Email), Some(FormText::EmailMissingTld));
    assert_eq!(form.email, "ola@serviteur");
}

#[test]
fn the_typed_email_survives_every_error_state() {
    let config = demo();
    let typed_text = " Ola@Serviteur.no";
    let mut form = NewsletterForm::subscribe(Lang::Nb, true);
    form.update(&config, NewsletterMsg::EmailInput(typed_text.into()));
    let script = [
        SUBMIT, // consent missing
        NewsletterMsg::ConsentToggled(true),
        NewsletterMsg::FirstNameInput(repeat('x', 101)),
        SUBMIT, // first name too long
        NewsletterMsg::FirstNameInput("Ola".into()),
        NewsletterMsg::SetLanguage(Lang::En),
        SUBMIT,
        rate_limited(2),
        SUBMIT,
        FAILED,
        SUBMIT,
        SUBMIT,
        FAILED,
    ];
    for msg in script {
        let label = format!("{msg:?}");
        form.update(&config, msg);
        assert_eq!(form.email, typed_text, "after {label}");
    }
    assert_eq!(form.phase(), Phase::Failed);
}

#[test]
fn a_filled_honeypot_looks_like_success_but_posts_nothing() {
    let config = demo();
    let mut human = NewsletterForm::subscribe(Lang::Nb, false);
    typed(&mut human, &config, "ola@serviteur.no", true);
    human.update(&config, SUBMIT);
    let human_effects = human.update(&config, delivered());

    let mut bot = NewsletterForm::subscribe(Lang::Nb, false);
    typed(&mut bot, &config, "spam@example.com", true);
    assert!(bot.update(&config, NewsletterMsg::HoneypotInput("http://spam.example".into())).is_empty());
    let bot_effects = bot.update(&config, SUBMIT);
    assert_eq!(bot_effects, human_effects);
    assert!(!bot_effects.iter().any(|e| matches!(e, NewsletterEffect::Post { .. })));
    assert_eq!(bot.phase(), Phase::Done);
    assert_eq!(bot.status(), human.status());

    // Even with invalid input the bot learns nothing from validation errors.
    let mut sloppy_bot = NewsletterForm::subscribe(Lang::Nb, false);
    sloppy_bot.update(&config, NewsletterMsg::HoneypotInput("x".into()));
    assert_eq!(sloppy_bot.update(&config, SUBMIT), human_effects);
}

#[test]
fn set_language_rerenders_and_the_next_post_uses_the_new_wording() {
    let config = demo();
    let mut form = NewsletterForm::subscribe(Lang::Nb, false);
    typed(&mut form, &config, "ola@serviteur.no", true);
    assert_eq!(form.update(&config, NewsletterMsg::SetLanguage(Lang::Nn)), vec![NewsletterEffect::Render]);
    let (_, body) = posted(&form.update(&config, SUBMIT));
    let body = json::parse(&body).unwrap();
    assert_eq!(body.get("language").and_then(Json::as_str), Some("nn"));
    let text = consent_text(&config, Lang::Nn);
    assert_eq!(body.get("consent_text").and_then(Json::as_str), Some(text.as_str()));
    assert_eq!(
        body.get("consent_text_version").and_then(Json::as_str),
        Some(sha256::hex_digest(text.as_bytes()).as_str())
    );
}

#[test]
fn unsubscribe_posts_the_address_and_language_and_asks_to_confirm_by_email() {
    let config = demo();
    let mut form = NewsletterForm::unsubscribe(Lang::Nb);
    assert_eq!(form.submit_label(), FormText::NewsletterUnsubscribeSubmit);
    assert!(form.update(&config, NewsletterMsg::ConsentToggled(true)).is_empty());
    assert!(!form.consent);
    assert_eq!(
        form.update(&config, SUBMIT),
        vec![NewsletterEffect::Render, NewsletterEffect::FocusField(Field::Email)]
    );
    assert_eq!(form.errors, vec![(Field::Email, FormText::EmailEmpty)], "no consent box to tick when leaving");

    form.update(&config, NewsletterMsg::EmailInput(" Ola@Serviteur.NO ".into()));
    let (endpoint, body) = posted(&form.update(&config, SUBMIT));
    assert_eq!(endpoint, Endpoint::NewsletterWithdrawal);
    assert_eq!(body, r#"{"email":"Ola@serviteur.no","language":"nb"}"#);
    assert!(form.update(&config, SUBMIT).is_empty());
    form.update(&config, FAILED);
    assert_eq!(form.email, " Ola@Serviteur.NO ");
    posted(&form.update(&config, SUBMIT));
    assert_eq!(form.update(&config, delivered()), vec![NewsletterEffect::Render, NewsletterEffect::FocusStatus]);
    assert_eq!(form.phase(), Phase::Done);
    assert_eq!(form.status(), Some(FormText::NewsletterUnsubscribeCheckEmail));
}

#[test]
fn an_unsubscribe_honeypot_posts_nothing_either() {
    let config = demo();
    let mut form = NewsletterForm::unsubscribe(Lang::En);
    form.update(&config, NewsletterMsg::EmailInput("ola@serviteur.no".into()));
    form.update(&config, NewsletterMsg::HoneypotInput("bot".into()));
    assert_eq!(form.update(&config, SUBMIT), vec![NewsletterEffect::Render, NewsletterEffect::FocusStatus]);
    assert_eq!(form.status(), Some(FormText::NewsletterUnsubscribeCheckEmail));
}
