//! SPIKE: the fields the banner path needs, read without validation messages.
use crate::prelude::*;
use privacy_widget_core::config::{Category, Config, CookieSettings, Endpoints, OutboxStorage, Service, Theme};
use privacy_widget_core::json::{self, Json};
use privacy_widget_core::lang::Lang;

fn s(j: &Json, k: &str) -> Option<String> {
    j.get(k).and_then(Json::as_str).map(String::from)
}

pub fn read(text: &str) -> Option<Config> {
    let root = json::parse(text).ok()?;
    let mut categories = Vec::new();
    for c in root.get("categories")?.as_array()? {
        let mut services = Vec::new();
        for sv in c.get("services").and_then(Json::as_array).unwrap_or(&[]) {
            services.push(Service {
                id: s(sv, "id")?,
                name: String::new(),
                provider: None,
                purpose: None,
                cookies: Vec::new(),
                hosts: Vec::new(),
            });
        }
        categories.push(Category {
            id: s(c, "id")?,
            required: c.get("required").and_then(Json::as_bool).unwrap_or(false),
            title: None,
            description: None,
            services,
        });
    }
    let cookie = root.get("cookie");
    Some(Config {
        revision: s(&root, "revision")?,
        language: s(&root, "language").as_deref().and_then(Lang::from_tag),
        categories,
        endpoints: Endpoints { consent: None, newsletter: None, rights_request: None },
        privacy_policy_url: s(&root, "privacyPolicyUrl"),
        contact_email: None,
        statement: None,
        cookie: CookieSettings {
            name: cookie.and_then(|c| s(c, "name")).unwrap_or_else(|| "pw_consent".into()),
            domain: cookie.and_then(|c| s(c, "domain")),
            lifetime_days: cookie.and_then(|c| c.get("lifetimeDays")).and_then(Json::as_int).map(|n| n as u32),
        },
        consent_mode: Vec::new(),
        floating_button: root.get("floatingButton").and_then(Json::as_bool).unwrap_or(false),
        reload_on_withdraw: false,
        theme: Theme::Auto,
        outbox_storage: OutboxStorage::Session,
        keep_history: false,
        texts: Vec::new(),
    })
}
