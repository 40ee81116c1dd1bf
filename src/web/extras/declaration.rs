//! The cookie declaration in every container the shop marks with `data-pw-cookie-declaration`:
//! rendered by the core (`declaration::render`, the pre-renderer's renderer too) in the visitor's
//! language, built as light DOM that the page styles, with each category's current choice kept
//! up to date. Opening the preferences is the consent manager's (`data-pw-open`).

use crate::prelude::*;

use super::consent_bridge;
use crate::page_state::RefCellExt;
use crate::web::shared::dom::{self, get_attr};
use crate::web::shared::markup_dom;
use core::cell::RefCell;
use privacy_widget_core::config::Config;
use privacy_widget_core::declaration::{self, AuditSummary, CHOICE_ATTR};
use privacy_widget_core::lang::Lang;
use web_sys::{Element, Event};

/// The container's `npm run audit` report (JSON), for "last checked".
const AUDIT_ATTR: &str = "data-pw-audit";
/// The level of the category headings, 2 (the default) to 6.
const HEADING_ATTR: &str = "data-pw-heading-level";
/// Set on a container when a module takes it: the extras build, loaded after the declaration
/// build (the statement opened on a declaration page), leaves it to the module that has it.
const TAKEN_ATTR: &str = "data-pw-live";

struct Declaration {
    config: Config,
    lang: Lang,
    audit: Option<AuditSummary>,
    containers: Vec<Element>,
}

crate::page_state! {
    static DECLARATION: RefCell<Option<Declaration>> = const { RefCell::new(None) };
}

/// Renders the declaration into every container, once the audit report (if one is named) is
/// read; until then the pre-rendered declaration, if any, stays as it is.
pub fn start(config: &Config, lang: Lang) {
    let mut selector = String::from(declaration::CONTAINERS);
    selector.push_str(":not([");
    selector.push_str(TAKEN_ATTR);
    selector.push_str("])");
    let containers = dom::query_all(&dom::document(), &selector);
    if containers.is_empty() {
        return;
    }
    let audit_url = containers.iter().find_map(|c| get_attr(c, AUDIT_ATTR));
    for container in &containers {
        dom::attr(container, TAKEN_ATTR, "");
        dom::listen(container, "click", on_click);
    }
    DECLARATION
        .with(|cell| *cell.write() = Some(Declaration { config: config.clone(), lang, audit: None, containers }));
    let Some(url) = audit_url else { return render() };
    dom::fetch_text(&url.clone(), move |text| {
        let audit = text.map(|t| AuditSummary::parse(&t));
        match audit {
            Some(Ok(summary)) => DECLARATION.with(|cell| {
                if let Some(d) = cell.write().as_mut() {
                    d.audit = Some(summary);
                }
            }),
            Some(Err(e)) => dom::console_error(&e.message()),
            None => {
                let mut m = String::from("privacy-widget: could not load the cookie audit report from ");
                m.push_str(&url);
                dom::console_error(&m);
            }
        }
        render();
    });
}

/// The page's language changed (here, in the statement viewer, `PrivacyWidget.setLanguage`): the
/// declaration follows.
pub fn set_language(lang: Lang) {
    let changed = DECLARATION.with(|cell| {
        cell.write().as_mut().is_some_and(|d| {
            let changed = d.lang != lang;
            d.lang = lang;
            changed
        })
    });
    if changed {
        render();
    }
}

/// The visitor's choices changed: each category's "your choice" follows.
pub fn refresh() {
    DECLARATION.with(|cell| {
        if let Some(d) = cell.read().as_ref() {
            for container in &d.containers {
                d.show_choices(container);
            }
        }
    });
}

fn render() {
    DECLARATION.with(|cell| {
        let declaration = cell.read();
        let Some(d) = declaration.as_ref() else { return };
        for container in &d.containers {
            let page = get_attr(container, declaration::CONTAINER_ATTR).filter(|p| !p.is_empty());
            let level = get_attr(container, HEADING_ATTR).and_then(|l| l.parse().ok()).unwrap_or(2);
            let tree = declaration::render(&d.config, d.lang, d.audit.as_ref(), level, page.as_deref());
            // Built, choices filled in, then swapped for what is there in one task: no flash of
            // the pre-rendered "not allowed" and no empty box.
            let built = markup_dom::build(&tree);
            d.show_choices(&built);
            dom::clear(container);
            dom::append(container, &built);
        }
    });
}

impl Declaration {
    fn show_choices(&self, within: &Element) {
        let mut selector = String::from("[");
        selector.push_str(CHOICE_ATTR);
        selector.push(']');
        for slot in dom::query_all(within, &selector) {
            let Some(category) = get_attr(&slot, CHOICE_ATTR).and_then(|id| self.config.category(&id)) else {
                continue;
            };
            let accepted = category.required || consent_bridge::accepted_category(&category.id);
            dom::set_text(&slot, declaration::choice_label(self.lang, category, accepted));
            dom::attr(&slot, "data-pw-accepted", if accepted { "true" } else { "false" });
        }
    }
}

/// The language links switch in place: the declaration, the banner and the forms follow.
fn on_click(event: Event) {
    let Some(link) = dom::target_closest(&event, "[data-action=\"lang\"]") else { return };
    let Some(lang) = get_attr(&link, "data-lang").as_deref().and_then(Lang::from_tag) else { return };
    event.prevent_default();
    // The consent manager announces the change, which the page's renderers (this one too) follow.
    consent_bridge::remember_language(lang);
    set_language(lang);
    // The link clicked was replaced: focus stays on the switch, now on the chosen language.
    let current = DECLARATION.with(|cell| {
        let declaration = cell.read();
        declaration.as_ref()?.containers.iter().find_map(|c| dom::query(c, "[aria-current=\"page\"]"))
    });
    if let Some(current) = current {
        dom::focus(&current);
    }
}
