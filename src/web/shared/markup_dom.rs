//! Real DOM from the core's neutral `markup::Element` tree (the statement, the cookie
//! declaration): elements, attributes and text nodes through `dom`, never a markup string, so no
//! text of a model can become HTML. Attribute names are the renderers' own constants; values
//! that reach an `href` were checked by the model's parser.

use privacy_widget_core::markup::{Element, Node};

use super::dom;

/// The tree as a detached DOM element, ready to put into the page in one step.
pub fn build(tree: &Element) -> web_sys::Element {
    let element = dom::el(tree.tag, "");
    for (name, value) in &tree.attrs {
        dom::attr(&element, name, value);
    }
    match tree.children.as_slice() {
        // One text child, the most common case (headings, cells, paragraphs): one call, no node.
        [Node::Text(text)] => dom::set_text(&element, text),
        children => {
            for child in children {
                match child {
                    Node::Element(e) => dom::append(&element, &build(e)),
                    Node::Text(text) => dom::append(&element, &dom::text_node(text)),
                }
            }
        }
    }
    element
}

/// Replaces everything in `container` by the tree, within one task: the page never paints the
/// container empty, and content already there (pre-rendered) is swapped without a flash.
pub fn replace_content(container: &web_sys::Element, tree: &Element) -> web_sys::Element {
    let built = build(tree);
    dom::clear(container);
    dom::append(container, &built);
    built
}
