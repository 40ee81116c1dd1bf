//! The statement as a `markup` tree: the one renderer behind the pre-rendered page (written as
//! HTML by `privacy-widget-prerender`) and the widget's viewer (built as DOM by the browser
//! layer). Both get the same elements, classes and text; what only a running widget can offer
//! (print, "what changed", close, copying links, the visitor's current choices) is chosen by
//! [`View`], and placed so that it takes no room the page without it did not already take.
//! The widget's controls that act in place (language, copy link, change choices) are buttons;
//! without the widget the same places hold links that work without script.

use crate::prelude::*;

use super::{diff, BlockChange, ContactBlock, DiffRun, Inline, ItemChange, Section, SectionChange, Statement};
use crate::config::Config;
use crate::declaration::{self, COOKIE_SECTION_IDS};
use crate::i18n::{fill, FormText, SharedText, Text};
use crate::lang::Lang;
use crate::markup::Element;

/// Who renders and what they can offer beyond the statement itself.
pub struct View<'a> {
    pub config: &'a Config,
    pub lang: Lang,
    /// Each consent category's title and whether it is allowed now, in the config's order.
    pub choices: &'a [(String, bool)],
    /// The widget runs: print, copy-link and change-choices act in place.
    pub enhanced: bool,
    /// The "what changed" toggle, when an earlier consent makes it meaningful.
    pub changes: Option<ChangesToggle>,
    /// In a modal dialog: a close button.
    pub closable: bool,
}

/// The label the "what changed" toggle shows: which view it leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangesToggle {
    ShowChanges,
    BackToReading,
}

impl View<'_> {
    fn t(&self, key: impl Text) -> &str {
        self.config.text(self.lang, key)
    }
}

/// The address of the statement page in `lang`: `privacyPolicyUrl` for bokmål, with `/nn` or
/// `/en` after it for the other languages (`/personopplysninger/en`). `None` without a URL.
pub fn language_address(config: &Config, lang: Lang) -> Option<String> {
    config.privacy_policy_url.as_deref().map(|base| lang.page_address(base))
}

/// The choices as they stand when no script runs: only the required categories are on, since
/// nothing gated can start without the widget.
pub fn choices_without_widget(config: &Config, lang: Lang) -> Vec<(String, bool)> {
    config.categories.iter().map(|c| (config.category_title(c, lang), c.required)).collect()
}

/// The id of the statement's section on cookies and choices (see [`COOKIE_SECTION_IDS`]).
pub fn cookie_section(statement: &Statement) -> Option<&str> {
    COOKIE_SECTION_IDS.iter().copied().find(|id| statement.section(id).is_some())
}

/// The whole statement for reading: header, the visitor's choices, contents, intro, sections.
pub fn article(statement: &Statement, view: &View) -> Element {
    let mut article = shell(view).child(header(statement, view));
    article.push(choices(statement, view));
    article.push(contents(statement, view));
    article.push(paragraph(&statement.intro, "intro"));
    for section in &statement.sections {
        article.push(section_element(section, view));
    }
    article
}

/// The statement's header and what changed since `previous`, section by section.
pub fn changes_article(previous: &Statement, current: &Statement, view: &View) -> Element {
    shell(view).child(header(current, view)).child(changes(previous, current, view))
}

/// What shows when the statement could not be loaded: the language switch and a plain link.
pub fn unavailable(view: &View) -> Element {
    let href = view.config.privacy_policy_url.as_deref().unwrap_or("/");
    let link = Element::new("a").attr("href", href).text(view.t(FormText::StatementUnavailable));
    shell(view).child(tools(view)).child(Element::new("p").child(link))
}

fn shell(view: &View) -> Element {
    Element::new("article").attr("class", "statement").attr("lang", view.lang.tag())
}

fn header(statement: &Statement, view: &View) -> Element {
    let meta = fill(
        view.t(FormText::StatementVersion),
        &[("revision", &statement.revision), ("date", &statement.effective_date)],
    );
    Element::new("header")
        .child(Element::new("h2").attr("class", "title").attr("id", "pw-statement-title").text(&*statement.title))
        .child(Element::new("p").attr("class", "meta").text(meta))
        .child(tools(view))
}

/// The language switch (without the widget links to each language's address, with it buttons
/// that switch in place), then the widget's own buttons at the end of the same row.
fn tools(view: &View) -> Element {
    let mut langs = Element::new("div")
        .attr("class", "langs")
        .attr("role", "group")
        .attr("aria-label", view.t(FormText::StatementLanguage));
    // Each language by its own name (and marked as that language), so a reader finds theirs.
    for (lang, label) in [(Lang::Nb, "Bokmål"), (Lang::Nn, "Nynorsk"), (Lang::En, "English")] {
        let current = lang == view.lang;
        let switch = if view.enhanced {
            // In place: a toggle button that says which language is on.
            button("lang", label, "lang").attr("aria-pressed", if current { "true" } else { "false" })
        } else {
            let href = language_address(view.config, lang).unwrap_or_else(|| "#".into());
            let link = Element::new("a").attr("class", "lang").attr("href", href).attr("hreflang", lang.tag());
            let link = link.attr("data-action", "lang").text(label);
            if current {
                link.attr("aria-current", "page")
            } else {
                link
            }
        };
        langs.push(switch.attr("lang", lang.tag()).attr("data-lang", lang.tag()));
    }
    let mut tools = Element::new("div").attr("class", "tools").child(langs);
    if view.enhanced {
        tools.push(button("print", view.t(FormText::StatementPrint), "secondary"));
    }
    if let Some(toggle) = view.changes {
        let (action, label) = match toggle {
            ChangesToggle::ShowChanges => ("show-changes", view.t(SharedText::StatementWhatChanged)),
            ChangesToggle::BackToReading => ("show-reading", view.t(FormText::StatementBackToReading)),
        };
        tools.push(button(action, label, "secondary"));
    }
    if view.closable {
        tools.push(button("close", "×", "close").attr("aria-label", view.t(SharedText::Close)));
    }
    tools
}

fn button(action: &str, label: &str, class: &'static str) -> Element {
    Element::new("button").attr("type", "button").attr("class", class).attr("data-action", action).text(label)
}

/// The visitor's choices now. The same box with or without the widget; without it the link
/// leads to the section on cookies, with it the link opens the preferences.
fn choices(statement: &Statement, view: &View) -> Element {
    let mut list = Element::new("ul");
    for (title, on) in view.choices {
        let state = view.t(if *on { SharedText::Granted } else { SharedText::Denied });
        list.push(
            Element::new("li")
                .child(Element::new("span").text(&**title))
                .text(": ")
                .child(Element::new("strong").text(state)),
        );
    }
    let label = view.t(FormText::ChangeChoices);
    let change = if view.enhanced {
        button("change-choices", label, "secondary")
    } else {
        let mut href = String::from("#");
        href.push_str(cookie_section(statement).unwrap_or("pw-choices-title"));
        Element::new("a")
            .attr("class", "action secondary")
            .attr("href", href)
            .attr("data-action", "change-choices")
            .text(label)
    };
    Element::new("section")
        .attr("class", "choices")
        .attr("aria-labelledby", "pw-choices-title")
        .child(Element::new("h3").attr("id", "pw-choices-title").text(view.t(FormText::YourChoices)))
        .child(list)
        .child(Element::new("p").child(change))
}

fn contents(statement: &Statement, view: &View) -> Element {
    let mut list = Element::new("ol");
    for section in &statement.sections {
        list.push(Element::new("li").child(anchor(&section.heading, &section.id)));
    }
    Element::new("nav")
        .attr("class", "toc")
        .attr("aria-labelledby", "pw-toc-title")
        .child(Element::new("h3").attr("id", "pw-toc-title").text(view.t(FormText::StatementContents)))
        .child(list)
}

fn section_element(section: &Section, view: &View) -> Element {
    let mut heading_id = String::from("h-");
    heading_id.push_str(&section.id);
    let label_key = if view.enhanced { FormText::StatementCopyLink } else { FormText::StatementSectionLink };
    let label = fill(view.t(label_key), &[("section", &section.heading)]);
    let copy = if view.enhanced {
        button("copy-link", "#", "copy")
    } else {
        // A link to the section itself: without script it puts the section's address in the
        // address bar, to copy from there.
        let mut hash = String::from("#");
        hash.push_str(&section.id);
        Element::new("a").attr("class", "copy").attr("href", hash).attr("data-action", "copy-link").text("#")
    };
    let copy = copy.attr("data-section", &*section.id).attr("aria-label", label);
    let heading =
        Element::new("h3").attr("id", &*heading_id).attr("tabindex", "-1").text(&*section.heading).child(copy);
    let mut s = Element::new("section")
        .attr("class", "part")
        .attr("id", &*section.id)
        .attr("aria-labelledby", heading_id)
        .child(heading);
    for block in &section.blocks {
        s.push(block_element(block, view));
    }
    s
}

fn block_element(block: &super::Block, view: &View) -> Element {
    match block {
        super::Block::Paragraph(runs) => paragraph(runs, ""),
        super::Block::List(items) => {
            let mut list = Element::new("ul");
            for runs in items {
                list.push(runs_into(Element::new("li"), runs));
            }
            list
        }
        super::Block::Contact(contact) => contact_element(contact, view),
        super::Block::CookieDeclaration => {
            let accepted: Vec<bool> = view.choices.iter().map(|(_, on)| *on).collect();
            declaration::in_statement(view.config, view.lang, &accepted)
        }
    }
}

fn contact_element(contact: &ContactBlock, view: &View) -> Element {
    let mut block =
        Element::new("address").attr("class", "contact").child(Element::new("strong").text(&*contact.organisation));
    for line in &contact.address {
        block.push(Element::new("span").attr("class", "line").text(&**line));
    }
    let mut link = |label: FormText, text: &str, href: String| {
        block
            .push(Element::new("span").attr("class", "line").text(view.t(label)).text(": ").child(anchor(text, &href)));
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

fn changes(previous: &Statement, current: &Statement, view: &View) -> Element {
    let title = fill(view.t(FormText::StatementChangesTitle), &[("revision", &previous.revision)]);
    let mut wrap = Element::new("div").attr("class", "changes").child(Element::new("h3").text(title));
    for change in &diff(previous, current).sections {
        let (class, badge, heading) = match change {
            SectionChange::Added(s) => ("part added", FormText::StatementAdded, &s.heading),
            SectionChange::Removed(s) => ("part removed", FormText::StatementRemoved, &s.heading),
            SectionChange::Changed(d) => ("part changed", FormText::StatementChanged, &d.new.heading),
            SectionChange::Unchanged(s) => ("part unchanged", FormText::StatementUnchanged, &s.heading),
        };
        let h = Element::new("h4")
            .child(Element::new("span").attr("class", "badge").text(view.t(badge)))
            .text(" ")
            .text(&**heading);
        let mut s = Element::new("section").attr("class", class).child(h);
        match change {
            SectionChange::Added(section) | SectionChange::Removed(section) => {
                for block in &section.blocks {
                    s.push(block_element(block, view));
                }
            }
            SectionChange::Changed(d) => {
                for block in &d.blocks {
                    if let Some(e) = block_change(block, view) {
                        s.push(e);
                    }
                }
            }
            SectionChange::Unchanged(_) => {}
        }
        wrap.push(s);
    }
    wrap
}

fn block_change(change: &BlockChange, view: &View) -> Option<Element> {
    Some(match change {
        BlockChange::Same(_) => return None,
        BlockChange::Added(b) => wrap_in("ins", block_element(b, view), view.t(FormText::StatementInserted)),
        BlockChange::Removed(b) => wrap_in("del", block_element(b, view), view.t(FormText::StatementDeleted)),
        BlockChange::Paragraph(runs) => diff_runs_into(Element::new("p"), runs, view),
        BlockChange::List(items) => {
            let mut list = Element::new("ul");
            for item in items {
                let li = Element::new("li");
                list.push(match item {
                    ItemChange::Same(runs) => runs_into(li, runs),
                    ItemChange::Added(runs) => li.child(marked("ins", runs, view)),
                    ItemChange::Removed(runs) => li.child(marked("del", runs, view)),
                    ItemChange::Changed(runs) => diff_runs_into(li, runs, view),
                });
            }
            list
        }
        BlockChange::Replaced { old, new } => Element::new("div")
            .child(wrap_in("del", block_element(old, view), view.t(FormText::StatementDeleted)))
            .child(wrap_in("ins", block_element(new, view), view.t(FormText::StatementInserted))),
    })
}

/// `<ins>`/`<del>` with a visually hidden label, since screen readers do not announce them.
fn marked(tag: &'static str, runs: &[Inline], view: &View) -> Element {
    let label = if tag == "ins" { FormText::StatementInserted } else { FormText::StatementDeleted };
    let mut prefix = String::from("[");
    prefix.push_str(view.t(label));
    prefix.push_str(": ");
    let mark = Element::new(tag).child(Element::new("span").attr("class", "sr-only").text(prefix));
    runs_into(mark, runs).child(Element::new("span").attr("class", "sr-only").text("]"))
}

fn diff_runs_into(mut parent: Element, runs: &[DiffRun], view: &View) -> Element {
    for run in runs {
        parent = match run {
            DiffRun::Same(inline) => runs_into(parent, core::slice::from_ref(inline)),
            DiffRun::Inserted(inline) => parent.child(marked("ins", core::slice::from_ref(inline), view)),
            DiffRun::Deleted(inline) => parent.child(marked("del", core::slice::from_ref(inline), view)),
        };
    }
    parent
}

fn wrap_in(tag: &'static str, child: Element, label: &str) -> Element {
    Element::new(tag).attr("class", "block").attr("aria-label", label).child(child)
}

fn anchor(text: &str, href: &str) -> Element {
    let href = if href.starts_with('#') || href.contains(':') || href.starts_with('/') {
        href.to_string()
    } else {
        String::from("#") + href
    };
    Element::new("a").attr("href", href).text(text)
}

fn paragraph(runs: &[Inline], class: &str) -> Element {
    let p = if class.is_empty() { Element::new("p") } else { Element::new("p").attr("class", class) };
    runs_into(p, runs)
}

fn runs_into(mut parent: Element, runs: &[Inline]) -> Element {
    for run in runs {
        parent = match run {
            Inline::Text(t) => parent.text(&**t),
            Inline::Emphasis(t) => parent.child(Element::new("em").text(&**t)),
            Inline::Link { text, href } => parent.child(anchor(text, href)),
        };
    }
    parent
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node_text(node: &crate::markup::Node) -> String {
        match node {
            crate::markup::Node::Text(t) => t.clone(),
            crate::markup::Node::Element(e) => e.text_content(),
        }
    }

    fn config() -> Config {
        Config::parse(include_str!("../../../www/widget-config.json")).expect("demo config")
    }

    fn statement(lang: &str) -> Statement {
        let text = match lang {
            "nb" => include_str!("../../../www/statement/nb.json"),
            "nn" => include_str!("../../../www/statement/nn.json"),
            _ => include_str!("../../../www/statement/en.json"),
        };
        Statement::parse(text).expect("demo statement")
    }

    fn view<'a>(config: &'a Config, choices: &'a [(String, bool)], enhanced: bool) -> View<'a> {
        View { config, lang: Lang::En, choices, enhanced, changes: None, closable: false }
    }

    #[test]
    fn each_language_has_an_address_under_the_statement_page() {
        let config = config();
        assert_eq!(language_address(&config, Lang::Nb).as_deref(), Some("/personopplysninger"));
        assert_eq!(language_address(&config, Lang::Nn).as_deref(), Some("/personopplysninger/nn"));
        assert_eq!(language_address(&config, Lang::En).as_deref(), Some("/personopplysninger/en"));
        let mut other = config.clone();
        other.privacy_policy_url = Some("https://shop.example/privacy/?x=1#top".into());
        assert_eq!(language_address(&other, Lang::En).as_deref(), Some("https://shop.example/privacy/en"));
        other.privacy_policy_url = None;
        assert_eq!(language_address(&other, Lang::En), None);
    }

    #[test]
    fn without_the_widget_only_required_categories_are_on() {
        let choices = choices_without_widget(&config(), Lang::En);
        assert_eq!(choices, vec![("Necessary".to_string(), true), ("Analytics".to_string(), false)]);
    }

    #[test]
    fn the_page_version_has_every_section_its_contents_and_language_links_but_no_widget_buttons() {
        let (config, statement) = (config(), statement("en"));
        let choices = choices_without_widget(&config, Lang::En);
        let html = article(&statement, &view(&config, &choices, false)).to_html();
        for section in &statement.sections {
            let id = &section.id;
            assert!(html.contains(&format!("<section class=\"part\" id=\"{id}\" aria-labelledby=\"h-{id}\">")), "{id}");
            assert!(html.contains(&format!("<li><a href=\"#{id}\">")), "contents link to {id}");
        }
        assert!(html.contains(
            "<a class=\"lang\" href=\"/personopplysninger/nn\" hreflang=\"nn\" data-action=\"lang\" lang=\"nn\" data-lang=\"nn\">Nynorsk</a>"
        ));
        assert!(html.contains(
            "hreflang=\"en\" data-action=\"lang\" aria-current=\"page\" lang=\"en\" data-lang=\"en\">English"
        ));
        assert!(!html.contains("<button"), "no control that needs script: {html}");
        assert!(html.contains("aria-label=\"Link to “Cookies"), "section links say what they do without script");
        assert!(html
            .contains("<a class=\"action secondary\" href=\"#informasjonskapsler\" data-action=\"change-choices\">"));
        assert!(html.contains("<li><span>Analytics</span>: <strong>Not allowed</strong></li>"));
    }

    #[test]
    fn the_widget_version_adds_its_buttons_and_keeps_the_same_statement_text() {
        let (config, statement) = (config(), statement("en"));
        let choices = choices_without_widget(&config, Lang::En);
        let page = article(&statement, &view(&config, &choices, false));
        let mut widget_view = view(&config, &choices, true);
        widget_view.changes = Some(ChangesToggle::ShowChanges);
        widget_view.closable = true;
        let widget = article(&statement, &widget_view);
        let html = widget.to_html();
        for action in ["print", "show-changes", "close"] {
            assert!(html.contains(&format!("data-action=\"{action}\"")), "{action}");
        }
        assert!(html.contains("aria-label=\"Copy link to “Cookies"));
        // What acts in place is a button; what navigates without script is a link.
        assert!(html.contains(
            "<button type=\"button\" class=\"lang\" data-action=\"lang\" aria-pressed=\"true\" lang=\"en\" data-lang=\"en\">English</button>"
        ));
        assert!(html.contains(
            "<button type=\"button\" class=\"copy\" data-action=\"copy-link\" data-section=\"informasjonskapsler\""
        ));
        assert!(html.contains("<p><button type=\"button\" class=\"secondary\" data-action=\"change-choices\">"));
        assert!(!html.contains("<a class=\"lang\""));
        // After the header (choices, contents, intro, sections): the same elements and text;
        // only the section links' labels say what a click does.
        let text = |e: &Element| e.children[1..].iter().map(node_text).collect::<String>();
        assert_eq!(text(&page), text(&widget));
        assert_eq!(page.children.len(), widget.children.len());
    }

    /// The section's elements of `tag`, depth first, as their text.
    fn texts_in(e: &Element, tag: &str, out: &mut Vec<String>) {
        if e.tag == tag {
            out.push(e.text_content());
        }
        for child in &e.children {
            if let crate::markup::Node::Element(c) = child {
                texts_in(c, tag, out);
            }
        }
    }

    fn cookie_section_of(article: &Element) -> &Element {
        article
            .children
            .iter()
            .find_map(|n| match n {
                crate::markup::Node::Element(e) if e.get_attr("id") == Some("informasjonskapsler") => Some(e),
                _ => None,
            })
            .expect("the cookie section")
    }

    #[test]
    fn the_cookie_section_carries_the_declaration_of_every_service_and_item_in_the_config() {
        let config = config();
        for lang in ["nb", "nn", "en"] {
            let statement = statement(lang);
            let lang = Lang::from_tag(lang).unwrap();
            let choices = choices_without_widget(&config, lang);
            let view =
                View { config: &config, lang, choices: &choices, enhanced: false, changes: None, closable: false };
            let article = article(&statement, &view);
            let section = cookie_section_of(&article);
            let (mut services, mut items) = (Vec::new(), Vec::new());
            texts_in(section, "h5", &mut services);
            texts_in(section, "code", &mut items);
            let declared: Vec<String> =
                config.categories.iter().flat_map(|c| &c.services).map(|s| s.name.clone()).collect();
            assert_eq!(
                services, declared,
                "{lang:?}: one h5 per service, under the section's h3 and the categories' h4"
            );
            let declared_items: Vec<String> = config
                .categories
                .iter()
                .flat_map(|c| &c.services)
                .flat_map(|s| &s.cookies)
                .map(|c| c.name.clone())
                .collect();
            assert_eq!(items, declared_items, "{lang:?}");
            assert!(items.iter().any(|i| i == "pw_consent"), "the widget's own cookie is declared");
            let mut categories = Vec::new();
            texts_in(section, "h4", &mut categories);
            let titles: Vec<String> = config.categories.iter().map(|c| config.category_title(c, lang)).collect();
            assert_eq!(categories, titles, "{lang:?}");
            // The same tree as the declaration's own renderer: one source.
            let from_declaration = declaration::in_statement(&config, lang, &[true, false]);
            assert!(section.children.contains(&crate::markup::Node::Element(from_declaration)));
            // Still the link to the declaration's own page (with its audit date).
            assert!(section.to_html().contains("href=\"/informasjonskapsler"), "{lang:?}");
        }
    }

    #[test]
    fn the_declaration_in_the_statement_shows_the_visitor_choice_per_category() {
        let (config, statement) = (config(), statement("en"));
        let mut choices = choices_without_widget(&config, Lang::En);
        let choice_of = |choices: &[(String, bool)]| {
            let view =
                View { config: &config, lang: Lang::En, choices, enhanced: true, changes: None, closable: false };
            let article = article(&statement, &view);
            let mut strong = Vec::new();
            texts_in(cookie_section_of(&article), "strong", &mut strong);
            strong
        };
        assert_eq!(choice_of(&choices), ["Always on (necessary)", "Not allowed"]);
        choices[1].1 = true;
        assert_eq!(choice_of(&choices), ["Always on (necessary)", "Allowed"]);
    }

    #[test]
    fn the_changes_view_marks_what_changed_since_the_earlier_revision() {
        let config = config();
        let current = statement("nb");
        let mut previous = current.clone();
        previous.revision = "2026-01-01".into();
        previous.sections.remove(0);
        let view =
            View { config: &config, lang: Lang::Nb, choices: &[], enhanced: true, changes: None, closable: false };
        let html = changes_article(&previous, &current, &view).to_html();
        assert!(html.contains("Endringer siden versjon 2026-01-01"), "{html}");
        assert!(html.contains("<section class=\"part added\"><h4><span class=\"badge\">Ny del</span>"));
        let failed = unavailable(&view).to_html();
        assert!(failed.contains("<a href=\"/personopplysninger\">Personvernerklæringen kunne ikke vises her."));
    }
}
