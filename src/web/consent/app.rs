//! The running widget, at the top of the consent build: holds the config and the core state,
//! turns DOM events into messages, runs `ConsentUi::update` and executes the effects it returns
//! through the modules below it (`api`, `blocking`, `render`). Keeping keyboard focus on the page
//! clear of the banner belongs to the page layer (`entry-banner.js`), for either build's banner.

use crate::prelude::*;

use super::api::{self, Widget};
use super::{blocking, render};
use crate::page_state::RefCellExt;
use crate::web::shared::delivery::{self, Endpoint};
use crate::web::shared::dom::{self, append, attr, el, Report};
use core::cell::RefCell;
use privacy_widget_core::config::{Config, OutboxStorage, Theme};
use privacy_widget_core::consent::cookie_matches;
use privacy_widget_core::consent::EventContext;
use privacy_widget_core::cookie::{self, PendingDecision, PENDING_DECISION_KEY};
use privacy_widget_core::declaration;
use privacy_widget_core::json::{self, Json};
use privacy_widget_core::lang::{Lang, LANG_COOKIE};
use privacy_widget_core::outbox::IdempotencyKey;
use privacy_widget_core::separated;
use privacy_widget_core::ui::{texts_hash, ConsentUi, DecisionInput, Effect, Msg, StoredConsent};
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event, ShadowRoot};

/// The banner's styles (shared with the banner build) and the dialog's.
const CSS: &str = concat!(include_str!("../banner/banner.css"), include_str!("dialog.css"));

/// The widget's host element in the page (the banner build's until this module replaces it).
const HOST_ID: &str = "privacy-widget";

pub struct App {
    pub config: Config,
    pub ui: ConsentUi,
    root: ShadowRoot,
    container: Element,
    live: Element,
    /// Where focus was before the widget took it, to give it back.
    return_focus: Option<Element>,
    /// The banner build's host, shown until this module's first render replaces it.
    banner_build_host: Option<Element>,
}

crate::page_state! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
    /// What the visitor asked the banner build for that is this module's to do (`take_intent`),
    /// kept until the widget is on screen.
    static INTENTS: RefCell<Option<Vec<String>>> = const { RefCell::new(Some(Vec::new())) };
}

/// Runs `f` on the app if it started (a bad config leaves it absent: fail closed).
pub fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|cell| cell.write().as_mut().map(f))
}

/// Start-up, one stage per task. On a slow phone every stage also pays for compiling the
/// wasm code it runs for the first time, so the work is cut where the page may take a turn
/// (and paint) in between: no stage should block it for 50 ms at 4x CPU throttling.
#[allow(clippy::large_enum_variant)] // One stage exists at a time; a Box would only add wasm bytes.
enum Boot {
    /// The config text, parsed in the task after the one that compiled the module.
    Parse(String),
    /// The visitor's language and stored decision, read against the config; then Consent Mode
    /// and the scripts a returning visitor allowed.
    Decide(Config),
    /// The widget's shadow root in the page, listening, and `window.PrivacyWidget`.
    Mount(Config, ConsentUi, Vec<Effect>),
    /// The banner on screen, if one is due.
    Show(Vec<Effect>),
    /// Delivery, which resumes the events earlier pages left undelivered; after the first paint.
    Connect,
    /// The observer for scripts the page adds later, and the extras module where needed.
    Observe,
}

/// Starts the widget from the config text. Nothing non-essential runs unless it parses.
pub fn start(config_text: String) {
    dom::next_task(move || boot(Boot::Parse(config_text)));
}

fn boot(stage: Boot) {
    let next = match stage {
        Boot::Parse(text) => match Config::parse(&text) {
            Ok(config) => Some(Boot::Decide(config)),
            Err(errors) => {
                // One console error per mistake, so the shop's developer can fix them in one go.
                for e in &errors {
                    dom::console_error(&e.message());
                }
                // The banner build may show a banner from the fields it could read: fail closed.
                if let Some(host) = dom::by_id(HOST_ID) {
                    dom::remove(&host);
                }
                // The API still answers (no consent, nothing accepted), so shop code need not guard.
                install_api();
                None
            }
        },
        Boot::Decide(config) => {
            let (ui, effects) = decide(&config);
            // What the page waits for comes first: Consent Mode and the scripts a returning
            // visitor allowed need none of the widget's own DOM, which the next stages build.
            let mut widget = Vec::new();
            for effect in effects {
                match effect {
                    Effect::ConsentMode(signals) => api::consent_mode_update(&signals),
                    Effect::Activate => activate(&config, &ui),
                    other => widget.push(other),
                }
            }
            Some(Boot::Mount(config, ui, widget))
        }
        Boot::Mount(config, ui, effects) => {
            mount(config, ui);
            install_api();
            Some(Boot::Show(effects))
        }
        // A pointer is pressing inside the banner build's banner: its release must find the
        // button it pressed (the banner build marks its host with the press's time meanwhile),
        // so the take-over waits, for a second at most.
        Boot::Show(effects) if banner_build_pressed() => {
            dom::after_ms(50, move || boot(Boot::Show(effects)));
            None
        }
        Boot::Show(effects) => {
            run(effects);
            with_app(App::replace_banner_build);
            take_intents();
            Some(Boot::Connect)
        }
        Boot::Connect => {
            with_app(|app| {
                delivery::start(&app.config);
                deliver_pending(&app.config, None);
            });
            Some(Boot::Observe)
        }
        Boot::Observe => {
            blocking::observe(|| {
                with_app(|app| app.activate());
            });
            // Scripts the page added between start-up and the observer.
            with_app(|app| app.activate());
            if with_app(|app| statement_page(&app.config)).unwrap_or(false) {
                api::preload_extras();
            } else if dom::query(&dom::document(), declaration::CONTAINERS).is_some() {
                api::load_part("declaration");
            }
            None
        }
    };
    match next {
        // Delivery and the observer are not needed for the banner's first paint: they wait for it.
        Some(next @ Boot::Connect) => dom::after_paint(move || boot(next)),
        Some(next) => dom::next_task(move || boot(next)),
        None => {}
    }
}

/// Whether a pointer pressed inside the banner build's banner less than a second ago and has not
/// been released.
fn banner_build_pressed() -> bool {
    let pressed_at = dom::by_id(HOST_ID).and_then(|host| dom::get_attr(&host, "data-pw-pressed"));
    pressed_at.and_then(|ms| json::parse_digits(&ms)).is_some_and(|ms| dom::now_ms().saturating_sub(ms) < 1000)
}

/// Starts the blocked scripts and embeds the choices in force allow (placeholders for the rest,
/// whose buttons send their message through `dispatch`).
fn activate(config: &Config, ui: &ConsentUi) {
    blocking::activate(config, &ui.choices(config), ui.lang, dispatch);
}

/// The core's start state from the visitor's language preferences, stored decision and GPC.
fn decide(config: &Config) -> (ConsentUi, Vec<Effect>) {
    let html_lang = dom::root_element().and_then(|e| dom::get_attr(&e, "lang"));
    let stored_text = dom::cookies();
    let visitor_lang = cookie::find(&stored_text, LANG_COOKIE).and_then(Lang::from_tag);
    let lang = Lang::choose(
        visitor_lang,
        config.language,
        html_lang.as_deref(),
        dom::browser_languages().iter().map(String::as_str),
    );
    let gpc = dom::get(&dom::window().navigator(), "globalPrivacyControl").is_truthy();
    let stored = cookie::find(&stored_text, &config.cookie.name);
    let (ui, effects, status) = ConsentUi::start(config, stored, gpc, lang);
    report_stored(&status);
    (ui, effects)
}

/// Puts the widget's (still empty) shadow root into the page, beside the banner build's until
/// the first render (`App::replace_banner_build`), so the page never paints without a banner
/// and `#privacy-widget` is always the host on screen.
fn mount(config: Config, ui: ConsentUi) {
    // The id moves to this host when it replaces the banner build's (`replace_banner_build`).
    let banner_build_host = dom::by_id(HOST_ID);
    let (host, root) = dom::shadow_host(if banner_build_host.is_some() { "" } else { HOST_ID }, CSS);
    match config.theme {
        Theme::Auto => {}
        Theme::Light => attr(&host, "data-theme", "light"),
        Theme::Dark => attr(&host, "data-theme", "dark"),
    }
    let container = el("div", "pw");
    let live = el("div", "sr-only");
    attr(&live, "aria-live", "polite");
    attr(&live, "role", "status");
    append(&root, &container);
    append(&root, &live);
    let app = App { config, ui, root: root.clone(), container, live, return_focus: None, banner_build_host };
    APP.with(|cell| *cell.write() = Some(app));

    // First in the body, so keyboard and screen-reader users meet the banner before the page.
    dom::body().prepend_with_node_1(&host).report("prepend the widget");
    listen_inside(&root);
    listen_page();
}

/// `[data-action="…"]` for an action name of the banner (letters and `-` only).
fn action_selector(action: &str) -> String {
    let mut selector = String::from("[data-action=\"");
    selector.push_str(action);
    selector.push_str("\"]");
    selector
}

/// What the visitor asked the banner build for before this module ran (the banner build's
/// loader calls this once the module is initialised): done now if the widget is on screen,
/// else as soon as it is.
#[wasm_bindgen(js_name = takeIntent)]
pub fn take_intent(intent: String) {
    let queued = INTENTS.with(|q| q.write().as_mut().map(|q| q.push(intent.clone())));
    if queued.is_none() {
        run_intent(&intent);
    }
}

/// The widget is on screen: runs the intents that waited for it, and from now on at once.
fn take_intents() {
    for intent in INTENTS.with(|q| q.write().take()).unwrap_or_default() {
        run_intent(&intent);
    }
}

/// An intent is its name, a newline and what it carries: for `decided` the cookie value of a
/// decision at the banner build's banner, for `deliver` one the banner build could not deliver
/// (`cookie::PendingDecision`'s text, handed over directly too, so a browser that refuses storage
/// loses nothing).
fn run_intent(intent: &str) {
    let (name, payload) = separated::split_once(intent, b'\n').unwrap_or((intent, ""));
    match name {
        "decided" => dispatch(Msg::DecidedAtBanner(payload.into())),
        "deliver" => {
            let Some(config) = with_app(|app| app.config.clone()) else { return };
            if let Some(pending) = PendingDecision::decode(payload, &config) {
                delivery::start(&config);
                deliver_pending(&config, Some(pending));
            }
        }
        "settings" => dispatch(Msg::OpenPreferencesFromBanner),
        // The page's own opener, or the banner build's floating button.
        "preferences" | "reopen" => dispatch(Msg::OpenPreferences),
        "banner" => dispatch(Msg::ShowBanner),
        // A newsletter form to render or take over (`entry-banner.js`, `loadConsentForForms`):
        // its events go through this module's delivery (`api::install_forms_bridge`). The forms
        // build alone where the page does not need the extras build.
        "forms" => {
            let statement_page = with_app(|app| {
                delivery::start(&app.config);
                statement_page(&app.config)
            });
            match statement_page {
                Some(true) => api::preload_extras(),
                Some(false) => api::load_part("forms"),
                None => {}
            }
        }
        "statement-changes" => {
            api::open_statement(Api::has_statement(), None, true);
        }
        _ => {}
    }
}

/// A decision the banner build recorded (handed over, or else left in storage by this or an
/// earlier page): its event goes into the outbox under the decision's own idempotency key, then
/// the stored copy is removed. Kept when the outbox refused it, for the next page.
fn deliver_pending(config: &Config, handed_over: Option<PendingDecision>) {
    let local = config.outbox_storage == OutboxStorage::Local;
    let pending =
        handed_over.or_else(|| PendingDecision::decode(&delivery::stored(local, PENDING_DECISION_KEY)?, config));
    if let Some(pending) = pending {
        let texts_hash = texts_hash(config, pending.lang);
        let body = pending.record.event_body(&EventContext { language: pending.lang, texts_hash: &texts_hash });
        let key = IdempotencyKey::for_decision(&pending.record.consent_id, pending.record.seq);
        match delivery::send_with_key(Endpoint::Consent, body, Some(&pending.record.consent_id), key) {
            Ok(_) | Err(delivery::SendError::NotConfigured(_)) => {}
            Err(_) => return,
        }
    }
    delivery::forget_stored(local, PENDING_DECISION_KEY);
}

/// The statement page needs the extras build at once (its viewer has the declaration and the
/// forms too). Elsewhere a cookie declaration needs the declaration build at once, and a
/// newsletter form the forms build at the visitor's first move in it, or near the viewport when
/// nothing is pre-rendered there: the banner build watches for both and hands over the intent
/// "forms" (`run_intent`). A declaration's page with a footer form gets both builds.
fn statement_page(config: &Config) -> bool {
    config.statement.as_ref().and_then(|s| s.container.as_deref()).and_then(dom::by_id).is_some()
}

fn report_stored(status: &StoredConsent) {
    match status {
        StoredConsent::Rejected(problem) => {
            let mut m = String::from("privacy-widget: ignored the stored consent cookie (");
            m.push_str(problem.message());
            m.push_str("); asking again");
            dom::console_warn(&m);
        }
        StoredConsent::OutdatedRevision(old) => {
            let mut m = String::from("privacy-widget: the stored consent was given under revision ");
            m.push_str(old);
            m.push_str("; asking again for the current revision");
            dom::console_warn(&m);
        }
        StoredConsent::None | StoredConsent::Valid => {}
    }
}

/// Sends a message through the core and executes what it decides.
pub fn dispatch(msg: Msg) {
    let effects = with_app(|app| {
        let input = DecisionInput { now_ms: dom::now_ms(), random_id: dom::random_bytes() };
        let config = &app.config;
        app.ui.update(config, msg, input)
    });
    if let Some(effects) = effects {
        run(effects);
    }
}

/// Executes effects; the shop's callbacks run last, outside the app borrow, so they may
/// call back into `PrivacyWidget` freely.
fn run(effects: Vec<Effect>) {
    let mut notify = None;
    with_app(|app| {
        for effect in effects {
            match effect {
                Effect::Changed { first } => notify = Some(first),
                other => app.execute(other),
            }
        }
    });
    if let Some(first) = notify {
        api::notify_change::<Api>(first);
    }
}

impl App {
    fn execute(&mut self, effect: Effect) {
        match effect {
            Effect::Render => {
                render::render(&self.container, &self.config, &self.ui);
                if let Some(dialog) = self.query("dialog") {
                    dom::show_modal(&dialog);
                    render::sync_switches(&self.root, &self.config, &self.ui);
                }
            }
            Effect::SyncSwitches => render::sync_switches(&self.root, &self.config, &self.ui),
            Effect::StoreCookie(value) => {
                dom::set_cookie(&cookie::set_cookie_string(&self.config.cookie, &value, dom::is_https()));
            }
            Effect::DeleteCookies(patterns) => delete_cookies(&patterns),
            Effect::Post { body, ordering } => {
                // A click can come before the deferred start-up task; starting twice is a no-op.
                delivery::start(&self.config);
                // No consent endpoint configured: nothing is posted. Other refusals were reported
                // by `send` itself (no JS error to drop here).
                delivery::send(Endpoint::Consent, body, Some(&ordering)).ok();
            }
            Effect::ConsentMode(signals) => api::consent_mode_update(&signals),
            Effect::Activate => self.activate(),
            Effect::Download { filename, content } => dom::download(&filename, &content),
            Effect::RememberFocus => {
                // Inside the shadow root (the floating button) the document only sees the host.
                self.return_focus = dom::focused_element();
            }
            Effect::FocusDialog => {
                if let Some(first) = self.query("dialog .close") {
                    dom::focus(&first);
                }
            }
            Effect::FocusBanner => {
                if let Some(b) = self.query(".banner [data-action=\"settings\"]") {
                    dom::focus(&b);
                }
            }
            Effect::RestoreFocus => {
                // The floating button is re-rendered while the dialog is open: focus its successor.
                let target = self.return_focus.take().filter(dom::is_connected).or_else(|| self.query(".reopen"));
                if let Some(e) = target {
                    dom::focus(&e);
                }
            }
            Effect::Announce(key) => {
                dom::announce(&self.live, self.config.text(self.ui.lang, key));
            }
            Effect::Reload => {
                delivery::flush();
                dom::reload();
            }
            Effect::Changed { .. } => {}
        }
    }

    fn activate(&self) {
        activate(&self.config, &self.ui);
    }

    /// Removes the banner build's host now that this module's view is rendered; a visitor whose
    /// focus was on one of its buttons finds it on the same button here.
    fn replace_banner_build(&mut self) {
        let Some(old) = self.banner_build_host.take() else { return };
        let focused_action = dom::focused_element()
            .filter(|e| dom::host_of(e).as_ref() == Some(&old))
            .and_then(|e| dom::get_attr(&e, "data-action"));
        dom::remove(&old);
        attr(&self.root.host(), "id", HOST_ID);
        if let Some(button) = focused_action.and_then(|action| self.query(&action_selector(&action))) {
            dom::focus(&button);
        }
    }

    fn query(&self, selector: &str) -> Option<Element> {
        dom::query(&self.root, selector)
    }
}

/// The running widget as `window.PrivacyWidget` sees it (see `api::Widget`).
struct Api;

impl api::Widget for Api {
    fn dispatch(msg: Msg) {
        dispatch(msg);
    }

    fn consent() -> Option<Json> {
        with_app(|app| app.ui.receipt(&app.config)).flatten()
    }

    fn language() -> Option<Lang> {
        with_app(|app| app.ui.lang)
    }

    fn previous_revision() -> Option<String> {
        with_app(|app| app.ui.previous_revision.clone()).flatten()
    }

    fn accepted(service: bool, id: &str) -> bool {
        with_app(|app| {
            let choices = app.ui.choices(&app.config);
            if service {
                choices.service(id)
            } else {
                choices.category(id)
            }
        })
        .unwrap_or(false)
    }

    fn has_statement() -> bool {
        with_app(|app| app.config.statement.is_some()).unwrap_or(false)
    }
}

/// Installs `window.PrivacyWidget`; before the widget started (or without a valid config) it
/// answers "no consent".
pub fn install_api() {
    api::install::<Api>();
}

fn delete_cookies(patterns: &[String]) {
    let jar = dom::cookies();
    let host = dom::host_name();
    for name in cookie::names(&jar) {
        if patterns.iter().any(|p| cookie_matches(p, name)) {
            for assignment in cookie::deletion_strings(name, &host) {
                dom::set_cookie(&assignment);
            }
        }
    }
}

/// One delegated listener per event type inside the shadow root.
fn listen_inside(root: &ShadowRoot) {
    dom::listen(root, "click", |event: Event| {
        let Some(action_el) = dom::target_closest(&event, "[data-action]") else { return };
        let msg = match dom::get_attr(&action_el, "data-action").as_deref() {
            Some(kind @ ("statement" | "statement-changes")) => {
                // Without a configured viewer the link simply navigates to the statement page.
                if api::open_statement(Api::has_statement(), None, kind == "statement-changes") {
                    event.prevent_default();
                }
                return;
            }
            Some("accept-all") => Msg::AcceptAll,
            Some("reject-all") => Msg::RejectAll,
            Some("settings") => Msg::OpenPreferencesFromBanner,
            Some("save") => Msg::SavePreferences,
            Some("close") => Msg::ClosePreferences,
            Some("reopen") => Msg::OpenPreferences,
            Some("download-receipt") => Msg::DownloadReceipt,
            _ => return,
        };
        dispatch(msg);
    });
    dom::listen(root, "change", |event: Event| {
        let Some(input) = dom::target_closest(&event, "input") else { return };
        let on = dom::get(&input, "checked").is_truthy();
        if let Some(id) = dom::get_attr(&input, "data-category") {
            dispatch(Msg::ToggleCategory(id, on));
        } else if let Some(id) = dom::get_attr(&input, "data-service") {
            dispatch(Msg::ToggleService(id, on));
        }
    });
    // Esc on a modal dialog fires `cancel`; route it through the core like the close button.
    dom::listen_capture(root, "cancel", |event: Event| {
        event.prevent_default();
        dispatch(Msg::ClosePreferences);
    });
    dom::listen(root, "keydown", |event: Event| {
        if dom::get(&event, "key") == "Tab" {
            trap_tab(&event, dom::get(&event, "shiftKey").is_truthy());
        }
    });
}

/// Keeps Tab inside the open dialog: from the last control to the first and back.
fn trap_tab(event: &Event, backwards: bool) {
    with_app(|app| {
        let Some(dialog) = app.query("dialog") else { return };
        let items = dom::query_all(&dialog, "button,input:not([disabled]),a[href],summary");
        let (Some(first), Some(last)) = (items.first(), items.last()) else { return };
        let (edge, other_end) = if backwards { (first, last) } else { (last, first) };
        if dom::focused_element().as_ref() == Some(edge) {
            event.prevent_default();
            dom::focus(other_end);
        }
    });
}

/// The shop's own re-open links and buttons (any element with `data-pw-open`), the page coming
/// back into view, and keyboard focus moving into the page.
fn listen_page() {
    // Another tab, or a later page before Back restored this one from the back/forward cache,
    // may have decided since this page read the cookie: without this, the banner would still
    // ask, and the scripts allowed meanwhile would not run here.
    // In a task of its own: focus can also move while an effect runs (inside `with_app`).
    let window = dom::window();
    dom::listen(&window, "pageshow", |_| dom::next_task(resync));
    dom::listen(&window, "focus", |_| dom::next_task(resync));
    dom::listen(&dom::document(), "visibilitychange", |_| {
        if !dom::page_hidden() {
            dom::next_task(resync);
        }
    });

    dom::listen(&dom::document(), "click", |event: Event| {
        let Some(opener) = dom::target_closest(&event, "[data-pw-open]") else { return };
        event.prevent_default();
        match dom::get_attr(&opener, "data-pw-open").as_deref() {
            Some("banner") => dispatch(Msg::ShowBanner),
            _ => dispatch(Msg::OpenPreferences),
        }
    });
}

fn resync() {
    let Some(name) = with_app(|app| app.config.cookie.name.clone()) else { return };
    if let Some(value) = cookie::find(&dom::cookies(), &name) {
        dispatch(Msg::CookieSeen(value.to_string()));
    }
}
