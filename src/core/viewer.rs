//! The privacy-statement viewer's logic as `update(state, msg) -> effects`: which document to
//! fetch in which language, reading versus "what changed" mode, and where to scroll.

use crate::prelude::*;

use crate::config::StatementSource;
use crate::i18n::fill;
use crate::lang::Lang;
use crate::statement::{revision_file, Statement};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewerMode {
    Reading,
    /// What changed since the revision the visitor last consented under.
    Changes,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ViewerMsg {
    /// Open (or re-target) the viewer, optionally at a section or straight in the changes view.
    Open {
        section: Option<String>,
        changes: bool,
    },
    Loaded {
        text: String,
    },
    PreviousLoaded {
        text: String,
    },
    LoadFailed {
        previous: bool,
    },
    /// The visitor chose another language in the viewer.
    SwitchLanguage(Lang),
    /// The page's language changed elsewhere (`PrivacyWidget.setLanguage`, the cookie
    /// declaration's switch): follow it, fetching only if the statement is shown.
    FollowLanguage(Lang),
    /// The modal was closed: nothing is shown until the next `Open`.
    Close,
    ShowChanges,
    ShowReading,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewerEffect {
    Fetch {
        url: String,
        previous: bool,
    },
    Render,
    ScrollTo(String),
    /// Keep the visitor's language choice in the `pw_lang` session cookie and tell the widget.
    RememberLanguage(Lang),
    /// Report a problem with the statement content to the shop developer's console.
    ConsoleError(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Viewer {
    pub lang: Lang,
    pub mode: ViewerMode,
    pub current: Option<Statement>,
    pub previous: Option<Statement>,
    /// The document could not be loaded or is invalid: show a plain link instead.
    pub failed: bool,
    /// The revision of the visitor's last consent, when it is not the current one.
    pub previous_revision: Option<String>,
    section: Option<String>,
    /// Opened and not closed since: inline on the statement page, or the modal on show.
    open: bool,
}

/// The statement's URL from the config's template: `{lang}` and, for an earlier revision,
/// `{revision}` filled in as the texts' placeholders are (`i18n::fill`, no `str::replace`, whose
/// substring searcher costs the extras build 1.4 kB of wasm).
fn fill_url(template: &str, lang: Lang, revision: Option<&str>) -> String {
    match revision {
        Some(r) => fill(template, &[("lang", lang.tag()), ("revision", r)]),
        None => fill(template, &[("lang", lang.tag())]),
    }
}

impl Viewer {
    pub fn new(lang: Lang, previous_revision: Option<String>) -> Viewer {
        Viewer {
            lang,
            mode: ViewerMode::Reading,
            current: None,
            previous: None,
            failed: false,
            previous_revision,
            section: None,
            open: false,
        }
    }

    /// Whether the statement is on show (so a change of the visitor's choices re-renders it).
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn update(&mut self, source: &StatementSource, msg: ViewerMsg) -> Vec<ViewerEffect> {
        match msg {
            ViewerMsg::Open { section, changes } => {
                self.open = true;
                self.section = section;
                if changes {
                    self.mode = ViewerMode::Changes;
                }
                let mut effects = Vec::new();
                if self.current.is_none() {
                    effects.push(self.fetch_current(source));
                } else {
                    effects.push(ViewerEffect::Render);
                    effects.extend(self.scroll());
                }
                effects.extend(self.fetch_previous_if_needed(source));
                effects
            }
            ViewerMsg::Loaded { text } => match Statement::parse(&text) {
                Ok(statement) => {
                    self.current = Some(statement);
                    self.failed = false;
                    let mut effects = vec![ViewerEffect::Render];
                    effects.extend(self.scroll());
                    effects
                }
                Err(e) => self.fail(e.message()),
            },
            ViewerMsg::PreviousLoaded { text } => match Statement::parse(&text) {
                Ok(statement) => {
                    self.previous = Some(statement);
                    vec![ViewerEffect::Render]
                }
                Err(e) => {
                    self.mode = ViewerMode::Reading;
                    vec![ViewerEffect::ConsoleError(e.message()), ViewerEffect::Render]
                }
            },
            ViewerMsg::LoadFailed { previous: false } => self.fail("could not load the privacy statement".into()),
            ViewerMsg::LoadFailed { previous: true } => {
                self.mode = ViewerMode::Reading;
                self.previous_revision = None;
                vec![
                    ViewerEffect::ConsoleError("could not load the earlier statement revision".into()),
                    ViewerEffect::Render,
                ]
            }
            ViewerMsg::SwitchLanguage(lang) => {
                if lang == self.lang {
                    return Vec::new();
                }
                let mut effects = vec![ViewerEffect::RememberLanguage(lang)];
                effects.extend(self.change_language(source, lang));
                effects
            }
            ViewerMsg::FollowLanguage(lang) => {
                if lang == self.lang {
                    return Vec::new();
                }
                self.change_language(source, lang)
            }
            ViewerMsg::Close => {
                self.open = false;
                Vec::new()
            }
            ViewerMsg::ShowChanges => {
                self.mode = ViewerMode::Changes;
                let mut effects = vec![ViewerEffect::Render];
                effects.extend(self.fetch_previous_if_needed(source));
                effects
            }
            ViewerMsg::ShowReading => {
                self.mode = ViewerMode::Reading;
                vec![ViewerEffect::Render]
            }
        }
    }

    /// Whether the "what changed" view can be offered: an older consent and a URL pattern for it.
    pub fn can_show_changes(&self, source: &StatementSource) -> bool {
        source.revision_url.is_some()
            && self.previous_revision.as_deref().is_some_and(|r| revision_file(r, "nb").is_some())
            && self.current.as_ref().is_none_or(|c| Some(c.revision.as_str()) != self.previous_revision.as_deref())
    }

    /// Forgets the documents of the old language; fetches the new one's when it is on show (a
    /// closed viewer fetches at its next `Open`).
    fn change_language(&mut self, source: &StatementSource, lang: Lang) -> Vec<ViewerEffect> {
        self.lang = lang;
        self.current = None;
        self.previous = None;
        if !self.open {
            return Vec::new();
        }
        let mut effects = vec![self.fetch_current(source)];
        effects.extend(self.fetch_previous_if_needed(source));
        effects
    }

    fn fetch_current(&self, source: &StatementSource) -> ViewerEffect {
        ViewerEffect::Fetch { url: fill_url(&source.url, self.lang, None), previous: false }
    }

    fn fetch_previous_if_needed(&self, source: &StatementSource) -> Option<ViewerEffect> {
        if self.mode != ViewerMode::Changes || self.previous.is_some() || !self.can_show_changes(source) {
            return None;
        }
        let template = source.revision_url.as_deref()?;
        Some(ViewerEffect::Fetch {
            url: fill_url(template, self.lang, self.previous_revision.as_deref()),
            previous: true,
        })
    }

    fn scroll(&mut self) -> Option<ViewerEffect> {
        let id = self.section.take()?;
        self.current.as_ref()?.section(&id).map(|_| ViewerEffect::ScrollTo(id))
    }

    fn fail(&mut self, message: String) -> Vec<ViewerEffect> {
        self.failed = true;
        let mut m = String::from("privacy-widget statement: ");
        m.push_str(&message);
        vec![ViewerEffect::ConsoleError(m), ViewerEffect::Render]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> StatementSource {
        StatementSource {
            url: "/statement/{lang}.json".into(),
            revision_url: Some("/statement/revisions/{revision}/{lang}.json".into()),
            container: None,
        }
    }

    const NB: &str = include_str!("../../www/statement/nb.json");
    const NN: &str = include_str!("../../www/statement/nn.json");
    const EN: &str = include_str!("../../www/statement/en.json");
    const OLD_NB: &str = include_str!("../../www/statement/revisions/2025-06-01/nb.json");

    #[test]
    fn opening_fetches_the_document_in_the_reader_language_and_scrolls_to_the_section() {
        let mut v = Viewer::new(Lang::Nn, None);
        let effects = v.update(&source(), ViewerMsg::Open { section: Some("lagringstid".into()), changes: false });
        assert_eq!(effects, vec![ViewerEffect::Fetch { url: "/statement/nn.json".into(), previous: false }]);
        let effects = v.update(&source(), ViewerMsg::Loaded { text: NN.into() });
        assert_eq!(effects, vec![ViewerEffect::Render, ViewerEffect::ScrollTo("lagringstid".into())]);
        let effects = v.update(&source(), ViewerMsg::Open { section: Some("no-such-section".into()), changes: false });
        assert_eq!(effects, vec![ViewerEffect::Render], "unknown sections are ignored");
    }

    #[test]
    fn switching_language_refetches_and_is_remembered() {
        let mut v = Viewer::new(Lang::Nb, None);
        v.update(&source(), ViewerMsg::Open { section: None, changes: false });
        v.update(&source(), ViewerMsg::Loaded { text: NB.into() });
        let effects = v.update(&source(), ViewerMsg::SwitchLanguage(Lang::En));
        assert_eq!(
            effects,
            vec![
                ViewerEffect::RememberLanguage(Lang::En),
                ViewerEffect::Fetch { url: "/statement/en.json".into(), previous: false }
            ]
        );
        assert!(v.current.is_none());
        v.update(&source(), ViewerMsg::Loaded { text: EN.into() });
        assert_eq!(v.current.as_ref().unwrap().language, "en");
        assert!(v.update(&source(), ViewerMsg::SwitchLanguage(Lang::En)).is_empty());
        // Nynorsk has its own document, not bokmål's.
        let effects = v.update(&source(), ViewerMsg::SwitchLanguage(Lang::Nn));
        assert_eq!(
            effects,
            vec![
                ViewerEffect::RememberLanguage(Lang::Nn),
                ViewerEffect::Fetch { url: "/statement/nn.json".into(), previous: false }
            ]
        );
        v.update(&source(), ViewerMsg::Loaded { text: NN.into() });
        let effects = v.update(&source(), ViewerMsg::SwitchLanguage(Lang::Nb));
        assert_eq!(effects[1], ViewerEffect::Fetch { url: "/statement/nb.json".into(), previous: false });
    }

    #[test]
    fn a_language_change_elsewhere_is_followed_without_being_remembered_and_fetched_only_when_shown() {
        let mut v = Viewer::new(Lang::Nb, None);
        assert!(v.update(&source(), ViewerMsg::FollowLanguage(Lang::En)).is_empty(), "not open: nothing to fetch");
        let effects = v.update(&source(), ViewerMsg::Open { section: None, changes: false });
        assert_eq!(effects, vec![ViewerEffect::Fetch { url: "/statement/en.json".into(), previous: false }]);
        v.update(&source(), ViewerMsg::Loaded { text: EN.into() });
        assert!(v.is_open());
        let effects = v.update(&source(), ViewerMsg::FollowLanguage(Lang::Nn));
        assert_eq!(effects, vec![ViewerEffect::Fetch { url: "/statement/nn.json".into(), previous: false }]);
        assert!(v.update(&source(), ViewerMsg::FollowLanguage(Lang::Nn)).is_empty(), "the same language: nothing");
        v.update(&source(), ViewerMsg::Loaded { text: NN.into() });
        // Closed, the modal follows quietly and loads the new language when opened again.
        assert!(v.update(&source(), ViewerMsg::Close).is_empty());
        assert!(!v.is_open());
        assert!(v.update(&source(), ViewerMsg::FollowLanguage(Lang::Nb)).is_empty());
        assert!(v.current.is_none(), "the nynorsk document is not shown in bokmål");
        let effects = v.update(&source(), ViewerMsg::Open { section: None, changes: false });
        assert_eq!(effects, vec![ViewerEffect::Fetch { url: "/statement/nb.json".into(), previous: false }]);
    }

    #[test]
    fn changes_view_needs_an_older_consent_and_fetches_that_revision() {
        let mut none = Viewer::new(Lang::Nb, None);
        none.update(&source(), ViewerMsg::Loaded { text: NB.into() });
        assert!(!none.can_show_changes(&source()));

        let mut v = Viewer::new(Lang::Nb, Some("2025-06-01".into()));
        let effects = v.update(&source(), ViewerMsg::Open { section: None, changes: true });
        assert_eq!(
            effects[1],
            ViewerEffect::Fetch { url: "/statement/revisions/2025-06-01/nb.json".into(), previous: true }
        );
        v.update(&source(), ViewerMsg::Loaded { text: NB.into() });
        v.update(&source(), ViewerMsg::PreviousLoaded { text: OLD_NB.into() });
        assert_eq!(v.mode, ViewerMode::Changes);
        assert!(crate::statement::diff(v.previous.as_ref().unwrap(), v.current.as_ref().unwrap()).has_changes());
        // Another language compares that language's two revisions.
        let effects = v.update(&source(), ViewerMsg::SwitchLanguage(Lang::Nn));
        assert_eq!(
            effects[1..],
            [
                ViewerEffect::Fetch { url: "/statement/nn.json".into(), previous: false },
                ViewerEffect::Fetch { url: "/statement/revisions/2025-06-01/nn.json".into(), previous: true },
            ]
        );
    }

    #[test]
    fn unsafe_revisions_from_a_cookie_never_reach_a_url() {
        let mut v = Viewer::new(Lang::Nb, Some("..".into()));
        let effects = v.update(&source(), ViewerMsg::Open { section: None, changes: true });
        assert_eq!(effects.len(), 1, "only the current document is fetched: {effects:?}");
        assert!(!v.can_show_changes(&source()));
    }

    #[test]
    fn invalid_content_fails_visibly_with_a_console_message() {
        let mut v = Viewer::new(Lang::Nb, None);
        let effects = v.update(&source(), ViewerMsg::Loaded { text: "{\"title\": 1}".into() });
        assert!(v.failed);
        let ViewerEffect::ConsoleError(message) = &effects[0] else { panic!("{effects:?}") };
        assert!(message.starts_with("privacy-widget statement: "), "{message}");
        assert_eq!(effects[1], ViewerEffect::Render);
    }
}
