//! The cookie declaration page: the declaration in the page's language, rendered by the core's
//! `declaration::render` (the renderer the widget uses), into the `cookie-declaration` region,
//! with the date and counts of the last `npm run audit`.

use privacy_widget_core::config::Config;
use privacy_widget_core::declaration::{self, AuditSummary};
use privacy_widget_core::lang::Lang;

/// The region's name in the page: `<!-- privacy-widget:cookie-declaration -->`.
pub const REGION: &str = "cookie-declaration";

/// The declaration as HTML, as a visitor without the widget sees it: every optional category
/// "not allowed" (nothing gated runs without the widget). `address` is the page's bokmål
/// address, for its language links.
pub fn html(config: &Config, audit: Option<&AuditSummary>, lang: Lang, address: &str) -> String {
    declaration::render(config, lang, audit, 2, Some(address)).to_html()
}
