//! The privacy-statement viewer in the page: inline in the shop's statement container, or as a
//! modal dialog opened from the banner, the preferences and the forms. The core's `Viewer`
//! decides and its `statement::render` draws (the tree the pre-rendered page is written from,
//! built as DOM by `markup_dom`); this module fetches, adds what only lives in the page (the
//! rights form) and executes effects. It reaches the consent manager through `consent_bridge`,
//! never through the entry point (`start`).

use crate::prelude::*;

use super::{consent_bridge, rights};
use crate::page_state::RefCellExt;
use crate::web::shared::dom::{self, append, attr, el, get_attr};
use crate::web::shared::markup_dom;
use core::cell::RefCell;
use privacy_widget_core::config::{Config, StatementSource};
use privacy_widget_core::i18n::{FormText, Text};
use privacy_widget_core::lang::Lang;
use privacy_widget_core::statement::render::{self, ChangesToggle, View};
use privacy_widget_core::viewer::{Viewer, ViewerEffect, ViewerMode, ViewerMsg};
use web_sys::{Element, Event, ShadowRoot};

const CSS: &str = concat!(include_str!("statement.css"), include_str!("forms.css"));

struct StatementApp {
    config: Config,
    source: StatementSource,
    viewer: Viewer,
    root: ShadowRoot,
    /// Inline on the shop's statement page, or a modal dialog elsewhere.
    inline: bool,
    return_focus: Option<Element>,
}

crate::page_state! {
    static VIEWER: RefCell<Option<StatementApp>> = const { RefCell::new(None) };
}

/// Sets the viewer up; on the statement page it renders inline straight away.
pub fn start(config: &Config, lang: Lang, previous_revision: Option<String>) {
    let Some(source) = config.statement.clone() else { return };
    let container = source.container.as_deref().and_then(dom::by_id);
    let (root, inline) = match &container {
        Some(c) => {
            let Some(root) = dom::attach_shadow(c, CSS) else { return };
            // Until the widget's statement is rendered, the pre-rendered one stays on show
            // through a slot: no empty box while the statement loads, nothing jumps twice.
            append(&root, &el("slot", ""));
            (root, true)
        }
        None => {
            let (host, root) = dom::shadow_host("privacy-widget-statement", CSS);
            attr(&host, "class", "pw-statement-host");
            append(&dom::body(), &host);
            (root, false)
        }
    };
    listen(&root);
    VIEWER.with(|cell| {
        *cell.write() = Some(StatementApp {
            config: config.clone(),
            source,
            viewer: Viewer::new(lang, previous_revision),
            root,
            inline,
            return_focus: None,
        })
    });
    if inline {
        let hash = dom::location("hash");
        let section = hash.strip_prefix('#').filter(|h| !h.is_empty()).map(String::from);
        dispatch(ViewerMsg::Open { section, changes: false });
    }
}

/// Opens the viewer (`PrivacyWidget.showStatement`, the banner's link, the forms' links).
/// Returns false when no statement is configured, so callers can follow the plain link instead.
pub fn open(section: Option<String>, changes: bool) -> bool {
    let opened = VIEWER.with(|cell| {
        let mut cell = cell.write();
        let Some(app) = cell.as_mut() else { return false };
        if !app.inline {
            app.return_focus = dom::focused_element();
        }
        true
    });
    if opened {
        dispatch(ViewerMsg::Open { section, changes });
    }
    opened
}

/// The page's language changed (`PrivacyWidget.setLanguage`, the declaration's switch).
pub fn follow_language(lang: Lang) {
    dispatch(ViewerMsg::FollowLanguage(lang));
}

/// The visitor's choices changed: "your choices now" and the declaration's choices follow.
pub fn refresh() {
    let shown = VIEWER.with(|cell| cell.read().as_ref().is_some_and(|a| a.viewer.current.is_some()));
    if shown {
        run(Vec::from([ViewerEffect::Render]));
    }
}

fn dispatch(msg: ViewerMsg) {
    let effects = VIEWER.with(|cell| {
        let mut cell = cell.write();
        let app = cell.as_mut()?;
        let source = app.source.clone();
        Some(app.viewer.update(&source, msg))
    });
    if let Some(effects) = effects {
        run(effects);
    }
}

fn run(effects: Vec<ViewerEffect>) {
    for effect in effects {
        match effect {
            ViewerEffect::Fetch { url, previous } => {
                dom::fetch_text(&url, move |text| {
                    dispatch(match text {
                        Some(text) if previous => ViewerMsg::PreviousLoaded { text },
                        Some(text) => ViewerMsg::Loaded { text },
                        None => ViewerMsg::LoadFailed { previous },
                    })
                });
            }
            ViewerEffect::Render => {
                VIEWER.with(|cell| {
                    if let Some(app) = cell.read().as_ref() {
                        app.render(&consent_bridge::choices_summary(&app.config, app.viewer.lang));
                    }
                });
            }
            ViewerEffect::ScrollTo(id) => VIEWER.with(|cell| {
                if let Some(app) = cell.read().as_ref() {
                    app.scroll_to(&id);
                }
            }),
            // The consent manager then announces the change, and the page's other renderers follow.
            ViewerEffect::RememberLanguage(lang) => consent_bridge::remember_language(lang),
            ViewerEffect::ConsoleError(message) => dom::console_error(&message),
        }
    }
}

impl StatementApp {
    fn t(&self, key: impl Text) -> &str {
        self.config.text(self.viewer.lang, key)
    }

    fn render(&self, choices: &[(String, bool)]) {
        // A document that arrives after the modal was closed waits for the next opening.
        if !self.viewer.is_open() {
            return;
        }
        let Some(article) = self.article(choices) else { return };
        let root: &web_sys::Node = self.root.as_ref();
        let open_dialog = dom::query(&self.root, "dialog");
        if self.inline {
            // The pre-rendered statement goes once the widget's is there (never an empty box).
            if let Some(container) = self.source.container.as_deref().and_then(dom::by_id) {
                dom::clear(&container);
            }
            dom::clear(root);
            append(root, &article);
            return;
        }
        let dialog = match open_dialog {
            Some(d) => {
                dom::clear(&d);
                d
            }
            None => {
                let d = el("dialog", "viewer");
                attr(&d, "aria-labelledby", "pw-statement-title");
                append(root, &d);
                d
            }
        };
        append(&dialog, &article);
        if dom::show_modal(&dialog) {
            if let Some(close) = dom::query(&self.root, "[data-action=\"close\"]") {
                dom::focus(&close);
            }
        }
    }

    /// The statement as the core renders it for a running widget, with the rights form after
    /// it; `None` while there is nothing to show yet (the pre-rendered one stays meanwhile).
    fn article(&self, choices: &[(String, bool)]) -> Option<Element> {
        let changes = self.viewer.can_show_changes(&self.source).then_some(match self.viewer.mode {
            ViewerMode::Reading => ChangesToggle::ShowChanges,
            ViewerMode::Changes => ChangesToggle::BackToReading,
        });
        let view = View {
            config: &self.config,
            lang: self.viewer.lang,
            choices,
            enhanced: true,
            changes,
            closable: !self.inline,
        };
        let Some(statement) = &self.viewer.current else {
            return self.viewer.failed.then(|| markup_dom::build(&render::unavailable(&view)));
        };
        if let (ViewerMode::Changes, Some(previous)) = (self.viewer.mode, &self.viewer.previous) {
            return Some(markup_dom::build(&render::changes_article(previous, statement, &view)));
        }
        let article = markup_dom::build(&render::article(statement, &view));
        if rights::available(&self.config) {
            append(&article, &rights::section(&self.config, self.viewer.lang, consent_bridge::consent_id()));
        }
        Some(article)
    }

    fn scroll_to(&self, id: &str) {
        let mut selector = String::from("#h-");
        selector.push_str(id);
        if let Some(heading) = dom::query(&self.root, &selector) {
            dom::scroll_to(&heading);
        }
        if self.inline {
            let mut hash = String::from("#");
            hash.push_str(id);
            dom::replace_hash(&hash);
        }
    }

    /// The absolute deep link to a section on the shop's statement page.
    fn section_link(&self, id: &str) -> String {
        let mut url = dom::location("origin");
        match &self.config.privacy_policy_url {
            Some(p) if p.starts_with('/') => url.push_str(p),
            Some(p) => url = p.clone(),
            None => url.push_str(&dom::location("pathname")),
        }
        url.push('#');
        url.push_str(id);
        url
    }

    fn close(&mut self) {
        if self.inline {
            return;
        }
        self.viewer.update(&self.source, ViewerMsg::Close);
        if let Some(dialog) = dom::query(&self.root, "dialog") {
            dom::remove(&dialog);
        }
        if let Some(e) = self.return_focus.take().filter(dom::is_connected) {
            dom::focus(&e);
        }
    }
}

fn with_viewer(f: impl FnOnce(&mut StatementApp)) {
    VIEWER.with(|cell| {
        if let Some(app) = cell.write().as_mut() {
            f(app);
        }
    });
}

fn listen(root: &ShadowRoot) {
    dom::listen(root, "click", |event: Event| {
        // Same-document links scroll inside the shadow root, which the browser cannot do itself.
        if let Some(link) = dom::target_closest(&event, "a[href^=\"#\"]") {
            event.prevent_default();
            let id = get_attr(&link, "href").unwrap_or_default().trim_start_matches('#').to_string();
            with_viewer(|app| app.scroll_to(&id));
            return;
        }
        // The cookie declaration's "change your choice" (the consent manager cannot see a click
        // inside this shadow root), like the choices box's button.
        if dom::target_closest(&event, "[data-pw-open]").is_some() {
            event.prevent_default();
            with_viewer(|app| app.close());
            consent_bridge::show_preferences();
            return;
        }
        let Some(action) = dom::target_closest(&event, "[data-action]") else { return };
        match get_attr(&action, "data-action").as_deref() {
            Some("lang") => {
                if let Some(lang) = get_attr(&action, "data-lang").as_deref().and_then(Lang::from_tag) {
                    dispatch(ViewerMsg::SwitchLanguage(lang));
                }
            }
            Some("show-changes") => dispatch(ViewerMsg::ShowChanges),
            Some("show-reading") => dispatch(ViewerMsg::ShowReading),
            Some("print") => {
                let mut inline = true;
                with_viewer(|app| inline = app.inline);
                print(inline);
            }
            Some("close") => with_viewer(|app| app.close()),
            Some("change-choices") => {
                with_viewer(|app| app.close());
                consent_bridge::show_preferences();
            }
            Some("copy-link") => {
                let id = get_attr(&action, "data-section").unwrap_or_default();
                let mut link = String::new();
                let mut announce = String::new();
                with_viewer(|app| {
                    link = app.section_link(&id);
                    announce = app.t(FormText::StatementLinkCopied).to_string();
                });
                // Only secure contexts have a clipboard; elsewhere the link stays in the title.
                dom::copy_text(&link);
                attr(&action, "title", &announce);
                attr(&action, "data-copied", &link);
            }
            _ => {}
        }
    });
    dom::listen(root, "input", |event: Event| rights::on_input(&event));
    dom::listen(root, "submit", |event: Event| rights::on_submit(&event));
    dom::listen_capture(root, "cancel", |event: Event| {
        event.prevent_default();
        with_viewer(|app| app.close());
    });
}

const MODAL_PRINT_CSS: &str =
    "@media print{html[data-pw-printing] body>:not(.pw-statement-host){display:none!important}}";

/// Prints the statement. Inline, the shop's page prints as it is (the viewer's own print rules
/// drop its buttons); from the modal, a document-level print stylesheet hides the page behind
/// it while `data-pw-printing` is set (constructable, so the strict CSP allows it).
fn print(inline: bool) {
    let Some(html) = dom::root_element() else { return };
    if !inline {
        // The marker outlives a page script that reset the document's sheets: check both.
        let no_sheets = dom::get(&dom::get(&dom::document(), "adoptedStyleSheets"), "length") == 0;
        if no_sheets || !dom::has_attr(&html, "data-pw-print-rules") {
            dom::adopt_page_css(MODAL_PRINT_CSS);
            attr(&html, "data-pw-print-rules", "");
        }
        attr(&html, "data-pw-printing", "");
    }
    dom::print();
    dom::remove_attr(&html, "data-pw-printing");
}
