//! A neutral tree of elements and text: what a page's content *is*, before it becomes DOM in the
//! browser or HTML text ahead of time. One renderer of a model (the statement, the cookie
//! declaration) produces a `Node`; the browser layer builds elements from it (attributes and
//! `textContent`, never markup strings) and the native pre-renderer writes it as HTML, so the
//! page without JavaScript and the page with the widget carry the same text.

use crate::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub tag: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub children: Vec<Node>,
}

/// Elements HTML writes without an end tag (and which never have children).
const VOID: &[&str] = &["br", "hr", "img", "input", "meta", "link", "wbr"];

impl Element {
    pub fn new(tag: &'static str) -> Element {
        Element { tag, attrs: Vec::new(), children: Vec::new() }
    }

    /// Adds an attribute (builder style).
    pub fn attr(mut self, name: &'static str, value: impl Into<String>) -> Element {
        self.attrs.push((name, value.into()));
        self
    }

    /// Adds a child element (builder style).
    pub fn child(mut self, child: Element) -> Element {
        self.children.push(Node::Element(child));
        self
    }

    /// Adds a text child (builder style).
    pub fn text(mut self, text: impl Into<String>) -> Element {
        self.children.push(Node::Text(text.into()));
        self
    }

    pub fn push(&mut self, child: Element) {
        self.children.push(Node::Element(child));
    }

    pub fn push_text(&mut self, text: impl Into<String>) {
        self.children.push(Node::Text(text.into()));
    }

    pub fn get_attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// All text below this element, in document order (what `textContent` reads).
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        collect_text(&self.children, &mut out);
        out
    }

    /// The element as HTML: attribute values and text escaped, so no content of the model can
    /// become markup.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        write_element(self, &mut out);
        out
    }
}

fn collect_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => collect_text(&e.children, out),
        }
    }
}

fn write_element(e: &Element, out: &mut String) {
    out.push('<');
    out.push_str(e.tag);
    for (name, value) in &e.attrs {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape_into(value, true, out);
        out.push('"');
    }
    out.push('>');
    if VOID.contains(&e.tag) {
        return;
    }
    for child in &e.children {
        match child {
            Node::Text(t) => escape_into(t, false, out),
            Node::Element(c) => write_element(c, out),
        }
    }
    out.push_str("</");
    out.push_str(e.tag);
    out.push('>');
}

/// HTML escaping for text (`&`, `<`, `>`) and, in attribute values, the quote as well.
pub fn escape_into(text: &str, attribute: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_elements_with_attributes_in_order() {
        let e = Element::new("section")
            .attr("id", "cookies")
            .child(Element::new("h2").text("Cookies"))
            .child(Element::new("p").text("One ").child(Element::new("a").attr("href", "#top").text("link")));
        assert_eq!(
            e.to_html(),
            "<section id=\"cookies\"><h2>Cookies</h2><p>One <a href=\"#top\">link</a></p></section>"
        );
    }

    #[test]
    fn escapes_text_and_attributes_so_content_never_becomes_markup() {
        let e = Element::new("p").attr("title", "a\"b<c>&").text("<script>alert(1)</script> & \"q\"");
        assert_eq!(
            e.to_html(),
            "<p title=\"a&quot;b&lt;c&gt;&amp;\">&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"q\"</p>"
        );
    }

    #[test]
    fn void_elements_have_no_end_tag() {
        let e = Element::new("p").child(Element::new("br")).text("x");
        assert_eq!(e.to_html(), "<p><br>x</p>");
    }

    #[test]
    fn text_content_joins_all_text_in_document_order() {
        let e = Element::new("div")
            .text("a")
            .child(Element::new("b").text("b").child(Element::new("i").text("c")))
            .text("d");
        assert_eq!(e.text_content(), "abcd");
        assert_eq!(e.get_attr("id"), None);
        assert_eq!(Element::new("a").attr("href", "/x").get_attr("href"), Some("/x"));
    }
}
