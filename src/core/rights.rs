//! The rights-request form (access, rectification, erasure, withdrawal of consent) as
//! `update(state, msg) -> effects`: posted to the shop's endpoint, or, when it has none, handed
//! to the visitor's e-mail program as a prefilled `mailto:` link (RFC 6068) to the shop.
//!
//! Focus and announcements follow the newsletter form (see [`crate::newsletter`]): errors focus
//! the first invalid field, sending and failures are announced, and success replaces the form
//! with a status message that takes focus. The reference number from the backend is part of it.
//! Submitting, retrying and delivery reports go through [`crate::form::Submission`], as there.

use crate::prelude::*;

use crate::config::Config;
use crate::form::{self, FormEffect, Phase, Step, Submission, SubmissionMsg};
use crate::i18n::{fill, FormText, SharedText};
use crate::json::{self, Json};
use crate::lang::Lang;
use crate::newsletter::{validate_email, EmailError};
use crate::outbox::Endpoint;

/// Longest free-text message, in characters (not bytes: `æ` counts once).
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// Where the form points visitors who want to complain to the supervisory authority.
pub const DATATILSYNET_URL: &str = "https://www.datatilsynet.no/";

/// What the visitor asks for; the wire names are the API's `type` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestType {
    /// GDPR art. 15.
    Access,
    /// Art. 16. Needs a message saying what is wrong.
    Rectification,
    /// Art. 17.
    Erasure,
    /// Art. 7(3).
    WithdrawConsent,
}

impl RequestType {
    /// In the order the form lists them.
    pub const ALL: [RequestType; 4] =
        [RequestType::Access, RequestType::Rectification, RequestType::Erasure, RequestType::WithdrawConsent];

    /// The `type` sent to the backend.
    pub fn name(self) -> &'static str {
        match self {
            RequestType::Access => "access",
            RequestType::Rectification => "rectification",
            RequestType::Erasure => "erasure",
            RequestType::WithdrawConsent => "withdraw_consent",
        }
    }

    pub fn from_name(name: &str) -> Option<RequestType> {
        RequestType::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn title(self) -> FormText {
        match self {
            RequestType::Access => FormText::RightsTypeAccess,
            RequestType::Rectification => FormText::RightsTypeRectification,
            RequestType::Erasure => FormText::RightsTypeErasure,
            RequestType::WithdrawConsent => FormText::RightsTypeWithdrawConsent,
        }
    }

    /// The one-line explanation shown under the title.
    pub fn description(self) -> FormText {
        match self {
            RequestType::Access => FormText::RightsTypeAccessText,
            RequestType::Rectification => FormText::RightsTypeRectificationText,
            RequestType::Erasure => FormText::RightsTypeErasureText,
            RequestType::WithdrawConsent => FormText::RightsTypeWithdrawConsentText,
        }
    }
}

/// How a request reaches the shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RightsChannel {
    /// `POST` to the configured `endpoints.rightsRequest`.
    Endpoint,
    /// No endpoint: a prefilled e-mail to this address (the config's `contactEmail`, checked
    /// and normalised with [`validate_email`]).
    Mailto(String),
}

impl RightsChannel {
    /// The endpoint when configured, else a valid contact address; `None` when the shop has
    /// neither, and then the form cannot send anything and should not be shown.
    pub fn of(config: &Config) -> Option<RightsChannel> {
        if config.endpoints.rights_request.is_some() {
            return Some(RightsChannel::Endpoint);
        }
        config.contact_email.as_deref().and_then(|a| validate_email(a).ok()).map(RightsChannel::Mailto)
    }
}

/// A form field, in the order the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    RequestType,
    Email,
    Message,
    /// "I confirm that I am the person the request concerns."
    Confirm,
}

/// Something the visitor did, or news about the posted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RightsMsg {
    TypeSelected(RequestType),
    EmailInput(String),
    MessageInput(String),
    ConfirmToggled(bool),
    /// Submit (or retry), and how the posted request fares.
    Submission(SubmissionMsg),
    SetLanguage(Lang),
}

/// What the browser layer must do after an update, in order.
pub type RightsEffect = FormEffect<Field>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightsForm {
    pub submission: Submission,
    /// The reference number the backend gave once it had the request (may be empty).
    pub reference: String,
    /// The prefilled e-mail last handed to the e-mail program (no endpoint): its status says
    /// so, with this link in case nothing opened. Submitting again opens it again.
    pub mailto: Option<String>,
    pub lang: Lang,
    /// None selected at first: the visitor must choose.
    pub request_type: Option<RequestType>,
    /// Exactly what the visitor typed: never cleared or rewritten.
    pub email: String,
    pub message: String,
    /// Starts unticked.
    pub confirmed: bool,
    /// The visitor's consent id, when they have one: shown read-only and sent along.
    pub consent_id: Option<String>,
    /// The errors shown, in [`Field`] order.
    pub errors: Vec<(Field, FormText)>,
}

impl RightsForm {
    pub fn new(lang: Lang, consent_id: Option<String>) -> RightsForm {
        RightsForm {
            submission: Submission::default(),
            reference: String::new(),
            mailto: None,
            lang,
            request_type: None,
            email: String::new(),
            message: String::new(),
            confirmed: false,
            consent_id,
            errors: Vec::new(),
        }
    }

    pub fn update(&mut self, config: &Config, msg: RightsMsg) -> Vec<RightsEffect> {
        match msg {
            RightsMsg::TypeSelected(request_type) => {
                self.request_type = Some(request_type);
                self.revalidate()
            }
            RightsMsg::EmailInput(text) => {
                self.email = text;
                self.revalidate()
            }
            RightsMsg::MessageInput(text) => {
                self.message = text;
                self.revalidate()
            }
            RightsMsg::ConfirmToggled(on) => {
                self.confirmed = on;
                self.revalidate()
            }
            RightsMsg::Submission(msg) => match self.submission.update(msg) {
                Step::Effects(effects) => effects,
                Step::Check => self.submit(config),
                Step::Delivered(body) => {
                    self.errors.clear();
                    self.reference = reference_of(&body);
                    self.submission.finish()
                }
            },
            RightsMsg::SetLanguage(lang) => {
                self.lang = lang;
                vec![FormEffect::Render]
            }
        }
    }

    fn submit(&mut self, config: &Config) -> Vec<RightsEffect> {
        self.errors = self.validate();
        let (request_type, email) = match (self.errors.first(), self.request_type, validate_email(&self.email)) {
            (None, Some(request_type), Ok(email)) => (request_type, email),
            (first, _, _) => {
                self.mailto = None;
                return self.submission.reject(first.map_or(Field::RequestType, |(f, _)| *f));
            }
        };
        match RightsChannel::of(config) {
            Some(RightsChannel::Endpoint) => {
                self.mailto = None;
                self.submission.send(Endpoint::RightsRequest, self.body(request_type, email))
            }
            Some(RightsChannel::Mailto(to)) => {
                let url = self.mailto_url(config, &to, request_type, &email);
                self.mailto = Some(url.clone());
                self.submission.edit();
                vec![FormEffect::OpenMailto(url), FormEffect::Render, FormEffect::FocusStatus]
            }
            None => self.submission.fail(),
        }
    }

    /// `{"type","email","message","consent_id"?,"language","confirmed":true}`
    pub fn body(&self, request_type: RequestType, email: String) -> Json {
        let mut members = vec![
            ("type".to_string(), Json::Str(request_type.name().to_string())),
            ("email".to_string(), Json::Str(email)),
            ("message".to_string(), Json::Str(self.message.trim().to_string())),
        ];
        if let Some(id) = &self.consent_id {
            members.push(("consent_id".to_string(), Json::Str(id.clone())));
        }
        members.push(("language".to_string(), Json::Str(self.lang.tag().to_string())));
        members.push(("confirmed".to_string(), Json::Bool(true)));
        Json::Object(members)
    }

    /// The same request as an e-mail: subject "Privacy request: Access", and a body with the
    /// request type and its explanation, the reply address, the consent id, the message and
    /// the confirmation, in the form's language.
    fn mailto_url(&self, config: &Config, to: &str, request_type: RequestType, email: &str) -> String {
        let lang = self.lang;
        let title = config.text(lang, request_type.title());
        let subject = fill(config.text(lang, FormText::RightsMailSubject), &[("type", title)]);
        let mut body = String::new();
        let mut line = |label: &str, value: &str| {
            body.push_str(label);
            body.push_str(": ");
            body.push_str(value);
            body.push('\n');
        };
        line(title, config.text(lang, request_type.description()));
        line(config.text(lang, FormText::EmailLabel), email);
        if let Some(id) = &self.consent_id {
            line(config.text(lang, SharedText::ReceiptId), id);
        }
        let message = self.message.trim();
        if !message.is_empty() {
            body.push('\n');
            body.push_str(message);
            body.push('\n');
        }
        body.push('\n');
        body.push_str(config.text(lang, FormText::RightsConfirmLabel));
        mailto_url(to, &subject, &body)
    }

    /// Every field's error, in [`Field`] order (the backend checks a plain form post with it too).
    pub fn validate(&self) -> Vec<(Field, FormText)> {
        [Field::RequestType, Field::Email, Field::Message, Field::Confirm]
            .into_iter()
            .filter_map(|field| self.field_error(field).map(|key| (field, key)))
            .collect()
    }

    fn field_error(&self, field: Field) -> Option<FormText> {
        match field {
            Field::RequestType => self.request_type.is_none().then_some(FormText::RightsTypeRequired),
            Field::Email => validate_email(&self.email).err().map(EmailError::text_key),
            Field::Message if form::char_count(&self.message) > MAX_MESSAGE_CHARS => {
                Some(FormText::RightsMessageTooLong)
            }
            Field::Message
                if self.request_type == Some(RequestType::Rectification) && self.message.trim().is_empty() =>
            {
                Some(FormText::RightsMessageRequired)
            }
            Field::Message => None,
            Field::Confirm => (!self.confirmed).then_some(FormText::RightsConfirmRequired),
        }
    }

    /// After an input: re-checks the fields already showing an error (choosing another type
    /// can clear the message's), so errors are fixed while typing but only added on submit.
    fn revalidate(&mut self) -> Vec<RightsEffect> {
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

    /// Characters left for the message (negative when over), for the counter under it.
    pub fn message_chars_left(&self) -> i64 {
        MAX_MESSAGE_CHARS as i64 - form::char_count(&self.message) as i64
    }

    /// The counter text under the message, e.g. "3988 tegn igjen".
    pub fn message_counter(&self, config: &Config) -> String {
        let mut count = String::new();
        json::push_int(&mut count, self.message_chars_left());
        fill(config.text(self.lang, FormText::RightsCharsLeft), &[("count", &count)])
    }

    /// The status message for the current state, filled in (`None` while editing).
    pub fn status(&self, config: &Config) -> Option<String> {
        let text = |key| config.text(self.lang, key).to_string();
        match self.phase() {
            Phase::Editing => {
                self.mailto.as_ref()?;
                let address = match RightsChannel::of(config) {
                    Some(RightsChannel::Mailto(address)) => address,
                    _ => String::new(),
                };
                Some(fill(config.text(self.lang, FormText::RightsMailtoOpened), &[("address", &address)]))
            }
            Phase::Sending => Some(text(FormText::FormSending)),
            Phase::Done => {
                let mut out = text(FormText::RightsDelivered);
                if !self.reference.is_empty() {
                    out.push(' ');
                    out.push_str(&fill(
                        config.text(self.lang, FormText::RightsReference),
                        &[("reference", &self.reference)],
                    ));
                }
                Some(out)
            }
            Phase::RateLimited { .. } => Some(text(FormText::FormRateLimited)),
            Phase::Failed => Some(text(FormText::FormFailed)),
        }
    }

    /// Where the request stands.
    pub fn phase(&self) -> Phase {
        self.submission.phase()
    }

    /// The submit button's label: sending, writing an e-mail, or retrying.
    pub fn submit_label(&self, config: &Config) -> FormText {
        match (self.phase(), RightsChannel::of(config)) {
            (Phase::RateLimited { .. } | Phase::Failed, _) => FormText::FormRetry,
            (_, Some(RightsChannel::Mailto(_))) => FormText::RightsSubmitMailto,
            _ => FormText::RightsSubmit,
        }
    }
}

/// The `reference` of the backend's answer, trimmed; empty when it sent none (or no JSON).
fn reference_of(body: &str) -> String {
    json::parse(body)
        .ok()
        .and_then(|j| j.get("reference").and_then(Json::as_str).map(|r| r.trim().to_string()))
        .unwrap_or_default()
}

/// `mailto:<to>?subject=<subject>&body=<body>`, each part percent-encoded per RFC 6068.
pub fn mailto_url(to: &str, subject: &str, body: &str) -> String {
    let mut url = String::from("mailto:");
    // In the address, RFC 6068 §2 requires encoding '%', the gen-delims other than '@' and ':'
    // ('/', '?', '#', '[', ']'), '&', ';', '=' and whatever a URI cannot hold ('`', '{', '|',
    // '}', '^'); the rest of an address's characters can stay as they are.
    push_percent_encoded(&mut url, to, b"@!$'*+");
    url.push_str("?subject=");
    push_percent_encoded(&mut url, subject, b"");
    url.push_str("&body=");
    push_percent_encoded(&mut url, body, b"");
    url
}

/// Appends `text` percent-encoded for a `mailto:` URL (RFC 6068): every UTF-8 byte other than
/// RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) and those in `keep` becomes `%XX`
/// (upper-case hex); every line break (CRLF, lone CR or lone LF) becomes `%0D%0A`, the only
/// line break RFC 6068 allows in a body. Encoding more than strictly needed (`+`, `,`, `:`
/// included) is always allowed and spares mail programs that decode `+` as a space.
pub fn push_percent_encoded(out: &mut String, text: &str, keep: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        match b {
            b'\r' | b'\n' => {
                if b == b'\r' && bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                out.push_str("%0D%0A");
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(char::from(b)),
            _ if keep.contains(&b) => out.push(char::from(b)),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
            }
        }
    }
}

#[cfg(test)]
mod tests;
