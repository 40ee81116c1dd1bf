//! The first layer, as markup: the banner both builds render (the banner build through its
//! coarse operations, the consent manager through `markup_dom`), so the banner a visitor sees
//! first and the one the full module takes over are one tree, element for element.
//! Buttons carry `data-action` for the delegated listener; no DOM is built from strings.

use crate::config::Config;
use crate::i18n::{BannerText, SharedText, Text};
use crate::lang::Lang;
use crate::markup::Element;

/// What the banner shows besides the config's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BannerState {
    pub lang: Lang,
    /// The browser sent Global Privacy Control: say why everything optional starts off.
    pub gpc: bool,
    /// The visitor consented under an earlier revision and the shop publishes earlier revisions:
    /// offer what changed.
    pub revision_changed: bool,
}

impl BannerState {
    /// Offer "what changed" when the visitor consented under an earlier revision and the shop
    /// publishes earlier revisions of its statement.
    pub fn revision_changed(config: &Config, consented_before: bool) -> bool {
        consented_before && config.statement.as_ref().is_some_and(|s| s.revision_url.is_some())
    }
}

/// `section.banner`: title, text, the GPC notice, three equal buttons, the statement link.
pub fn banner(config: &Config, state: BannerState) -> Element {
    let t = |key| config.text(state.lang, key);
    let mut section = Element::new("section")
        .attr("class", "banner")
        .attr("aria-labelledby", "pw-banner-title")
        .child(Element::new("h2").attr("class", "title").attr("id", "pw-banner-title").text(t(BannerText::Title)))
        .child(Element::new("p").attr("class", "text").text(t(BannerText::Text)));
    if state.gpc {
        section.push(Element::new("p").attr("class", "notice").text(t(BannerText::GpcNotice)));
    }
    section.push(decision_buttons(config, state.lang, "settings", BannerText::Settings));
    if let Some(link) = statement_link(config, state.lang) {
        section.push(link);
    }
    if state.revision_changed {
        section.push(button("statement-changes", config.text(state.lang, SharedText::StatementWhatChanged), "link"));
    }
    section
}

/// Accept all, reject all and a third action as three identical buttons: equal prominence.
pub fn decision_buttons(config: &Config, lang: Lang, third_action: &'static str, third_label: impl Text) -> Element {
    Element::new("div")
        .attr("class", "actions")
        .child(button("accept-all", config.text(lang, BannerText::AcceptAll), "btn"))
        .child(button("reject-all", config.text(lang, BannerText::RejectAll), "btn"))
        .child(button(third_action, config.text(lang, third_label), "btn"))
}

/// A real link to the statement page; with a configured viewer, clicking opens it in place.
pub fn statement_link(config: &Config, lang: Lang) -> Option<Element> {
    let url = config.privacy_policy_url.as_ref()?;
    Some(
        Element::new("a")
            .attr("class", "link")
            .attr("href", url.as_str())
            .attr("data-action", "statement")
            .text(config.text(lang, SharedText::PrivacyStatement)),
    )
}

/// The floating button a visitor with a decision reopens the preferences with (when the shop
/// configures `floatingButton`): withdrawal stays one click away on every page.
pub fn reopen_button(config: &Config, lang: Lang) -> Element {
    button("reopen", config.text(lang, BannerText::ReopenButton), "reopen")
}

/// A `button type=button` the delegated listener knows by its `data-action`.
pub fn button(action: &'static str, label: &str, class: &'static str) -> Element {
    Element::new("button").attr("class", class).attr("type", "button").attr("data-action", action).text(label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::demo;

    fn state() -> BannerState {
        BannerState { lang: Lang::Nb, gpc: false, revision_changed: false }
    }

    #[test]
    fn accept_reject_and_settings_are_the_same_kind_of_button_side_by_side() {
        let html = banner(&demo(), state()).to_html();
        let actions = html.split("<div class=\"actions\">").nth(1).unwrap();
        let buttons: Vec<&str> = actions.split("<button").skip(1).collect();
        assert_eq!(buttons.len(), 3);
        for (b, action) in buttons.iter().zip(["accept-all", "reject-all", "settings"]) {
            assert!(b.starts_with(" class=\"btn\" type=\"button\" data-action=\""), "{b}");
            assert!(b.contains(action), "{b}");
        }
        assert!(html.contains(">Godta alle<") && html.contains(">Avvis alle<") && html.contains(">Tilpass<"));
    }

    #[test]
    fn the_notice_and_the_changes_button_appear_only_when_due() {
        let plain = banner(&demo(), state()).to_html();
        assert!(!plain.contains("notice") && !plain.contains("statement-changes"));
        let due = banner(&demo(), BannerState { lang: Lang::En, gpc: true, revision_changed: true }).to_html();
        assert!(due.contains("<p class=\"notice\">Your browser asks not to be tracked"));
        assert!(due.contains("data-action=\"statement-changes\">See what changed"));
        assert!(due.contains(
            "<a class=\"link\" href=\"/personopplysninger\" data-action=\"statement\">Privacy statement</a>"
        ));
    }
}
