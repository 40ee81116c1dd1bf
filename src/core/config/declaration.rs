//! The config as the declaration build reads it: what the cookie declaration shows (the
//! categories with the services and the cookies they declare, the link to the privacy statement,
//! the shared texts' overrides for the categories' titles and descriptions and the choices),
//! without a word of the field-named messages.
//!
//! Why a reader of its own (see `forms.rs`): the consent manager loads the declaration build
//! only after its `Config::parse` has accepted the config. The extras' reader would do, but it
//! names every form and statement text an override may have, which links their catalogue: 3.3 kB
//! brotli of a build that shows none of them. It still gives up on what it cannot read safely
//! (a link, an id, a cookie's type or party). `tests::agrees_with_the_full_parse` holds it to the
//! full parse.

use super::lenient::{self, safe_url};
use super::Config;
use crate::i18n::SharedText;
use crate::json::Json;

/// The declaration's config from the config's JSON, or `None` when something it needs is unreadable.
pub fn read(root: &Json) -> Option<Config> {
    let mut config = Config::defaults();
    config.categories = lenient::categories::<true>(root)?;
    config.privacy_policy_url = safe_url(root.get("privacyPolicyUrl"))?;
    config.texts = lenient::text_overrides(root.get("texts"), |name| {
        SharedText::ALL.iter().map(|k| k.name()).find(|k| *k == name)
    });
    Some(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::{
        agreement_configs, assert_agrees, assert_declared_service, assert_gives_up, declared_categories,
        override_names, overrides_named, with_declared_cookies, BAD_CATEGORY_ID, DEMO, TEXT_IN_UNKNOWN_LANGUAGE,
        UNKNOWN_COOKIE_PARTY, UNKNOWN_COOKIE_TYPE, UNSAFE_STATEMENT_LINK,
    };
    use crate::lang::Lang;

    /// Every field this reader fills, as the full parse has it.
    fn declaration_part(config: &Config) -> Config {
        let mut part = Config::defaults();
        part.categories = declared_categories(config);
        part.privacy_policy_url = config.privacy_policy_url.clone();
        part.texts = overrides_named(&config.texts, |name| SharedText::ALL.iter().any(|k| k.name() == name));
        part
    }

    #[test]
    fn agrees_with_the_full_parse() {
        let variants = agreement_configs(with_declared_cookies(DEMO.replacen(
            "\"language\": \"nb\",",
            r#""language": "auto",
                   "texts": {"en": {"newsletterTitle": "News", "privacyStatement": "Privacy", "acceptAll": "Yes"},
                             "nn": {"category.analytics": "Besøkstal", "statementLanguage": "Mål"}},"#,
            1,
        )));
        let read_back = assert_agrees(read, declaration_part, &variants);
        // The variant's overrides: the shared texts' alone.
        let third = &read_back[2].0;
        assert_eq!(override_names(third, Lang::En), Some(Vec::from(["privacyStatement"])));
        assert_eq!(override_names(third, Lang::Nn), Some(Vec::from(["category.analytics"])));
        assert_declared_service(third);
    }

    #[test]
    fn gives_up_on_what_it_cannot_use_safely() {
        assert_gives_up(
            read,
            &[
                UNSAFE_STATEMENT_LINK,
                BAD_CATEGORY_ID,
                UNKNOWN_COOKIE_PARTY,
                UNKNOWN_COOKIE_TYPE,
                TEXT_IN_UNKNOWN_LANGUAGE,
            ],
        );
    }
}
