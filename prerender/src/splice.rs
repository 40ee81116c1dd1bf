//! Marked regions of a page: `<!-- privacy-widget:NAME -->` … `<!-- /privacy-widget:NAME -->`.
//! The pre-renderer replaces what is between the two comments and leaves the rest of the page
//! byte for byte, so a shop keeps its own template and runs the tool again after each edit.

/// Why a page could not be filled.
#[derive(Debug, PartialEq, Eq)]
pub enum SpliceError {
    /// The opening comment is missing.
    NoMarker(String),
    /// The opening comment has no closing one after it.
    Unclosed(String),
}

impl std::fmt::Display for SpliceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpliceError::NoMarker(name) => {
                write!(f, "no <!-- privacy-widget:{name} --> marker; put it where the content belongs")
            }
            SpliceError::Unclosed(name) => {
                write!(f, "<!-- privacy-widget:{name} --> has no <!-- /privacy-widget:{name} --> after it")
            }
        }
    }
}

/// `page` with the region `name` holding `content`.
pub fn fill(page: &str, name: &str, content: &str) -> Result<String, SpliceError> {
    let open = format!("<!-- privacy-widget:{name} -->");
    let close = format!("<!-- /privacy-widget:{name} -->");
    let start = page.find(&open).ok_or_else(|| SpliceError::NoMarker(name.to_owned()))? + open.len();
    let end = page[start..].find(&close).ok_or_else(|| SpliceError::Unclosed(name.to_owned()))? + start;
    Ok(format!("{}{content}{}", &page[..start], &page[end..]))
}

/// Like [`fill`], for a region a page may leave out: `None` when it has no such marker.
pub fn fill_optional(page: &str, name: &str, content: &str) -> Result<Option<String>, SpliceError> {
    match fill(page, name, content) {
        Ok(filled) => Ok(Some(filled)),
        Err(SpliceError::NoMarker(_)) => Ok(None),
        Err(unclosed) => Err(unclosed),
    }
}

/// The page's `<html lang="…">`, if it has one.
pub fn html_lang(page: &str) -> Option<&str> {
    let value = page.find("<html lang=\"")? + "<html lang=\"".len();
    let end = page[value..].find('"')? + value;
    Some(&page[value..end])
}

/// `page` with its `<html lang="…">` set to `lang`.
pub fn set_html_lang(page: &str, lang: &str) -> String {
    match page.find("<html lang=\"") {
        Some(at) => {
            let value = at + "<html lang=\"".len();
            let end = page[value..].find('"').map_or(value, |e| value + e);
            format!("{}{lang}{}", &page[..value], &page[end..])
        }
        None => page.to_owned(),
    }
}

/// `page` with the text of its `<title>` up to the first ` – ` (all of it without one) replaced
/// by `title`, escaped: the shop's suffix (`– Serviteur`) stays. A page without `<title>` is
/// returned as it is.
pub fn set_title(page: &str, title: &str) -> String {
    let Some(open) = page.find("<title>") else { return page.to_owned() };
    let start = open + "<title>".len();
    let Some(close) = page[start..].find("</title>").map(|e| start + e) else { return page.to_owned() };
    let end = page[start..close].find(" – ").map_or(close, |e| start + e);
    format!("{}{}{}", &page[..start], escaped(title), &page[end..])
}

/// `page` named `title`: in its `<title>` (see [`set_title`]) and, if the page marks it, in the
/// heading's region `heading` (the demo's `<h1>`), so a page in another language is not headed
/// in bokmål.
pub fn set_title_and_heading(page: &str, heading: &str, title: &str) -> Result<String, SpliceError> {
    let page = set_title(page, title);
    Ok(fill_optional(&page, heading, &escaped(title))?.unwrap_or(page))
}

fn escaped(text: &str) -> String {
    let mut escaped = String::new();
    privacy_widget_core::markup::escape_into(text, false, &mut escaped);
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_marked_region_and_can_run_again() {
        let page = "<p>a</p><!-- privacy-widget:statement -->old<!-- /privacy-widget:statement --><p>b</p>";
        let once = fill(page, "statement", "<article>new</article>").unwrap();
        assert_eq!(
            once,
            "<p>a</p><!-- privacy-widget:statement --><article>new</article><!-- /privacy-widget:statement --><p>b</p>"
        );
        assert_eq!(fill(&once, "statement", "<article>new</article>").unwrap(), once, "idempotent");
    }

    #[test]
    fn missing_markers_are_named() {
        assert_eq!(fill("<p>", "statement", "x"), Err(SpliceError::NoMarker("statement".into())));
        assert_eq!(
            fill("<!-- privacy-widget:statement -->", "statement", "x"),
            Err(SpliceError::Unclosed("statement".into()))
        );
    }

    #[test]
    fn an_optional_region_may_be_missing_but_not_unclosed() {
        assert_eq!(fill_optional("<p>", "rights-request", "x"), Ok(None));
        assert_eq!(
            fill_optional(
                "<!-- privacy-widget:rights-request --><!-- /privacy-widget:rights-request -->",
                "rights-request",
                "x"
            ),
            Ok(Some("<!-- privacy-widget:rights-request -->x<!-- /privacy-widget:rights-request -->".into()))
        );
        assert_eq!(
            fill_optional("<!-- privacy-widget:rights-request -->", "rights-request", "x"),
            Err(SpliceError::Unclosed("rights-request".into()))
        );
    }

    #[test]
    fn sets_the_title_and_keeps_the_shops_suffix() {
        let page = "<head><title>Informasjonskapsler – Serviteur</title></head>";
        assert_eq!(set_title(page, "Cookies"), "<head><title>Cookies – Serviteur</title></head>");
        assert_eq!(set_title("<title>Informasjonskapsler</title>", "A & B"), "<title>A &amp; B</title>");
        assert_eq!(set_title("<p>no title</p>", "Cookies"), "<p>no title</p>");
    }

    #[test]
    fn names_the_page_in_its_title_and_in_the_heading_region_it_marks() {
        let page = "<title>Personopplysninger – Serviteur</title><h1><!-- privacy-widget:t -->Personopplysninger<!-- /privacy-widget:t --></h1>";
        assert_eq!(
            set_title_and_heading(page, "t", "Privacy & you").unwrap(),
            "<title>Privacy &amp; you – Serviteur</title><h1><!-- privacy-widget:t -->Privacy &amp; you<!-- /privacy-widget:t --></h1>"
        );
        assert_eq!(
            set_title_and_heading("<title>A</title><h1>A</h1>", "t", "B").unwrap(),
            "<title>B</title><h1>A</h1>",
            "a page without the region keeps its heading"
        );
        assert_eq!(
            set_title_and_heading("<!-- privacy-widget:t -->", "t", "B"),
            Err(SpliceError::Unclosed("t".into()))
        );
    }

    #[test]
    fn sets_the_document_language() {
        assert_eq!(html_lang("<!doctype html>\n<html lang=\"nn\">\n"), Some("nn"));
        assert_eq!(html_lang("<html>"), None);
        assert_eq!(
            set_html_lang("<!doctype html>\n<html lang=\"nb\">\n", "en"),
            "<!doctype html>\n<html lang=\"en\">\n"
        );
    }
}
