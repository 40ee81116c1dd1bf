//! What the two lenient readers of the config share (`banner::read` for the banner build,
//! `forms::read` for the forms build): they read only the fields their build uses, without the
//! full parse's field-named messages, and give up (`None`) on what they cannot use safely.

use crate::prelude::*;

use super::{is_blank, is_safe_url, StatementSource, TextOverrides};
use crate::json::Json;
use crate::lang::Lang;

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
