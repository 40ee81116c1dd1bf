//! What the consent and extras builds both carry: the raw DOM calls, the outbox's delivery
//! driver, and DOM from the core's markup trees (the banner, the statement, the declaration).

pub mod delivery;
pub mod dom;
pub mod markup_dom;
