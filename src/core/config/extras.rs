//! The config as the extras build reads it: what the statement viewer, the cookie declaration,
//! the rights requests and the newsletter forms use (the revision, the categories with the
//! services and the cookies they declare, the newsletter and rights endpoints, the statement, the
//! statement link, the contact address, the shared texts' and the forms' overrides), without a
//! word of the field-named messages.
//!
//! Why a lenient reader here too (see `forms.rs`): the consent manager loads the extras build
//! only after its `Config::parse` has accepted the config, so the full parse's checks and messages
//! (5.8 kB brotli of the build) would be carried and never used. It still checks what keeps its own
//! output safe (the revision it posts, the URLs it links and posts to) and gives up on anything
//! else it cannot read. `tests::agrees_with_the_full_parse` holds it to the full parse.

use crate::prelude::*;

use super::lenient::{self, safe_url, str_of};
use super::Config;
use crate::i18n::{FormText, SharedText};
use crate::json::Json;
use crate::wire;

/// The extras' config from the config's JSON, or `None` when something it needs is unreadable.
pub fn read(root: &Json) -> Option<Config> {
    let mut config = Config::defaults();
    config.revision = str_of(root, "revision").filter(|r| wire::is_revision(r))?.to_string();
    config.categories = lenient::categories::<true>(root)?;
    let endpoints = root.get("endpoints");
    config.endpoints.newsletter = safe_url(endpoints.and_then(|e| e.get("newsletter")))?;
    config.endpoints.rights_request = safe_url(endpoints.and_then(|e| e.get("rightsRequest")))?;
    config.privacy_policy_url = safe_url(root.get("privacyPolicyUrl"))?;
    config.contact_email = str_of(root, "contactEmail").map(String::from);
    config.statement = lenient::statement(root)?;
    config.texts = lenient::text_overrides(root.get("texts"), |name| {
        let shared = SharedText::ALL.iter().map(|k| k.name());
        shared.chain(FormText::ALL.iter().map(|k| k.name())).find(|k| *k == name)
    });
    Some(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::{
        agreement_configs, assert_agrees, assert_declared_service, assert_gives_up, declared_categories,
        override_names, overrides_named, with_declared_cookies, BAD_CATEGORY_ID, BAD_REVISION, DEMO, NO_REVISION,
        STATEMENT_WITHOUT_SOURCE, TEXT_IN_UNKNOWN_LANGUAGE, UNKNOWN_COOKIE_PARTY, UNKNOWN_COOKIE_TYPE,
        UNSAFE_STATEMENT_LINK,
    };
    use crate::lang::Lang;

    /// Every field this reader fills, as the full parse has it.
    fn extras_part(config: &Config) -> Config {
        let mut part = Config::defaults();
        part.revision = config.revision.clone();
        part.categories = declared_categories(config);
        part.endpoints.newsletter = config.endpoints.newsletter.clone();
        part.endpoints.rights_request = config.endpoints.rights_request.clone();
        part.privacy_policy_url = config.privacy_policy_url.clone();
        part.contact_email = config.contact_email.clone();
        part.statement = config.statement.clone();
        part.texts = overrides_named(&config.texts, |name| {
            SharedText::ALL.iter().any(|k| k.name() == name) || FormText::ALL.iter().any(|k| k.name() == name)
        });
        part
    }

    #[test]
    fn agrees_with_the_full_parse() {
        let variants = agreement_configs(with_declared_cookies(
            DEMO.replacen(
                "\"language\": \"nb\",",
                r#""language": "auto", "contactEmail": "personvern@example.no",
                   "endpoints": {"consent": "/api/consent", "newsletter": "https://shop.example/nl", "rightsRequest": "/api/rights"},
                   "texts": {"en": {"newsletterTitle": "News", "privacyStatement": "Privacy", "acceptAll": "Yes"},
                             "nn": {"category.analytics": "Besøkstal", "preferencesTitle": "Val"}},"#,
                1,
            )
            .replacen("\"endpoints\": {\"consent\": \"/api/consent\"},", "", 1),
        ));
        let read_back = assert_agrees(read, extras_part, &variants);
        // The variant's overrides: the shared texts' and the forms', no other build's.
        let third = &read_back[2].0;
        assert_eq!(third.endpoints.rights_request.as_deref(), Some("/api/rights"));
        assert_eq!(override_names(third, Lang::En), Some(Vec::from(["newsletterTitle", "privacyStatement"])));
        assert_eq!(override_names(third, Lang::Nn), Some(Vec::from(["category.analytics"])));
        assert_declared_service(third);
    }

    #[test]
    fn gives_up_on_what_it_cannot_use_safely() {
        assert_gives_up(
            read,
            &[
                BAD_REVISION,
                NO_REVISION,
                UNSAFE_STATEMENT_LINK,
                (
                    "\"endpoints\": {\"consent\": \"/api/consent\"",
                    "\"endpoints\": {\"consent\": \"/api/consent\", \"rightsRequest\": \"//evil.example/rights\"",
                ),
                STATEMENT_WITHOUT_SOURCE,
                BAD_CATEGORY_ID,
                UNKNOWN_COOKIE_PARTY,
                UNKNOWN_COOKIE_TYPE,
                TEXT_IN_UNKNOWN_LANGUAGE,
            ],
        );
    }
}
