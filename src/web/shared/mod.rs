//! What the consent and extras builds both carry: the raw DOM calls and DOM from the core's
//! markup trees (the banner, the statement, the declaration); and the outbox's delivery driver,
//! which only the consent build runs: the extras' forms hand their events to it
//! (`web::extras::consent_bridge`), so a page has one outbox and one driver.

#[cfg(feature = "consent")]
pub mod delivery;
pub mod dom;
pub mod markup_dom;
