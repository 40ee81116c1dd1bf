//! The cookie declaration page: the declaration in the page's language, rendered by the core's
//! `declaration::render` (the renderer the widget uses), into the `cookie-declaration` region,
//! with the date and counts of the last `npm run audit`.

use privacy_widget_core::config::Config;
use privacy_widget_core::declaration::{self, AuditSummary};
use privacy_widget_core::lang::Lang;

use crate::splice::{self, SpliceError};

/// The region's name in the page: `<!-- privacy-widget:cookie-declaration -->`.
pub const REGION: &str = "cookie-declaration";

/// The page heading's region, if the page marks one: `<!-- privacy-widget:cookie-declaration-title -->`.
pub const TITLE_REGION: &str = "cookie-declaration-title";

/// The page in `lang`: the declaration in its region, and the declaration's title in that
/// language in the `<title>` (before the shop's ` – suffix`) and in the heading's region.
pub fn fill(
    template: &str,
    config: &Config,
    audit: Option<&AuditSummary>,
    lang: Lang,
    address: &str,
) -> Result<String, SpliceError> {
    let page = splice::set_html_lang(template, lang.tag());
    let page = splice::set_title_and_heading(&page, TITLE_REGION, declaration::title(lang))?;
    splice::fill(&page, REGION, &html(config, audit, lang, address))
}

/// The declaration as HTML, as a visitor without the widget sees it: every optional category
/// "not allowed" (nothing gated runs without the widget). `address` is the page's bokmål
/// address, for its language links.
fn html(config: &Config, audit: Option<&AuditSummary>, lang: Lang, address: &str) -> String {
    declaration::render(config, lang, audit, 2, Some(address)).to_html()
}
