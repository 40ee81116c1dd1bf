//! What both builds carry: the raw DOM calls and the outbox's delivery driver; and, for the
//! extras build's renderers, DOM from the core's markup trees.

pub mod delivery;
pub mod dom;
#[cfg(feature = "extras")]
pub mod markup_dom;
