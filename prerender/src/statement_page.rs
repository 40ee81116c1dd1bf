//! The statement page: the statement in the page's language, rendered by the core's
//! `statement::render` (the renderer the widget uses), into the `statement` region.

use privacy_widget_core::config::Config;
use privacy_widget_core::lang::Lang;
use privacy_widget_core::markup::Element;
use privacy_widget_core::statement::render::{self, language_address, View};
use privacy_widget_core::statement::Statement;

/// The region's name in the page: `<!-- privacy-widget:statement -->`.
pub const REGION: &str = "statement";

/// The head's region for the language versions: `<!-- privacy-widget:alternates -->`.
pub const ALTERNATES: &str = "alternates";

/// `<link rel="alternate" hreflang>` for each language's address, and `x-default` for bokmål's
/// (the address without a language), so search engines show each reader their version.
pub fn alternates(config: &Config) -> String {
    let link = |hreflang: &str, href: String| {
        Element::new("link").attr("rel", "alternate").attr("hreflang", hreflang).attr("href", href).to_html()
    };
    let mut html = String::new();
    for lang in Lang::ALL {
        if let Some(href) = language_address(config, lang) {
            html.push_str(&link(lang.tag(), href));
        }
    }
    if let Some(href) = language_address(config, Lang::Nb) {
        html.push_str(&link("x-default", href));
    }
    html
}

/// The statement article as HTML, as a visitor without the widget sees it.
pub fn html(config: &Config, statement: &Statement, lang: Lang) -> String {
    let choices = render::choices_without_widget(config, lang);
    let view = View { config, lang, choices: &choices, enhanced: false, changes: None, closable: false };
    render::article(statement, &view).to_html()
}
