//! The statement page: the statement in the page's language, rendered by the core's
//! `statement::render` (the renderer the widget uses), into the `statement` region, and the page
//! named by the statement's title in that language.

use privacy_widget_core::config::Config;
use privacy_widget_core::lang::Lang;
use privacy_widget_core::markup::Element;
use privacy_widget_core::statement::render::{self, language_address, View};
use privacy_widget_core::statement::Statement;

use crate::splice::{self, SpliceError};

/// The region's name in the page: `<!-- privacy-widget:statement -->`.
pub const REGION: &str = "statement";

/// The page heading's region, if the page marks one: `<!-- privacy-widget:statement-title -->`.
pub const TITLE_REGION: &str = "statement-title";

/// The head's region for the language versions: `<!-- privacy-widget:alternates -->`.
pub const ALTERNATES: &str = "alternates";

/// The page in `lang` (the language of `statement`): its `<html lang>`, the statement's title in
/// the `<title>` (before the shop's ` – suffix`) and in the heading's region, the statement in its
/// region and the language versions in the head's region, if the page marks one.
pub fn fill(template: &str, config: &Config, statement: &Statement, lang: Lang) -> Result<String, SpliceError> {
    let page = splice::set_html_lang(template, lang.tag());
    let page = splice::set_title_and_heading(&page, TITLE_REGION, &statement.title)?;
    let page = splice::fill(&page, REGION, &html(config, statement, lang))?;
    Ok(splice::fill_optional(&page, ALTERNATES, &alternates(config))?.unwrap_or(page))
}

/// `<link rel="alternate" hreflang>` for each language's address, and `x-default` for bokmål's
/// (the address without a language), so search engines show each reader their version.
fn alternates(config: &Config) -> String {
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
fn html(config: &Config, statement: &Statement, lang: Lang) -> String {
    let choices = render::choices_without_widget(config, lang);
    let view = View { config, lang, choices: &choices, enhanced: false, changes: None, closable: false };
    render::article(statement, &view).to_html()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "<!doctype html>\n<html lang=\"nb\">\n<head><title>Personopplysninger – Serviteur</title></head>\n<body><h1><!-- privacy-widget:statement-title -->Personopplysninger<!-- /privacy-widget:statement-title --></h1>\n<!-- privacy-widget:statement --><!-- /privacy-widget:statement --></body></html>";

    fn page(lang: Lang) -> String {
        let config = Config::parse(include_str!("../../www/widget-config.json")).expect("the demo config");
        let json = match lang {
            Lang::Nb => include_str!("../../www/statement/nb.json"),
            Lang::Nn => include_str!("../../www/statement/nn.json"),
            Lang::En => include_str!("../../www/statement/en.json"),
        };
        let statement = Statement::parse(json).expect("the demo statement");
        fill(TEMPLATE, &config, &statement, lang).expect("the template has its regions")
    }

    #[test]
    fn each_language_page_speaks_its_language_in_lang_title_and_heading() {
        for (lang, title) in
            [(Lang::Nb, "Personvernerklæring"), (Lang::Nn, "Personvernerklæring"), (Lang::En, "Privacy statement")]
        {
            let page = page(lang);
            assert_eq!(splice::html_lang(&page), Some(lang.tag()));
            assert!(page.contains(&format!("<title>{title} – Serviteur</title>")), "{lang:?} title");
            assert!(
                page.contains(&format!(
                    "<h1><!-- privacy-widget:statement-title -->{title}<!-- /privacy-widget:statement-title --></h1>"
                )),
                "{lang:?} heading"
            );
            assert!(
                page.contains(&format!("<article class=\"statement\" lang=\"{}\">", lang.tag())),
                "{lang:?} article"
            );
            assert!(!page.contains("Personopplysninger"), "{lang:?}: no bokmål page name left");
        }
        assert!(page(Lang::En).contains("This statement explains"), "the English statement's intro");
        assert!(page(Lang::Nn).contains("Serviteur AS tek personvern på alvor"), "the nynorsk statement's intro");
    }

    #[test]
    fn a_page_without_the_statement_region_is_refused_by_name() {
        let config = Config::parse(include_str!("../../www/widget-config.json")).expect("the demo config");
        let statement = Statement::parse(include_str!("../../www/statement/en.json")).expect("the demo statement");
        assert_eq!(fill("<title>X</title>", &config, &statement, Lang::En), Err(SpliceError::NoMarker(REGION.into())));
    }
}
