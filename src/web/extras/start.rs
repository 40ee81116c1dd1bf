//! The entry point of the extras, declaration and forms builds: the only module that knows every
//! renderer (statement viewer, cookie declaration, newsletter forms; the declaration build has
//! the declaration alone, the forms build the forms alone) and wires them together; the
//! renderers never import it.

#[cfg(feature = "extras")]
use crate::prelude::*;

use super::consent_bridge;
#[cfg(any(feature = "extras", feature = "declaration"))]
use super::declaration;
#[cfg(not(feature = "declaration"))]
use super::newsletter;
#[cfg(feature = "extras")]
use super::statement;
#[cfg(feature = "extras")]
use crate::page_state::RefCellExt;
use crate::web::shared::dom;
#[cfg(feature = "extras")]
use core::cell::RefCell;
use privacy_widget_core::config::Config;
use privacy_widget_core::lang::Lang;
use privacy_widget_core::{config, json};
use web_sys::Event;

/// The consent module asks the viewer to open with this event (after loading this module).
#[cfg(feature = "extras")]
const OPEN_STATEMENT_EVENT: &str = "privacy-widget:open-statement";
/// The consent module announces a change of language (`setLanguage`, from the page or from a
/// switch in the viewer or the declaration) with this event; `detail` is the tag.
const LANGUAGE_EVENT: &str = "privacy-widget:language";

#[cfg(feature = "extras")]
crate::page_state! {
    /// An open request that arrived before the config was read (it may come from a URL).
    static PENDING_OPEN: RefCell<Option<(Option<String>, bool)>> = const { RefCell::new(None) };
    static STARTED: RefCell<bool> = const { RefCell::new(false) };
}

/// Listens before anything else, so no open request can be missed while the config loads.
pub fn listen() {
    let window = dom::window();
    #[cfg(feature = "extras")]
    {
        dom::listen(&window, OPEN_STATEMENT_EVENT, |event: Event| {
            let detail = dom::get(&event, "detail");
            let section = dom::get(&detail, "section").as_string();
            let changes = dom::get(&detail, "changes").is_truthy();
            if STARTED.with(|s| *s.read()) {
                statement::open(section, changes);
            } else {
                PENDING_OPEN.with(|p| *p.write() = Some((section, changes)));
            }
        });
    }
    #[cfg(any(feature = "extras", feature = "declaration"))]
    dom::listen(&window, "privacy-widget:change", |_| {
        #[cfg(feature = "extras")]
        statement::refresh();
        declaration::refresh();
    });
    dom::listen(&window, LANGUAGE_EVENT, |event: Event| {
        if let Some(lang) = dom::get(&event, "detail").as_string().as_deref().and_then(Lang::from_tag) {
            language_changed(lang);
        }
    });
}

/// Starts this build's renderers. An invalid config was already reported by the consent
/// module, which then never loads this one; so here it is only skipped.
pub fn start(config_text: &str) {
    let Some(config) = read_config(config_text) else { return };
    let lang = consent_bridge::language();
    #[cfg(feature = "extras")]
    statement::start(&config, lang, consent_bridge::previous_revision());
    #[cfg(any(feature = "extras", feature = "declaration"))]
    declaration::start(&config, lang);
    #[cfg(not(feature = "declaration"))]
    newsletter::start(&config, lang);
    #[cfg(feature = "extras")]
    {
        STARTED.with(|s| *s.write() = true);
        if let Some((section, changes)) = PENDING_OPEN.with(|p| p.write().take()) {
            statement::open(section, changes);
        }
    }
}

/// The config as this build's renderers use it, read leniently: the consent manager, which loads
/// this build, has checked it fully and named every mistake (`config::extras`,
/// `config::declaration`, `config::forms`).
fn read_config(text: &str) -> Option<Config> {
    #[cfg(feature = "extras")]
    let read = config::extras::read;
    #[cfg(feature = "declaration")]
    let read = config::declaration::read;
    #[cfg(feature = "forms")]
    let read = config::forms::read;
    json::parse(text).ok().and_then(|root| read(&root))
}

/// The page's language changed: every renderer follows (each ignores its own language).
fn language_changed(lang: Lang) {
    #[cfg(feature = "extras")]
    statement::follow_language(lang);
    #[cfg(any(feature = "extras", feature = "declaration"))]
    declaration::set_language(lang);
    #[cfg(not(feature = "declaration"))]
    newsletter::set_language(lang);
}
