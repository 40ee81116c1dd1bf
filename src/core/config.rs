//! The shop's widget configuration: parsed from JSON and validated field by field.
//! An invalid config yields one error per mistake, each naming its field, so the widget can fail
//! closed and the shop's developer (in the console or `privacy-widget check`) sees them all at once.

use crate::prelude::*;

use crate::i18n::{category_defaults, is_text_name, Text};
use crate::json::{self, Json};
use crate::lang::Lang;
use crate::separated;
use crate::wire;
use core::fmt;

pub mod banner;
pub mod declaration;
pub mod extras;
pub mod forms;
mod lenient;

/// What is wrong with the config, addressed by its JSON path (`categories[1].services[0].id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The text is not JSON.
    Syntax(json::JsonError),
    /// A required field is absent.
    Missing { field: String, expected: &'static str },
    /// A field has the wrong type or an unacceptable value.
    Invalid { field: String, expected: &'static str, found: String },
    /// A field the widget does not know (usually a typo).
    Unknown { field: String },
}

impl ConfigError {
    /// The console message for the shop's developer. Built with `push_str` rather than
    /// `format!`, which keeps `core::fmt`'s padding code out of the .wasm.
    pub fn message(&self) -> String {
        let mut m = String::from("privacy-widget config");
        match self {
            ConfigError::Syntax(e) => {
                m.push_str(" is not valid JSON: ");
                m.push_str(&e.message());
            }
            ConfigError::Missing { field, expected } => {
                for part in [": \"", field, "\" is missing; expected ", expected] {
                    m.push_str(part);
                }
            }
            ConfigError::Invalid { field, expected, found } => {
                for part in [": \"", field, "\" must be ", expected, ", found ", found] {
                    m.push_str(part);
                }
            }
            ConfigError::Unknown { field } => {
                for part in [": unknown field \"", field, "\" (check the spelling against the README)"] {
                    m.push_str(part);
                }
            }
        }
        m
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// A text given once for all languages or per language (`{"nb": "…", "en": "…"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Localized {
    Same(String),
    PerLang(Vec<(Lang, String)>),
}

impl Localized {
    /// The text in `lang`, falling back to bokmål, then English, then whatever exists.
    pub fn get(&self, lang: Lang) -> &str {
        match self {
            Localized::Same(s) => s,
            Localized::PerLang(texts) => [lang, Lang::Nb, Lang::En]
                .iter()
                .find_map(|l| texts.iter().find(|(tl, _)| tl == l))
                .or(texts.first())
                .map(|(_, s)| s.as_str())
                .unwrap_or(""),
        }
    }
}

/// A cookie (or a web-storage key) a service sets, so it can be listed, deleted on withdrawal
/// and checked by the cookie audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieDecl {
    /// Exact name, or a prefix pattern ending in `*` such as `_ga_*`.
    pub name: String,
    pub lifetime: Option<Localized>,
    pub kind: StorageKind,
    /// Set by another site than the shop's (in a third-party context).
    pub third_party: bool,
}

/// Where a declared item lives: consent platforms list web storage with cookies, since the
/// ePrivacy rules treat every storing of information on the visitor's device alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageKind {
    Cookie,
    LocalStorage,
    SessionStorage,
    IndexedDb,
}

impl StorageKind {
    const ALL: [StorageKind; 4] =
        [StorageKind::Cookie, StorageKind::LocalStorage, StorageKind::SessionStorage, StorageKind::IndexedDb];

    /// The config's name for it (`cookies[].type`).
    pub fn name(self) -> &'static str {
        match self {
            StorageKind::Cookie => "cookie",
            StorageKind::LocalStorage => "localStorage",
            StorageKind::SessionStorage => "sessionStorage",
            StorageKind::IndexedDb => "indexedDB",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub provider: Option<String>,
    pub purpose: Option<Localized>,
    pub cookies: Vec<CookieDecl>,
    /// Hosts the service's scripts and embeds talk to (`www.google-analytics.com`,
    /// `*.doubleclick.net`, `cdn.example.com:8443`): the cookie audit expects requests to other
    /// origins only to these, and only once the service is allowed.
    pub hosts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: String,
    /// Necessary categories are always on and cannot be switched off.
    pub required: bool,
    pub title: Option<Localized>,
    pub description: Option<Localized>,
    pub services: Vec<Service>,
}

/// Google Consent Mode v2 signals and the categories that grant each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentSignal {
    AdStorage,
    AnalyticsStorage,
    AdUserData,
    AdPersonalization,
    FunctionalityStorage,
    PersonalizationStorage,
}

impl ConsentSignal {
    pub const ALL: [ConsentSignal; 6] = [
        ConsentSignal::AdStorage,
        ConsentSignal::AnalyticsStorage,
        ConsentSignal::AdUserData,
        ConsentSignal::AdPersonalization,
        ConsentSignal::FunctionalityStorage,
        ConsentSignal::PersonalizationStorage,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ConsentSignal::AdStorage => "ad_storage",
            ConsentSignal::AnalyticsStorage => "analytics_storage",
            ConsentSignal::AdUserData => "ad_user_data",
            ConsentSignal::AdPersonalization => "ad_personalization",
            ConsentSignal::FunctionalityStorage => "functionality_storage",
            ConsentSignal::PersonalizationStorage => "personalization_storage",
        }
    }

    /// The configured categories that grant this signal when the shop maps it to none itself.
    pub(crate) fn default_ids(self, known: impl Fn(&str) -> bool) -> Vec<String> {
        let mut ids = Vec::new();
        for id in self.default_categories() {
            if known(id) {
                ids.push(id.to_string());
            }
        }
        ids
    }

    /// The categories that grant this signal when the shop does not configure a mapping.
    fn default_categories(self) -> &'static [&'static str] {
        match self {
            ConsentSignal::AdStorage | ConsentSignal::AdUserData | ConsentSignal::AdPersonalization => &["marketing"],
            ConsentSignal::AnalyticsStorage => &["analytics"],
            ConsentSignal::FunctionalityStorage | ConsentSignal::PersonalizationStorage => &["functional"],
        }
    }
}

/// Colour scheme of the widget; `Auto` follows the visitor's system setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    /// The config's `theme` value (absent is `auto`).
    fn from_name(name: Option<&str>) -> Option<Theme> {
        match name {
            None | Some("auto") => Some(Theme::Auto),
            Some("light") => Some(Theme::Light),
            Some("dark") => Some(Theme::Dark),
            Some(_) => None,
        }
    }
}

/// Where the outbox keeps undelivered events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStorage {
    /// Session storage: matches the session-cookie promise (the default).
    Session,
    /// Local storage: events pending when the tab closes are delivered on the next visit.
    Local,
}

impl OutboxStorage {
    /// The config's `outbox.storage` value (absent is `session`).
    fn from_name(name: Option<&str>) -> Option<OutboxStorage> {
        match name {
            None | Some("session") => Some(OutboxStorage::Session),
            Some("local") => Some(OutboxStorage::Local),
            Some(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub consent: Option<String>,
    pub newsletter: Option<String>,
    pub rights_request: Option<String>,
}

/// Where the privacy statement's structured content lives (see `www/statement/README.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSource {
    /// The current statement; `{lang}` is replaced by the language tag.
    pub url: String,
    /// Earlier revisions, for "what changed"; `{revision}` and `{lang}` are replaced.
    pub revision_url: Option<String>,
    /// The id of the element on the shop's statement page that shows the statement inline.
    pub container: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSettings {
    pub name: String,
    /// `Domain` attribute, e.g. `.serviteur.no` to share the choice across subdomains.
    pub domain: Option<String>,
    /// `None` keeps it a session cookie, as the shop's statement promises.
    pub lifetime_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub revision: String,
    pub language: Option<Lang>,
    pub categories: Vec<Category>,
    pub endpoints: Endpoints,
    pub privacy_policy_url: Option<String>,
    pub contact_email: Option<String>,
    pub statement: Option<StatementSource>,
    pub cookie: CookieSettings,
    pub consent_mode: Vec<(ConsentSignal, Vec<String>)>,
    pub floating_button: bool,
    pub reload_on_withdraw: bool,
    pub theme: Theme,
    pub outbox_storage: OutboxStorage,
    pub keep_history: bool,
    /// Overrides by text key name, per language.
    pub texts: TextOverrides,
}

/// The shop's text overrides: per language, text key name → text.
pub type TextOverrides = Vec<(Lang, Vec<(&'static str, String)>)>;

/// The longest cookie name the config accepts.
const COOKIE_NAME_MAX: usize = 64;

/// `cookie.lifetimeDays`: 1 day to 13 months.
const COOKIE_LIFETIME_DAYS: core::ops::RangeInclusive<i64> = 1..=395;

/// The consent cookie must stay far below the 4096-byte browser limit.
pub const MAX_COOKIE_BYTES: usize = 3000;

/// The consent cookie's format version (`cookie.rs`), here with the bound on its length that
/// `Config::parse` checks, so the config needs nothing from the cookie module.
pub(crate) const COOKIE_VERSION: &str = "1";

/// The longest value `encode` can produce for this config (every id present, long numbers).
pub(crate) fn worst_case_len(config: &Config) -> usize {
    let switches: usize = config
        .categories
        .iter()
        .map(|c| c.id.len() + 3 + c.services.iter().map(|s| s.id.len() + 3).sum::<usize>())
        .sum();
    config.cookie.name.len() + 1 + COOKIE_VERSION.len() + config.revision.len() + 32 + 10 + 20 + 2 + 8 + switches
}

/// The fields a config may have at the top level. `$schema` lets editors find the JSON Schema
/// (`schema/privacy-widget-config.schema.json`); the widget ignores its value.
const ROOT_FIELDS: [&str; 15] = [
    "$schema",
    "revision",
    "language",
    "categories",
    "endpoints",
    "privacyPolicyUrl",
    "contactEmail",
    "cookie",
    "consentMode",
    "floatingButton",
    "reloadOnWithdraw",
    "outbox",
    "texts",
    "theme",
    "statement",
];

impl Config {
    /// Every optional field at its default and nothing read yet: where `fill` and the banner
    /// build's reader (`banner::read`) both start, so the defaults live here once.
    fn defaults() -> Config {
        Config {
            revision: String::new(),
            language: None,
            categories: Vec::new(),
            endpoints: Endpoints { consent: None, newsletter: None, rights_request: None },
            privacy_policy_url: None,
            contact_email: None,
            statement: None,
            cookie: CookieSettings { name: "pw_consent".into(), domain: None, lifetime_days: None },
            consent_mode: Vec::new(),
            floating_button: false,
            reload_on_withdraw: false,
            theme: Theme::Auto,
            outbox_storage: OutboxStorage::Session,
            keep_history: false,
            texts: Vec::new(),
        }
    }

    /// The config, or every mistake found in it (never an empty list): unknown top-level fields
    /// first, then field by field in a fixed order, categories and services in array order.
    pub fn parse(text: &str) -> Result<Config, Vec<ConfigError>> {
        let root = json::parse(text).map_err(|e| vec![ConfigError::Syntax(e)])?;
        Config::from_json(&root)
    }

    pub fn from_json(root: &Json) -> Result<Config, Vec<ConfigError>> {
        // Fields are filled into one value in place: an error then drops just that value,
        // instead of a different set of half-built locals at every `?` (1.5 KB less .wasm).
        let mut config = Config::defaults();
        let root = Obj::new(root, String::new()).map_err(|e| vec![*e])?;
        let mut errors = Vec::new();
        config.fill(&root, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let worst_case = worst_case_len(&config);
        if worst_case > MAX_COOKIE_BYTES {
            return Err(vec![ConfigError::Invalid {
                field: "categories".into(),
                expected: "few enough categories and services for the consent cookie to stay under 3000 bytes",
                found: {
                    let mut s = String::from("a configuration needing ");
                    json::push_int(&mut s, worst_case as i64);
                    s.push_str(" bytes; shorten ids or remove services");
                    s
                },
            }]);
        }
        Ok(config)
    }

    /// Checks every top-level field into `errors`. A mistake ends the check of its own section
    /// only (one field, one category, one service), so three mistakes in three places give three
    /// errors; a second mistake inside the same section shows once the first is fixed.
    fn fill(&mut self, root: &Obj, errors: &mut Vec<ConfigError>) {
        for (key, _) in root.members {
            if !ROOT_FIELDS.contains(&key.as_str()) {
                errors.push(ConfigError::Unknown { field: key.clone() });
            }
        }
        kept(errors, root.opt_str("$schema"));
        kept(errors, self.fill_revision(root));
        kept(errors, self.fill_language(root));
        let before = errors.len();
        self.categories = parse_categories(root, errors);
        // Consent Mode names categories: against a list with mistakes that check would only echo them.
        let categories = (errors.len() == before).then_some(self.categories.as_slice());
        if let Some(mapping) = kept(errors, parse_consent_mode(root, categories)) {
            self.consent_mode = mapping;
        }
        kept(errors, self.fill_endpoints(root));
        kept(errors, self.fill_cookie(root));
        kept(errors, self.fill_outbox(root));
        if let Some(texts) = kept(errors, parse_texts(root)) {
            self.texts = texts;
        }
        kept(errors, self.fill_statement(root));
        kept(errors, self.fill_theme(root));
        if let Some(url) = kept(errors, root.opt_url("privacyPolicyUrl")) {
            self.privacy_policy_url = url;
        }
        if let Some(email) = kept(errors, root.opt_str("contactEmail")) {
            self.contact_email = email;
        }
        if let Some(on) = kept(errors, root.opt_bool("floatingButton")) {
            self.floating_button = on.unwrap_or(false);
        }
        if let Some(on) = kept(errors, root.opt_bool("reloadOnWithdraw")) {
            self.reload_on_withdraw = on.unwrap_or(false);
        }
    }

    fn fill_revision(&mut self, root: &Obj) -> Result<(), Fail> {
        const REVISION: &str = "a revision id of 1–64 letters, digits, '.', '_' or '-', not starting with '.'";
        self.revision = root.req_str("revision", REVISION)?;
        if !wire::is_revision(&self.revision) {
            return Err(invalid("revision".to_string(), REVISION, &self.revision));
        }
        Ok(())
    }

    fn fill_language(&mut self, root: &Obj) -> Result<(), Fail> {
        self.language = match root.opt("language") {
            None => None,
            Some(Json::Str(tag)) if tag == "auto" => None,
            Some(v) => Some(parse_lang(v, &root.path_of("language"))?),
        };
        Ok(())
    }

    fn fill_endpoints(&mut self, root: &Obj) -> Result<(), Fail> {
        if let Some(e) = root.opt_obj("endpoints")? {
            e.only(&["consent", "newsletter", "rightsRequest"])?;
            self.endpoints.consent = e.opt_url("consent")?;
            self.endpoints.newsletter = e.opt_url("newsletter")?;
            self.endpoints.rights_request = e.opt_url("rightsRequest")?;
        }
        Ok(())
    }

    fn fill_cookie(&mut self, root: &Obj) -> Result<(), Fail> {
        if let Some(c) = root.opt_obj("cookie")? {
            c.only(&["name", "domain", "lifetimeDays"])?;
            if let Some(name) = c.opt_str("name")? {
                check_token(
                    &name,
                    COOKIE_NAME_MAX,
                    &c.path_of("name"),
                    "a cookie name of letters, digits, '_' or '-'",
                )?;
                self.cookie.name = name;
            }
            self.cookie.domain = c.opt_str("domain")?;
            if let Some(d) = &self.cookie.domain {
                let ok = !d.is_empty() && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
                if !ok {
                    return Err(invalid(c.path_of("domain"), "a host name such as \".example.no\"", d));
                }
            }
            self.cookie.lifetime_days = match c.opt("lifetimeDays") {
                None | Some(Json::Null) => None,
                Some(Json::Int(n)) if COOKIE_LIFETIME_DAYS.contains(n) => Some(*n as u32),
                Some(v) => {
                    return Err(invalid_json(
                        c.path_of("lifetimeDays"),
                        "a whole number of days from 1 to 395, or null for a session cookie",
                        v,
                    ))
                }
            };
        }
        Ok(())
    }

    fn fill_outbox(&mut self, root: &Obj) -> Result<(), Fail> {
        if let Some(o) = root.opt_obj("outbox")? {
            o.only(&["storage", "keepHistory"])?;
            let name = o.opt_str("storage")?;
            self.outbox_storage = OutboxStorage::from_name(name.as_deref()).ok_or_else(|| {
                invalid(o.path_of("storage"), "\"session\" or \"local\"", name.as_deref().unwrap_or(""))
            })?;
            self.keep_history = o.opt_bool("keepHistory")?.unwrap_or(false);
        }
        Ok(())
    }

    fn fill_statement(&mut self, root: &Obj) -> Result<(), Fail> {
        self.statement = match root.opt_obj("statement")? {
            None => None,
            Some(st) => {
                st.only(&["url", "revisionUrl", "container"])?;
                let url = st.opt_url("url")?.ok_or(ConfigError::Missing {
                    field: st.path_of("url"),
                    expected: "the URL of the statement document, with {lang} for the language, e.g. \"/statement/{lang}.json\"",
                })?;
                let revision_url = st.opt_url("revisionUrl")?;
                if let Some(u) = &revision_url {
                    // Byte windows rather than `str::contains(&str)`, whose searcher costs 2 KB of .wasm.
                    if !u.as_bytes().windows(10).any(|w| w == b"{revision}") {
                        return Err(invalid(
                            st.path_of("revisionUrl"),
                            "a URL containing {revision} (and usually {lang})",
                            u,
                        ));
                    }
                }
                let container = st.opt_str("container")?;
                if let Some(id) = &container {
                    check_token(id, 64, &st.path_of("container"), "an element id of letters, digits, '_' or '-'")?;
                }
                Some(StatementSource { url, revision_url, container })
            }
        };
        Ok(())
    }

    fn fill_theme(&mut self, root: &Obj) -> Result<(), Fail> {
        let name = root.opt_str("theme")?;
        self.theme = Theme::from_name(name.as_deref())
            .ok_or_else(|| invalid("theme".into(), "\"auto\", \"light\" or \"dark\"", name.as_deref().unwrap_or("")))?;
        Ok(())
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The service with `id` and the category it belongs to.
    pub fn service(&self, id: &str) -> Option<(&Category, &Service)> {
        self.categories.iter().find_map(|c| c.services.iter().find(|s| s.id == id).map(|s| (c, s)))
    }

    /// The text for `key` in `lang`, with the shop's override if any.
    pub fn text(&self, lang: Lang, key: impl Text) -> &str {
        self.override_or(lang, key.name(), key.default_text(lang))
    }

    /// The override lookup of `text`, which is compiled once per catalogue (each is a type of its
    /// own): this part once for all of them.
    fn override_or<'a>(&'a self, lang: Lang, name: &str, default: &'a str) -> &'a str {
        self.texts
            .iter()
            .find(|(l, _)| *l == lang)
            .and_then(|(_, overrides)| overrides.iter().find(|(k, _)| *k == name))
            .map_or(default, |(_, s)| s.as_str())
    }

    pub fn category_title(&self, category: &Category, lang: Lang) -> String {
        match (&category.title, category_defaults(&category.id)) {
            (Some(t), _) => t.get(lang).to_string(),
            (None, Some((title, _))) => self.text(lang, title).to_string(),
            (None, None) => category.id.clone(),
        }
    }

    pub fn category_description(&self, category: &Category, lang: Lang) -> String {
        match (&category.description, category_defaults(&category.id)) {
            (Some(t), _) => t.get(lang).to_string(),
            (None, Some((_, text))) => self.text(lang, text).to_string(),
            (None, None) => String::new(),
        }
    }
}

/// Errors travel boxed inside the parser: a `Result` of one pointer rather than of three
/// strings keeps every `?` cheap (3 KB less .wasm).
type Fail = Box<ConfigError>;

/// The value of a section that passed, or its error added to `errors`.
fn kept<T>(errors: &mut Vec<ConfigError>, result: Result<T, Fail>) -> Option<T> {
    result.map_err(|e| errors.push(*e)).ok()
}

/// A JSON object with its path, for field access that produces path-named errors.
struct Obj<'a> {
    members: &'a [(String, Json)],
    path: String,
}

impl<'a> Obj<'a> {
    fn new(value: &'a Json, path: String) -> Result<Obj<'a>, Fail> {
        match value.as_object() {
            Some(members) => Ok(Obj { members, path }),
            None => Err(invalid_json(if path.is_empty() { "(root)".into() } else { path }, "an object", value)),
        }
    }

    fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            let mut p = self.path.clone();
            p.push('.');
            p.push_str(key);
            p
        }
    }

    fn only(&self, allowed: &[&str]) -> Result<(), Fail> {
        match self.members.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            Some((k, _)) => Err(Box::new(ConfigError::Unknown { field: self.path_of(k) })),
            None => Ok(()),
        }
    }

    fn opt(&self, key: &str) -> Option<&'a Json> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn opt_obj(&self, key: &str) -> Result<Option<Obj<'a>>, Fail> {
        self.opt(key).map(|v| Obj::new(v, self.path_of(key))).transpose()
    }

    fn opt_str(&self, key: &str) -> Result<Option<String>, Fail> {
        match self.opt(key) {
            None => Ok(None),
            Some(Json::Str(s)) if !is_blank(s) => Ok(Some(s.clone())),
            Some(v) => Err(invalid_json(self.path_of(key), "a non-empty string", v)),
        }
    }

    fn req_str(&self, key: &str, expected: &'static str) -> Result<String, Fail> {
        Ok(self.opt_str(key)?.ok_or(ConfigError::Missing { field: self.path_of(key), expected })?)
    }

    fn opt_bool(&self, key: &str) -> Result<Option<bool>, Fail> {
        match self.opt(key) {
            None => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(invalid_json(self.path_of(key), "true or false", v)),
        }
    }

    /// A URL the widget will fetch or link to: same-site paths or http(s) only.
    fn opt_url(&self, key: &str) -> Result<Option<String>, Fail> {
        let url = self.opt_str(key)?;
        if let Some(u) = &url {
            if !is_safe_url(u) {
                return Err(invalid(self.path_of(key), "a path starting with '/' or an https:// URL", u));
            }
        }
        Ok(url)
    }

    fn opt_localized(&self, key: &str) -> Result<Option<Localized>, Fail> {
        self.opt(key).map(|v| parse_localized(v, &self.path_of(key))).transpose()
    }

    fn array(&self, key: &str) -> Result<Option<&'a [Json]>, Fail> {
        match self.opt(key) {
            None => Ok(None),
            Some(Json::Array(items)) => Ok(Some(items)),
            Some(v) => Err(invalid_json(self.path_of(key), "an array", v)),
        }
    }
}

fn indexed(path: &str, index: usize) -> String {
    let mut p = path.to_string();
    p.push('[');
    json::push_int(&mut p, index as i64);
    p.push(']');
    p
}

fn invalid(field: String, expected: &'static str, found: &str) -> Fail {
    let mut shown = String::new();
    json::write_string(&mut shown, found);
    Box::new(ConfigError::Invalid { field, expected, found: shown })
}

fn invalid_json(field: String, expected: &'static str, found: &Json) -> Fail {
    let found = match found {
        Json::Str(s) => {
            let mut shown = String::new();
            json::write_string(&mut shown, s);
            shown
        }
        Json::Int(_) | Json::Bool(_) | Json::Null => found.to_json(),
        other => other.kind().to_string(),
    };
    Box::new(ConfigError::Invalid { field, expected, found })
}

/// Ids and cookie names go into cookies and CSS selectors, so only a safe alphabet is allowed.
/// 1 to `max` letters, digits, `_` or `-`: cookie names, element ids.
fn is_token(value: &str, max: usize) -> bool {
    !value.is_empty()
        && value.len() <= max
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn check_token(value: &str, max: usize, field: &str, expected: &'static str) -> Result<(), Fail> {
    if is_token(value, max) {
        Ok(())
    } else {
        Err(invalid(field.to_string(), expected, value))
    }
}

fn check_id(value: &str, field: &str) -> Result<(), Fail> {
    if wire::is_choice_id(value) {
        Ok(())
    } else {
        Err(invalid(field.to_string(), "an id of 1–32 lowercase letters, digits, '_' or '-'", value))
    }
}

/// Whether a text is empty or only whitespace: a text the config may not give. Written as
/// `all(is_whitespace)`, which is what `trim().is_empty()` means, without linking `trim` into the
/// banner build (`config::banner` applies the same rule).
pub(crate) fn is_blank(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

pub(crate) fn is_safe_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let no_controls = !url.chars().any(|c| c.is_control() || c == ' ' || c == '\\');
    no_controls
        && ((url.starts_with("/") && !url.starts_with("//"))
            || lower.starts_with("https://")
            || lower.starts_with("http://"))
}

fn parse_lang(value: &Json, path: &str) -> Result<Lang, Fail> {
    match value {
        Json::Str(tag) => {
            Lang::from_tag(tag).ok_or_else(|| invalid(path.to_string(), "\"nb\", \"nn\", \"en\" or \"auto\"", tag))
        }
        other => Err(invalid_json(path.to_string(), "\"nb\", \"nn\", \"en\" or \"auto\"", other)),
    }
}

fn parse_localized(value: &Json, path: &str) -> Result<Localized, Fail> {
    const EXPECTED: &str = "a non-empty string or an object of language → string, e.g. {\"nb\": \"…\", \"en\": \"…\"}";
    match value {
        Json::Str(s) if !is_blank(s) => Ok(Localized::Same(s.clone())),
        Json::Object(members) if !members.is_empty() => {
            let mut texts = Vec::new();
            for (tag, text) in members {
                let mut field = path.to_string();
                field.push('.');
                field.push_str(tag);
                let lang = Lang::from_tag(tag).ok_or_else(|| ConfigError::Unknown { field: field.clone() })?;
                match text {
                    Json::Str(s) if !is_blank(s) => texts.push((lang, s.clone())),
                    other => return Err(invalid_json(field, "a non-empty string", other)),
                }
            }
            Ok(Localized::PerLang(texts))
        }
        other => Err(invalid_json(path.to_string(), EXPECTED, other)),
    }
}

// The limits' messages below spell the contract's numbers out (no formatting in the widget).
const _: () = assert!(wire::MAX_CATEGORIES == 16 && wire::MAX_SERVICES == 128);

/// The categories that passed; each category and each service with a mistake adds its error
/// to `errors` and the others are still checked.
fn parse_categories(root: &Obj, errors: &mut Vec<ConfigError>) -> Vec<Category> {
    let mut categories: Vec<Category> = Vec::new();
    let items = match root.array("categories") {
        Ok(Some(items)) => items,
        Ok(None) => {
            errors.push(ConfigError::Missing {
                field: "categories".into(),
                expected: "an array of categories, e.g. [{\"id\": \"necessary\", \"required\": true}, {\"id\": \"analytics\"}]",
            });
            return categories;
        }
        Err(e) => {
            errors.push(*e);
            return categories;
        }
    };
    if items.is_empty() || items.len() > wire::MAX_CATEGORIES {
        errors.push(ConfigError::Invalid {
            field: "categories".into(),
            expected: "between 1 and 16 categories",
            found: {
                let mut s = String::new();
                json::push_int(&mut s, items.len() as i64);
                s
            },
        });
        return categories;
    }
    let before = errors.len();
    for (i, item) in items.iter().enumerate() {
        let category = parse_category(item, i, &categories, errors);
        if let Some(category) = kept(errors, category) {
            categories.push(category);
        }
    }
    // Only meaningful when every category was read: the required one may be the one with a mistake.
    if errors.len() == before && !categories.iter().any(|c| c.required) {
        errors.push(ConfigError::Invalid {
            field: "categories".into(),
            expected: "at least one category with \"required\": true (the cookies the shop needs to work)",
            found: "none marked required".into(),
        });
    }
    categories
}

/// Category `i`, checked against the categories before it; its services' mistakes go to `errors`.
fn parse_category(
    item: &Json,
    i: usize,
    earlier: &[Category],
    errors: &mut Vec<ConfigError>,
) -> Result<Category, Fail> {
    let c = Obj::new(item, indexed("categories", i))?;
    c.only(&["id", "required", "title", "description", "services"])?;
    let id = c.req_str("id", "a category id such as \"analytics\"")?;
    check_id(&id, &c.path_of("id"))?;
    if earlier.iter().any(|other| other.id == id) {
        return Err(invalid(c.path_of("id"), "an id not used by another category", &id));
    }
    let title = c.opt_localized("title")?;
    if title.is_none() && category_defaults(&id).is_none() {
        return Err(ConfigError::Missing {
            field: c.path_of("title"),
            expected: "a title (only necessary, functional, analytics and marketing have built-in titles)",
        }
        .into());
    }
    let required = c.opt_bool("required")?.unwrap_or(false);
    let description = c.opt_localized("description")?;
    let mut services: Vec<Service> = Vec::new();
    for (j, item) in c.array("services")?.unwrap_or(&[]).iter().enumerate() {
        let service = Obj::new(item, indexed(&c.path_of("services"), j)).and_then(|s| {
            let service = parse_service(&s)?;
            let taken = earlier.iter().flat_map(|c| &c.services).chain(&services).any(|o| o.id == service.id);
            if taken {
                return Err(invalid(s.path_of("id"), "a service id used only once in the whole config", &service.id));
            }
            let count = earlier.iter().map(|c| c.services.len()).sum::<usize>() + services.len() + 1;
            if count > wire::MAX_SERVICES {
                return Err(invalid(s.path_of("id"), "at most 128 services in the whole config", &service.id));
            }
            Ok(service)
        });
        if let Some(service) = kept(errors, service) {
            services.push(service);
        }
    }
    Ok(Category { id, required, title, description, services })
}

fn parse_service(s: &Obj) -> Result<Service, Fail> {
    s.only(&["id", "name", "provider", "purpose", "cookies", "hosts"])?;
    let id = s.req_str("id", "a service id such as \"google-analytics\"")?;
    check_id(&id, &s.path_of("id"))?;
    let mut cookies = Vec::new();
    for (k, item) in s.array("cookies")?.unwrap_or(&[]).iter().enumerate() {
        cookies.push(parse_cookie(item, indexed(&s.path_of("cookies"), k))?);
    }
    let mut hosts = Vec::new();
    for (k, item) in s.array("hosts")?.unwrap_or(&[]).iter().enumerate() {
        const HOST: &str =
            "a host name such as \"www.google-analytics.com\", \"*.doubleclick.net\" or \"cdn.example.com:8443\"";
        match item {
            Json::Str(host) if is_host_pattern(host) => hosts.push(host.clone()),
            other => return Err(invalid_json(indexed(&s.path_of("hosts"), k), HOST, other)),
        }
    }
    Ok(Service {
        name: s.opt_str("name")?.unwrap_or_else(|| id.clone()),
        provider: s.opt_str("provider")?,
        purpose: s.opt_localized("purpose")?,
        cookies,
        hosts,
        id,
    })
}

fn parse_cookie(item: &Json, path: String) -> Result<CookieDecl, Fail> {
    const NAME: &str = "a cookie name, or a prefix ending in '*' such as \"_ga_*\"";
    let decl = match item {
        Json::Str(name) => {
            CookieDecl { name: name.clone(), lifetime: None, kind: StorageKind::Cookie, third_party: false }
        }
        _ => {
            let c = Obj::new(item, path.clone())?;
            c.only(&["name", "lifetime", "type", "party"])?;
            let kind = match c.opt_str("type")? {
                None => StorageKind::Cookie,
                Some(t) => StorageKind::ALL.into_iter().find(|k| k.name() == t).ok_or_else(|| {
                    invalid(c.path_of("type"), "\"cookie\", \"localStorage\", \"sessionStorage\" or \"indexedDB\"", &t)
                })?,
            };
            let third_party = match c.opt_str("party")?.as_deref() {
                None | Some("first") => false,
                Some("third") => true,
                Some(other) => return Err(invalid(c.path_of("party"), "\"first\" or \"third\"", other)),
            };
            CookieDecl { name: c.req_str("name", NAME)?, lifetime: c.opt_localized("lifetime")?, kind, third_party }
        }
    };
    let pattern = decl.name.strip_suffix('*').unwrap_or(&decl.name);
    let valid =
        !pattern.is_empty() && pattern.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'=' | b';' | b',' | b'*'));
    if !valid {
        let field = if matches!(item, Json::Str(_)) { path } else { path + ".name" };
        return Err(invalid(field, NAME, &decl.name));
    }
    Ok(decl)
}

/// `host`, `*.host` or either with `:port`; lowercase, as browsers report hosts.
fn is_host_pattern(pattern: &str) -> bool {
    let (host, port) = match pattern.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (pattern, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let name = host.strip_prefix("*.").unwrap_or(host);
    let labels_ok = !name.is_empty()
        && separated::split(name, b'.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    port_ok && labels_ok
}

/// The Consent Mode mapping; ids are checked against `categories` when those are known to be right.
fn parse_consent_mode(root: &Obj, categories: Option<&[Category]>) -> Result<Vec<(ConsentSignal, Vec<String>)>, Fail> {
    let known = |id: &str| categories.is_none_or(|cs| cs.iter().any(|c| c.id == id));
    let custom = root.opt_obj("consentMode")?;
    if let Some(m) = &custom {
        let names: Vec<&str> = ConsentSignal::ALL.iter().map(|s| s.name()).collect();
        m.only(&names)?;
    }
    let mut mapping = Vec::new();
    for signal in ConsentSignal::ALL {
        let ids: Vec<String> = match custom.as_ref().and_then(|m| m.opt(signal.name())) {
            Some(value) => {
                let path = custom.as_ref().map(|m| m.path_of(signal.name())).unwrap_or_default();
                let items =
                    value.as_array().ok_or_else(|| invalid_json(path.clone(), "an array of category ids", value))?;
                let mut ids = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(id) if known(id) => ids.push(id.to_string()),
                        _ => return Err(invalid_json(indexed(&path, i), "the id of a configured category", item)),
                    }
                }
                ids
            }
            None => signal.default_ids(known),
        };
        mapping.push((signal, ids));
    }
    Ok(mapping)
}

fn parse_texts(root: &Obj) -> Result<TextOverrides, Fail> {
    let Some(texts) = root.opt_obj("texts")? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for (tag, overrides) in texts.members {
        let path = texts.path_of(tag);
        let lang = Lang::from_tag(tag).ok_or_else(|| ConfigError::Unknown { field: path.clone() })?;
        let o = Obj::new(overrides, path)?;
        let mut list = Vec::new();
        for (name, value) in o.members {
            let key = is_text_name(name).ok_or_else(|| ConfigError::Unknown { field: o.path_of(name) })?;
            match value {
                Json::Str(s) if !is_blank(s) => list.push((key, s.clone())),
                other => return Err(invalid_json(o.path_of(name), "a non-empty string", other)),
            }
        }
        out.push((lang, list));
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The overrides among `texts` whose names `read` (a lenient reader's share), per language:
    /// what the lenient readers' agreement tests expect of them.
    pub(crate) fn overrides_named(texts: &TextOverrides, read: impl Fn(&str) -> bool) -> TextOverrides {
        texts.iter().map(|(lang, list)| (*lang, list.iter().filter(|(k, _)| read(k)).cloned().collect())).collect()
    }

    /// The names of the overrides a config read for `lang`, in the config's order: what a lenient
    /// reader's agreement test checks it kept of a variant's overrides.
    pub(crate) fn override_names(config: &Config, lang: Lang) -> Option<Vec<&'static str>> {
        config.texts.iter().find(|(l, _)| *l == lang).map(|(_, list)| list.iter().map(|(k, _)| *k).collect())
    }

    /// The configs an agreement test reads: `DEMO`, the demo page's and the reader's own
    /// `variant` (usually `DEMO` with the fields the reader takes changed).
    pub(crate) fn agreement_configs(variant: String) -> [String; 3] {
        [DEMO.to_string(), include_str!("../../www/widget-config.json").to_string(), variant]
    }

    /// `DEMO` with the analytics service's declared cookies given every field a declaration
    /// shows (type, party, a plain lifetime) and its hosts, which no declaration reads.
    pub(crate) fn with_declared_cookies(config: String) -> String {
        config.replacen(
            r#""cookies": [{"name": "_ga", "lifetime": {"nb": "2 år", "en": "2 years"}}, "_ga_*"]"#,
            r#""hosts": ["*.google-analytics.com"],
               "cookies": [{"name": "_ga", "lifetime": "2 years", "type": "localStorage", "party": "third"}, "_ga_*"]"#,
            1,
        )
    }

    /// A reader kept what the declaration lists of `with_declared_cookies`' service: its provider
    /// and both declared cookies, the first one a third party's.
    pub(crate) fn assert_declared_service(config: &Config) {
        let service = &config.categories[1].services[0];
        assert_eq!((service.provider.as_deref(), service.cookies.len()), (Some("Google Ireland Ltd."), 2));
        assert!(service.cookies[0].third_party);
    }

    /// The categories as a declaration reads them: every field but the services' hosts.
    pub(crate) fn declared_categories(config: &Config) -> Vec<Category> {
        let without_hosts = |s: &Service| Service { hosts: Vec::new(), ..s.clone() };
        config
            .categories
            .iter()
            .map(|c| Category { services: c.services.iter().map(without_hosts).collect(), ..c.clone() })
            .collect()
    }

    /// A lenient reader held to the full parse: on each config, it reads exactly the `part` of what
    /// `Config::parse` reads. Gives back each config as the reader and as the full parse read it.
    pub(crate) fn assert_agrees(
        read: fn(&Json) -> Option<Config>,
        part: fn(&Config) -> Config,
        texts: &[String],
    ) -> Vec<(Config, Config)> {
        let mut pairs = Vec::new();
        for text in texts {
            let full = Config::parse(text).unwrap_or_else(|e| panic!("{e:?}"));
            let lenient = read(&json::parse(text).unwrap());
            assert_eq!(lenient, Some(part(&full)), "{text}");
            pairs.push((lenient.unwrap(), full));
        }
        pairs
    }

    /// A lenient reader gives up on each change (`from` → `to`) of `DEMO`, every one a config the
    /// full parse refuses too.
    pub(crate) fn assert_gives_up(read: fn(&Json) -> Option<Config>, changes: &[(&str, &str)]) {
        for (from, to) in changes {
            let text = DEMO.replacen(from, to, 1);
            assert_ne!(text, DEMO, "{from}");
            assert_eq!(json::parse(&text).ok().and_then(|root| read(&root)), None, "{to}");
            assert!(Config::parse(&text).is_err(), "the full parse refuses it too: {to}");
        }
    }

    // `assert_gives_up` cases more than one lenient reader refuses (`from` → `to` in `DEMO`).
    /// A revision that would become a path segment.
    pub(crate) const BAD_REVISION: (&str, &str) = ("\"revision\": \"2026-11-01\"", "\"revision\": \"../x\"");
    /// No revision at all.
    pub(crate) const NO_REVISION: (&str, &str) = ("\"revision\"", "\"revisjon\"");
    /// A statement link no page may follow.
    pub(crate) const UNSAFE_STATEMENT_LINK: (&str, &str) = ("\"/personopplysninger\"", "\"javascript:alert(1)\"");
    /// A statement with a container but no source.
    pub(crate) const STATEMENT_WITHOUT_SOURCE: (&str, &str) =
        ("\"language\": \"nb\"", "\"language\": \"nb\", \"statement\": {\"container\": \"x\"}");
    /// A category id that is not an id.
    pub(crate) const BAD_CATEGORY_ID: (&str, &str) = ("{\"id\": \"necessary\"", "{\"id\": \"Necessary cookies\"");
    /// A declared cookie of no party the declaration knows.
    pub(crate) const UNKNOWN_COOKIE_PARTY: (&str, &str) =
        ("{\"name\": \"_ga\"", "{\"name\": \"_ga\", \"party\": \"fourth\"");
    /// A declared cookie of no storage type the declaration knows.
    pub(crate) const UNKNOWN_COOKIE_TYPE: (&str, &str) =
        ("{\"name\": \"_ga\"", "{\"name\": \"_ga\", \"type\": \"flash\"");
    /// A category text in a language the widget does not speak.
    pub(crate) const TEXT_IN_UNKNOWN_LANGUAGE: (&str, &str) =
        ("\"Visitor statistics\"", "\"Visitor statistics\", \"de\": \"Besucher\"");

    pub(crate) const DEMO: &str = r#"{
        "revision": "2026-11-01",
        "language": "nb",
        "endpoints": {"consent": "/api/consent"},
        "privacyPolicyUrl": "/personopplysninger",
        "categories": [
            {"id": "necessary", "required": true},
            {"id": "analytics", "services": [
                {"id": "google-analytics", "name": "Google Analytics", "provider": "Google Ireland Ltd.",
                 "purpose": {"nb": "Besøksstatistikk", "en": "Visitor statistics"},
                 "cookies": [{"name": "_ga", "lifetime": {"nb": "2 år", "en": "2 years"}}, "_ga_*"]}
            ]},
            {"id": "marketing", "services": [{"id": "meta-pixel", "name": "Meta Pixel"}]}
        ]
    }"#;

    pub(crate) fn demo() -> Config {
        Config::parse(DEMO).unwrap()
    }

    #[test]
    fn parses_the_demo_config_with_defaults() {
        let c = demo();
        assert_eq!(c.revision, "2026-11-01");
        assert_eq!(c.cookie.name, "pw_consent");
        assert_eq!(c.cookie.lifetime_days, None, "session cookie by default");
        assert_eq!(c.outbox_storage, OutboxStorage::Session);
        let (cat, svc) = c.service("google-analytics").unwrap();
        assert_eq!(cat.id, "analytics");
        assert_eq!(svc.cookies[1].name, "_ga_*");
        assert_eq!(svc.purpose.as_ref().unwrap().get(Lang::Nn), "Besøksstatistikk");
        assert_eq!(svc.purpose.as_ref().unwrap().get(Lang::En), "Visitor statistics");
        let analytics = c.consent_mode.iter().find(|(s, _)| *s == ConsentSignal::AnalyticsStorage).unwrap();
        assert_eq!(analytics.1, vec!["analytics".to_string()]);
        assert_eq!(c.category_title(c.category("analytics").unwrap(), Lang::En), "Analytics");
    }

    /// An edit of the demo config and a part of the error message it must produce.
    type ErrorCase = (Box<dyn Fn(&mut String)>, &'static str);

    /// Every message for `text`, one a line.
    fn errors_of(text: &str) -> String {
        let errors = Config::parse(text).unwrap_err();
        assert!(!errors.is_empty(), "an Err never comes without a reason");
        errors.iter().map(ConfigError::message).collect::<Vec<_>>().join("\n")
    }

    fn error_for(edit: impl Fn(&mut String)) -> String {
        let mut text = DEMO.to_string();
        edit(&mut text);
        errors_of(&text)
    }

    #[test]
    fn every_error_names_the_field() {
        let cases: Vec<ErrorCase> = vec![
            (Box::new(|t| *t = t.replace("\"revision\": \"2026-11-01\",", "")), "\"revision\" is missing"),
            (Box::new(|t| *t = t.replace("2026-11-01", "2026 11 01")), "\"revision\" must be a revision id"),
            (
                Box::new(|t| *t = t.replace("\"language\": \"nb\"", "\"language\": \"de\"")),
                "\"language\" must be \"nb\", \"nn\", \"en\" or \"auto\", found \"de\"",
            ),
            (Box::new(|t| *t = t.replace("\"endpoints\"", "\"endpoint\"")), "unknown field \"endpoint\""),
            (
                Box::new(|t| *t = t.replace("/api/consent", "javascript:alert(1)")),
                "\"endpoints.consent\" must be a path",
            ),
            (
                Box::new(|t| *t = t.replace("\"id\": \"analytics\"", "\"id\": \"Analytics\"")),
                "\"categories[1].id\" must be an id",
            ),
            (
                Box::new(|t| *t = t.replace("\"id\": \"marketing\"", "\"id\": \"analytics\"")),
                "\"categories[2].id\" must be an id not used by another category",
            ),
            (
                Box::new(|t| *t = t.replace("\"id\": \"meta-pixel\"", "\"id\": \"google-analytics\"")),
                "\"categories[2].services[0].id\" must be a service id used only once",
            ),
            (
                Box::new(|t| *t = t.replace("\"_ga_*\"", "\"_g*a\"")),
                "\"categories[1].services[0].cookies[1]\" must be a cookie name",
            ),
            (
                Box::new(|t| *t = t.replace("\"required\": true", "\"required\": \"yes\"")),
                "\"categories[0].required\" must be true or false, found \"yes\"",
            ),
            (
                Box::new(|t| *t = t.replace("\"required\": true", "\"required\": false")),
                "at least one category with \"required\": true",
            ),
            (
                Box::new(|t| *t = t.replace("\"id\": \"marketing\"", "\"id\": \"social\"")),
                "\"categories[2].title\" is missing",
            ),
            (
                Box::new(|t| *t = t.replace("\"nb\": \"2 år\"", "\"se\": \"2 år\"")),
                "unknown field \"categories[1].services[0].cookies[0].lifetime.se\"",
            ),
            (
                Box::new(|t| *t = t.replace("\"name\": \"Meta Pixel\"", "\"name\": 5")),
                "\"categories[2].services[0].name\" must be a non-empty string, found 5",
            ),
            (Box::new(|t| t.push('x')), "not valid JSON: unexpected text after the JSON value"),
            (
                Box::new(|t| *t = t.replacen('{', r#"{"statement": {"revisionUrl": "/s.json"},"#, 1)),
                "\"statement.url\" is missing",
            ),
            (
                Box::new(|t| {
                    *t = t.replacen('{', r#"{"statement": {"url": "/s/{lang}.json", "revisionUrl": "/s.json"},"#, 1)
                }),
                "\"statement.revisionUrl\" must be a URL containing {revision}",
            ),
            (
                Box::new(|t| {
                    *t = t.replace("\"name\": \"Meta Pixel\"", "\"hosts\": [\"connect.facebook.net\", \"Evil.COM/x\"]")
                }),
                "\"categories[2].services[0].hosts[1]\" must be a host name",
            ),
            (
                Box::new(|t| *t = t.replace("\"name\": \"Meta Pixel\"", "\"hosts\": \"connect.facebook.net\"")),
                "\"categories[2].services[0].hosts\" must be an array",
            ),
            (
                Box::new(|t| *t = t.replace("{\"name\": \"_ga\",", "{\"name\": \"_ga\", \"type\": \"flash\",")),
                "\"categories[1].services[0].cookies[0].type\" must be \"cookie\", \"localStorage\"",
            ),
            (
                Box::new(|t| *t = t.replace("{\"name\": \"_ga\",", "{\"name\": \"_ga\", \"party\": \"3rd\",")),
                "\"categories[1].services[0].cookies[0].party\" must be \"first\" or \"third\", found \"3rd\"",
            ),
            (
                Box::new(|t| *t = t.replace("{\"name\": \"_ga\",", "{\"name\": \"_g;a\",")),
                "\"categories[1].services[0].cookies[0].name\" must be a cookie name",
            ),
            (
                Box::new(|t| *t = t.replacen('{', r#"{"theme": "blue","#, 1)),
                "\"theme\" must be \"auto\", \"light\" or \"dark\", found \"blue\"",
            ),
        ];
        for (edit, expected) in cases {
            let message = error_for(edit);
            assert!(message.contains(expected), "{message}\n  should contain: {expected}");
        }
    }

    #[test]
    fn reads_hosts_storage_types_and_parties() {
        let text = DEMO.replace(
            "\"name\": \"Meta Pixel\"",
            r#""name": "Meta Pixel", "hosts": ["connect.facebook.net", "*.facebook.com", "127.0.0.2:8081"],
               "cookies": [{"name": "_fbp"}, {"name": "fr", "party": "third"}, {"name": "fb_state", "type": "localStorage"}]"#,
        );
        let c = Config::parse(&text).unwrap();
        let (_, pixel) = c.service("meta-pixel").unwrap();
        assert_eq!(pixel.hosts, ["connect.facebook.net", "*.facebook.com", "127.0.0.2:8081"]);
        let kinds: Vec<_> = pixel.cookies.iter().map(|d| (d.kind, d.third_party)).collect();
        assert_eq!(
            kinds,
            [(StorageKind::Cookie, false), (StorageKind::Cookie, true), (StorageKind::LocalStorage, false)]
        );
        assert!(demo().service("google-analytics").unwrap().1.hosts.is_empty(), "hosts are optional");
    }

    #[test]
    fn host_patterns_are_lowercase_names_with_an_optional_wildcard_and_port() {
        for ok in ["example.com", "*.example.com", "127.0.0.2", "localhost:8080", "a-b.c"] {
            assert!(is_host_pattern(ok), "{ok}");
        }
        for bad in
            ["", "Example.com", "*.", "a..b", "-a.com", "a.com:", "a.com:123456", "https://a.com", "*a.com", "a.com/x"]
        {
            assert!(!is_host_pattern(bad), "{bad}");
        }
    }

    #[test]
    fn every_mistake_is_reported_not_just_the_first() {
        let text = DEMO
            .replace("2026-11-01", "2026 11 01")
            .replace("\"id\": \"analytics\"", "\"id\": \"Analytics\"")
            .replace("\"name\": \"Meta Pixel\"", "\"name\": 5")
            .replacen('{', r#"{"theme": "blue", "colour": "red", "consentMode": {"ad_storage": "marketing"},"#, 1);
        let messages: Vec<String> = Config::parse(&text).unwrap_err().iter().map(ConfigError::message).collect();
        let expected = [
            "unknown field \"colour\"",
            "\"revision\" must be a revision id",
            "\"categories[1].id\" must be an id",
            "\"categories[2].services[0].name\" must be a non-empty string, found 5",
            "\"consentMode.ad_storage\" must be an array of category ids",
            "\"theme\" must be \"auto\", \"light\" or \"dark\", found \"blue\"",
        ];
        assert_eq!(messages.len(), expected.len(), "{messages:#?}");
        for (message, part) in messages.iter().zip(expected) {
            assert!(message.contains(part), "{message}\n  should contain: {part}");
        }
    }

    #[test]
    fn a_schema_reference_is_allowed_and_ignored() {
        let with_schema = DEMO.replacen('{', r#"{"$schema": "./privacy-widget-config.schema.json","#, 1);
        assert_eq!(Config::parse(&with_schema).unwrap(), demo());
        let not_a_string = DEMO.replacen('{', r#"{"$schema": 1,"#, 1);
        assert!(errors_of(&not_a_string).contains("\"$schema\" must be a non-empty string, found 1"));
    }

    #[test]
    fn texts_override_and_validate() {
        let with_texts = DEMO.replacen('{', r#"{"texts": {"en": {"acceptAll": "Yes please"}},"#, 1);
        let c = Config::parse(&with_texts).unwrap();
        assert_eq!(c.text(Lang::En, crate::i18n::BannerText::AcceptAll), "Yes please");
        assert_eq!(c.text(Lang::Nb, crate::i18n::BannerText::AcceptAll), "Godta alle");
        let typo = DEMO.replacen('{', r#"{"texts": {"en": {"acceptAl": "x"}},"#, 1);
        assert!(errors_of(&typo).contains("unknown field \"texts.en.acceptAl\""));
    }

    #[test]
    fn consent_mode_mapping_must_name_known_categories() {
        let custom = DEMO.replacen('{', r#"{"consentMode": {"ad_storage": ["analytics", "marketing"]},"#, 1);
        let c = Config::parse(&custom).unwrap();
        let ad = c.consent_mode.iter().find(|(s, _)| *s == ConsentSignal::AdStorage).unwrap();
        assert_eq!(ad.1, vec!["analytics".to_string(), "marketing".to_string()]);
        let bad = DEMO.replacen('{', r#"{"consentMode": {"ad_storage": ["ads"]},"#, 1);
        assert!(errors_of(&bad)
            .contains("\"consentMode.ad_storage[0]\" must be the id of a configured category, found \"ads\""));
    }

    #[test]
    fn oversized_configs_are_refused_before_the_cookie_overflows() {
        let services = |count: i64, prefix: &str| {
            let list: Vec<String> = (0..count)
                .map(|i| {
                    let mut s = String::from(r#"{"id": ""#);
                    s.push_str(prefix);
                    json::push_int(&mut s, i);
                    s.push_str("\", \"name\": \"S\"}");
                    s
                })
                .collect();
            DEMO.replace(r#"{"id": "meta-pixel", "name": "Meta Pixel"}"#, &list.join(","))
        };
        let long = errors_of(&services(120, "service-with-a-long-id-"));
        assert!(long.contains("under 3000 bytes"), "{long}");
        // Short ids fit the cookie, but an event may list at most wire::MAX_SERVICES services.
        assert!(Config::parse(&services(127, "s")).is_ok(), "127 here and Google Analytics");
        let many = errors_of(&services(128, "s"));
        assert!(many.contains("at most 128 services"), "{many}");
    }
}
