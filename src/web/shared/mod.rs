//! What both builds carry: the raw DOM calls and the outbox's delivery driver.

pub mod delivery;
pub mod dom;
