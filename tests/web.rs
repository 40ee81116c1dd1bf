//! Browser tests of the web layer (wasm-bindgen-test in headless Chromium): rendering with
//! text nodes only, prior blocking and activation, the cookie jar helpers.
#![cfg(all(target_arch = "wasm32", feature = "consent"))]

use privacy_widget::web::consent::{blocking, render};
use privacy_widget::web::shared::dom;
use privacy_widget_core::config::Config;
use privacy_widget_core::consent::Choices;
use privacy_widget_core::lang::Lang;
use privacy_widget_core::ui::{ConsentUi, DecisionInput, Msg};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CONFIG: &str = r#"{
  "revision": "r1",
  "privacyPolicyUrl": "/personvern",
  "texts": {"nb": {"bannerTitle": "<img src=x onerror=alert(1)>Hei"}},
  "categories": [
    {"id": "necessary", "required": true},
    {"id": "analytics", "services": [{"id": "stats", "name": "Stats <b>Inc</b>"}]},
    {"id": "marketing"}
  ]
}"#;

fn config() -> Config {
    Config::parse(CONFIG).expect("test config parses")
}

fn global(name: &str) -> wasm_bindgen::JsValue {
    js_sys::Reflect::get(&dom::window(), &name.into()).unwrap()
}

/// Adds a blocked inline script that sets `window[flag]` when it runs.
fn blocked_script(category: &str, service: Option<&str>, flag: &str) -> web_sys::Element {
    let script = dom::el("script", "");
    dom::attr(&script, "type", "text/plain");
    dom::attr(&script, "data-category", category);
    if let Some(s) = service {
        dom::attr(&script, "data-service", s);
    }
    let mut code = String::from("window.");
    code.push_str(flag);
    code.push_str(" = (window.");
    code.push_str(flag);
    code.push_str(" || 0) + 1;");
    script.set_text_content(Some(&code));
    dom::append(&dom::document().body().unwrap(), &script);
    script
}

#[wasm_bindgen_test]
fn blocked_scripts_run_only_when_allowed_and_only_once() {
    let config = config();
    blocked_script("analytics", None, "__category_flag");
    blocked_script("analytics", Some("stats"), "__service_flag");
    blocked_script("marketing", None, "__marketing_flag");
    blocked_script("unknown", None, "__unknown_flag");

    blocking::activate(&config, &Choices::none(&config), Lang::Nb, |_| {});
    assert!(global("__category_flag").is_undefined());
    assert!(global("__service_flag").is_undefined());

    let mut choices = Choices::none(&config);
    choices.set_category(&config, "analytics", true);
    blocking::activate(&config, &choices, Lang::Nb, |_| {});
    blocking::activate(&config, &choices, Lang::Nb, |_| {});
    assert_eq!(global("__category_flag").as_f64(), Some(1.0), "runs once, however often activation is asked");
    assert_eq!(global("__service_flag").as_f64(), Some(1.0));
    assert!(global("__marketing_flag").is_undefined());
    assert!(global("__unknown_flag").is_undefined(), "unknown categories never run");
}

#[wasm_bindgen_test]
fn embeds_get_their_source_only_when_allowed() {
    let config = config();
    let frame = dom::el("iframe", "");
    dom::attr(&frame, "data-src", "about:blank#video");
    dom::attr(&frame, "data-service", "stats");
    dom::append(&dom::document().body().unwrap(), &frame);
    blocking::activate(&config, &Choices::none(&config), Lang::Nb, |_| {});
    assert_eq!(frame.get_attribute("src"), None);
    blocking::activate(&config, &Choices::all(&config), Lang::Nb, |_| {});
    assert_eq!(frame.get_attribute("src").as_deref(), Some("about:blank#video"));
}

#[wasm_bindgen_test]
fn banner_renders_texts_as_text_never_as_markup() {
    let config = config();
    let (ui, _, _) = ConsentUi::start(&config, None, false, Lang::Nb);
    let container = dom::el("div", "");
    render::render(&container, &config, &ui);
    let title = container.query_selector("h2").unwrap().unwrap();
    assert_eq!(title.text_content().as_deref(), Some("<img src=x onerror=alert(1)>Hei"));
    assert!(container.query_selector("img").unwrap().is_none());
    let actions = container.query_selector_all("button[data-action]").unwrap();
    let names: Vec<String> = (0..actions.length())
        .map(|i| actions.item(i).unwrap().unchecked_into::<web_sys::Element>().get_attribute("data-action").unwrap())
        .collect();
    assert_eq!(names, ["accept-all", "reject-all", "settings"]);
    assert_eq!(container.get_attribute("lang").as_deref(), Some("nb"));
}

#[wasm_bindgen_test]
fn preferences_show_every_category_with_nothing_pre_ticked() {
    let config = config();
    let (mut ui, _, _) = ConsentUi::start(&config, None, false, Lang::En);
    ui.update(&config, Msg::OpenPreferences, DecisionInput { now_ms: 0, random_id: [0; 16] });
    let container = dom::el("div", "");
    render::render(&container, &config, &ui);
    let switches = container.query_selector_all("input.switch").unwrap();
    assert_eq!(switches.length(), 4, "three categories and one service");
    for i in 0..switches.length() {
        let input: web_sys::HtmlInputElement = switches.item(i).unwrap().unchecked_into();
        let required = input.get_attribute("data-category").as_deref() == Some("necessary");
        assert_eq!(input.checked(), required, "only the required category is on");
        assert_eq!(input.disabled(), required);
        assert!(input.get_attribute("aria-label").is_some_and(|l| !l.is_empty()), "every switch has a name");
    }
    let service = container.query_selector("li.service strong").unwrap().unwrap();
    assert_eq!(service.text_content().as_deref(), Some("Stats <b>Inc</b>"));
}

#[wasm_bindgen_test]
fn cookie_helpers_write_and_read_the_jar() {
    dom::set_cookie("pw_test=1|a:1; Path=/; SameSite=Lax");
    let jar = dom::cookies();
    assert_eq!(privacy_widget_core::cookie::find(&jar, "pw_test"), Some("1|a:1"));
    for deletion in privacy_widget_core::cookie::deletion_strings("pw_test", &dom::host_name()) {
        dom::set_cookie(&deletion);
    }
    assert_eq!(privacy_widget_core::cookie::find(&dom::cookies(), "pw_test"), None);
}

#[wasm_bindgen_test]
fn a_failing_dom_call_is_counted_not_thrown() {
    // An <input> cannot host a shadow root: attachShadow throws NotSupportedError.
    let input = dom::el("input", "");
    let before = dom::dropped_errors();
    assert!(dom::attach_shadow(&input, "p{}").is_none());
    assert_eq!(dom::dropped_errors(), before + 1, "the thrown error is counted once");
    // A call that succeeds counts nothing.
    let div = dom::el("div", "");
    assert!(dom::attach_shadow(&div, "p{}").is_some());
    assert_eq!(dom::dropped_errors(), before + 1);
}

#[wasm_bindgen_test]
fn a_placeholder_button_sends_its_message_to_the_given_dispatch() {
    use std::sync::atomic::{AtomicU32, Ordering};
    static ACCEPTED: AtomicU32 = AtomicU32::new(0);
    let config = config();
    let frame = dom::el("iframe", "");
    dom::attr(&frame, "data-src", "about:blank#placeholder");
    dom::attr(&frame, "data-service", "stats");
    dom::append(&dom::document().body().unwrap(), &frame);
    blocking::activate(&config, &Choices::none(&config), Lang::Nb, |msg| {
        if msg == Msg::AcceptService("stats".into()) {
            ACCEPTED.fetch_add(1, Ordering::SeqCst);
        }
    });
    let host = frame.previous_element_sibling().expect("a placeholder before the blocked embed");
    let button = host.shadow_root().unwrap().query_selector("button").unwrap().unwrap();
    button.unchecked_ref::<web_sys::HtmlElement>().click();
    assert_eq!(ACCEPTED.load(Ordering::SeqCst), 1);
    frame.remove();
    host.remove();
}
