//! The config as the forms build reads it: only what the newsletter forms use (the revision
//! their signup carries, the newsletter endpoint, the statement link and whether a viewer is
//! configured, the forms' text overrides), without a word of the field-named messages.
//!
//! Why a third reader: the forms build is loaded by the consent manager, which has parsed the
//! config fully (`Config::parse`) and never loads it for a config with a mistake; so the full
//! parse's checks and messages (half the build) would only be carried, never needed. Like
//! `banner::read` it still checks what keeps its own output safe (the revision it posts, the
//! URLs it links and posts to) and gives up on anything else it cannot read, which leaves the
//! page's plain form working. `tests::agrees_with_the_full_parse` holds it to the full parse.

use crate::prelude::*;

use super::lenient::{self, safe_url, str_of};
use super::Config;
use crate::i18n::{FormText, SharedText};
use crate::json::Json;
use crate::wire;

/// The forms' config from the config's JSON, or `None` when something it needs is unreadable.
pub fn read(root: &Json) -> Option<Config> {
    let mut config = Config::defaults();
    config.revision = str_of(root, "revision").filter(|r| wire::is_revision(r))?.to_string();
    config.privacy_policy_url = safe_url(root.get("privacyPolicyUrl"))?;
    config.endpoints.newsletter = safe_url(root.get("endpoints").and_then(|e| e.get("newsletter")))?;
    config.statement = lenient::statement(root)?;
    config.texts = lenient::text_overrides(root.get("texts"), |name| {
        let privacy_statement = SharedText::PrivacyStatement.name();
        FormText::ALL.iter().map(|k| k.name()).chain([privacy_statement]).find(|k| *k == name)
    });
    Some(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::{
        agreement_configs, assert_agrees, assert_gives_up, override_names, overrides_named, BAD_REVISION, DEMO,
        NO_REVISION, STATEMENT_WITHOUT_SOURCE, UNSAFE_STATEMENT_LINK,
    };
    use crate::lang::Lang;

    /// Every field this reader fills, as the full parse has it.
    fn forms_part(config: &Config) -> Config {
        let mut part = Config::defaults();
        part.revision = config.revision.clone();
        part.privacy_policy_url = config.privacy_policy_url.clone();
        part.endpoints.newsletter = config.endpoints.newsletter.clone();
        part.statement = config.statement.clone();
        part.texts = overrides_named(&config.texts, |name| {
            FormText::ALL.iter().any(|k| k.name() == name) || name == SharedText::PrivacyStatement.name()
        });
        part
    }

    #[test]
    fn agrees_with_the_full_parse() {
        let variants = agreement_configs(
            DEMO.replacen(
                "\"language\": \"nb\",",
                r#""language": "auto",
                   "endpoints": {"consent": "/api/consent", "newsletter": "https://shop.example/nl"},
                   "texts": {"en": {"newsletterTitle": "News", "privacyStatement": "Privacy", "acceptAll": "Yes"},
                             "nn": {"emailLabel": "E-post", "saveChoices": "Lagre"}},"#,
                1,
            )
            .replacen("\"endpoints\": {\"consent\": \"/api/consent\"},", "", 1),
        );
        let read_back = assert_agrees(read, forms_part, &variants);
        // The variant's overrides: the forms' own and the statement link's, no other build's.
        let third = &read_back[2].0;
        assert_eq!(third.endpoints.newsletter.as_deref(), Some("https://shop.example/nl"));
        assert_eq!(override_names(third, Lang::En), Some(Vec::from(["newsletterTitle", "privacyStatement"])));
        assert_eq!(override_names(third, Lang::Nn), Some(Vec::from(["emailLabel"])));
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
                    "\"endpoints\": {\"consent\": \"/api/consent\", \"newsletter\": \"//evil.example/nl\"",
                ),
                STATEMENT_WITHOUT_SOURCE,
            ],
        );
    }
}
