//! The plain forms (newsletter signup, its withdrawal, the rights request), written by the core's
//! `form_markup` into whichever of their regions a page marks, so they post without script. Each
//! region sits inside the element the widget takes over (`[data-pw-newsletter]`, the statement
//! container), so a running widget replaces the plain form instead of adding a second one.

use privacy_widget_core::config::Config;
use privacy_widget_core::form_markup::{self, FormContext, NewsletterFields};
use privacy_widget_core::i18n::{FormText, SharedText};
use privacy_widget_core::lang::Lang;
use privacy_widget_core::newsletter::{consent_text, NewsletterForm};
use privacy_widget_core::rights::RightsForm;
use privacy_widget_core::statement::render::language_address;
use privacy_widget_core::wire::withdrawal_url;

use crate::splice::{self, SpliceError};

/// `<!-- privacy-widget:newsletter -->`: the signup form.
pub const NEWSLETTER: &str = "newsletter";
/// `<!-- privacy-widget:newsletter-unsubscribe -->`: the withdrawal form.
pub const UNSUBSCRIBE: &str = "newsletter-unsubscribe";
/// `<!-- privacy-widget:rights-request -->`: the rights-request form.
pub const RIGHTS: &str = "rights-request";

/// What the server puts the configured CSRF token in place of (empty when none is configured).
const CSRF_PLACEHOLDER: &str = "__CSRF_TOKEN__";

/// `page` with every form region it marks filled in `lang`, and how many there were. A region
/// whose endpoint the config lacks is emptied: a form that cannot post is no form.
pub fn fill(page: &str, config: &Config, lang: Lang) -> Result<(String, usize), SpliceError> {
    let mut page = page.to_owned();
    let mut filled = 0;
    for region in [NEWSLETTER, UNSUBSCRIBE, RIGHTS] {
        let html = region_html(region, config, lang);
        if let Some(next) = splice::fill_optional(&page, region, &html)? {
            page = next;
            filled += 1;
        }
    }
    Ok((page, filled))
}

fn region_html(region: &str, config: &Config, lang: Lang) -> String {
    let texts = |key: FormText| config.text(lang, key);
    let newsletter = config.endpoints.newsletter.as_deref();
    let withdrawal = newsletter.map(withdrawal_url);
    let context = |action, id_prefix| FormContext { lang, action, csrf: CSRF_PLACEHOLDER, id_prefix, texts: &texts };
    match region {
        NEWSLETTER => newsletter.map_or_else(String::new, |action| {
            let wording = consent_text(config, lang);
            let policy = language_address(config, lang);
            let fields = NewsletterFields {
                consent_text: Some(&wording),
                revision: &config.revision,
                privacy_policy_url: policy.as_deref(),
                privacy_statement_label: config.text(lang, SharedText::PrivacyStatement),
            };
            form_markup::newsletter(&context(action, "pw-nl"), &fields, &NewsletterForm::subscribe(lang, false))
                .to_html()
        }),
        UNSUBSCRIBE => withdrawal.as_deref().map_or_else(String::new, |action| {
            let fields = NewsletterFields {
                consent_text: None,
                revision: &config.revision,
                privacy_policy_url: None,
                privacy_statement_label: "",
            };
            form_markup::newsletter(&context(action, "pw-nlu"), &fields, &NewsletterForm::unsubscribe(lang)).to_html()
        }),
        _ => config.endpoints.rights_request.as_deref().map_or_else(String::new, |action| {
            form_markup::rights_section(&context(action, "pw-rr"), &RightsForm::new(lang, None)).to_html()
        }),
    }
}
