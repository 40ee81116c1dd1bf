//! The consent manager's interface logic as `update(state, msg) -> effects`.
//! The browser layer renders `ConsentUi` and executes the effects; every decision about
//! what is shown, stored, sent and activated is made here.

use crate::prelude::*;

use crate::config::{Config, ConsentSignal};
use crate::consent::{withdrawn_cookie_patterns, Choices, ConsentRecord, Decision, EventContext};
use crate::cookie::{self, CookieProblem};
use crate::i18n::{BannerText, SharedText, TextKey};
use crate::json::Json;
use crate::lang::Lang;
use crate::sha256;
use crate::time;
use crate::wire::Action;

/// What the widget shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Hidden,
    Banner,
    /// The preferences dialog; closing it goes back to where it was opened from.
    Preferences {
        opener: Opener,
    },
}

/// Where the preferences dialog was opened from, so closing it without a decision goes back there
/// (WCAG 2.4.3 Focus Order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opener {
    /// The banner's own "Customise" button: back to the banner and that button.
    Banner,
    /// The page (the shop's `data-pw-open` button, an embed placeholder, the API, the floating
    /// button): focus goes back to what had it; the banner shows again if it was showing.
    Page { banner_shown: bool },
}

/// Something the visitor or the shop's code asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    AcceptAll,
    RejectAll,
    /// Open the preferences from the page: the shop's button, a placeholder, the API.
    OpenPreferences,
    /// Open the preferences from the banner's own button.
    OpenPreferencesFromBanner,
    ToggleCategory(String, bool),
    ToggleService(String, bool),
    SavePreferences,
    /// Close button or Esc: never counts as a decision.
    ClosePreferences,
    /// Show the first layer again (the shop's re-open link, `PrivacyWidget.show()`).
    ShowBanner,
    /// Allow one service from an embed placeholder.
    AcceptService(String),
    SetLanguage(Lang),
    /// Save the consent receipt as a JSON file.
    DownloadReceipt,
    /// The consent cookie as it is now, read when the page comes back into view (another tab,
    /// or a later page before Back restored this one from the back/forward cache, may have
    /// decided since this page read it).
    CookieSeen(String),
    /// The banner build recorded this decision (a cookie value) at its banner on this page
    /// while this module was on its way: put in force like another page's, so this module's
    /// banner does not ask again. The banner build announced it and delivers its event.
    DecidedAtBanner(String),
}

/// What the browser layer must do after an update, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Re-render the current view from the state.
    Render,
    /// Update the switches in the open dialog from the draft (no re-render: focus stays put).
    SyncSwitches,
    /// Write the consent cookie with this value.
    StoreCookie(String),
    /// Delete cookies matching these names or `prefix*` patterns, on the host and its parents.
    DeleteCookies(Vec<String>),
    /// Queue this consent event for delivery to the backend, behind any earlier event with the
    /// same ordering key (the consent id: one decision chain is delivered in order).
    Post { body: Json, ordering: String },
    /// Google Consent Mode v2 `update` with these signals.
    ConsentMode(Vec<(ConsentSignal, bool)>),
    /// Run the scripts and embeds the current consent allows.
    Activate,
    /// Tell the shop's code (`onChange`, DOM events); `first` for the first decision of a visit.
    Changed { first: bool },
    /// Remember what has focus now, for `RestoreFocus`; comes before the effects that move it.
    RememberFocus,
    /// Move focus into the dialog.
    FocusDialog,
    /// Move focus to the banner's first button.
    FocusBanner,
    /// Return focus to where it was before the widget took it.
    RestoreFocus,
    /// Announce a text to screen readers.
    Announce(BannerText),
    /// Withdrawn services cannot be stopped without a reload (configured by the shop).
    Reload,
    /// Offer a file to the visitor.
    Download { filename: String, content: String },
}

/// Time and randomness for a decision, supplied by the caller so tests are deterministic.
pub struct DecisionInput {
    pub now_ms: u64,
    pub random_id: [u8; 16],
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConsentUi {
    pub view: View,
    pub lang: Lang,
    /// The browser sent Global Privacy Control.
    pub gpc: bool,
    /// The decision in force, if any (valid cookie for the current revision, or made now).
    pub consent: Option<ConsentRecord>,
    /// The switch positions in the preferences dialog.
    pub draft: Choices,
    /// The revision of a stored consent that is no longer current, for "what changed".
    pub previous_revision: Option<String>,
}

/// The outcome of reading the stored cookie at start-up, for the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredConsent {
    None,
    Valid,
    Rejected(CookieProblem),
    /// Valid, but given under another revision: asked again.
    OutdatedRevision(String),
}

impl ConsentUi {
    /// The state at page load from the stored cookie value.
    pub fn start(
        config: &Config,
        stored: Option<&str>,
        gpc: bool,
        lang: Lang,
    ) -> (ConsentUi, Vec<Effect>, StoredConsent) {
        let (consent, status) = match stored.map(|v| cookie::decode(v, config)) {
            None => (None, StoredConsent::None),
            Some(Err(problem)) => (None, StoredConsent::Rejected(problem)),
            Some(Ok(record)) if !record.is_current(config) => {
                let old = record.revision.clone();
                (None, StoredConsent::OutdatedRevision(old))
            }
            Some(Ok(record)) => (Some(record), StoredConsent::Valid),
        };
        let draft = consent.as_ref().map_or_else(|| Choices::none(config), |c| c.choices.clone());
        let view = if consent.is_some() { View::Hidden } else { View::Banner };
        let previous_revision = match &status {
            StoredConsent::OutdatedRevision(old) => Some(old.clone()),
            _ => None,
        };
        let ui = ConsentUi { view, lang, gpc, consent, draft, previous_revision };
        let mut effects = vec![Effect::Render];
        if let Some(c) = &ui.consent {
            effects.push(Effect::ConsentMode(c.choices.consent_mode(config)));
        }
        // Also without consent: blocked embeds need their placeholders.
        effects.push(Effect::Activate);
        (ui, effects, status)
    }

    /// The choices in force: the decision, or nothing optional before one.
    pub fn choices(&self, config: &Config) -> Choices {
        self.consent.as_ref().map_or_else(|| Choices::none(config), |c| c.choices.clone())
    }

    pub fn update(&mut self, config: &Config, msg: Msg, input: DecisionInput) -> Vec<Effect> {
        match msg {
            Msg::AcceptAll => self.decide(config, Choices::all(config), Action::AcceptAll, input),
            Msg::RejectAll => self.decide(config, Choices::none(config), Action::RejectAll, input),
            Msg::SavePreferences => self.decide(config, self.draft.clone(), Action::Save, input),
            Msg::AcceptService(id) => {
                if config.service(&id).is_none() {
                    return Vec::new();
                }
                let mut choices = self.choices(config);
                choices.set_service(config, &id, true);
                self.decide(config, choices, Action::AcceptService, input)
            }
            Msg::OpenPreferences | Msg::OpenPreferencesFromBanner => {
                let mut effects = Vec::new();
                let opener = match (self.view, msg) {
                    // Opened again while open (the API): where it came from stays.
                    (View::Preferences { opener }, _) => opener,
                    (View::Banner, Msg::OpenPreferencesFromBanner) => Opener::Banner,
                    (view, _) => {
                        effects.push(Effect::RememberFocus);
                        Opener::Page { banner_shown: view == View::Banner }
                    }
                };
                if !matches!(self.view, View::Preferences { .. }) {
                    self.draft = self.choices(config);
                }
                self.view = View::Preferences { opener };
                effects.extend([Effect::Render, Effect::FocusDialog]);
                effects
            }
            Msg::ClosePreferences => match self.view {
                View::Preferences { opener: Opener::Banner } => {
                    self.view = View::Banner;
                    vec![Effect::Render, Effect::FocusBanner]
                }
                View::Preferences { opener: Opener::Page { banner_shown } } => {
                    self.view = if banner_shown { View::Banner } else { View::Hidden };
                    vec![Effect::Render, Effect::RestoreFocus]
                }
                _ => Vec::new(),
            },
            Msg::ToggleCategory(id, on) => {
                self.draft.set_category(config, &id, on);
                vec![Effect::SyncSwitches]
            }
            Msg::ToggleService(id, on) => {
                self.draft.set_service(config, &id, on);
                vec![Effect::SyncSwitches]
            }
            Msg::ShowBanner => {
                // From the page: a decision made from the banner's dialog returns focus there.
                let mut effects = if self.view == View::Hidden { vec![Effect::RememberFocus] } else { Vec::new() };
                self.view = View::Banner;
                effects.extend([Effect::Render, Effect::FocusBanner]);
                effects
            }
            Msg::DownloadReceipt => match self.receipt(config) {
                Some(receipt) => {
                    let mut filename = String::from("samtykke-");
                    filename.push_str(self.consent.as_ref().map_or("", |c| c.consent_id.get(..8).unwrap_or("")));
                    filename.push_str(".json");
                    vec![Effect::Download { filename, content: receipt.to_json() }]
                }
                None => Vec::new(),
            },
            Msg::SetLanguage(lang) => {
                self.lang = lang;
                vec![Effect::Render]
            }
            Msg::CookieSeen(value) => self.adopt(config, &value),
            Msg::DecidedAtBanner(value) => {
                // The banner build told the shop's code and delivers the event itself (`web::banner`).
                let mut effects = self.adopt(config, &value);
                effects.retain(|e| !matches!(e, Effect::Changed { .. }));
                effects
            }
        }
    }

    /// Takes over a decision another page stored: shown, applied and announced to the shop's
    /// code here too, but neither stored nor posted again (the deciding page did both).
    fn adopt(&mut self, config: &Config, stored: &str) -> Vec<Effect> {
        let Ok(record) = cookie::decode(stored, config) else { return Vec::new() };
        let known = self.consent.as_ref().map(|c| (c.consent_id.as_str(), c.seq));
        let is_older = known.is_some_and(|(id, seq)| id == record.consent_id && seq >= record.seq);
        if !record.is_current(config) || is_older {
            return Vec::new();
        }
        // The deciding page deleted the withdrawn services' cookies (the jar is shared).
        let withdrawn = !withdrawn_cookie_patterns(config, &self.choices(config), &record.choices).is_empty();
        self.previous_revision = None;
        self.put_in_force(config, record, withdrawn)
    }

    fn decide(&mut self, config: &Config, choices: Choices, pressed: Action, input: DecisionInput) -> Vec<Effect> {
        let before = self.choices(config);
        let at = Decision { now_ms: input.now_ms, random_id: input.random_id, gpc: self.gpc };
        let record = ConsentRecord::decided(config, self.consent.as_ref(), pressed, choices, at);
        let withdrawn: Vec<String> =
            withdrawn_cookie_patterns(config, &before, &record.choices).into_iter().map(String::from).collect();
        let mut effects = vec![
            Effect::StoreCookie(cookie::encode(&record)),
            Effect::Post {
                body: record.event_body(&EventContext { language: self.lang, texts_hash: &self.texts_hash(config) }),
                ordering: record.consent_id.clone(),
            },
        ];
        let any_withdrawn = !withdrawn.is_empty();
        if any_withdrawn {
            effects.push(Effect::DeleteCookies(withdrawn));
        }
        effects.extend(self.put_in_force(config, record, any_withdrawn));
        effects.push(Effect::Announce(BannerText::Saved));
        effects
    }

    /// Puts `record` in force, decided on this page or another: Consent Mode, a reload when
    /// services were switched off (`withdrawn`) and the shop wants one, the scripts now
    /// allowed, the shop's callbacks, and the banner or dialog closed.
    fn put_in_force(&mut self, config: &Config, record: ConsentRecord, withdrawn: bool) -> Vec<Effect> {
        let first = self.consent.is_none();
        let closing_dialog = matches!(self.view, View::Preferences { .. });
        let mut effects = vec![Effect::ConsentMode(record.choices.consent_mode(config))];
        if withdrawn && config.reload_on_withdraw {
            effects.push(Effect::Reload);
        }
        self.draft = record.choices.clone();
        self.consent = Some(record);
        self.view = View::Hidden;
        effects.extend([Effect::Activate, Effect::Changed { first }, Effect::Render]);
        if closing_dialog {
            effects.push(Effect::RestoreFocus);
        }
        effects
    }

    /// SHA-256 of the texts shown in the visitor's language, carried by every event and the
    /// receipt. Computed when needed, not at start-up: most page views never decide anything.
    pub fn texts_hash(&self, config: &Config) -> String {
        texts_hash(config, self.lang)
    }

    /// The receipt the visitor can download: what they decided and a hash of what they saw.
    pub fn receipt(&self, config: &Config) -> Option<Json> {
        let c = self.consent.as_ref()?;
        Some(receipt(config, c.event_body(&EventContext { language: self.lang, texts_hash: &self.texts_hash(config) })))
    }
}

/// A decision's event `body` as its receipt: marked as one, with the statement's address. Also
/// what `getConsent()` and the change events hand the shop's code, so the banner build's events
/// (`web::banner`), made from the body it posts, carry the same value as the consent manager's.
pub fn receipt(config: &Config, mut body: Json) -> Json {
    if let Json::Object(members) = &mut body {
        members.insert(0, ("receipt".into(), Json::Str("privacy-widget consent receipt v1".into())));
        if let Some(url) = &config.privacy_policy_url {
            members.push(("privacy_policy_url".into(), Json::Str(url.clone())));
        }
    }
    body
}

/// SHA-256 over the exact first- and second-layer texts in `lang`, one per line, so the shop
/// can later prove which wording a consent was given to.
pub fn texts_hash(config: &Config, lang: Lang) -> String {
    let mut shown = String::new();
    for text in [
        config.text(lang, BannerText::Title),
        config.text(lang, BannerText::Text),
        config.text(lang, BannerText::AcceptAll),
        config.text(lang, BannerText::RejectAll),
        config.text(lang, BannerText::Settings),
        config.text(lang, BannerText::PreferencesIntro),
    ] {
        shown.push_str(text);
        shown.push('\n');
    }
    for category in &config.categories {
        shown.push_str(&config.category_title(category, lang));
        shown.push('\n');
        shown.push_str(&config.category_description(category, lang));
        shown.push('\n');
        for service in &category.services {
            shown.push_str(&service.name);
            shown.push('\n');
            if let Some(purpose) = &service.purpose {
                shown.push_str(purpose.get(lang));
                shown.push('\n');
            }
        }
    }
    sha256::hex_digest(shown.as_bytes())
}

/// What a blocked embed's placeholder says, and the label of its "allow this service" button
/// (none when the embed names only a category: then the visitor opens the preferences).
pub fn placeholder_texts(
    config: &Config,
    lang: Lang,
    service: Option<&str>,
    category: Option<&str>,
) -> (String, Option<String>) {
    let found = service.and_then(|id| config.service(id));
    let category = found.map(|(c, _)| c).or_else(|| category.and_then(|id| config.category(id)));
    // Mid-sentence, "Statistikk" reads "statistikk". ASCII only: full Unicode case tables cost
    // kilobytes of wasm, and built-in titles start with ASCII letters.
    let category_name = category.map_or_else(String::new, |c| {
        let mut title = config.category_title(c, lang);
        if let Some(first) = title.get_mut(..1) {
            first.make_ascii_lowercase();
        }
        title
    });
    let service_name = found.map_or_else(|| category_name.clone(), |(_, s)| s.name.clone());
    let values = [("service", service_name.as_str()), ("category", category_name.as_str())];
    let template = if found.is_some() { TextKey::PlaceholderText } else { TextKey::PlaceholderCategoryText };
    let text = crate::i18n::fill(config.text(lang, template), &values);
    let accept = found.map(|_| crate::i18n::fill(config.text(lang, TextKey::PlaceholderAccept), &values));
    (text, accept)
}

/// The receipt's rows (label, value) as the preferences dialog shows them: id, time, revision,
/// texts hash, and each category's state, marked when the GPC signal set it.
pub fn receipt_rows(config: &Config, ui: &ConsentUi) -> Option<Vec<(String, String)>> {
    let c = ui.consent.as_ref()?;
    let lang = ui.lang;
    let label = |key| config.text(lang, key).to_string();
    let mut rows = vec![
        (config.text(lang, SharedText::ReceiptId).to_string(), c.consent_id.clone()),
        (label(TextKey::ReceiptTime), time::iso8601(c.decided_at_ms)),
        (label(TextKey::ReceiptRevision), c.revision.clone()),
        (label(TextKey::ReceiptHash), ui.texts_hash(config)),
    ];
    for category in &config.categories {
        let on = c.choices.category(&category.id);
        let mut value = config.text(lang, if on { SharedText::Granted } else { SharedText::Denied }).to_string();
        if c.gpc && !category.required && !on {
            value.push_str(" (");
            value.push_str(config.text(lang, TextKey::ViaGpc));
            value.push(')');
        }
        rows.push((config.category_title(category, lang), value));
    }
    Some(rows)
}

/// The consent events the UI posts through every way of deciding, in `lang`, with their ordering
/// keys: on one visit accept all, a withdrawing reject all, one service from a placeholder, a save
/// that grants, a save that withdraws; on fresh visits (the second with GPC) a first reject all and
/// a first save. Both ends' contract tests drive it (the server's through the `test-support` feature).
#[cfg(any(test, feature = "test-support"))]
pub fn every_decision_event(config: &Config, lang: Lang) -> Vec<(Json, String)> {
    let visits: [&[Msg]; 3] = [
        &[
            Msg::AcceptAll,
            Msg::RejectAll,
            Msg::AcceptService("google-analytics".into()),
            Msg::OpenPreferences,
            Msg::ToggleService("meta-pixel".into(), true),
            Msg::SavePreferences,
            Msg::OpenPreferences,
            Msg::ToggleCategory("analytics".into(), false),
            Msg::SavePreferences,
        ],
        &[Msg::RejectAll],
        &[Msg::SavePreferences],
    ];
    let mut posted = Vec::new();
    for (visit, msgs) in visits.into_iter().enumerate() {
        let (mut ui, _, _) = ConsentUi::start(config, None, visit == 2, lang);
        for (i, msg) in msgs.iter().enumerate() {
            // Consent ids differ per visit and language, so a server can store them all.
            let input = DecisionInput {
                now_ms: 1_764_158_400_000 + i as u64 * 1_000,
                random_id: [visit as u8 * 16 + 1 + lang as u8; 16],
            };
            for effect in ui.update(config, msg.clone(), input) {
                if let Effect::Post { body, ordering } = effect {
                    posted.push((body, ordering));
                }
            }
        }
    }
    posted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::demo;

    fn input(n: u8) -> DecisionInput {
        DecisionInput { now_ms: 1_764_158_400_000 + u64::from(n), random_id: [n; 16] }
    }

    fn start(stored: Option<&str>) -> (ConsentUi, Vec<Effect>, StoredConsent) {
        ConsentUi::start(&demo(), stored, false, Lang::Nb)
    }

    #[test]
    fn first_visit_shows_the_banner_and_allows_nothing() {
        let (ui, effects, status) = start(None);
        assert_eq!(ui.view, View::Banner);
        assert_eq!(status, StoredConsent::None);
        assert_eq!(effects, vec![Effect::Render, Effect::Activate]);
        assert!(!ui.choices(&demo()).any_optional_on(&demo()));
    }

    #[test]
    fn accept_all_stores_posts_activates_and_hides() {
        let config = demo();
        let (mut ui, _, _) = start(None);
        let effects = ui.update(&config, Msg::AcceptAll, input(7));
        assert_eq!(ui.view, View::Hidden);
        let stored = match &effects[0] {
            Effect::StoreCookie(v) => v.clone(),
            other => panic!("expected StoreCookie first, got {other:?}"),
        };
        let body = match &effects[1] {
            Effect::Post { body, ordering } => {
                assert_eq!(ordering, &ui.consent.as_ref().unwrap().consent_id, "ordered by the consent id");
                body.clone()
            }
            other => panic!("expected Post, got {other:?}"),
        };
        assert_eq!(body.get("action").unwrap().as_str(), Some("accept_all"));
        assert_eq!(body.get("seq"), Some(&Json::Int(1)));
        assert_eq!(body.get("texts_hash").unwrap().as_str(), Some(ui.texts_hash(&config).as_str()));
        assert!(effects.contains(&Effect::Activate));
        assert!(effects.contains(&Effect::Changed { first: true }));
        // The stored cookie brings the same decision back on the next page.
        let (next, next_effects, status) = start(Some(&stored));
        assert_eq!(status, StoredConsent::Valid);
        assert_eq!(next.view, View::Hidden);
        assert!(next.choices(&config).service("google-analytics"));
        assert!(next_effects.contains(&Effect::Activate));
    }

    #[test]
    fn reject_all_and_later_changes_keep_the_consent_id_and_count_up() {
        let config = demo();
        let (mut ui, _, _) = start(None);
        ui.update(&config, Msg::AcceptAll, input(1));
        let id = ui.consent.as_ref().unwrap().consent_id.clone();
        let effects = ui.update(&config, Msg::RejectAll, input(2));
        let c = ui.consent.as_ref().unwrap();
        assert_eq!((c.consent_id.as_str(), c.seq), (id.as_str(), 2));
        assert!(!c.choices.any_optional_on(&config));
        assert!(effects.contains(&Effect::DeleteCookies(vec!["_ga".into(), "_ga_*".into()])));
        assert!(effects.contains(&Effect::Changed { first: false }));
    }

    #[test]
    fn closing_the_dialog_is_never_consent() {
        let config = demo();
        let (mut ui, _, _) = start(None);
        let effects = ui.update(&config, Msg::OpenPreferencesFromBanner, input(1));
        assert_eq!(effects, vec![Effect::Render, Effect::FocusDialog]);
        ui.update(&config, Msg::ToggleCategory("analytics".into(), true), input(1));
        assert!(ui.draft.category("analytics"));
        let effects = ui.update(&config, Msg::ClosePreferences, input(1));
        assert_eq!(effects, vec![Effect::Render, Effect::FocusBanner]);
        assert_eq!(ui.view, View::Banner);
        assert!(ui.consent.is_none());
        // Re-opening starts from the choices in force, not the abandoned draft.
        ui.update(&config, Msg::OpenPreferencesFromBanner, input(1));
        assert!(!ui.draft.category("analytics"));
    }

    #[test]
    fn a_dialog_opened_from_the_page_gives_focus_back_to_the_page_whether_the_banner_shows_or_not() {
        let config = demo();
        let (mut ui, _, _) = start(None);
        // The banner shows; the shop's footer button opens the dialog; Esc.
        let effects = ui.update(&config, Msg::OpenPreferences, input(1));
        assert_eq!(effects, vec![Effect::RememberFocus, Effect::Render, Effect::FocusDialog]);
        // Opened again while open (the API): the page's element is still the one to go back to.
        assert_eq!(ui.update(&config, Msg::OpenPreferences, input(1)), vec![Effect::Render, Effect::FocusDialog]);
        let effects = ui.update(&config, Msg::ClosePreferences, input(1));
        assert_eq!(effects, vec![Effect::Render, Effect::RestoreFocus], "not the banner's button");
        assert_eq!(ui.view, View::Banner, "no decision yet: the banner still asks");
        // After a decision: the same steps, and the banner stays away.
        ui.update(&config, Msg::AcceptAll, input(2));
        assert_eq!(ui.update(&config, Msg::OpenPreferences, input(3))[0], Effect::RememberFocus);
        assert_eq!(ui.update(&config, Msg::ClosePreferences, input(3)), vec![Effect::Render, Effect::RestoreFocus]);
        assert_eq!(ui.view, View::Hidden);
        // The shop's "show the banner" button: a decision from there returns focus to it too.
        let effects = ui.update(&config, Msg::ShowBanner, input(4));
        assert_eq!(effects, vec![Effect::RememberFocus, Effect::Render, Effect::FocusBanner]);
    }

    #[test]
    fn save_from_dialog_stores_the_draft_and_restores_focus() {
        let config = demo();
        let (mut ui, _, _) = start(None);
        ui.update(&config, Msg::OpenPreferences, input(1));
        ui.update(&config, Msg::ToggleService("meta-pixel".into(), true), input(1));
        let effects = ui.update(&config, Msg::SavePreferences, input(2));
        assert!(effects.contains(&Effect::RestoreFocus));
        let choices = ui.choices(&config);
        assert!(choices.category("marketing") && !choices.category("analytics"));
        assert_eq!(ui.consent.as_ref().unwrap().action, Action::Save);
    }

    #[test]
    fn a_new_revision_asks_again() {
        let config = demo();
        let (mut ui, _, _) = start(None);
        let effects = ui.update(&config, Msg::AcceptAll, input(1));
        let Effect::StoreCookie(value) = &effects[0] else { panic!() };
        let mut revised = config.clone();
        revised.revision = "2027-01-01".into();
        let (ui2, effects2, status) = ConsentUi::start(&revised, Some(value), false, Lang::Nb);
        assert_eq!(status, StoredConsent::OutdatedRevision("2026-11-01".into()));
        assert_eq!(ui2.previous_revision.as_deref(), Some("2026-11-01"), "kept for the what-changed view");
        assert_eq!(ui2.view, View::Banner);
        assert!(!effects2.iter().any(|e| matches!(e, Effect::ConsentMode(_))));
        assert!(!ui2.choices(&revised).any_optional_on(&revised));
    }

    /// The cookie a decision on another page stored.
    fn decided_elsewhere(config: &Config, msg: Msg, start_with: Option<&str>) -> (ConsentUi, String) {
        let (mut other, _, _) = ConsentUi::start(config, start_with, false, Lang::Nb);
        let effects = other.update(config, msg, input(3));
        let Some(Effect::StoreCookie(stored)) = effects.into_iter().next() else { panic!("no cookie stored") };
        (other, stored)
    }

    #[test]
    fn a_decision_at_the_banner_builds_banner_closes_this_banner_without_telling_the_shop_twice() {
        let config = demo();
        let (_, stored) = decided_elsewhere(&config, Msg::RejectAll, None);
        // The click came while this module was starting: its banner goes, the decision is in force.
        let (mut before_click, _, _) = start(None);
        let effects = before_click.update(&config, Msg::DecidedAtBanner(stored.clone()), input(4));
        assert_eq!(before_click.view, View::Hidden);
        assert!(effects.contains(&Effect::Activate) && effects.contains(&Effect::Render));
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::StoreCookie(_) | Effect::Post { .. } | Effect::Changed { .. })),
            "stored, delivered and told by the banner build: {effects:?}"
        );
        // Start-up read the cookie the click wrote: nothing to do again.
        let (mut after_click, _, _) = start(Some(&stored));
        assert_eq!(after_click.update(&config, Msg::DecidedAtBanner(stored), input(4)), Vec::new());
        // A value that is no decision for this config changes nothing.
        let (mut none, _, _) = start(None);
        assert_eq!(none.update(&config, Msg::DecidedAtBanner("1|x".into()), input(4)), Vec::new());
    }

    #[test]
    fn a_decision_from_another_page_is_taken_over_but_not_stored_or_posted_again() {
        let config = demo();
        let (other, stored) = decided_elsewhere(&config, Msg::AcceptAll, None);
        let (mut here, _, _) = start(None);
        let effects = here.update(&config, Msg::CookieSeen(stored.clone()), input(4));
        assert_eq!(here.view, View::Hidden, "the banner goes");
        assert_eq!(here.consent, other.consent);
        assert_eq!(here.draft, other.consent.as_ref().unwrap().choices);
        assert_eq!(
            effects,
            vec![
                Effect::ConsentMode(other.choices(&config).consent_mode(&config)),
                Effect::Activate,
                Effect::Changed { first: true },
                Effect::Render,
            ]
        );
        // Seen again (the next focus), or older than a change made here since: nothing.
        assert_eq!(here.update(&config, Msg::CookieSeen(stored.clone()), input(5)), vec![]);
        here.update(&config, Msg::RejectAll, input(6));
        assert_eq!(here.update(&config, Msg::CookieSeen(stored), input(7)), vec![]);
        assert!(!here.choices(&config).category("analytics"));
    }

    #[test]
    fn a_withdrawal_from_another_page_closes_the_dialog_and_reloads_when_configured() {
        let mut config = demo();
        config.reload_on_withdraw = true;
        let (_, accepted) = decided_elsewhere(&config, Msg::AcceptAll, None);
        let (_, rejected) = decided_elsewhere(&config, Msg::RejectAll, Some(&accepted));
        let (mut here, _, _) = ConsentUi::start(&config, Some(&accepted), false, Lang::Nb);
        here.update(&config, Msg::OpenPreferences, input(4));
        let effects = here.update(&config, Msg::CookieSeen(rejected), input(5));
        assert_eq!(here.view, View::Hidden);
        assert!(!here.choices(&config).any_optional_on(&config));
        assert!(effects.contains(&Effect::Reload), "scripts running here cannot be stopped otherwise");
        assert!(effects.contains(&Effect::RestoreFocus) && effects.contains(&Effect::Changed { first: false }));
    }

    #[test]
    fn a_tampered_or_outdated_cookie_seen_later_changes_nothing() {
        let config = demo();
        let (mut here, _, _) = start(None);
        assert_eq!(here.update(&config, Msg::CookieSeen("v1|garbage".into()), input(1)), vec![]);
        let mut revised = config.clone();
        revised.revision = "2027-01-01".into();
        let (_, newer) = decided_elsewhere(&revised, Msg::AcceptAll, None);
        assert_eq!(
            here.update(&config, Msg::CookieSeen(newer), input(2)),
            vec![],
            "this page's config is another revision"
        );
        assert_eq!((here.view, here.consent.is_none()), (View::Banner, true));
    }

    #[test]
    fn garbage_cookie_means_no_consent() {
        let (ui, _, status) = start(Some("1|hacked|yes"));
        assert_eq!(ui.view, View::Banner);
        assert!(matches!(status, StoredConsent::Rejected(_)));
    }

    #[test]
    fn gpc_is_recorded_with_the_decision() {
        let config = demo();
        let (mut ui, _, _) = ConsentUi::start(&config, None, true, Lang::En);
        assert!(!ui.draft.any_optional_on(&config), "GPC: everything optional starts off");
        ui.update(&config, Msg::SavePreferences, input(3));
        let rows = receipt_rows(&config, &ui).unwrap();
        assert!(rows.contains(&("Analytics".into(), "Not allowed (set by the GPC signal)".into())), "{rows:?}");
        assert_eq!(rows[0].1, ui.consent.as_ref().unwrap().consent_id);
        assert_eq!(ui.receipt(&config).unwrap().get("gpc"), Some(&Json::Bool(true)));
    }

    #[test]
    fn placeholder_consent_allows_one_service_only() {
        let config = demo();
        let (mut ui, _, _) = start(None);
        ui.update(&config, Msg::AcceptService("google-analytics".into()), input(1));
        let choices = ui.choices(&config);
        assert!(choices.service("google-analytics"));
        assert!(!choices.service("meta-pixel"));
        assert!(ui.update(&config, Msg::AcceptService("nope".into()), input(2)).is_empty());
    }

    #[test]
    fn receipt_download_is_offered_only_after_a_decision() {
        let config = demo();
        let (mut ui, _, _) = start(None);
        assert!(ui.update(&config, Msg::DownloadReceipt, input(1)).is_empty());
        ui.update(&config, Msg::AcceptAll, input(1));
        let effects = ui.update(&config, Msg::DownloadReceipt, input(2));
        let [Effect::Download { filename, content }] = &effects[..] else { panic!("{effects:?}") };
        assert_eq!(filename, "samtykke-01010101.json");
        let receipt = crate::json::parse(content).unwrap();
        assert_eq!(receipt.get("consent_id").unwrap().as_str(), Some("01".repeat(16).as_str()));
        assert_eq!(receipt.get("texts_hash").unwrap().as_str(), Some(ui.texts_hash(&config).as_str()));
    }

    #[test]
    fn placeholders_name_the_service_and_offer_it_alone() {
        let config = demo();
        let (text, accept) = placeholder_texts(&config, Lang::Nb, Some("google-analytics"), Some("analytics"));
        assert_eq!(text, "Dette innholdet fra Google Analytics vises ikke fordi du ikke har samtykket til statistikk.");
        assert_eq!(accept.as_deref(), Some("Tillat Google Analytics"));
        let (text, accept) = placeholder_texts(&config, Lang::En, None, Some("marketing"));
        assert_eq!(text, "This content is not shown because you have not consented to marketing.");
        assert_eq!(accept, None);
    }

    #[test]
    fn texts_hash_changes_with_the_wording() {
        let config = demo();
        let mut changed = config.clone();
        changed.texts.push((Lang::Nb, vec![(BannerText::Text.name(), "Annen tekst".into())]));
        assert_ne!(texts_hash(&config, Lang::Nb), texts_hash(&changed, Lang::Nb));
        assert_eq!(texts_hash(&config, Lang::En), texts_hash(&changed, Lang::En));
        assert_eq!(texts_hash(&config, Lang::Nb).len(), 64);
    }
}
