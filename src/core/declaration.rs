//! The cookie declaration: every category, its services and what each stores on the visitor's
//! device, rendered from the config as a neutral `markup::Element` (the browser builds DOM from
//! it, the pre-renderer writes it as HTML), with the date and counts of the last cookie audit.

use crate::prelude::*;

use crate::config::{Category, Config, CookieDecl, Service, StorageKind};
use crate::i18n::fill;
use crate::json::{self, Json};
use crate::lang::Lang;
use crate::markup::Element;

/// Ids a shop's statement gives its section on cookies and choices, in order of preference.
/// Without the widget, "change your choices" and the shop's settings links lead there; the
/// declaration's change link leads to the first.
pub const COOKIE_SECTION_IDS: &[&str] = &["informasjonskapsler", "cookies", "samtykke", "consent"];

/// The level of the category headings inside the statement, under its sections' `h3`.
const STATEMENT_HEADING: u8 = 4;

/// The attribute that marks a container for the declaration (its value is the declaration's own
/// page address, for the language links, or empty), and the containers it marks: the banner build,
/// the consent manager and the browser layer's renderer find them by these.
pub const CONTAINER_ATTR: &str = "data-pw-cookie-declaration";
pub const CONTAINERS: &str = "[data-pw-cookie-declaration]";

/// The attribute whose element shows the visitor's current choice for a category (its value is
/// the category id); the browser layer fills it in and keeps it current.
pub const CHOICE_ATTR: &str = "data-pw-choice";

/// What `npm run audit` found, from the `summary` of its JSON report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSummary {
    /// `YYYY-MM-DD`, the day the audit ran (UTC).
    pub checked_on: String,
    pub pages: u32,
    /// Cookies and storage keys seen, in all states together.
    pub items: u32,
    pub violations: u32,
    pub warnings: u32,
}

/// Why an audit report cannot be read: the declaration is then shown without its "last checked".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditSummaryError {
    NotJson(json::JsonError),
    /// A field of `summary` is missing or not what the audit writes.
    Field(&'static str),
}

impl AuditSummaryError {
    pub fn message(&self) -> String {
        let mut m = String::from("privacy-widget: the cookie audit report ");
        match self {
            AuditSummaryError::NotJson(e) => {
                m.push_str("is not JSON: ");
                m.push_str(&e.message());
            }
            AuditSummaryError::Field(field) => {
                m.push_str("has no valid \"summary.");
                m.push_str(field);
                m.push_str("\" (write it with `npm run audit -- --json <file>`)");
            }
        }
        m
    }
}

impl AuditSummary {
    /// Reads the `summary` object of the audit's JSON report.
    pub fn parse(text: &str) -> Result<AuditSummary, AuditSummaryError> {
        let root = json::parse(text).map_err(AuditSummaryError::NotJson)?;
        let summary = root.get("summary").ok_or(AuditSummaryError::Field("checkedAt"))?;
        let count = |field: &'static str| match summary.get(field).and_then(Json::as_int) {
            Some(n) if (0..=i64::from(u32::MAX)).contains(&n) => Ok(n as u32),
            _ => Err(AuditSummaryError::Field(field)),
        };
        let checked_at = summary.get("checkedAt").and_then(Json::as_str).unwrap_or("");
        let checked_on = checked_at.get(..10).filter(|d| is_date(d)).ok_or(AuditSummaryError::Field("checkedAt"))?;
        Ok(AuditSummary {
            checked_on: checked_on.to_string(),
            pages: count("pages")?,
            items: count("items")?,
            violations: count("violations")?,
            warnings: count("warnings")?,
        })
    }
}

fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
        && d.get(5..7).and_then(|m| m.parse::<u8>().ok()).is_some_and(|m| (1..=12).contains(&m))
}

/// The declaration's fixed texts, per language.
#[derive(Clone, Copy)]
enum Phrase {
    Title,
    Intro,
    Checked,
    CheckedWithFindings,
    NotChecked,
    YourChoice,
    Change,
    AlwaysOn,
    Provider,
    Name,
    Lifetime,
    Kind,
    NoItems,
    LifetimeUnknown,
    FirstPartyCookie,
    ThirdPartyCookie,
    LocalStorage,
    SessionStorage,
    IndexedDb,
    Allowed,
    NotAllowed,
    Language,
}

fn phrase(lang: Lang, p: Phrase) -> &'static str {
    use Phrase::*;
    match (p, lang) {
        (Title, Lang::Nb) => "Informasjonskapsler",
        (Title, Lang::Nn) => "Informasjonskapslar",
        (Title, Lang::En) => "Cookies",
        (Intro, Lang::Nb) => "Dette er informasjonskapslene og lignende lagring (local storage, session storage) nettstedet bruker, ordnet etter formål. Bare de nødvendige brukes før du har sagt ja.",
        (Intro, Lang::Nn) => "Dette er informasjonskapslane og liknande lagring (local storage, session storage) nettstaden brukar, ordna etter føremål. Berre dei nødvendige blir brukte før du har sagt ja.",
        (Intro, Lang::En) => "These are the cookies and similar storage (local storage, session storage) this website uses, by purpose. Only the necessary ones are used before you say yes.",
        (Checked, Lang::Nb) => "Sist kontrollert {date} med en automatisk gjennomgang av {pages} sider: {items} informasjonskapsler og lagringsnøkler funnet, alle i listen.",
        (Checked, Lang::Nn) => "Sist kontrollert {date} med ein automatisk gjennomgang av {pages} sider: {items} informasjonskapslar og lagringsnøklar funne, alle i lista.",
        (Checked, Lang::En) => "Last checked on {date} by an automatic scan of {pages} pages: {items} cookies and storage keys found, all of them listed.",
        (CheckedWithFindings, Lang::Nb) => "Sist kontrollert {date} med en automatisk gjennomgang av {pages} sider: {items} informasjonskapsler og lagringsnøkler funnet, {violations} avvik fra listen.",
        (CheckedWithFindings, Lang::Nn) => "Sist kontrollert {date} med ein automatisk gjennomgang av {pages} sider: {items} informasjonskapslar og lagringsnøklar funne, {violations} avvik frå lista.",
        (CheckedWithFindings, Lang::En) => "Last checked on {date} by an automatic scan of {pages} pages: {items} cookies and storage keys found, {violations} not as listed.",
        (NotChecked, Lang::Nb) => "Listen er satt opp av nettbutikken og ikke kontrollert automatisk ennå.",
        (NotChecked, Lang::Nn) => "Lista er sett opp av nettbutikken og ikkje kontrollert automatisk enno.",
        (NotChecked, Lang::En) => "The shop keeps this list; it has not been checked automatically yet.",
        (YourChoice, Lang::Nb) => "Ditt valg: ",
        (YourChoice, Lang::Nn) => "Valet ditt: ",
        (YourChoice, Lang::En) => "Your choice: ",
        (Change, Lang::Nb) => "Endre valget ditt",
        (Change, Lang::Nn) => "Endre valet ditt",
        (Change, Lang::En) => "Change your choice",
        (AlwaysOn, Lang::Nb) => "Alltid på (nødvendig)",
        (AlwaysOn, Lang::Nn) => "Alltid på (nødvendig)",
        (AlwaysOn, Lang::En) => "Always on (necessary)",
        (Provider, Lang::Nb | Lang::Nn) => "Leverandør: ",
        (Provider, Lang::En) => "Provider: ",
        (Name, Lang::Nb | Lang::Nn) => "Navn",
        (Name, Lang::En) => "Name",
        (Lifetime, Lang::Nb) => "Lagringstid",
        (Lifetime, Lang::Nn) => "Lagringstid",
        (Lifetime, Lang::En) => "Lifetime",
        (Kind, Lang::Nb | Lang::Nn) => "Type",
        (Kind, Lang::En) => "Type",
        (NoItems, Lang::Nb) => "Lagrer ingenting på enheten din.",
        (NoItems, Lang::Nn) => "Lagrar ingenting på eininga di.",
        (NoItems, Lang::En) => "Stores nothing on your device.",
        (LifetimeUnknown, Lang::Nb) => "Ikke oppgitt",
        (LifetimeUnknown, Lang::Nn) => "Ikkje oppgitt",
        (LifetimeUnknown, Lang::En) => "Not stated",
        (FirstPartyCookie, Lang::Nb | Lang::Nn) => "Informasjonskapsel (førstepart)",
        (FirstPartyCookie, Lang::En) => "Cookie (first party)",
        (ThirdPartyCookie, Lang::Nb | Lang::Nn) => "Informasjonskapsel (tredjepart)",
        (ThirdPartyCookie, Lang::En) => "Cookie (third party)",
        (LocalStorage, _) => "Local storage",
        (SessionStorage, _) => "Session storage",
        (IndexedDb, _) => "IndexedDB",
        (Allowed, Lang::Nb) => "Tillatt",
        (Allowed, Lang::Nn) => "Tillate",
        (Allowed, Lang::En) => "Allowed",
        (NotAllowed, Lang::Nb) => "Ikke tillatt",
        (NotAllowed, Lang::Nn) => "Ikkje tillate",
        (NotAllowed, Lang::En) => "Not allowed",
        // The language switch's group name: one of the declaration's own texts, like the rest,
        // not the statement's `statementLanguage` (whose catalogue would be 3.3 kB brotli of the
        // declaration build for this one word).
        (Language, Lang::Nb | Lang::Nn) => "Språk",
        (Language, Lang::En) => "Language",
    }
}

/// The declaration's title, for the heading and `<title>` of its page.
pub fn title(lang: Lang) -> &'static str {
    phrase(lang, Phrase::Title)
}

/// What the choice element of a category says: necessary ones are always on; without a
/// script nothing optional runs, so "not allowed" is also the truth before the widget starts.
pub fn choice_label(lang: Lang, category: &Category, accepted: bool) -> &'static str {
    match (category.required, accepted) {
        (true, _) => phrase(lang, Phrase::AlwaysOn),
        (false, true) => phrase(lang, Phrase::Allowed),
        (false, false) => phrase(lang, Phrase::NotAllowed),
    }
}

/// The declaration. `first_heading` is the level of the category headings (2 on a page of its
/// own under the page's `h1`, 4 inside a statement section headed `h3`); services are one below.
/// `page` is the declaration's own page (its bokmål address): it then starts with links to that
/// page in each language, which the widget turns into an in-place switch.
pub fn render(
    config: &Config,
    lang: Lang,
    audit: Option<&AuditSummary>,
    first_heading: u8,
    page: Option<&str>,
) -> Element {
    let mut root = shell(lang);
    if let Some(page) = page {
        root.push(language_links(lang, page));
    }
    root.push(Element::new("p").text(phrase(lang, Phrase::Intro)));
    root.push(Element::new("p").attr("class", "pw-cd-checked").text(checked_text(lang, audit)));
    categories_and_change(root, config, lang, first_heading, &[])
}

/// The declaration inside the privacy statement (its `cookieDeclaration` block): categories from
/// `h4` under the section's `h3`, no language links (the statement has its own) and no "last
/// checked" (the declaration's own page says it, from an audit report the statement does not
/// read). `accepted` holds each category's current choice, in the order of `config.categories`:
/// the statement is re-rendered when a choice changes.
pub fn in_statement(config: &Config, lang: Lang, accepted: &[bool]) -> Element {
    let root = shell(lang).child(Element::new("p").text(phrase(lang, Phrase::Intro)));
    categories_and_change(root, config, lang, STATEMENT_HEADING, accepted)
}

fn shell(lang: Lang) -> Element {
    Element::new("div").attr("class", "pw-cookie-declaration").attr("lang", lang.tag())
}

/// A section per category, each with its choice (`accepted`, by position; not allowed where
/// missing: what is true without the widget), then the link that changes them.
fn categories_and_change(mut root: Element, config: &Config, lang: Lang, level: u8, accepted: &[bool]) -> Element {
    for (i, category) in config.categories.iter().enumerate() {
        let on = accepted.get(i).copied().unwrap_or(false);
        root.push(category_section(config, lang, category, level, on));
    }
    root.child(Element::new("p").child(change_control(config, lang)))
}

/// Each language by its own name (and marked as that language), so a reader finds theirs.
fn language_links(lang: Lang, page: &str) -> Element {
    let mut links = Element::new("div")
        .attr("class", "langs")
        .attr("role", "group")
        .attr("aria-label", phrase(lang, Phrase::Language));
    for (other, label) in [(Lang::Nb, "Bokmål"), (Lang::Nn, "Nynorsk"), (Lang::En, "English")] {
        let mut link = Element::new("a")
            .attr("class", "lang")
            .attr("href", other.page_address(page))
            .attr("hreflang", other.tag())
            .attr("lang", other.tag())
            .attr("data-action", "lang")
            .attr("data-lang", other.tag());
        if other == lang {
            link = link.attr("aria-current", "page");
        }
        links.push(link.text(label));
    }
    links
}

/// Opens the preferences (the consent manager acts on any `data-pw-open`, so withdrawal is one
/// click away). A link to the statement's section on cookies where there is a statement page,
/// so that without the widget it still leads somewhere; else a button.
fn change_control(config: &Config, lang: Lang) -> Element {
    let control = match &config.privacy_policy_url {
        Some(base) => {
            let mut href = lang.page_address(base);
            href.push('#');
            href.push_str(COOKIE_SECTION_IDS[0]);
            Element::new("a").attr("href", href)
        }
        None => Element::new("button").attr("type", "button"),
    };
    control.attr("class", "pw-cd-change").attr("data-pw-open", "preferences").text(phrase(lang, Phrase::Change))
}

fn checked_text(lang: Lang, audit: Option<&AuditSummary>) -> String {
    let Some(audit) = audit else { return phrase(lang, Phrase::NotChecked).to_string() };
    let template = if audit.violations == 0 { Phrase::Checked } else { Phrase::CheckedWithFindings };
    let number = |n: u32| {
        let mut s = String::new();
        json::push_int(&mut s, i64::from(n));
        s
    };
    fill(
        phrase(lang, template),
        &[
            ("date", &long_date(lang, &audit.checked_on)),
            ("pages", &number(audit.pages)),
            ("items", &number(audit.items)),
            ("violations", &number(audit.violations)),
        ],
    )
}

/// `2026-12-06` as `6. desember 2026` (nb, nn) or `6 December 2026` (en).
fn long_date(lang: Lang, date: &str) -> String {
    const NO: [&str; 12] = [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = date.get(5..7).and_then(|m| m.parse::<usize>().ok()).filter(|m| (1..=12).contains(m));
    let (Some(month), Some(day), Some(year)) = (month, date.get(8..10), date.get(..4)) else { return date.to_string() };
    let mut out = String::from(day.trim_start_matches('0'));
    out.push_str(if lang == Lang::En { " " } else { ". " });
    out.push_str(if lang == Lang::En { EN[month - 1] } else { NO[month - 1] });
    out.push(' ');
    out.push_str(year);
    out
}

fn heading(level: u8) -> &'static str {
    match level {
        0..=2 => "h2",
        3 => "h3",
        4 => "h4",
        5 => "h5",
        _ => "h6",
    }
}

fn category_section(config: &Config, lang: Lang, category: &Category, level: u8, accepted: bool) -> Element {
    let mut heading_id = String::from("pw-cd-");
    heading_id.push_str(&category.id);
    let mut section = Element::new("section")
        .attr("class", "pw-cd-category")
        .attr("aria-labelledby", heading_id.clone())
        .child(Element::new(heading(level)).attr("id", heading_id).text(config.category_title(category, lang)));
    let description = config.category_description(category, lang);
    if !description.is_empty() {
        section.push(Element::new("p").text(description));
    }
    section.push(Element::new("p").attr("class", "pw-cd-choice").text(phrase(lang, Phrase::YourChoice)).child(
        Element::new("strong").attr(CHOICE_ATTR, category.id.clone()).text(choice_label(lang, category, accepted)),
    ));
    for service in &category.services {
        section.push(service_block(lang, service, level + 1));
    }
    section
}

fn service_block(lang: Lang, service: &Service, level: u8) -> Element {
    let mut block = Element::new("div").attr("class", "pw-cd-service");
    block.push(Element::new(heading(level)).text(service.name.clone()));
    if let Some(provider) = &service.provider {
        block.push(Element::new("p").text(phrase(lang, Phrase::Provider)).text(provider.clone()));
    }
    if let Some(purpose) = &service.purpose {
        block.push(Element::new("p").text(purpose.get(lang)));
    }
    if service.cookies.is_empty() {
        block.push(Element::new("p").text(phrase(lang, Phrase::NoItems)));
        return block;
    }
    let header = Element::new("tr")
        .child(Element::new("th").attr("scope", "col").text(phrase(lang, Phrase::Name)))
        .child(Element::new("th").attr("scope", "col").text(phrase(lang, Phrase::Lifetime)))
        .child(Element::new("th").attr("scope", "col").text(phrase(lang, Phrase::Kind)));
    let mut body = Element::new("tbody");
    for cookie in &service.cookies {
        body.push(cookie_row(lang, cookie));
    }
    // The wrapper scrolls a wide table sideways on a narrow screen instead of the whole page.
    block.push(
        Element::new("div").attr("class", "pw-cd-table").child(
            Element::new("table")
                .child(Element::new("caption").text(service.name.clone()))
                .child(Element::new("thead").child(header))
                .child(body),
        ),
    );
    block
}

fn cookie_row(lang: Lang, cookie: &CookieDecl) -> Element {
    let lifetime = match &cookie.lifetime {
        Some(l) => l.get(lang).to_string(),
        None => phrase(lang, Phrase::LifetimeUnknown).to_string(),
    };
    let kind = match (cookie.kind, cookie.third_party) {
        (StorageKind::Cookie, false) => Phrase::FirstPartyCookie,
        (StorageKind::Cookie, true) => Phrase::ThirdPartyCookie,
        (StorageKind::LocalStorage, _) => Phrase::LocalStorage,
        (StorageKind::SessionStorage, _) => Phrase::SessionStorage,
        (StorageKind::IndexedDb, _) => Phrase::IndexedDb,
    };
    Element::new("tr")
        .child(Element::new("th").attr("scope", "row").child(Element::new("code").text(cookie.name.clone())))
        .child(Element::new("td").text(lifetime))
        .child(Element::new("td").text(phrase(lang, kind)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"{
        "revision": "r1",
        "categories": [
            {"id": "necessary", "required": true, "services": [
                {"id": "shop", "name": "Shop", "provider": "Serviteur AS",
                 "purpose": {"nb": "Handlekurv", "en": "Cart"},
                 "cookies": [{"name": "pw_consent", "lifetime": {"nb": "Økt", "en": "Session"}},
                             {"name": "privacy-widget-outbox*", "type": "sessionStorage"}]}
            ]},
            {"id": "analytics", "services": [
                {"id": "ga", "name": "Google Analytics", "provider": "Google <Ireland> & Co",
                 "cookies": [{"name": "_ga", "lifetime": "2 years"}, {"name": "IDE", "party": "third"}, "_ga_*"]}
            ]},
            {"id": "marketing", "services": [{"id": "pixel", "name": "Pixel"}]}
        ]
    }"#;

    fn config() -> Config {
        Config::parse(CONFIG).unwrap()
    }

    fn audit(violations: u32) -> AuditSummary {
        AuditSummary { checked_on: "2026-12-06".into(), pages: 2, items: 5, violations, warnings: 1 }
    }

    /// Every element with `tag`, depth first.
    fn all<'a>(e: &'a Element, tag: &str, out: &mut Vec<&'a Element>) {
        if e.tag == tag {
            out.push(e);
        }
        for child in &e.children {
            if let crate::markup::Node::Element(c) = child {
                all(c, tag, out);
            }
        }
    }

    fn texts(e: &Element, tag: &str) -> Vec<String> {
        let mut found = Vec::new();
        all(e, tag, &mut found);
        found.iter().map(|e| e.text_content()).collect()
    }

    #[test]
    fn lists_every_category_service_and_item_with_lifetime_and_type() {
        let d = render(&config(), Lang::En, None, 2, None);
        assert_eq!(texts(&d, "h2"), ["Necessary", "Analytics", "Marketing"]);
        assert_eq!(texts(&d, "h3"), ["Shop", "Google Analytics", "Pixel"]);
        let rows = texts(&d, "tr");
        assert_eq!(
            rows,
            [
                "NameLifetimeType",
                "pw_consentSessionCookie (first party)",
                "privacy-widget-outbox*Not statedSession storage",
                "NameLifetimeType",
                "_ga2 yearsCookie (first party)",
                "IDENot statedCookie (third party)",
                "_ga_*Not statedCookie (first party)",
            ]
        );
        let html = d.to_html();
        assert!(html.contains("<p>Provider: Google &lt;Ireland&gt; &amp; Co</p>"), "{html}");
        assert!(html.contains("<p>Stores nothing on your device.</p>"), "a service without items says so");
        assert!(
            html.contains("<button type=\"button\" class=\"pw-cd-change\" data-pw-open=\"preferences\">Change your choice</button>"),
            "without a statement page: a button"
        );
    }

    #[test]
    fn speaks_the_visitor_language() {
        let nb = render(&config(), Lang::Nb, None, 2, None);
        assert_eq!(texts(&nb, "h2")[1], "Statistikk");
        assert!(nb.text_content().contains("pw_consentØktInformasjonskapsel (førstepart)"));
        assert!(nb.text_content().contains("Endre valget ditt"));
        let nn = render(&config(), Lang::Nn, None, 2, None);
        assert!(nn.text_content().contains("Endre valet ditt"));
        assert_eq!(nb.get_attr("lang"), Some("nb"));
    }

    #[test]
    fn each_category_has_a_choice_slot_the_browser_fills() {
        let c = config();
        let d = render(&c, Lang::En, None, 2, None);
        let mut strong = Vec::new();
        all(&d, "strong", &mut strong);
        let slots: Vec<_> = strong.iter().map(|e| (e.get_attr(CHOICE_ATTR).unwrap(), e.text_content())).collect();
        assert_eq!(
            slots,
            [
                ("necessary", "Always on (necessary)".to_string()),
                ("analytics", "Not allowed".to_string()),
                ("marketing", "Not allowed".to_string())
            ]
        );
        let analytics = c.category("analytics").unwrap();
        assert_eq!(choice_label(Lang::En, analytics, true), "Allowed");
        assert_eq!(choice_label(Lang::Nb, c.category("necessary").unwrap(), false), "Alltid på (nødvendig)");
    }

    #[test]
    fn on_its_own_page_it_links_each_language_and_the_change_link_reaches_the_statement() {
        let text = CONFIG.replacen('{', r#"{"privacyPolicyUrl": "/personvern?x=1","#, 1);
        let c = Config::parse(&text).unwrap();
        let d = render(&c, Lang::Nn, None, 2, Some("/informasjonskapsler"));
        let mut links = Vec::new();
        all(&d, "a", &mut links);
        let langs: Vec<_> = links
            .iter()
            .filter(|a| a.get_attr("data-action") == Some("lang"))
            .map(|a| a.get_attr("href").unwrap())
            .collect();
        assert_eq!(langs, ["/informasjonskapsler", "/informasjonskapsler/nn", "/informasjonskapsler/en"]);
        let current: Vec<_> = links.iter().filter(|a| a.get_attr("aria-current") == Some("page")).collect();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].get_attr("hreflang"), Some("nn"));
        let change = links.iter().find(|a| a.get_attr("class") == Some("pw-cd-change")).expect("the change link");
        assert_eq!(change.get_attr("href"), Some("/personvern/nn#informasjonskapsler"));
        assert_eq!(change.get_attr("data-pw-open"), Some("preferences"));
        assert_eq!(change.text_content(), "Endre valet ditt");
        let inside_a_page = render(&c, Lang::Nn, None, 4, None);
        let mut none = Vec::new();
        all(&inside_a_page, "a", &mut none);
        assert_eq!(none.len(), 1, "inside another page only the change link: {none:?}");
    }

    #[test]
    fn headings_start_at_the_level_asked_for() {
        let d = render(&config(), Lang::En, None, 4, None);
        assert_eq!(texts(&d, "h4").len(), 3);
        assert_eq!(texts(&d, "h5").len(), 3);
        assert!(texts(&d, "h2").is_empty());
    }

    #[test]
    fn says_when_the_list_was_last_checked_and_what_was_found() {
        let none = render(&config(), Lang::En, None, 2, None);
        assert_eq!(texts(&none, "p")[1], "The shop keeps this list; it has not been checked automatically yet.");
        let clean = render(&config(), Lang::Nb, Some(&audit(0)), 2, None);
        assert_eq!(
            texts(&clean, "p")[1],
            "Sist kontrollert 6. desember 2026 med en automatisk gjennomgang av 2 sider: 5 informasjonskapsler og lagringsnøkler funnet, alle i listen."
        );
        let findings = render(&config(), Lang::En, Some(&audit(3)), 2, None);
        assert_eq!(
            texts(&findings, "p")[1],
            "Last checked on 6 December 2026 by an automatic scan of 2 pages: 5 cookies and storage keys found, 3 not as listed."
        );
    }

    #[test]
    fn reads_the_summary_of_an_audit_report() {
        let report = r#"{"tool": "privacy-widget audit", "summary": {"checkedAt": "2026-12-06T14:20:01.000Z",
            "pages": 2, "items": 5, "violations": 0, "warnings": 1}, "findings": []}"#;
        assert_eq!(AuditSummary::parse(report), Ok(audit(0)));
        let bad_date = report.replace("2026-12-06T", "06.12.2026T");
        assert_eq!(AuditSummary::parse(&bad_date), Err(AuditSummaryError::Field("checkedAt")));
        let negative = report.replace("\"pages\": 2", "\"pages\": -2");
        assert_eq!(AuditSummary::parse(&negative), Err(AuditSummaryError::Field("pages")));
        assert_eq!(AuditSummary::parse("{}"), Err(AuditSummaryError::Field("checkedAt")));
        let err = AuditSummary::parse("{").unwrap_err();
        assert!(err.message().contains("is not JSON"), "{}", err.message());
        assert!(AuditSummaryError::Field("items").message().contains("\"summary.items\""));
    }
}
