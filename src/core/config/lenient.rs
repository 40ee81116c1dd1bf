//! What the lenient readers of the config share (`banner::read` for the banner build,
//! `extras::read` for the extras build, `forms::read` for the forms build): they read only the
//! fields their build uses, without the full parse's field-named messages, and give up (`None`)
//! on what they cannot use safely.

use crate::prelude::*;

use super::{
    is_blank, is_safe_url, Category, CookieDecl, Localized, Service, StatementSource, StorageKind, TextOverrides,
};
use crate::json::Json;
use crate::lang::Lang;
use crate::wire;

pub(super) fn str_of<'a>(object: &'a Json, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Json::as_str)
}

/// A text the full parse would accept: a string that is not blank.
pub(super) fn text_of(value: &Json) -> Option<&str> {
    value.as_str().filter(|s| !is_blank(s))
}

/// An optional URL: absent, or one the full parse would accept; `None` (give up) otherwise.
pub(super) fn safe_url(value: Option<&Json>) -> Option<Option<String>> {
    match value {
        None => Some(None),
        Some(url) => Some(Some(text_of(url).filter(|u| is_safe_url(u))?.to_string())),
    }
}

/// Whether the shop configured a statement (so "what changed" and the viewer can be offered)
/// and where this page shows it; the extras build reads the rest. `None` (give up) when
/// `statement` has no `url`.
pub(super) fn statement(root: &Json) -> Option<Option<StatementSource>> {
    let Some(statement) = root.get("statement") else { return Some(None) };
    Some(Some(StatementSource {
        url: str_of(statement, "url")?.to_string(),
        revision_url: str_of(statement, "revisionUrl").map(String::from),
        container: str_of(statement, "container").map(String::from),
    }))
}

/// The shop's overrides of the texts `known` names (it gives a text's key for its name); the
/// rest of `texts` is another build's.
pub(super) fn text_overrides(texts: Option<&Json>, known: impl Fn(&str) -> Option<&'static str>) -> TextOverrides {
    let mut out = Vec::new();
    for (tag, overrides) in texts.and_then(Json::as_object).unwrap_or(&[]) {
        let (Some(lang), Some(overrides)) = (Lang::from_tag(tag), overrides.as_object()) else { continue };
        let mut list = Vec::new();
        for (name, value) in overrides {
            let Some(key) = known(name) else { continue };
            if let Some(text) = text_of(value) {
                list.push((key, text.to_string()));
            }
        }
        out.push((lang, list));
    }
    out
}

/// The categories and their services. `DECLARED`: with what the cookie declaration lists of each
/// service besides its name and purpose (its provider, the cookies and storage keys it sets),
/// which the banner build does without (a const parameter, so its copy has none of that code).
pub(super) fn categories<const DECLARED: bool>(root: &Json) -> Option<Vec<Category>> {
    let mut categories = Vec::new();
    for category in root.get("categories")?.as_array()? {
        let mut services = Vec::new();
        for service in category.get("services").map_or(Some(&[][..]), Json::as_array)? {
            let id = id_of(service)?;
            let name = match service.get("name") {
                None => id.clone(),
                Some(name) => text_of(name)?.to_string(),
            };
            let mut read = Service { name, purpose: localized(service.get("purpose"))?, id, ..Service::default() };
            if DECLARED {
                read.provider = match service.get("provider") {
                    None => None,
                    Some(provider) => Some(text_of(provider)?.to_string()),
                };
                for cookie in service.get("cookies").map_or(Some(&[][..]), Json::as_array)? {
                    read.cookies.push(cookie_decl(cookie)?);
                }
            }
            services.push(read);
        }
        let required = category.get("required").map_or(Some(false), Json::as_bool)?;
        let (title, description) = (localized(category.get("title"))?, localized(category.get("description"))?);
        categories.push(Category { id: id_of(category)?, required, title, description, services });
    }
    Some(categories)
}

/// A cookie or storage key a service declares: its name alone, or `name` with `lifetime`, `type`
/// and `party`.
fn cookie_decl(item: &Json) -> Option<CookieDecl> {
    if let Some(name) = text_of(item) {
        return Some(CookieDecl {
            name: name.to_string(),
            lifetime: None,
            kind: StorageKind::Cookie,
            third_party: false,
        });
    }
    let kind = match str_of(item, "type") {
        None => StorageKind::Cookie,
        Some(name) => StorageKind::ALL.into_iter().find(|k| k.name() == name)?,
    };
    let third_party = match str_of(item, "party") {
        None | Some("first") => false,
        Some("third") => true,
        Some(_) => return None,
    };
    let name = text_of(item.get("name")?)?.to_string();
    Some(CookieDecl { name, lifetime: localized(item.get("lifetime"))?, kind, third_party })
}

/// A title, description, purpose or lifetime: absent, one text, or a text per language
/// (`Localized`). `None` when it is something else.
fn localized(value: Option<&Json>) -> Option<Option<Localized>> {
    let Some(value) = value else { return Some(None) };
    if value.as_str().is_some() {
        return Some(Some(Localized::Same(text_of(value)?.to_string())));
    }
    let mut texts = Vec::new();
    for (tag, text) in value.as_object().filter(|members| !members.is_empty())? {
        texts.push((Lang::from_tag(tag)?, text_of(text)?.to_string()));
    }
    Some(Some(Localized::PerLang(texts)))
}

/// The `id` of a category or service, as the cookie may carry it.
fn id_of(object: &Json) -> Option<String> {
    str_of(object, "id").filter(|id| wire::is_choice_id(id)).map(String::from)
}
