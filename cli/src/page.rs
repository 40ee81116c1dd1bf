//! Finds the widget's config element in an HTML page, as the widget does in the browser:
//! the element with id `privacy-widget-config`, holding inline JSON or a `data-src` URL.

/// The id the widget looks up (`src/lib.rs`).
pub const CONFIG_ELEMENT: &str = "privacy-widget-config";

/// What the page's config element holds.
#[derive(Debug, PartialEq, Eq)]
pub enum PageConfig {
    /// Inline JSON, with the 1-based line of the page it starts on.
    Inline { json: String, line: usize },
    /// The URL in `data-src`, from which the widget fetches the config.
    External(String),
}

/// Why a page has no usable config element.
#[derive(Debug, PartialEq, Eq)]
pub enum PageError {
    /// No element with the id at all: the widget fails closed with "no config found".
    NoConfigElement,
    /// The id is on an element other than `<script>`, whose text the widget would read as JSON
    /// but which browsers parse as HTML.
    NotAScript { tag: String },
    /// `<script id="privacy-widget-config">` without `</script>`.
    Unclosed,
}

impl PageError {
    pub fn message(&self) -> String {
        match self {
            PageError::NoConfigElement => format!(
                "no config found: the widget looks for <script type=\"application/json\" id=\"{CONFIG_ELEMENT}\">{{…}}</script> \
                 (or the same element with data-src=\"/widget-config.json\" and no content); add it to the page"
            ),
            PageError::NotAScript { tag } => format!(
                "the id \"{CONFIG_ELEMENT}\" is on a <{tag}> element; put the config in \
                 <script type=\"application/json\" id=\"{CONFIG_ELEMENT}\"> so the browser keeps the JSON as it is"
            ),
            PageError::Unclosed => {
                format!("<script id=\"{CONFIG_ELEMENT}\"> has no closing </script>; the browser would not run the page as meant")
            }
        }
    }
}

/// The config element of `html`, scanning start tags the way an HTML parser would for this
/// purpose: comments are skipped, and the raw text of other `<script>`/`<style>` elements is not
/// read as markup (a string in a script that looks like the element does not count).
pub fn find_config(html: &str) -> Result<PageConfig, PageError> {
    let lower = html.to_ascii_lowercase();
    let mut pos = 0;
    while let Some(offset) = html[pos..].find('<') {
        let start = pos + offset;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            pos = html[start..].find("-->").map_or(html.len(), |end| start + end + 3);
            continue;
        }
        let Some(tag) = start_tag(rest) else {
            pos = start + 1;
            continue;
        };
        let after_tag = start + tag.len;
        let raw_text = tag.name == "script" || tag.name == "style";
        let close = |name: &str| {
            let closing = format!("</{name}");
            lower[after_tag..].find(&closing).map(|i| after_tag + i)
        };
        if tag.attribute("id") == Some(CONFIG_ELEMENT) {
            if tag.name != "script" {
                return Err(PageError::NotAScript { tag: tag.name });
            }
            if let Some(url) = tag.attribute("data-src") {
                return Ok(PageConfig::External(url.to_string()));
            }
            let end = close("script").ok_or(PageError::Unclosed)?;
            let line = html[..after_tag].matches('\n').count() + 1;
            return Ok(PageConfig::Inline { json: html[after_tag..end].to_string(), line });
        }
        pos = if raw_text { close(&tag.name).unwrap_or(html.len()) } else { after_tag };
    }
    Err(PageError::NoConfigElement)
}

/// A start tag: its lowercase name, attributes (values decoded) and length in bytes.
struct StartTag {
    name: String,
    attributes: Vec<(String, String)>,
    len: usize,
}

impl StartTag {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Parses the start tag at the beginning of `text` (which starts with '<'), if it is one.
fn start_tag(text: &str) -> Option<StartTag> {
    let bytes = text.as_bytes();
    let name_end = 1 + bytes[1..].iter().position(|b| !b.is_ascii_alphanumeric() && *b != b'-')?;
    if name_end == 1 || !bytes[1].is_ascii_alphabetic() {
        return None;
    }
    let name = text[1..name_end].to_ascii_lowercase();
    let mut attributes = Vec::new();
    let mut i = name_end;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => return Some(StartTag { name, attributes, len: i + 1 }),
            _ => {
                let name_start = i;
                while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b'/') && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                let attr = text[name_start..i].to_ascii_lowercase();
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                let mut value = String::new();
                if bytes.get(i) == Some(&b'=') {
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    let (value_start, value_end) = match bytes.get(i)? {
                        quote @ (b'"' | b'\'') => {
                            let end = i + 1 + text[i + 1..].find(*quote as char)?;
                            let range = (i + 1, end);
                            i = end + 1;
                            range
                        }
                        _ => {
                            let start = i;
                            while i < bytes.len() && bytes[i] != b'>' && !bytes[i].is_ascii_whitespace() {
                                i += 1;
                            }
                            (start, i)
                        }
                    };
                    value = decode_entities(&text[value_start..value_end]);
                }
                attributes.push((attr, value));
            }
        }
    }
}

/// The character references a URL or id in an attribute plausibly contains.
fn decode_entities(value: &str) -> String {
    value.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_config_with_its_line() {
        let html = "<!doctype html>\n<head>\n<script type=\"application/json\" id=\"privacy-widget-config\">\n{\"revision\": \"1\"}\n</script>";
        assert_eq!(find_config(html), Ok(PageConfig::Inline { json: "\n{\"revision\": \"1\"}\n".into(), line: 3 }));
    }

    #[test]
    fn data_src_in_any_quoting_and_case() {
        for tag in [
            "<SCRIPT TYPE=application/json ID=privacy-widget-config DATA-SRC=/c.json></SCRIPT>",
            "<script id='privacy-widget-config' data-src='/c.json'></script>",
            "<script data-src=\"/c.json\" id=\"privacy-widget-config\" type=\"application/json\"></script>",
        ] {
            assert_eq!(find_config(tag), Ok(PageConfig::External("/c.json".into())), "{tag}");
        }
        let escaped = "<script id=\"privacy-widget-config\" data-src=\"/c.json?a=1&amp;b=2\"></script>";
        assert_eq!(find_config(escaped), Ok(PageConfig::External("/c.json?a=1&b=2".into())));
    }

    #[test]
    fn look_alikes_in_comments_and_scripts_do_not_count() {
        let html = "<!-- <script id=\"privacy-widget-config\">{}</script> -->\n\
                    <script>const s = '<script id=\"privacy-widget-config\">';</script>\n<p>x < y</p>";
        assert_eq!(find_config(html), Err(PageError::NoConfigElement));
    }

    #[test]
    fn the_id_on_another_element_or_an_unclosed_script_is_reported() {
        assert_eq!(
            find_config("<div id=\"privacy-widget-config\">{}</div>"),
            Err(PageError::NotAScript { tag: "div".into() })
        );
        assert_eq!(find_config("<script id=\"privacy-widget-config\">{\"revision\""), Err(PageError::Unclosed));
    }
}
