//! The config as the banner build reads it: only the fields the banner path uses (revision,
//! language, categories and services with the texts the texts hash covers, cookie, statement
//! link, revisions and container, floating button, theme, the consent endpoint, outbox storage,
//! the overrides of the banner's and the categories' texts, the Consent Mode mapping), without a
//! word of the field-named messages.
//!
//! Why a second reader: `Config::parse` checks every field and names every mistake, and that
//! costs more than the whole banner (7 KB brotli of the 10 KB budget). The banner build reads
//! leniently what it needs and checks only what keeps its own output safe (the revision and ids
//! it writes into the cookie, the cookie's name and lifetime, the link's URL); anything it cannot
//! read makes it give up and start the full module, whose `Config::parse` reports the mistakes.
//! The full module parses the config again either way and fails closed on any mistake, so a
//! config only this reader accepts shows a banner for as long as the full module takes to load.
//! `tests::agrees_with_the_full_parse` holds the two readers to the same values.

use crate::prelude::*;

use super::lenient::{self, safe_url, str_of};
use super::{is_token, Category, Config, ConsentSignal, OutboxStorage, Theme, COOKIE_LIFETIME_DAYS, COOKIE_NAME_MAX};
use crate::i18n::{BannerText, SharedText};
use crate::json::Json;
use crate::lang::Lang;
use crate::wire;

/// The banner path's config from the config's JSON (in the browser, as `json::from_tokens` has it
/// from `JSON.parse`), or `None` when something it needs is absent or unreadable.
pub fn read(root: &Json) -> Option<Config> {
    let mut config = Config::defaults();
    config.revision = str_of(root, "revision").filter(|r| wire::is_revision(r))?.to_string();
    config.language = match root.get("language") {
        None => None,
        Some(Json::Str(tag)) if tag == "auto" => None,
        Some(tag) => Some(Lang::from_tag(tag.as_str()?)?),
    };
    config.categories = lenient::categories::<false>(root)?;
    if let Some(cookie) = root.get("cookie") {
        if let Some(name) = cookie.get("name") {
            config.cookie.name = name.as_str().filter(|n| is_token(n, COOKIE_NAME_MAX))?.to_string();
        }
        config.cookie.domain = str_of(cookie, "domain").map(String::from);
        config.cookie.lifetime_days = match cookie.get("lifetimeDays") {
            None | Some(Json::Null) => None,
            Some(days) => Some(days.as_int().filter(|d| COOKIE_LIFETIME_DAYS.contains(d))? as u32),
        };
    }
    config.privacy_policy_url = safe_url(root.get("privacyPolicyUrl"))?;
    // Whether "what changed" can be offered, and whether this page shows the statement.
    config.statement = lenient::statement(root)?;
    config.endpoints.consent = safe_url(root.get("endpoints").and_then(|e| e.get("consent")))?;
    config.floating_button = root.get("floatingButton").map_or(Some(false), Json::as_bool)?;
    config.theme = Theme::from_name(str_of(root, "theme"))?;
    config.outbox_storage = OutboxStorage::from_name(root.get("outbox").and_then(|o| str_of(o, "storage")))?;
    // The banner's texts, and the built-in categories' titles and descriptions: the texts hash
    // a decision here carries covers them as the preferences would show them.
    config.texts = lenient::text_overrides(root.get("texts"), |name| {
        let banner = BannerText::ALL.iter().map(|k| k.name());
        banner.chain(SharedText::ALL.iter().map(|k| k.name())).find(|k| *k == name)
    });
    config.consent_mode = consent_mode(root.get("consentMode"), &config.categories)?;
    Some(config)
}

/// The Consent Mode mapping a returning visitor's update is sent from: the shop's lists, else each
/// signal's default categories among those configured. An unknown signal or id gives up.
fn consent_mode(custom: Option<&Json>, categories: &[Category]) -> Option<Vec<(ConsentSignal, Vec<String>)>> {
    let known = |id: &str| categories.iter().any(|c| c.id == id);
    let custom = match custom {
        None => &[][..],
        Some(mapping) => mapping.as_object()?,
    };
    if custom.iter().any(|(name, _)| ConsentSignal::ALL.iter().all(|s| s.name() != name)) {
        return None;
    }
    let mut mapping = Vec::new();
    for signal in ConsentSignal::ALL {
        let ids = match custom.iter().find(|(name, _)| name == signal.name()) {
            None => signal.default_ids(known),
            Some((_, ids)) => {
                // A loop, not `collect::<Option<Vec<_>>>()`: 0.18 kB less in the banner build.
                let mut list = Vec::new();
                for id in ids.as_array()? {
                    list.push(id.as_str().filter(|id| known(id))?.to_string());
                }
                list
            }
        };
        mapping.push((signal, ids));
    }
    Some(mapping)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::{
        agreement_configs, assert_agrees, assert_gives_up, overrides_named, BAD_CATEGORY_ID, BAD_REVISION, DEMO,
        NO_REVISION, TEXT_IN_UNKNOWN_LANGUAGE, UNSAFE_STATEMENT_LINK,
    };
    use crate::config::Service;
    use crate::ui::texts_hash;

    /// Every field this reader fills, as the full parse has it.
    fn banner_part(config: &Config) -> Config {
        let mut part = Config::defaults();
        part.revision = config.revision.clone();
        part.language = config.language;
        part.categories = config
            .categories
            .iter()
            .map(|c| Category {
                services: c
                    .services
                    .iter()
                    .map(|s| Service {
                        id: s.id.clone(),
                        name: s.name.clone(),
                        purpose: s.purpose.clone(),
                        ..Service::default()
                    })
                    .collect(),
                ..c.clone()
            })
            .collect();
        part.cookie = config.cookie.clone();
        part.privacy_policy_url = config.privacy_policy_url.clone();
        part.statement = config.statement.clone();
        part.endpoints.consent = config.endpoints.consent.clone();
        part.floating_button = config.floating_button;
        part.theme = config.theme;
        part.outbox_storage = config.outbox_storage;
        part.consent_mode = config.consent_mode.clone();
        part.texts = overrides_named(&config.texts, |k| {
            BannerText::ALL.iter().any(|b| b.name() == k) || SharedText::ALL.iter().any(|b| b.name() == k)
        });
        part
    }

    #[test]
    fn agrees_with_the_full_parse() {
        let variants = agreement_configs(
            DEMO.replacen(
                "\"language\": \"nb\",",
                r#""language": "auto", "theme": "dark", "floatingButton": true,
                   "cookie": {"name": "shop_consent", "domain": ".example.no", "lifetimeDays": 180},
                   "outbox": {"storage": "local"}, "consentMode": {"ad_storage": ["analytics"], "analytics_storage": []},
                   "texts": {"en": {"acceptAll": "Yes please", "preferencesTitle": "Choices", "preferencesIntro": "Pick"}, "nn": {"bannerTitle": "Hei", "category.analytics": "Besøkstal", "category.necessary.description": "Alltid på"}},"#,
                1,
            )
            .replacen(
                r#"{"id": "necessary", "required": true}"#,
                r#"{"id": "necessary", "required": true, "title": "Må ha", "description": {"nn": "Alltid", "en": "Always"}}"#,
                1,
            ),
        );
        for ((banner, full), text) in assert_agrees(read, banner_part, &variants).iter().zip(&variants) {
            // What a decision at the banner carries is what the consent manager would send.
            for lang in Lang::ALL {
                assert_eq!(texts_hash(banner, lang), texts_hash(full, lang), "{lang:?}: {text}");
            }
        }
    }

    #[test]
    fn gives_up_on_what_it_cannot_use_safely() {
        assert_gives_up(
            read,
            &[
                BAD_REVISION,
                BAD_CATEGORY_ID,
                UNSAFE_STATEMENT_LINK,
                ("\"language\": \"nb\"", "\"language\": \"de\""),
                ("\"language\": \"nb\"", "\"language\": \"nb\", \"cookie\": {\"lifetimeDays\": 400}"),
                ("\"language\": \"nb\"", "\"language\": \"nb\", \"cookie\": {\"name\": \"a;b\"}"),
                ("\"language\": \"nb\"", "\"language\": \"nb\", \"theme\": \"pink\""),
                ("\"language\": \"nb\"", "\"language\": \"nb\", \"consentMode\": {\"ad_storage\": [\"ads\"]}"),
                ("\"language\": \"nb\"", "\"language\": \"nb\", \"consentMode\": {\"ads\": []}"),
                NO_REVISION,
                ("\"name\": \"Meta Pixel\"", "\"name\": \" \""),
                TEXT_IN_UNKNOWN_LANGUAGE,
                ("\"/api/consent\"", "\"//evil.example/api\""),
            ],
        );
    }
}
