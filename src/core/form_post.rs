//! A plain form's post (the `application/x-www-form-urlencoded` fields of a `form_markup` form,
//! decoded by the backend) read into the very form state the widget keeps, so the backend checks
//! it with the widget's rules and builds the JSON API's body with the widget's code: the rules
//! live once, whichever way the visitor sent the form.

use crate::prelude::*;

use crate::form_markup::{CONFIRM_FIELD, CONSENT_FIELD, HONEYPOT_FIELD};
use crate::json::Json;
use crate::lang::Lang;
use crate::newsletter::{self, validate_email, NewsletterForm};
use crate::rights::{RequestType, RightsForm};
use crate::wire;

/// A checkbox's value when ticked (what `form_markup` writes).
const CHECKED: &str = "yes";

/// The decoded fields of one post, in the order they came.
pub struct PostedFields<'a>(pub &'a [(String, String)]);

impl PostedFields<'_> {
    /// The first value of `name`; a browser sends each of our fields once.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }

    /// The form's language (its hidden `language` field); bokmål when missing or unknown.
    pub fn lang(&self) -> Lang {
        self.get("language").and_then(wire::language).unwrap_or(Lang::Nb)
    }

    /// True when the honeypot was filled in: a bot, which gets the success page and stores nothing.
    pub fn is_bot(&self) -> bool {
        self.get(HONEYPOT_FIELD).is_some_and(|v| !v.is_empty())
    }

    /// The CSRF token the form carried.
    pub fn csrf(&self) -> Option<&str> {
        self.get(crate::form_markup::CSRF_FIELD)
    }
}

/// What a post asks for, once checked.
#[derive(Debug, PartialEq)]
pub enum Checked<F> {
    /// The JSON API's body for this request.
    Valid(Json),
    /// The form as the visitor filled it, with its errors: shown again.
    Invalid(F),
}

/// A newsletter signup post: the address, the ticked consent box, and the exact wording and
/// revision the form carried (hidden fields, so the proof of consent is the text the visitor saw).
pub struct Signup {
    pub form: NewsletterForm,
    pub consent_text: String,
    pub revision: String,
}

impl Signup {
    pub fn read(fields: &PostedFields) -> Signup {
        let mut form = NewsletterForm::subscribe(fields.lang(), false);
        form.email = fields.text("email");
        form.consent = fields.get(CONSENT_FIELD) == Some(CHECKED);
        Signup { form, consent_text: fields.text("consent_text"), revision: fields.text("revision") }
    }

    /// Checked with the widget's rules; the wording and revision are checked by the API's rules
    /// (they are not the visitor's typing, so a wrong one is the page's fault, not a field error).
    pub fn check(mut self) -> Checked<Signup> {
        self.form.errors = self.form.validate();
        match validate_email(&self.form.email) {
            Ok(email) if self.form.errors.is_empty() => {
                Checked::Valid(newsletter::signup_body(email, self.consent_text, &self.revision, self.form.lang, None))
            }
            _ => Checked::Invalid(self),
        }
    }
}

/// A newsletter withdrawal post: the address.
pub fn withdrawal(fields: &PostedFields) -> Checked<NewsletterForm> {
    let mut form = NewsletterForm::unsubscribe(fields.lang());
    form.email = fields.text("email");
    form.errors = form.validate();
    match validate_email(&form.email) {
        Ok(email) if form.errors.is_empty() => Checked::Valid(newsletter::withdrawal_body(email, form.lang)),
        _ => Checked::Invalid(form),
    }
}

/// A rights-request post: the type, address, message and the "concerns me" box.
pub fn rights(fields: &PostedFields) -> Checked<RightsForm> {
    let mut form = RightsForm::new(fields.lang(), None);
    form.request_type = fields.get("type").and_then(RequestType::from_name);
    form.email = fields.text("email");
    form.message = fields.text("message");
    form.confirmed = fields.get(CONFIRM_FIELD) == Some(CHECKED);
    form.errors = form.validate();
    match (form.request_type, validate_email(&form.email)) {
        (Some(request_type), Ok(email)) if form.errors.is_empty() => Checked::Valid(form.body(request_type, email)),
        _ => Checked::Invalid(form),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::FormText;
    use crate::{newsletter, rights};

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_complete_signup_becomes_the_api_body_with_the_wording_it_carried() {
        let posted = fields(&[
            ("language", "nn"),
            ("email", " Kari@Example.NO "),
            ("consent_text", "Ja takk"),
            ("revision", "2026-11-01"),
            ("consent", "yes"),
            ("website", ""),
        ]);
        let posted = PostedFields(&posted);
        assert!(!posted.is_bot());
        let Checked::Valid(body) = Signup::read(&posted).check() else { panic!("valid") };
        assert_eq!(body.get("email").and_then(Json::as_str), Some("Kari@example.no"), "normalised as the widget does");
        assert_eq!(body.get("language").and_then(Json::as_str), Some("nn"));
        assert_eq!(body.get("consent_text").and_then(Json::as_str), Some("Ja takk"));
        assert_eq!(
            body.get("consent_text_version").and_then(Json::as_str),
            Some(crate::sha256::hex_digest(b"Ja takk").as_str())
        );
        assert_eq!(body.get("revision").and_then(Json::as_str), Some("2026-11-01"));
    }

    #[test]
    fn a_signup_with_mistakes_keeps_what_was_typed_with_an_error_per_field() {
        let posted = fields(&[("language", "en"), ("email", "kari@localhost"), ("consent_text", "Yes")]);
        let Checked::Invalid(signup) = Signup::read(&PostedFields(&posted)).check() else { panic!("invalid") };
        assert_eq!(signup.form.email, "kari@localhost");
        assert_eq!(signup.form.lang, Lang::En);
        assert_eq!(
            signup.form.errors,
            vec![
                (newsletter::Field::Email, FormText::EmailMissingTld),
                (newsletter::Field::Consent, FormText::NewsletterConsentRequired)
            ]
        );
        assert_eq!(signup.consent_text, "Yes", "the wording goes back into the form unchanged");
    }

    #[test]
    fn a_filled_honeypot_marks_a_bot_and_an_unknown_language_falls_back_to_bokmal() {
        let posted = fields(&[("website", "http://spam.example"), ("language", "sv")]);
        let posted = PostedFields(&posted);
        assert!(posted.is_bot());
        assert_eq!(posted.lang(), Lang::Nb);
    }

    #[test]
    fn a_withdrawal_needs_only_a_valid_address() {
        let posted = fields(&[("language", "en"), ("email", "kari@example.no")]);
        let Checked::Valid(body) = withdrawal(&PostedFields(&posted)) else { panic!("valid") };
        assert_eq!(body.to_json(), r#"{"email":"kari@example.no","language":"en"}"#);
        let posted = fields(&[("email", "")]);
        let Checked::Invalid(form) = withdrawal(&PostedFields(&posted)) else { panic!("invalid") };
        assert_eq!(form.errors, vec![(newsletter::Field::Email, FormText::EmailEmpty)]);
    }

    #[test]
    fn a_rights_request_is_checked_with_the_widgets_rules() {
        let posted = fields(&[
            ("language", "nb"),
            ("type", "erasure"),
            ("email", "kari@example.no"),
            ("message", "  Slett kontoen min.  "),
            ("confirmed", "yes"),
        ]);
        let Checked::Valid(body) = rights(&PostedFields(&posted)) else { panic!("valid") };
        assert_eq!(
            body.to_json(),
            r#"{"type":"erasure","email":"kari@example.no","message":"Slett kontoen min.","language":"nb","confirmed":true}"#
        );
        // Rectification needs a message; an unknown type is no type.
        let posted = fields(&[("type", "rectification"), ("email", "kari@example.no"), ("message", " ")]);
        let Checked::Invalid(form) = rights(&PostedFields(&posted)) else { panic!("invalid") };
        assert_eq!(
            form.errors,
            vec![
                (rights::Field::Message, FormText::RightsMessageRequired),
                (rights::Field::Confirm, FormText::RightsConfirmRequired)
            ]
        );
        assert_eq!(form.message, " ", "kept as typed");
        let posted = fields(&[("type", "everything"), ("email", "kari@example.no"), ("confirmed", "yes")]);
        let Checked::Invalid(form) = rights(&PostedFields(&posted)) else { panic!("invalid") };
        assert_eq!(form.errors, vec![(rights::Field::RequestType, FormText::RightsTypeRequired)]);
    }
}
