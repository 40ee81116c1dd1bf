//! The privacy statement as structured content: model, strict validation of the
//! JSON format documented in `www/statement/README.md`, section-id helpers, and the
//! "what changed since you last consented" diff (in `statement/diff.rs`).

use crate::prelude::*;

mod diff;
pub mod render;
#[cfg(test)]
mod tests;

pub use diff::{diff, BlockChange, DiffRun, ItemChange, SectionChange, SectionDiff, StatementDiff, MAX_LCS_CELLS};

use crate::json::{self, Json, JsonError};
use crate::separated;
use crate::wire;
use core::fmt;

/// The `type` of the block that stands for the cookie declaration.
pub const COOKIE_DECLARATION: &str = "cookieDeclaration";

/// A statement file larger than this is refused before it is parsed.
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;
/// Longest title, heading, organisation name or address line, in characters.
pub const MAX_SHORT_TEXT: usize = 200;
/// Longest single inline run (plain text, emphasis or link text), in characters.
pub const MAX_TEXT: usize = 4000;
/// Longest link target, e-mail address or contact URL, in characters.
pub const MAX_HREF: usize = 2048;
/// Most inline runs in one paragraph, list item or intro.
pub const MAX_RUNS: usize = 100;
/// Most items in one list.
pub const MAX_ITEMS: usize = 100;
/// Most blocks in one section.
pub const MAX_BLOCKS: usize = 100;
/// Most sections in one statement.
pub const MAX_SECTIONS: usize = 100;
/// Most address lines in a contact block.
pub const MAX_ADDRESS_LINES: usize = 6;
/// Longest section id.
pub const MAX_SECTION_ID: usize = 64;

/// One language version of one revision of the privacy statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub title: String,
    /// Stable revision id, e.g. "2026-11-01"; safe to use as a URL path segment.
    pub revision: String,
    /// The date the revision takes effect, `YYYY-MM-DD`.
    pub effective_date: String,
    /// Language tag, e.g. "nb" or "en".
    pub language: String,
    pub intro: Vec<Inline>,
    pub sections: Vec<Section>,
}

/// A section with an id that is the same in every language (the `#id` deep link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub id: String,
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph: a sequence of inline runs.
    Paragraph(Vec<Inline>),
    /// A bulleted list; each item is a sequence of inline runs.
    List(Vec<Vec<Inline>>),
    Contact(ContactBlock),
    /// The cookie declaration, rendered from the widget's config (its categories, services and
    /// what each stores) where the statement places it: one list, kept in the config only.
    CookieDeclaration,
}

/// A run of plain text inside a paragraph, list item or intro. Never HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Emphasis(String),
    /// `href` is checked by [`Statement::parse`]: https:, http:, mailto:, tel:, `#section-id` or `/path`.
    Link {
        text: String,
        href: String,
    },
}

/// Who to reach, rendered as an address card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactBlock {
    pub organisation: String,
    pub address: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// An https: or http: address.
    pub url: Option<String>,
}

impl Inline {
    /// The visible text of the run.
    pub fn text(&self) -> &str {
        match self {
            Inline::Text(t) | Inline::Emphasis(t) => t,
            Inline::Link { text, .. } => text,
        }
    }
}

impl Block {
    /// The block's kind as written in the `type` field.
    pub fn kind(&self) -> &'static str {
        match self {
            Block::Paragraph(_) => "paragraph",
            Block::List(_) => "list",
            Block::Contact(_) => "contact",
            Block::CookieDeclaration => COOKIE_DECLARATION,
        }
    }
}

impl Statement {
    /// Parses and fully validates one statement document.
    pub fn parse(text: &str) -> core::result::Result<Statement, StatementError> {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(Path::Root.error(ErrorKind::DocumentTooLarge { bytes: text.len(), max: MAX_DOCUMENT_BYTES }));
        }
        let value = json::parse(text).map_err(|e| Path::Root.error(ErrorKind::Json(e)))?;
        let statement = read_statement(&value)?;
        check_anchors(&statement)?;
        check_single_declaration(&statement)?;
        Ok(statement)
    }

    /// The section with this id, if any.
    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// Section ids in document order (the table of contents).
    pub fn section_ids(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|s| s.id.as_str())
    }
}

/// True when both statements have the same section ids in the same order, so every
/// `#id` deep link and the table of contents line up across the two languages.
pub fn same_section_ids(a: &Statement, b: &Statement) -> bool {
    a.section_ids().eq(b.section_ids())
}

/// Ids of `from`'s sections that `other` lacks (e.g. deep links that would break
/// when switching language from `from` to `other`).
pub fn section_ids_missing<'a>(from: &'a Statement, other: &Statement) -> Vec<&'a str> {
    from.section_ids().filter(|id| other.section(id).is_none()).collect()
}

/// Where an earlier revision is kept, relative to the statement directory:
/// `revisions/<revision>/<language>.json`. `None` unless both parts are valid (a revision
/// taken from a cookie or config may be "..", which must not become a path segment).
pub fn revision_file(revision: &str, language: &str) -> Option<String> {
    if !wire::is_revision(revision) || !is_language(language) {
        return None;
    }
    let mut path = String::with_capacity(16 + revision.len() + language.len());
    path.push_str("revisions/");
    path.push_str(revision);
    path.push('/');
    path.push_str(language);
    path.push_str(".json");
    Some(path)
}

// ---------------------------------------------------------------------------------------
// Errors

/// Why a statement document was refused: where (a JSON path such as
/// `sections[3].blocks[0].items[2]`, empty for the document itself) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementError {
    pub path: String,
    pub kind: ErrorKind,
}

/// What was wrong; the `Display` text says what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not JSON at all (with the byte offset).
    Json(JsonError),
    DocumentTooLarge {
        bytes: usize,
        max: usize,
    },
    /// A required field is absent.
    Missing {
        expected: &'static str,
    },
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
    /// A field the format does not define (typos are caught instead of ignored).
    UnknownField {
        field: String,
        allowed: &'static str,
    },
    UnknownBlockType(String),
    /// A second cookie declaration block (the first is at `first`): the declaration's headings
    /// carry ids, which must be unique on the page.
    DuplicateCookieDeclaration {
        first: String,
    },
    /// An empty or blank string, or an empty array, where content is required.
    Empty {
        expected: &'static str,
        found: &'static str,
    },
    TooLong {
        max: usize,
        found: usize,
    },
    TooMany {
        what: &'static str,
        max: usize,
        found: usize,
    },
    BadSectionId(String),
    DuplicateSectionId {
        id: String,
        first: usize,
    },
    BadDate(String),
    BadRevision(String),
    BadLanguage(String),
    /// A link target outside the allow-list (e.g. `javascript:`); this is a security boundary.
    UnsafeHref(String),
    /// A `#id` link to a section this statement does not have.
    UnknownAnchor(String),
    /// Text that looks like HTML markup or an entity; it would be shown literally.
    LooksLikeHtml(String),
    ControlCharacter(u32),
    BadEmail(String),
    BadPhone(String),
    BadUrl(String),
}

impl StatementError {
    /// The message for the shop's developer (console, `privacy-widget check`). Built with
    /// `push_str` rather than `write!`: `core::fmt` with `{:?}` quoting would bring its padding
    /// code and Unicode printability tables into the extras build (about 6 KB before compression).
    pub fn message(&self) -> String {
        let mut m = String::new();
        if self.path.is_empty() {
            m.push_str("statement");
        } else {
            m.push_str(&self.path);
        }
        m.push_str(": ");
        let found = |m: &mut String, lead: &str, value: &str| {
            m.push_str(lead);
            json::write_string(m, value);
        };
        let number = |m: &mut String, n: usize| json::push_int(m, n as i64);
        match &self.kind {
            ErrorKind::Json(e) => {
                m.push_str("not valid JSON: ");
                m.push_str(&e.message());
            }
            ErrorKind::DocumentTooLarge { bytes, max } => {
                m.push_str("document is ");
                number(&mut m, *bytes);
                m.push_str(" bytes, more than the limit of ");
                number(&mut m, *max);
            }
            ErrorKind::Missing { expected } => {
                m.push_str("missing; expected ");
                m.push_str(expected);
            }
            ErrorKind::WrongType { expected, found } | ErrorKind::Empty { expected, found } => {
                for part in ["expected ", expected, ", found ", found] {
                    m.push_str(part);
                }
            }
            ErrorKind::UnknownField { field, allowed } => {
                found(&mut m, "unknown field ", field);
                for part in [" (allowed: ", allowed, ")"] {
                    m.push_str(part);
                }
            }
            ErrorKind::UnknownBlockType(t) => {
                found(&mut m, "unknown block type ", t);
                m.push_str("; expected ");
                m.push_str(BLOCK_TYPES);
            }
            ErrorKind::DuplicateCookieDeclaration { first } => {
                for part in ["a second \"", COOKIE_DECLARATION, "\" block; the statement already has one at ", first] {
                    m.push_str(part);
                }
            }
            ErrorKind::TooLong { max, found } => {
                m.push_str("text is ");
                number(&mut m, *found);
                m.push_str(" characters long; the limit is ");
                number(&mut m, *max);
            }
            ErrorKind::TooMany { what, max, found } => {
                number(&mut m, *found);
                for part in [" ", what, "; the limit is "] {
                    m.push_str(part);
                }
                number(&mut m, *max);
            }
            ErrorKind::BadSectionId(id) => {
                m.push_str("expected a section id of 1-");
                number(&mut m, MAX_SECTION_ID);
                found(&mut m, " characters a-z, 0-9 and '-' (not starting or ending with '-'), found ", id);
            }
            ErrorKind::DuplicateSectionId { id, first } => {
                found(&mut m, "duplicate section id ", id);
                m.push_str(" (already used by sections[");
                number(&mut m, *first);
                m.push_str("])");
            }
            ErrorKind::BadDate(d) => found(&mut m, "expected a date as YYYY-MM-DD, found ", d),
            ErrorKind::BadRevision(r) => {
                m.push_str("expected a revision id of ");
                m.push_str(wire::REVISION_EXPECTED);
                found(&mut m, ", found ", r);
            }
            ErrorKind::BadLanguage(l) => {
                found(&mut m, "expected a language tag such as \"nb\" or \"en-GB\", found ", l)
            }
            ErrorKind::UnsafeHref(h) => {
                found(&mut m, "link target ", h);
                m.push_str(
                    " is not allowed; expected an https:, http:, mailto: or tel: URL, a #section-id or a site \
                     path starting with a single '/'",
                );
            }
            ErrorKind::UnknownAnchor(h) => {
                found(&mut m, "link target ", h);
                m.push_str(" names no section of this statement");
            }
            ErrorKind::LooksLikeHtml(s) => {
                found(&mut m, "found HTML-like markup ", s);
                m.push_str("; text is shown as plain text, so use an emphasis or link run instead");
            }
            ErrorKind::ControlCharacter(c) => {
                m.push_str("found control character U+");
                for shift in [12, 8, 4, 0] {
                    let digit = (*c >> shift) as usize & 0xF;
                    m.push_str("0123456789ABCDEF".get(digit..digit + 1).unwrap_or_default());
                }
                m.push_str("; start a new block or list item instead of a line break");
            }
            ErrorKind::BadEmail(e) => found(&mut m, "expected an e-mail address such as post@example.no, found ", e),
            ErrorKind::BadPhone(p) => {
                found(&mut m, "expected a phone number of digits and spaces with an optional leading '+', found ", p)
            }
            ErrorKind::BadUrl(u) => found(&mut m, "expected an https:// or http:// address, found ", u),
        }
        m
    }
}

impl fmt::Display for StatementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for StatementError {}

/// A found value quoted in an error message, cut so a huge string cannot flood the console.
fn excerpt(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => {
            // Checked, not indexed (as everywhere this module cuts a str): every cut is at a char
            // boundary, and an index's panic path for a cut that is not costs wasm (−144 B brotli
            // for the five cuts).
            let mut short = String::from(s.get(..cut).unwrap_or_default());
            short.push('…');
            short
        }
        None => s.to_string(),
    }
}

/// A JSON path built on the stack while reading and rendered only when an error is reported.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'static str),
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    fn key(&'a self, key: &'static str) -> Path<'a> {
        Path::Key(self, key)
    }

    fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }

    fn render(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.render(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Path::Index(parent, index) => {
                parent.render(out);
                out.push('[');
                json::push_int(out, *index as i64);
                out.push(']');
            }
        }
    }

    fn text(&self) -> String {
        let mut path = String::new();
        self.render(&mut path);
        path
    }

    fn error(&self, kind: ErrorKind) -> StatementError {
        StatementError { path: self.text(), kind }
    }
}

type Result<T> = core::result::Result<T, StatementError>;

// ---------------------------------------------------------------------------------------
// Reading

const STATEMENT_FIELDS: &[&str] = &["title", "revision", "effective_date", "language", "intro", "sections"];
const SECTION_FIELDS: &[&str] = &["id", "heading", "blocks"];
const PARAGRAPH_FIELDS: &[&str] = &["type", "text"];
const LIST_FIELDS: &[&str] = &["type", "items"];
const CONTACT_FIELDS: &[&str] = &["type", "organisation", "address", "email", "phone", "url"];
const EMPHASIS_FIELDS: &[&str] = &["em"];
const LINK_FIELDS: &[&str] = &["link", "href"];
const COOKIE_DECLARATION_FIELDS: &[&str] = &["type"];
/// The block types, as error messages list them.
const BLOCK_TYPES: &str = "\"paragraph\", \"list\", \"contact\" or \"cookieDeclaration\"";

/// An object's members after checking that it has no fields outside `allowed`.
struct Object<'j, 'p> {
    members: &'j [(String, Json)],
    path: &'p Path<'p>,
}

impl<'j, 'p> Object<'j, 'p> {
    fn new(
        value: &'j Json,
        path: &'p Path<'p>,
        expected: &'static str,
        allowed: &[&str],
        allowed_text: &'static str,
    ) -> Result<Self> {
        let members =
            value.as_object().ok_or_else(|| path.error(ErrorKind::WrongType { expected, found: value.kind() }))?;
        if let Some((field, _)) = members.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(path.error(ErrorKind::UnknownField { field: excerpt(field), allowed: allowed_text }));
        }
        Ok(Object { members, path })
    }

    fn get(&self, key: &str) -> Option<&'j Json> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn required(&self, key: &'static str, expected: &'static str) -> Result<&'j Json> {
        self.get(key).ok_or_else(|| self.path.key(key).error(ErrorKind::Missing { expected }))
    }

    /// A required string field, checked as display text of at most `max` characters.
    fn text(&self, key: &'static str, max: usize) -> Result<String> {
        let path = self.path.key(key);
        let value = self.required(key, "a non-empty string")?;
        read_text(value, &path, max, true)
    }

    /// A required string field with a syntax of its own (ids, dates, tags); `check` says if it is valid.
    fn token(
        &self,
        key: &'static str,
        expected: &'static str,
        check: fn(&str) -> bool,
        bad: fn(String) -> ErrorKind,
    ) -> Result<String> {
        let path = self.path.key(key);
        let s = read_str(self.required(key, expected)?, &path, expected)?;
        if !check(s) {
            return Err(path.error(bad(excerpt(s))));
        }
        Ok(s.to_string())
    }

    /// An optional string field with its own syntax.
    fn optional_token(
        &self,
        key: &'static str,
        expected: &'static str,
        check: fn(&str) -> bool,
        bad: fn(String) -> ErrorKind,
    ) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(_) => self.token(key, expected, check, bad).map(Some),
        }
    }

    fn array(&self, key: &'static str, expected: &'static str, what: &'static str, max: usize) -> Result<&'j [Json]> {
        let path = self.path.key(key);
        read_array(self.required(key, expected)?, &path, expected, what, max)
    }
}

fn read_str<'j>(value: &'j Json, path: &Path, expected: &'static str) -> Result<&'j str> {
    value.as_str().ok_or_else(|| path.error(ErrorKind::WrongType { expected, found: value.kind() }))
}

/// A non-empty array of at most `max` elements.
fn read_array<'j>(
    value: &'j Json,
    path: &Path,
    expected: &'static str,
    what: &'static str,
    max: usize,
) -> Result<&'j [Json]> {
    let items = value.as_array().ok_or_else(|| path.error(ErrorKind::WrongType { expected, found: value.kind() }))?;
    if items.is_empty() {
        return Err(path.error(ErrorKind::Empty { expected, found: "an empty array" }));
    }
    if items.len() > max {
        return Err(path.error(ErrorKind::TooMany { what, max, found: items.len() }));
    }
    Ok(items)
}

/// Display text: a string of at most `max` characters, no control characters, no HTML.
/// `need_content` refuses blank strings (headings, titles, link texts).
fn read_text(value: &Json, path: &Path, max: usize, need_content: bool) -> Result<String> {
    let s = read_str(value, path, "a non-empty string")?;
    check_text(s, path, max, need_content)?;
    Ok(s.to_string())
}

fn check_text(s: &str, path: &Path, max: usize, need_content: bool) -> Result<()> {
    let blank = if need_content { s.trim().is_empty() } else { s.is_empty() };
    if blank {
        let found = if s.is_empty() { "an empty string" } else { "a blank string" };
        return Err(path.error(ErrorKind::Empty { expected: "a non-empty string", found }));
    }
    let length = s.chars().count();
    if length > max {
        return Err(path.error(ErrorKind::TooLong { max, found: length }));
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(path.error(ErrorKind::ControlCharacter(c as u32)));
    }
    if let Some(markup) = html_markup(s) {
        return Err(path.error(ErrorKind::LooksLikeHtml(excerpt(markup))));
    }
    Ok(())
}

/// The first thing in `s` that looks like an HTML tag (`<b`, `</`, `<!`) or a character
/// entity (`&amp;`, `&#38;`): authors who write HTML expect it rendered, and it would not be.
fn html_markup(s: &str) -> Option<&str> {
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => {
                if let Some(&next) = bytes.get(i + 1) {
                    if next.is_ascii_alphabetic() || next == b'/' || next == b'!' || next == b'?' {
                        return s.get(i..i + 2);
                    }
                }
            }
            b'&' => {
                let rest = &bytes[i + 1..];
                let name_len = match rest.first() {
                    Some(b'#') => 1 + rest[1..].iter().take_while(|c| c.is_ascii_alphanumeric()).count(),
                    _ => rest.iter().take_while(|c| c.is_ascii_alphanumeric()).count(),
                };
                if name_len > 0 && rest.get(name_len) == Some(&b';') {
                    return s.get(i..i + name_len + 2);
                }
            }
            _ => {}
        }
    }
    None
}

fn read_statement(value: &Json) -> Result<Statement> {
    let root = Path::Root;
    let object = Object::new(
        value,
        &root,
        "an object with title, revision, effective_date, language, intro and sections",
        STATEMENT_FIELDS,
        "title, revision, effective_date, language, intro, sections",
    )?;
    let title = object.text("title", MAX_SHORT_TEXT)?;
    let revision = object.token("revision", "a revision id string", wire::is_revision, ErrorKind::BadRevision)?;
    let effective_date = object.token("effective_date", "a date string YYYY-MM-DD", is_date, ErrorKind::BadDate)?;
    let language = object.token("language", "a language tag string", is_language, ErrorKind::BadLanguage)?;
    let intro_path = root.key("intro");
    let intro = read_runs(object.required("intro", "an array of inline runs")?, &intro_path)?;

    let sections_path = root.key("sections");
    let items = object.array("sections", "an array of sections", "sections", MAX_SECTIONS)?;
    let mut sections: Vec<Section> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = sections_path.index(i);
        let section = read_section(item, &path)?;
        if let Some(first) = sections.iter().position(|s| s.id == section.id) {
            let id_path = path.key("id");
            return Err(id_path.error(ErrorKind::DuplicateSectionId { id: section.id, first }));
        }
        sections.push(section);
    }
    Ok(Statement { title, revision, effective_date, language, intro, sections })
}

fn read_section(value: &Json, path: &Path) -> Result<Section> {
    let object = Object::new(
        value,
        path,
        "a section object with id, heading and blocks",
        SECTION_FIELDS,
        "id, heading, blocks",
    )?;
    let id = object.token("id", "a section id string", is_section_id, ErrorKind::BadSectionId)?;
    let heading = object.text("heading", MAX_SHORT_TEXT)?;
    let blocks_path = path.key("blocks");
    let items = object.array("blocks", "an array of blocks", "blocks", MAX_BLOCKS)?;
    let mut blocks = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        blocks.push(read_block(item, &blocks_path.index(i))?);
    }
    Ok(Section { id, heading, blocks })
}

fn read_block(value: &Json, path: &Path) -> Result<Block> {
    const EXPECTED: &str = "a block object with a \"type\"";
    let kind = value.get("type").ok_or_else(|| match value {
        Json::Object(_) => path.key("type").error(ErrorKind::Missing { expected: BLOCK_TYPES }),
        _ => path.error(ErrorKind::WrongType { expected: EXPECTED, found: value.kind() }),
    })?;
    let kind = read_str(kind, &path.key("type"), "a block type string")?;
    match kind {
        "paragraph" => {
            let object = Object::new(value, path, EXPECTED, PARAGRAPH_FIELDS, "type, text")?;
            let text = object.required("text", "an array of inline runs")?;
            Ok(Block::Paragraph(read_runs(text, &path.key("text"))?))
        }
        "list" => {
            let object = Object::new(value, path, EXPECTED, LIST_FIELDS, "type, items")?;
            let items_path = path.key("items");
            let items = object.array("items", "an array of list items", "items", MAX_ITEMS)?;
            let mut list = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                list.push(read_runs(item, &items_path.index(i))?);
            }
            Ok(Block::List(list))
        }
        "contact" => {
            let object =
                Object::new(value, path, EXPECTED, CONTACT_FIELDS, "type, organisation, address, email, phone, url")?;
            read_contact(&object)
        }
        COOKIE_DECLARATION => {
            Object::new(value, path, EXPECTED, COOKIE_DECLARATION_FIELDS, "type")?;
            Ok(Block::CookieDeclaration)
        }
        other => Err(path.key("type").error(ErrorKind::UnknownBlockType(excerpt(other)))),
    }
}

fn read_contact(object: &Object) -> Result<Block> {
    let path = object.path;
    let organisation = object.text("organisation", MAX_SHORT_TEXT)?;
    let mut address = Vec::new();
    if object.get("address").is_some() {
        let lines_path = path.key("address");
        let lines = object.array("address", "an array of address lines", "address lines", MAX_ADDRESS_LINES)?;
        for (i, line) in lines.iter().enumerate() {
            address.push(read_text(line, &lines_path.index(i), MAX_SHORT_TEXT, true)?);
        }
    }
    let email = object.optional_token("email", "an e-mail address string", is_email, ErrorKind::BadEmail)?;
    let phone = object.optional_token("phone", "a phone number string", is_phone, ErrorKind::BadPhone)?;
    let url = object.optional_token("url", "a URL string", is_web_url, ErrorKind::BadUrl)?;
    if email.is_none() && phone.is_none() && url.is_none() {
        return Err(path.error(ErrorKind::Missing { expected: "at least one of email, phone or url" }));
    }
    Ok(Block::Contact(ContactBlock { organisation, address, email, phone, url }))
}

/// A non-empty array of inline runs: `"plain text"`, `{"em": "text"}` or `{"link": "text", "href": "…"}`.
fn read_runs(value: &Json, path: &Path) -> Result<Vec<Inline>> {
    let items = read_array(value, path, "an array of inline runs", "inline runs", MAX_RUNS)?;
    let mut runs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        runs.push(read_run(item, &path.index(i))?);
    }
    if runs.iter().all(|r| r.text().trim().is_empty()) {
        return Err(path.error(ErrorKind::Empty { expected: "inline runs with some text", found: "only whitespace" }));
    }
    Ok(runs)
}

fn read_run(value: &Json, path: &Path) -> Result<Inline> {
    const EXPECTED: &str = "an inline run (a string, {\"em\": …} or {\"link\": …, \"href\": …})";
    match value {
        Json::Str(s) => {
            check_text(s, path, MAX_TEXT, false)?;
            Ok(Inline::Text(s.clone()))
        }
        Json::Object(_) if value.get("link").is_some() => {
            let object = Object::new(value, path, EXPECTED, LINK_FIELDS, "link, href")?;
            let text = object.text("link", MAX_TEXT)?;
            let href_path = path.key("href");
            let href = read_str(object.required("href", "a link target string")?, &href_path, "a link target string")?;
            if href.chars().count() > MAX_HREF {
                return Err(href_path.error(ErrorKind::TooLong { max: MAX_HREF, found: href.chars().count() }));
            }
            if !is_safe_href(href) {
                return Err(href_path.error(ErrorKind::UnsafeHref(excerpt(href))));
            }
            Ok(Inline::Link { text, href: href.to_string() })
        }
        Json::Object(members) => {
            if members.is_empty() {
                return Err(path.error(ErrorKind::Missing { expected: "\"em\" or \"link\"" }));
            }
            let object = Object::new(value, path, EXPECTED, EMPHASIS_FIELDS, "em, or link and href")?;
            Ok(Inline::Emphasis(object.text("em", MAX_TEXT)?))
        }
        _ => Err(path.error(ErrorKind::WrongType { expected: EXPECTED, found: value.kind() })),
    }
}

/// Every `#id` link must name a section of the same statement (checked after all ids are known).
fn check_anchors(statement: &Statement) -> Result<()> {
    let check = |runs: &[Inline], path: &Path| -> Result<()> {
        for (i, run) in runs.iter().enumerate() {
            if let Inline::Link { href, .. } = run {
                if let Some(id) = href.strip_prefix('#') {
                    if statement.section(id).is_none() {
                        return Err(path.index(i).key("href").error(ErrorKind::UnknownAnchor(excerpt(href))));
                    }
                }
            }
        }
        Ok(())
    };
    let root = Path::Root;
    check(&statement.intro, &root.key("intro"))?;
    let sections_path = root.key("sections");
    for (s, section) in statement.sections.iter().enumerate() {
        let section_path = sections_path.index(s);
        let blocks_path = section_path.key("blocks");
        for (b, block) in section.blocks.iter().enumerate() {
            let block_path = blocks_path.index(b);
            match block {
                Block::Paragraph(runs) => check(runs, &block_path.key("text"))?,
                Block::List(items) => {
                    let items_path = block_path.key("items");
                    for (i, item) in items.iter().enumerate() {
                        check(item, &items_path.index(i))?;
                    }
                }
                Block::Contact(_) | Block::CookieDeclaration => {}
            }
        }
    }
    Ok(())
}

/// At most one cookie declaration block in the whole statement.
fn check_single_declaration(statement: &Statement) -> Result<()> {
    let mut first: Option<String> = None;
    let root = Path::Root;
    let sections_path = root.key("sections");
    for (s, section) in statement.sections.iter().enumerate() {
        let section_path = sections_path.index(s);
        let blocks_path = section_path.key("blocks");
        for (b, block) in section.blocks.iter().enumerate() {
            if *block != Block::CookieDeclaration {
                continue;
            }
            let block_path = blocks_path.index(b);
            match &first {
                Some(first) => {
                    return Err(block_path.error(ErrorKind::DuplicateCookieDeclaration { first: first.clone() }))
                }
                None => first = Some(block_path.text()),
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Syntax checks

/// `[a-z0-9-]`, 1..=64 characters, not starting or ending with '-'.
pub fn is_section_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_SECTION_ID
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A real calendar date written `YYYY-MM-DD`.
fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |range: core::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1000 && (1..=days).contains(&day)
}

/// A simple language tag: 2-3 lowercase letters, then optional `-subtag`s of 1-8 letters/digits.
fn is_language(tag: &str) -> bool {
    let mut parts = separated::split(tag, b'-');
    let primary = parts.next().unwrap_or("");
    tag.len() <= 35
        && (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Printable ASCII without space and the characters that have no business in a URL we emit.
fn is_url_char(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'\\' | b'"' | b'<' | b'>' | b'`')
}

/// An absolute `https://host…` or `http://host…` URL.
fn is_web_url(url: &str) -> bool {
    let lower_prefix = |p: &str| url.len() >= p.len() && url.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    let rest = if lower_prefix("https://") {
        url.get(8..)
    } else if lower_prefix("http://") {
        url.get(7..)
    } else {
        None
    };
    let Some(rest) = rest else { return false };
    url.len() <= MAX_HREF
        && rest.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'[')
        && url.bytes().all(is_url_char)
}

/// The link allow-list. Browsers strip tabs and newlines inside URLs and treat a backslash
/// as a slash, so "java\tscript:" or "/\evil.example" are refused by the character check
/// before the scheme is looked at; a protocol-relative "//host" is refused too.
pub fn is_safe_href(href: &str) -> bool {
    if href.is_empty() || href.len() > MAX_HREF || !href.bytes().all(is_url_char) {
        return false;
    }
    if let Some(id) = href.strip_prefix('#') {
        return is_section_id(id);
    }
    if let Some(rest) = href.strip_prefix('/') {
        return !rest.starts_with('/');
    }
    let Some((scheme, rest)) = separated::split_once(href, b':') else {
        return false;
    };
    if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http") {
        is_web_url(href)
    } else if scheme.eq_ignore_ascii_case("mailto") {
        separated::split(rest, b'?').next().is_some_and(is_email)
    } else if scheme.eq_ignore_ascii_case("tel") {
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'(' | b')'))
    } else {
        false
    }
}

/// `local@domain.tld` with no spaces and a dot in the domain: a sanity check, not RFC 5322.
fn is_email(e: &str) -> bool {
    let Some((local, domain)) = separated::split_once(e, b'@') else {
        return false;
    };
    e.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && local
            .bytes()
            .chain(domain.bytes())
            .all(|b| is_url_char(b) && b != b'@' && b != b'?' && b != b'/' && b != b':')
}

/// Digits and single spaces with an optional leading '+', e.g. "+47 22 00 00 00".
fn is_phone(p: &str) -> bool {
    let digits = p.strip_prefix('+').unwrap_or(p);
    let count = digits.bytes().filter(u8::is_ascii_digit).count();
    (3..=20).contains(&count)
        && p.len() <= 40
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b' ')
        && !digits.starts_with(' ')
        && !digits.ends_with(' ')
        && !digits.as_bytes().windows(2).any(|pair| pair == b"  ")
}
