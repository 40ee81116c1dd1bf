//! The languages the widget speaks and how the visitor's language is chosen: the visitor's own
//! choice (kept in a session cookie), the config, `<html lang>`, the browser, then bokmål.

use crate::prelude::*;

/// A supported interface language; on the wire, its tag (`crate::wire::language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "lowercase"))]
pub enum Lang {
    /// Norwegian bokmål, the default.
    Nb,
    /// Norwegian nynorsk.
    Nn,
    /// English.
    En,
}

/// The session cookie that keeps the visitor's language choice (the statement promises it).
pub const LANG_COOKIE: &str = "pw_lang";

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Nb, Lang::Nn, Lang::En];

    /// The BCP 47 tag, as used in `lang` attributes and in consent events.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Nn => "nn",
            Lang::En => "en",
        }
    }

    /// Maps a BCP 47 tag to a supported language: `no`, `nb-NO` and `no-NB` mean bokmål,
    /// `nn-NO` nynorsk, any `en-*` English; anything else is not supported.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        // The primary subtag, lowered byte by byte: no lowered copy, no `str` pattern searcher.
        let end = tag.bytes().position(|b| b == b'-' || b == b'_').unwrap_or(tag.len());
        let &[first, second] = tag.as_bytes().get(..end)? else { return None };
        match &[first.to_ascii_lowercase(), second.to_ascii_lowercase()] {
            b"nb" | b"no" => Some(Lang::Nb),
            b"nn" => Some(Lang::Nn),
            b"en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The address of a page in this language: `base` (its query and fragment dropped) for
    /// bokmål, with `/nn` or `/en` after it for the others (`/personopplysninger/en`), where the
    /// pre-renderer writes each language's page.
    pub fn page_address(self, base: &str) -> String {
        let mut url = String::from(base.split(['#', '?']).next().unwrap_or(base));
        if self != Lang::Nb {
            if !url.ends_with('/') {
                url.push('/');
            }
            url.push_str(self.tag());
        }
        url
    }

    /// Picks the visitor's language: their own choice, else the shop's configured one, else the
    /// page's `<html lang>`, else the first supported browser language, else bokmål. The browser's
    /// languages as any iterator, so the banner build reads them off its hints without collecting.
    pub fn choose<'a>(
        visitor: Option<Lang>,
        configured: Option<Lang>,
        html_lang: Option<&str>,
        browser: impl IntoIterator<Item = &'a str>,
    ) -> Lang {
        visitor
            .or(configured)
            .or_else(|| html_lang.and_then(Lang::from_tag))
            .or_else(|| browser.into_iter().find_map(Lang::from_tag))
            .unwrap_or(Lang::Nb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_languages() {
        assert_eq!(Lang::from_tag("nb-NO"), Some(Lang::Nb));
        assert_eq!(Lang::from_tag("no"), Some(Lang::Nb));
        assert_eq!(Lang::from_tag("NN_no"), Some(Lang::Nn));
        assert_eq!(Lang::from_tag("eN_"), Some(Lang::En));
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("sv-SE"), None);
        assert_eq!(Lang::from_tag(""), None);
        for not_a_primary_subtag in ["n", "nbx", "-nb", "e_n", "æn"] {
            assert_eq!(Lang::from_tag(not_a_primary_subtag), None, "{not_a_primary_subtag}");
        }
    }

    #[test]
    fn choice_order_is_visitor_then_config_then_page_then_browser_then_bokmaal() {
        let browser = ["de-DE", "en-US"];
        assert_eq!(Lang::choose(Some(Lang::En), Some(Lang::Nn), Some("nb"), browser), Lang::En);
        assert_eq!(Lang::choose(None, Some(Lang::Nn), Some("en"), browser), Lang::Nn);
        assert_eq!(Lang::choose(None, None, Some("en"), []), Lang::En);
        assert_eq!(Lang::choose(None, None, Some("de"), browser), Lang::En);
        assert_eq!(Lang::choose(None, None, None, ["sv"]), Lang::Nb);
    }
}
