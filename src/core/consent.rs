//! The consent model: what the visitor allowed, when, under which policy revision,
//! and the event that tells the shop's backend about it.

use crate::prelude::*;

use crate::config::{Category, Config, ConsentSignal, StorageKind};
use crate::json::Json;
use crate::lang::Lang;
use crate::wire::{new_consent_id, Action, ConsentEvent};

/// A switch position for every configured service, and for every category without services.
/// Required categories are always on. Nothing is on unless the visitor switched it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    /// `(category id, on)` for every configured category, in config order.
    pub categories: Vec<(String, bool)>,
    /// `(service id, on)` for every configured service, in config order.
    pub services: Vec<(String, bool)>,
}

impl Choices {
    /// Everything optional off: the state before any consent, and after "reject all".
    pub fn none(config: &Config) -> Choices {
        Choices::uniform(config, false)
    }

    pub fn all(config: &Config) -> Choices {
        Choices::uniform(config, true)
    }

    fn uniform(config: &Config, on: bool) -> Choices {
        // One loop rather than `flat_map(…).collect()`: the flattening adapter and its collect
        // cost the banner build 0.45 kB brotli.
        let mut choices = Choices { categories: Vec::new(), services: Vec::new() };
        // The ids copied by `String::from`, not `clone`: the banner build links the first anyway,
        // and `String::clone` would be a second copy of the same code (50 B brotli there).
        for category in &config.categories {
            let state = on || category.required;
            choices.categories.push((String::from(category.id.as_str()), state));
            for service in &category.services {
                choices.services.push((String::from(service.id.as_str()), state));
            }
        }
        choices
    }

    /// A category counts as accepted only when all its services are: a script marked only
    /// with the category must not run because the visitor allowed one service in it.
    pub fn category(&self, id: &str) -> bool {
        self.categories.iter().any(|(c, on)| c == id && *on)
    }

    pub fn service(&self, id: &str) -> bool {
        self.services.iter().any(|(s, on)| s == id && *on)
    }

    /// Switches a category and all its services; required categories stay on.
    pub fn set_category(&mut self, config: &Config, id: &str, on: bool) {
        let Some(category) = config.category(id) else { return };
        let on = on || category.required;
        for svc in &category.services {
            self.put_service(&svc.id, on);
        }
        self.put_category(id, on);
    }

    /// Switches one service; its category becomes on exactly when all its services are.
    pub fn set_service(&mut self, config: &Config, id: &str, on: bool) {
        let Some((category, _)) = config.service(id) else { return };
        let on = on || category.required;
        self.put_service(id, on);
        let all_on = category.services.iter().all(|s| self.service(&s.id));
        self.put_category(&category.id.clone(), all_on);
    }

    /// How many of the category's services are on, for a "mixed" category switch.
    pub fn services_on(&self, category: &Category) -> usize {
        category.services.iter().filter(|s| self.service(&s.id)).count()
    }

    fn put_category(&mut self, id: &str, on: bool) {
        if let Some(entry) = self.categories.iter_mut().find(|(c, _)| c == id) {
            entry.1 = on;
        }
    }

    fn put_service(&mut self, id: &str, on: bool) {
        if let Some(entry) = self.services.iter_mut().find(|(s, _)| s == id) {
            entry.1 = on;
        }
    }

    pub fn any_optional_on(&self, config: &Config) -> bool {
        config
            .categories
            .iter()
            .filter(|c| !c.required)
            .any(|c| self.category(&c.id) || c.services.iter().any(|s| self.service(&s.id)))
    }

    /// Consent Mode v2: a signal is granted when any category mapped to it is accepted.
    pub fn consent_mode(&self, config: &Config) -> Vec<(ConsentSignal, bool)> {
        // A loop, not `map(…).collect()`: fewer bytes in the banner build.
        let mut signals = Vec::with_capacity(config.consent_mode.len());
        for (signal, ids) in &config.consent_mode {
            signals.push((*signal, ids.iter().any(|id| self.category(id))));
        }
        signals
    }

    /// Whether going from `self` to `after` switches off a category or service that was on:
    /// such a decision is sent as a withdrawal.
    pub fn withdrawn_in(&self, after: &Choices) -> bool {
        self.categories.iter().any(|(id, was)| *was && !after.category(id))
            || self.services.iter().any(|(id, was)| *was && !after.service(id))
    }
}

/// A decision as stored in the cookie and shown on the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// 32 lowercase hex characters, random, new for every first decision.
    pub consent_id: String,
    /// Increments with every change under the same consent id, so the backend keeps the latest.
    pub seq: u32,
    pub revision: String,
    pub action: Action,
    pub choices: Choices,
    pub decided_at_ms: u64,
    /// The optional categories were preset off because the browser sent Global Privacy Control.
    pub gpc: bool,
}

/// When and by whom a decision is made: the clock, fresh randomness for a new consent id, and
/// whether the browser sent Global Privacy Control. Supplied by the caller so tests are
/// deterministic.
pub struct Decision {
    pub now_ms: u64,
    pub random_id: [u8; 16],
    pub gpc: bool,
}

/// Everything the consent event carries besides the record itself.
pub struct EventContext<'a> {
    pub language: Lang,
    pub texts_hash: &'a str,
}

impl ConsentRecord {
    /// A decision of `choices` under the current config: the next in `previous`'s chain, or the
    /// first of a new consent id. The banner build and the consent manager both decide here.
    pub fn decided(
        config: &Config,
        previous: Option<&ConsentRecord>,
        pressed: Action,
        choices: Choices,
        at: Decision,
    ) -> ConsentRecord {
        let before = previous.map_or_else(|| Choices::none(config), |p| p.choices.clone());
        let (consent_id, seq) = match previous {
            Some(p) => (p.consent_id.clone(), p.seq.saturating_add(1)),
            None => (new_consent_id(at.random_id), 1),
        };
        ConsentRecord {
            consent_id,
            seq,
            revision: String::from(config.revision.as_str()), // not `clone`, as in `uniform`
            action: Action::for_decision(pressed, before.withdrawn_in(&choices)),
            choices,
            decided_at_ms: at.now_ms,
            gpc: at.gpc,
        }
    }

    /// The body posted to the consent endpoint: the consent id, revision, choices, action,
    /// time and language, and nothing more personal than that.
    pub fn event_body(&self, ctx: &EventContext) -> Json {
        ConsentEvent {
            consent_id: &self.consent_id,
            seq: self.seq,
            revision: &self.revision,
            action: self.action,
            categories: &self.choices.categories,
            services: &self.choices.services,
            decided_at_ms: self.decided_at_ms,
            language: ctx.language,
            texts_hash: ctx.texts_hash,
            gpc: self.gpc,
        }
        .to_json()
    }

    /// Whether this stored decision still holds under the current config: same revision.
    /// (Category and service sets are checked when the cookie is decoded.)
    pub fn is_current(&self, config: &Config) -> bool {
        self.revision == config.revision
    }
}

/// Does a cookie name match a declared name or `prefix*` pattern?
pub fn cookie_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

/// The cookies to delete when the visitor goes from `before` to `after`: those declared by
/// every service that was allowed and no longer is (web-storage keys are not cookies).
pub fn withdrawn_cookie_patterns<'a>(config: &'a Config, before: &Choices, after: &Choices) -> Vec<&'a str> {
    config
        .categories
        .iter()
        .flat_map(|c| &c.services)
        .filter(|s| before.service(&s.id) && !after.service(&s.id))
        .flat_map(|s| s.cookies.iter().filter(|c| c.kind == StorageKind::Cookie).map(|c| c.name.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::demo;
    use crate::wire::new_consent_id;

    #[test]
    fn nothing_optional_is_on_before_consent() {
        let c = demo();
        let none = Choices::none(&c);
        assert!(none.category("necessary"));
        assert!(!none.category("analytics"));
        assert!(!none.service("google-analytics"));
        assert!(!none.any_optional_on(&c));
        assert!(Choices::all(&c).service("meta-pixel"));
    }

    #[test]
    fn category_is_accepted_only_when_all_its_services_are() {
        let c = demo();
        let mut ch = Choices::none(&c);
        ch.set_service(&c, "google-analytics", true);
        assert!(ch.category("analytics"), "the only service of analytics is on");
        ch.set_category(&c, "analytics", false);
        assert!(!ch.service("google-analytics"));
        ch.set_category(&c, "necessary", false);
        assert!(ch.category("necessary"), "required categories cannot be switched off");
        assert!(!ch.any_optional_on(&c));
    }

    #[test]
    fn consent_mode_follows_categories() {
        let c = demo();
        let mut ch = Choices::none(&c);
        ch.set_category(&c, "analytics", true);
        let signals = ch.consent_mode(&c);
        let get = |s| signals.iter().find(|(x, _)| *x == s).unwrap().1;
        assert!(get(ConsentSignal::AnalyticsStorage));
        assert!(!get(ConsentSignal::AdStorage));
        assert!(!get(ConsentSignal::AdUserData));
        assert!(!get(ConsentSignal::AdPersonalization));
    }

    #[test]
    fn withdrawal_lists_cookies_of_services_switched_off() {
        let c = demo();
        let all = Choices::all(&c);
        let mut after = all.clone();
        after.set_category(&c, "analytics", false);
        assert_eq!(withdrawn_cookie_patterns(&c, &all, &after), vec!["_ga", "_ga_*"]);
        assert!(withdrawn_cookie_patterns(&c, &after, &all).is_empty());
        assert!(cookie_matches("_ga_*", "_ga_ABC123"));
        assert!(!cookie_matches("_ga_*", "_gat"));
        assert!(cookie_matches("_ga", "_ga"));
        assert!(!cookie_matches("_ga", "_ga_X"));
    }

    #[test]
    fn event_body_carries_exactly_the_promised_fields() {
        let c = demo();
        let record = ConsentRecord {
            consent_id: new_consent_id([0xab; 16]),
            seq: 2,
            revision: c.revision.clone(),
            action: Action::AcceptAll,
            choices: Choices::all(&c),
            decided_at_ms: 1_764_158_400_000,
            gpc: false,
        };
        let body = record.event_body(&EventContext { language: Lang::Nb, texts_hash: "00" });
        let keys: Vec<&str> = body.as_object().unwrap().iter().map(|(k, _)| k.as_str()).collect();
        // Every field of the contract but `history`, which only the outbox adds.
        assert_eq!(keys, crate::wire::EVENT_FIELDS[..10]);
        assert_eq!(body.get("consent_id").unwrap().as_str().unwrap(), "ab".repeat(16));
        assert_eq!(body.get("timestamp").unwrap().as_str(), Some("2025-11-26T12:00:00.000Z"));
        assert_eq!(body.get("services").unwrap().get("meta-pixel"), Some(&Json::Bool(true)));
    }
}
