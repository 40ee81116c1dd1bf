//! The privacy-statement viewer in the page: inline in the shop's statement container, or as a
//! modal dialog opened from the banner, the preferences and the forms. The core's `Viewer`
//! decides; this module fetches, renders with text nodes and executes effects. It reaches the
//! consent manager through `consent_bridge`, never through the entry point (`start`).

use crate::prelude::*;

use super::{consent_bridge, rights};
use crate::web::shared::dom::{self, append, attr, button, el, get_attr, text_el};
use core::cell::RefCell;
use privacy_widget_core::config::{Config, StatementSource};
use privacy_widget_core::i18n::{fill, BannerText, FormText, Text, TextKey};
use privacy_widget_core::lang::Lang;
use privacy_widget_core::statement::{
    Block, BlockChange, ContactBlock, DiffRun, Inline, ItemChange, Section, SectionChange, Statement,
};
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
    /// Called when the visitor switches language here (the other renderers on the page follow).
    on_language: fn(Lang),
}

crate::page_state! {
    static VIEWER: RefCell<Option<StatementApp>> = const { RefCell::new(None) };
}

/// Sets the viewer up; on the statement page it renders inline straight away. `on_language`
/// hears the visitor's language switches in the viewer.
pub fn start(config: &Config, lang: Lang, previous_revision: Option<String>, on_language: fn(Lang)) {
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
        *cell.borrow_mut() = Some(StatementApp {
            config: config.clone(),
            source,
            viewer: Viewer::new(lang, previous_revision),
            root,
            inline,
            return_focus: None,
            on_language,
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
        let mut cell = cell.borrow_mut();
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

/// The visitor's choices changed: the "your choices now" list must follow.
pub fn refresh() {
    let shown = VIEWER.with(|cell| cell.borrow().as_ref().is_some_and(|a| a.viewer.current.is_some()));
    if shown {
        run(Vec::from([ViewerEffect::Render]));
    }
}

fn dispatch(msg: ViewerMsg) {
    let effects = VIEWER.with(|cell| {
        let mut cell = cell.borrow_mut();
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
                    if let Some(app) = cell.borrow().as_ref() {
                        app.render(&consent_bridge::choices_summary(&app.config, app.viewer.lang));
                    }
                });
            }
            ViewerEffect::ScrollTo(id) => VIEWER.with(|cell| {
                if let Some(app) = cell.borrow().as_ref() {
                    app.scroll_to(&id);
                }
            }),
            ViewerEffect::RememberLanguage(lang) => {
                consent_bridge::remember_language(lang);
                if let Some(on_language) = VIEWER.with(|cell| cell.borrow().as_ref().map(|app| app.on_language)) {
                    on_language(lang);
                }
            }
            ViewerEffect::ConsoleError(message) => dom::console_error(&message),
        }
    }
}

impl StatementApp {
    fn t(&self, key: impl Text) -> &str {
        self.config.text(self.viewer.lang, key)
    }

    fn render(&self, choices: &[(String, bool)]) {
        let root: &web_sys::Node = self.root.as_ref();
        let open_dialog = dom::query(&self.root, "dialog");
        let article = self.article(choices);
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

    fn article(&self, choices: &[(String, bool)]) -> Element {
        let lang = self.viewer.lang;
        let article = el("article", "statement");
        attr(&article, "lang", lang.tag());
        let Some(statement) = &self.viewer.current else {
            if self.viewer.failed {
                let p = el("p", "");
                let link = text_el("a", "", self.t(FormText::StatementUnavailable));
                attr(&link, "href", self.config.privacy_policy_url.as_deref().unwrap_or("/"));
                append(&p, &link);
                append(&article, &self.toolbar());
                append(&article, &p);
            }
            return article;
        };
        let header = el("header", "");
        let title = text_el("h2", "title", &statement.title);
        attr(&title, "id", "pw-statement-title");
        append(&header, &title);
        let meta = fill(
            self.t(FormText::StatementVersion),
            &[("revision", &statement.revision), ("date", &statement.effective_date)],
        );
        append(&header, &text_el("p", "meta", &meta));
        append(&header, &self.toolbar());
        if self.viewer.can_show_changes(&self.source) {
            let (action, label) = match self.viewer.mode {
                ViewerMode::Reading => ("show-changes", self.t(BannerText::StatementWhatChanged)),
                ViewerMode::Changes => ("show-reading", self.t(FormText::StatementBackToReading)),
            };
            append(&header, &button(action, label, "secondary"));
        }
        append(&article, &header);

        if self.viewer.mode == ViewerMode::Changes {
            if let Some(previous) = &self.viewer.previous {
                append(&article, &self.changes(previous, statement));
                return article;
            }
        }
        append(&article, &self.choices(choices));
        append(&article, &self.contents(statement));
        append(&article, &inline_paragraph(&statement.intro, "intro"));
        for section in &statement.sections {
            append(&article, &self.section(section));
        }
        if rights::available(&self.config) {
            append(&article, &rights::section(&self.config, lang, consent_bridge::consent_id()));
        }
        article
    }

    fn toolbar(&self) -> Element {
        let tools = el("div", "tools");
        let group = el("div", "langs");
        attr(&group, "role", "group");
        attr(&group, "aria-label", self.t(FormText::StatementLanguage));
        // Each language by its own name (and marked as that language), so a reader finds theirs.
        for (lang, label) in [(Lang::Nb, "Bokmål"), (Lang::Nn, "Nynorsk"), (Lang::En, "English")] {
            let b = button("lang", label, "lang");
            attr(&b, "data-lang", lang.tag());
            attr(&b, "lang", lang.tag());
            attr(&b, "aria-pressed", if self.viewer.lang == lang { "true" } else { "false" });
            append(&group, &b);
        }
        append(&tools, &group);
        append(&tools, &button("print", self.t(FormText::StatementPrint), "secondary"));
        if !self.inline {
            let close = button("close", "×", "close");
            attr(&close, "aria-label", self.t(TextKey::Close));
            append(&tools, &close);
        }
        tools
    }

    fn choices(&self, choices: &[(String, bool)]) -> Element {
        let section = el("section", "choices");
        attr(&section, "aria-labelledby", "pw-choices-title");
        let h = text_el("h3", "", self.t(FormText::YourChoices));
        attr(&h, "id", "pw-choices-title");
        append(&section, &h);
        let list = el("ul", "");
        for (title, on) in choices {
            let item = el("li", "");
            append(&item, &text_el("span", "", title));
            append(&item, &dom::text_node(": "));
            append(&item, &text_el("strong", "", self.t(if *on { TextKey::Granted } else { TextKey::Denied })));
            append(&list, &item);
        }
        append(&section, &list);
        append(&section, &button("change-choices", self.t(FormText::ChangeChoices), "secondary"));
        section
    }

    fn contents(&self, statement: &Statement) -> Element {
        let nav = el("nav", "toc");
        attr(&nav, "aria-labelledby", "pw-toc-title");
        let h = text_el("h3", "", self.t(FormText::StatementContents));
        attr(&h, "id", "pw-toc-title");
        append(&nav, &h);
        let list = el("ol", "");
        for section in &statement.sections {
            let item = el("li", "");
            append(&item, &anchor(&section.heading, &section.id));
            append(&list, &item);
        }
        append(&nav, &list);
        nav
    }

    fn section(&self, section: &Section) -> Element {
        let s = el("section", "part");
        attr(&s, "id", &section.id);
        let mut heading_id = String::from("h-");
        heading_id.push_str(&section.id);
        attr(&s, "aria-labelledby", &heading_id);
        let h = text_el("h3", "", &section.heading);
        attr(&h, "id", &heading_id);
        attr(&h, "tabindex", "-1");
        let copy = button("copy-link", "#", "copy");
        attr(&copy, "data-section", &section.id);
        attr(&copy, "aria-label", &fill(self.t(FormText::StatementCopyLink), &[("section", &section.heading)]));
        append(&h, &copy);
        append(&s, &h);
        for block in &section.blocks {
            append(&s, &self.block(block));
        }
        s
    }

    fn block(&self, block: &Block) -> Element {
        match block {
            Block::Paragraph(runs) => inline_paragraph(runs, ""),
            Block::List(items) => {
                let list = el("ul", "");
                for runs in items {
                    let li = el("li", "");
                    push_runs(&li, runs);
                    append(&list, &li);
                }
                list
            }
            Block::Contact(contact) => self.contact(contact),
        }
    }

    fn contact(&self, contact: &ContactBlock) -> Element {
        let block = el("address", "contact");
        append(&block, &text_el("strong", "", &contact.organisation));
        for line in &contact.address {
            append(&block, &text_el("span", "line", line));
        }
        let link = |label: FormText, text: &str, href: String| {
            let line = el("span", "line");
            append(&line, &dom::text_node(self.t(label)));
            append(&line, &dom::text_node(": "));
            append(&line, &anchor(text, &href));
            append(&block, &line);
        };
        if let Some(email) = &contact.email {
            link(FormText::ContactEmail, email, String::from("mailto:") + email);
        }
        if let Some(phone) = &contact.phone {
            link(FormText::ContactPhone, phone, String::from("tel:") + &phone.replace(' ', ""));
        }
        if let Some(url) = &contact.url {
            link(FormText::ContactWeb, url, url.clone());
        }
        block
    }

    fn changes(&self, previous: &Statement, current: &Statement) -> Element {
        let diff = privacy_widget_core::statement::diff(previous, current);
        let wrap = el("div", "changes");
        let title = fill(self.t(FormText::StatementChangesTitle), &[("revision", &previous.revision)]);
        append(&wrap, &text_el("h3", "", &title));
        for change in &diff.sections {
            let (class, badge, heading) = match change {
                SectionChange::Added(s) => ("part added", FormText::StatementAdded, &s.heading),
                SectionChange::Removed(s) => ("part removed", FormText::StatementRemoved, &s.heading),
                SectionChange::Changed(d) => ("part changed", FormText::StatementChanged, &d.new.heading),
                SectionChange::Unchanged(s) => ("part unchanged", FormText::StatementUnchanged, &s.heading),
            };
            let s = el("section", class);
            let h = el("h4", "");
            append(&h, &text_el("span", "badge", self.t(badge)));
            append(&h, &dom::text_node(" "));
            append(&h, &dom::text_node(heading));
            append(&s, &h);
            match change {
                SectionChange::Added(section) | SectionChange::Removed(section) => {
                    for block in &section.blocks {
                        append(&s, &self.block(block));
                    }
                }
                SectionChange::Changed(d) => {
                    for block in &d.blocks {
                        if let Some(e) = self.block_change(block) {
                            append(&s, &e);
                        }
                    }
                }
                SectionChange::Unchanged(_) => {}
            }
            append(&wrap, &s);
        }
        wrap
    }

    fn block_change(&self, change: &BlockChange) -> Option<Element> {
        Some(match change {
            BlockChange::Same(_) => return None,
            BlockChange::Added(b) => wrap_in("ins", self.block(b), self.t(FormText::StatementInserted)),
            BlockChange::Removed(b) => wrap_in("del", self.block(b), self.t(FormText::StatementDeleted)),
            BlockChange::Paragraph(runs) => {
                let p = el("p", "");
                self.push_diff_runs(&p, runs);
                p
            }
            BlockChange::List(items) => {
                let list = el("ul", "");
                for item in items {
                    let li = el("li", "");
                    match item {
                        ItemChange::Same(runs) => push_runs(&li, runs),
                        ItemChange::Added(runs) => append(&li, &self.marked("ins", runs)),
                        ItemChange::Removed(runs) => append(&li, &self.marked("del", runs)),
                        ItemChange::Changed(runs) => self.push_diff_runs(&li, runs),
                    }
                    append(&list, &li);
                }
                list
            }
            BlockChange::Replaced { old, new } => {
                let div = el("div", "");
                append(&div, &wrap_in("del", self.block(old), self.t(FormText::StatementDeleted)));
                append(&div, &wrap_in("ins", self.block(new), self.t(FormText::StatementInserted)));
                div
            }
        })
    }

    /// `<ins>`/`<del>` with a visually hidden label, since screen readers do not announce them.
    fn marked(&self, tag: &str, runs: &[Inline]) -> Element {
        let label = if tag == "ins" { FormText::StatementInserted } else { FormText::StatementDeleted };
        let mark = el(tag, "");
        let mut prefix = String::from("[");
        prefix.push_str(self.t(label));
        prefix.push_str(": ");
        append(&mark, &text_el("span", "sr-only", &prefix));
        push_runs(&mark, runs);
        append(&mark, &text_el("span", "sr-only", "]"));
        mark
    }

    fn push_diff_runs(&self, parent: &Element, runs: &[DiffRun]) {
        for run in runs {
            match run {
                DiffRun::Same(inline) => push_runs(parent, core::slice::from_ref(inline)),
                DiffRun::Inserted(inline) => append(parent, &self.marked("ins", core::slice::from_ref(inline))),
                DiffRun::Deleted(inline) => append(parent, &self.marked("del", core::slice::from_ref(inline))),
            }
        }
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
        if let Some(dialog) = dom::query(&self.root, "dialog") {
            dom::remove(&dialog);
        }
        if let Some(e) = self.return_focus.take().filter(dom::is_connected) {
            dom::focus(&e);
        }
    }
}

fn anchor(text: &str, href: &str) -> Element {
    let a = text_el("a", "", text);
    let href = if href.starts_with('#') || href.contains(':') || href.starts_with('/') {
        href.to_string()
    } else {
        String::from("#") + href
    };
    attr(&a, "href", &href);
    a
}

fn wrap_in(tag: &str, child: Element, label: &str) -> Element {
    let mark = el(tag, "block");
    attr(&mark, "aria-label", label);
    append(&mark, &child);
    mark
}

fn inline_paragraph(runs: &[Inline], class: &str) -> Element {
    let p = el("p", class);
    push_runs(&p, runs);
    p
}

fn push_runs(parent: &Element, runs: &[Inline]) {
    for run in runs {
        match run {
            Inline::Text(t) => append(parent, &dom::text_node(t)),
            Inline::Emphasis(t) => append(parent, &text_el("em", "", t)),
            Inline::Link { text, href } => append(parent, &anchor(text, href)),
        }
    }
}

fn with_viewer(f: impl FnOnce(&mut StatementApp)) {
    VIEWER.with(|cell| {
        if let Some(app) = cell.borrow_mut().as_mut() {
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
