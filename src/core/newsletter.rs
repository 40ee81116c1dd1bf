//! The newsletter signup and unsubscribe forms as `update(state, msg) -> effects`, and the
//! e-mail address check they share with the rights-request form. Double opt-in (and opt-out)
//! is the backend's job: the widget posts the request and tells the visitor to check their e-mail.
//!
//! # Focus and announcements
//!
//! A validation error re-renders and focuses the first invalid field ([`Field`] order is the
//! visual order); the field's `aria-describedby` error text is read on focus, so nothing is
//! announced on top. Sending, rate limiting and failure are announced in the live region while
//! focus stays on the submit button. Success replaces the form with its status message and
//! moves focus there ([`FormEffect::FocusStatus`]); that message is read on focus, so it
//! is not announced as well. Errors appear on submit; afterwards, typing can clear or change a
//! field's error ([`FormEffect::SyncErrors`]) but never adds a new one mid-typing.
//!
//! # Outcomes
//!
//! Submitting, retrying and the delivery reports go through [`crate::form::Submission`], the
//! machine the rights-request form runs too: a retry while the outbox still holds the request
//! posts nothing new, and a late success after a failure still shows success.

use crate::prelude::*;

use crate::config::Config;
use crate::form::{self, FormEffect, Phase, Step, Submission, SubmissionMsg};
use crate::i18n::{fill, FormText};
use crate::json::Json;
use crate::lang::Lang;
use crate::outbox::Endpoint;
use crate::separated;
use crate::sha256;

/// The containers a shop marks for a newsletter form (`="unsubscribe"` for the withdrawal form).
pub const CONTAINERS: &str = "[data-pw-newsletter]";

/// Longest address accepted, in bytes: an SMTP path is at most 256 octets including the angle
/// brackets (RFC 5321 §4.5.3.1.3, erratum 1690), so longer addresses cannot receive mail.
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest local part (before the `@`), in bytes (RFC 5321 §4.5.3.1.1).
pub const MAX_LOCAL_LEN: usize = 64;
/// Longest first name accepted, in characters.
pub const MAX_FIRST_NAME_CHARS: usize = 100;

/// Why a typed address is refused; each has a message for the field's error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    /// Nothing but whitespace.
    Empty,
    MissingAt,
    /// Empty before the `@`, or a character outside the HTML rule's local-part set.
    BadLocalPart,
    /// After the `@`: an empty, too long (> 63) or hyphen-edged label, a character other than
    /// letters, digits and hyphens (a second `@`, a space), or a trailing dot.
    BadDomain,
    /// Valid under the HTML rule but without a dot (`post@localhost`): no shop mail goes there.
    MissingTld,
    /// Over [`MAX_EMAIL_LEN`] bytes, or over [`MAX_LOCAL_LEN`] before the `@`.
    TooLong,
    /// Any non-ASCII character (`æøå@…`, an IDN such as `sjø.no`): the form asks for the
    /// ASCII (`xn--`) form, which is what the HTML rule and most shop backends accept.
    NonAscii,
    /// `"a b"@example.no`: valid in RFC 5322, refused by the HTML rule.
    QuotedLocalPart,
}

impl EmailError {
    /// The error text shown next to the field.
    pub fn text_key(self) -> FormText {
        match self {
            EmailError::Empty => FormText::EmailEmpty,
            EmailError::MissingAt => FormText::EmailMissingAt,
            EmailError::BadLocalPart => FormText::EmailBadLocalPart,
            EmailError::BadDomain => FormText::EmailBadDomain,
            EmailError::MissingTld => FormText::EmailMissingTld,
            EmailError::TooLong => FormText::EmailTooLong,
            EmailError::NonAscii => FormText::EmailNonAscii,
            EmailError::QuotedLocalPart => FormText::EmailQuotedLocalPart,
        }
    }
}

/// Checks a typed e-mail address and returns it normalised.
///
/// Leading and trailing ASCII whitespace is removed, then the address must match the WHATWG
/// HTML "valid e-mail address" rule exactly:
/// `^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$`
/// (so dots may lead, trail or repeat in the local part: `.a..b.@example.no` passes, as it
/// does in the browser's own `type=email` check). On top of it, stricter rules of our own:
/// at most [`MAX_EMAIL_LEN`] bytes in all and [`MAX_LOCAL_LEN`] before the `@`, and the domain
/// must contain a dot, because a shop newsletter to `post@localhost` is a typo.
///
/// The domain is lowercased (ASCII only: domains are case-insensitive); the local part keeps
/// its case, which the receiving server may treat as significant.
pub fn validate_email(input: &str) -> Result<String, EmailError> {
    let address = input.trim_ascii();
    if address.is_empty() {
        return Err(EmailError::Empty);
    }
    if !address.is_ascii() {
        return Err(EmailError::NonAscii);
    }
    if address.starts_with('"') {
        return Err(EmailError::QuotedLocalPart);
    }
    // The local part cannot contain '@', so the first one separates it from the domain.
    let Some((local, domain)) = separated::split_once(address, b'@') else {
        return Err(EmailError::MissingAt);
    };
    if address.len() > MAX_EMAIL_LEN || local.len() > MAX_LOCAL_LEN {
        return Err(EmailError::TooLong);
    }
    if local.is_empty() || !local.bytes().all(is_local_byte) {
        return Err(EmailError::BadLocalPart);
    }
    if !separated::split(domain, b'.').all(is_domain_label) {
        return Err(EmailError::BadDomain);
    }
    if !domain.contains('.') {
        return Err(EmailError::MissingTld);
    }
    let mut normalised = String::with_capacity(address.len());
    normalised.push_str(local);
    normalised.push('@');
    normalised.push_str(&domain.to_ascii_lowercase());
    Ok(normalised)
}

/// `[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]`
fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b)
}

/// `[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?`
fn is_domain_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            bytes.len() <= 63
                && first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

/// Which request the form sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewsletterMode {
    /// `POST` [`Endpoint::Newsletter`]: address, consent text and version, revision, language.
    Subscribe,
    /// `POST` [`Endpoint::NewsletterWithdrawal`]: the address and the language.
    Unsubscribe,
}

/// A visible form field, in the order the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Email,
    FirstName,
    /// The consent checkbox (subscribe only).
    Consent,
}

/// Something the visitor did, or news about the posted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewsletterMsg {
    EmailInput(String),
    /// Ignored when the shop does not ask for a first name.
    FirstNameInput(String),
    /// Ignored in unsubscribe mode.
    ConsentToggled(bool),
    /// The visually hidden field only bots fill in.
    HoneypotInput(String),
    /// Submit (or retry), and how the posted request fares.
    Submission(SubmissionMsg),
    SetLanguage(Lang),
}

/// What the browser layer must do after an update, in order.
pub type NewsletterEffect = FormEffect<Field>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsletterForm {
    pub mode: NewsletterMode,
    pub submission: Submission,
    pub lang: Lang,
    /// Exactly what the visitor typed: never cleared or rewritten, whatever happens.
    pub email: String,
    /// `None` when the shop does not ask for a first name.
    pub first_name: Option<String>,
    /// The consent checkbox; starts unticked.
    pub consent: bool,
    pub honeypot: String,
    /// The errors shown, in [`Field`] order.
    pub errors: Vec<(Field, FormText)>,
}

impl NewsletterForm {
    /// An empty signup form; `ask_first_name` adds the optional first-name field.
    pub fn subscribe(lang: Lang, ask_first_name: bool) -> NewsletterForm {
        NewsletterForm::new(NewsletterMode::Subscribe, lang, ask_first_name.then(String::new))
    }

    /// An empty unsubscribe form (e-mail address only).
    pub fn unsubscribe(lang: Lang) -> NewsletterForm {
        NewsletterForm::new(NewsletterMode::Unsubscribe, lang, None)
    }

    fn new(mode: NewsletterMode, lang: Lang, first_name: Option<String>) -> NewsletterForm {
        NewsletterForm {
            mode,
            submission: Submission::default(),
            lang,
            email: String::new(),
            first_name,
            consent: false,
            honeypot: String::new(),
            errors: Vec::new(),
        }
    }

    pub fn update(&mut self, config: &Config, msg: NewsletterMsg) -> Vec<NewsletterEffect> {
        match msg {
            NewsletterMsg::EmailInput(text) => {
                self.email = text;
                self.revalidate()
            }
            NewsletterMsg::FirstNameInput(text) => match &mut self.first_name {
                Some(name) => {
                    *name = text;
                    self.revalidate()
                }
                None => Vec::new(),
            },
            NewsletterMsg::ConsentToggled(on) => {
                if self.mode == NewsletterMode::Unsubscribe {
                    return Vec::new();
                }
                self.consent = on;
                self.revalidate()
            }
            NewsletterMsg::HoneypotInput(text) => {
                self.honeypot = text;
                Vec::new()
            }
            NewsletterMsg::Submission(msg) => match self.submission.update(msg) {
                Step::Effects(effects) => effects,
                Step::Check => self.submit(config),
                Step::Delivered(_) => self.succeed(),
            },
            NewsletterMsg::SetLanguage(lang) => {
                self.lang = lang;
                vec![FormEffect::Render]
            }
        }
    }

    /// Where the request stands.
    pub fn phase(&self) -> Phase {
        self.submission.phase()
    }

    fn submit(&mut self, config: &Config) -> Vec<NewsletterEffect> {
        if !self.honeypot.is_empty() {
            // A bot: the same success the visitor would see, and nothing posted.
            return self.succeed();
        }
        self.errors = self.validate();
        let email = match (self.errors.first(), validate_email(&self.email)) {
            (None, Ok(email)) => email,
            (first, _) => return self.submission.reject(first.map_or(Field::Email, |(f, _)| *f)),
        };
        let (endpoint, body) = match self.mode {
            NewsletterMode::Subscribe => (Endpoint::Newsletter, self.subscribe_body(config, email)),
            NewsletterMode::Unsubscribe => (Endpoint::NewsletterWithdrawal, withdrawal_body(email, self.lang)),
        };
        self.submission.send(endpoint, body)
    }

    fn subscribe_body(&self, config: &Config, email: String) -> Json {
        let first_name = self.first_name.as_deref().map(str::trim).filter(|n| !n.is_empty());
        signup_body(email, consent_text(config, self.lang), &config.revision, self.lang, first_name)
    }

    /// "Check your e-mail", whatever the server knew about the address: the form never reveals
    /// who is subscribed.
    fn succeed(&mut self) -> Vec<NewsletterEffect> {
        self.errors.clear();
        self.submission.finish()
    }

    /// Every field's error, in [`Field`] order (the backend checks a plain form post with it too).
    pub fn validate(&self) -> Vec<(Field, FormText)> {
        [Field::Email, Field::FirstName, Field::Consent]
            .into_iter()
            .filter_map(|field| self.field_error(field).map(|key| (field, key)))
            .collect()
    }

    fn field_error(&self, field: Field) -> Option<FormText> {
        match field {
            Field::Email => validate_email(&self.email).err().map(EmailError::text_key),
            Field::FirstName => self
                .first_name
                .as_deref()
                .filter(|name| form::char_count(name.trim()) > MAX_FIRST_NAME_CHARS)
                .map(|_| FormText::NewsletterFirstNameTooLong),
            Field::Consent => {
                (self.mode == NewsletterMode::Subscribe && !self.consent).then_some(FormText::NewsletterConsentRequired)
            }
        }
    }

    /// After an input: re-checks only the fields already showing an error, so an error can be
    /// fixed or change while typing but a new one only appears on submit.
    fn revalidate(&mut self) -> Vec<NewsletterEffect> {
        let mut errors = core::mem::take(&mut self.errors);
        let changed = crate::form::recheck(&mut errors, |f| self.field_error(f));
        self.errors = errors;
        if changed {
            vec![FormEffect::SyncErrors]
        } else {
            Vec::new()
        }
    }

    /// The error shown for `field`, if any.
    pub fn error(&self, field: Field) -> Option<FormText> {
        crate::form::error_of(&self.errors, field)
    }

    /// The status message for the current state (`None` while editing).
    pub fn status(&self) -> Option<FormText> {
        match self.phase() {
            Phase::Editing => None,
            Phase::Sending => Some(FormText::FormSending),
            Phase::Done => Some(match self.mode {
                NewsletterMode::Subscribe => FormText::NewsletterCheckEmail,
                NewsletterMode::Unsubscribe => FormText::NewsletterUnsubscribeCheckEmail,
            }),
            Phase::RateLimited { .. } => Some(FormText::FormRateLimited),
            Phase::Failed => Some(FormText::FormFailed),
        }
    }

    /// The submit button's label: a retry after a failure.
    pub fn submit_label(&self) -> FormText {
        match (self.phase(), self.mode) {
            (Phase::RateLimited { .. } | Phase::Failed, _) => FormText::FormRetry,
            (_, NewsletterMode::Subscribe) => FormText::NewsletterSubmit,
            (_, NewsletterMode::Unsubscribe) => FormText::NewsletterUnsubscribeSubmit,
        }
    }
}

/// The signup request's body: `{"email","consent_text","consent_text_version","revision","language","first_name"?}`,
/// the version being the SHA-256 of the exact wording. The widget's form and the backend's plain
/// form post both build it here.
pub fn signup_body(email: String, consent_text: String, revision: &str, lang: Lang, first_name: Option<&str>) -> Json {
    let version = sha256::hex_digest(consent_text.as_bytes());
    let mut members = vec![
        ("email".to_string(), Json::Str(email)),
        ("consent_text".to_string(), Json::Str(consent_text)),
        ("consent_text_version".to_string(), Json::Str(version)),
        ("revision".to_string(), Json::Str(revision.to_string())),
        ("language".to_string(), Json::Str(lang.tag().to_string())),
    ];
    if let Some(name) = first_name {
        members.push(("first_name".to_string(), Json::Str(name.to_string())));
    }
    Json::Object(members)
}

/// The withdrawal request's body: `{"email","language"}` (the language picks the language of
/// the confirmation e-mail).
pub fn withdrawal_body(email: String, lang: Lang) -> Json {
    Json::Object(vec![("email".into(), Json::Str(email)), ("language".into(), Json::Str(lang.tag().to_string()))])
}

/// The consent checkbox label in `lang`: what is sent, by whom and how often. The form shows
/// exactly this text and posts it with its SHA-256, so the shop can prove the wording; the
/// shop sets its name and frequency through the `newsletterSender` and `newsletterFrequency`
/// texts (or rewrites `newsletterConsent` entirely).
pub fn consent_text(config: &Config, lang: Lang) -> String {
    fill(
        config.text(lang, FormText::NewsletterConsent),
        &[
            ("sender", config.text(lang, FormText::NewsletterSender)),
            ("frequency", config.text(lang, FormText::NewsletterFrequency)),
        ],
    )
}

#[cfg(test)]
mod tests;
