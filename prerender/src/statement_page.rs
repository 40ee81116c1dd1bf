//! The statement page: the statement in the page's language, rendered by the core's
//! `statement::render` (the renderer the widget uses), into the `statement` region.

use privacy_widget_core::config::Config;
use privacy_widget_core::lang::Lang;
use privacy_widget_core::statement::render::{self, View};
use privacy_widget_core::statement::Statement;

/// The region's name in the page: `<!-- privacy-widget:statement -->`.
pub const REGION: &str = "statement";

/// The statement article as HTML, as a visitor without the widget sees it.
pub fn html(config: &Config, statement: &Statement, lang: Lang) -> String {
    let choices = render::choices_without_widget(config, lang);
    let view = View { config, lang, choices: &choices, enhanced: false, changes: None, closable: false };
    render::article(statement, &view).to_html()
}
