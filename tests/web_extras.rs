//! Browser tests of the extras build (wasm-bindgen-test in headless Chromium): the statement
//! viewer, the newsletter and the rights-request form as rendered into the page, errors next to
//! their field, and exactly one queued event per submit. The forms hand their events to the
//! consent manager's delivery (`PrivacyWidget._send`, `_onDelivery`); here a stand-in for that
//! bridge keeps them and refuses each one a moment later, as a backend's 404 would. Flows
//! against the real backend, through the real consent manager, are in tests/e2e/forms.test.mjs,
//! tests/e2e/delivery.test.mjs and tests/e2e/statement.test.mjs.
#![cfg(all(target_arch = "wasm32", feature = "extras"))]

use privacy_widget::web::extras::start;
use privacy_widget::web::shared::dom;
use privacy_widget_core::config::Config;
use privacy_widget_core::i18n::{FormText, SharedText};
use privacy_widget_core::json::{self, Json};
use privacy_widget_core::lang::Lang;
use privacy_widget_core::newsletter::consent_text;
use privacy_widget_core::outbox::Endpoint;
use privacy_widget_core::rights::{RequestType, DATATILSYNET_URL};
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

const STATEMENT: &str = include_str!("../src/core/testdata/statement/valid.json");
const STATEMENT_URL: &str = "/pw-extras-test/statement/nb.json";
const CONFIG: &str = r#"{
  "revision": "r1",
  "privacyPolicyUrl": "/personvern",
  "statement": {"url": "/pw-extras-test/statement/{lang}.json", "container": "pw-test-statement"},
  "endpoints": {"newsletter": "/pw-extras-test/newsletter", "rightsRequest": "/pw-extras-test/rights"},
  "categories": [{"id": "necessary", "required": true}]
}"#;

thread_local! {
    static STARTED: Cell<bool> = const { Cell::new(false) };
    /// What the stand-in bridge holds: (key, endpoint name, body), until it reports the refusal.
    static QUEUED: std::cell::RefCell<Vec<(String, String, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn config() -> Config {
    Config::parse(CONFIG).expect("test config parses")
}

fn nb(key: FormText) -> String {
    config().text(Lang::Nb, key).to_string()
}

/// Starts the extras module once per page, as the consent module's loader would, with a
/// statement container and a newsletter container in the page and the statement served by a
/// stand-in `fetch` (the runner serves only its own files).
fn setup() {
    if STARTED.with(|s| s.replace(true)) {
        return;
    }
    let window = dom::window();
    let original: js_sys::Function = js_sys::Reflect::get(&window, &"fetch".into()).unwrap().unchecked_into();
    let stand_in = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(move |input: JsValue, init: JsValue| {
        if input.as_string().as_deref() == Some(STATEMENT_URL) {
            let response = web_sys::Response::new_with_opt_str(Some(STATEMENT)).unwrap();
            return js_sys::Promise::resolve(&response).into();
        }
        original.call2(&dom::window(), &input, &init).unwrap()
    });
    js_sys::Reflect::set(&window, &"fetch".into(), stand_in.as_ref()).unwrap();
    stand_in.forget();
    install_delivery_stand_in();

    let body = dom::document().body().unwrap();
    let statement = dom::el("div", "");
    dom::attr(&statement, "id", "pw-test-statement");
    dom::append(&body, &statement);
    let newsletter = dom::el("div", "");
    dom::attr(&newsletter, "id", "pw-test-newsletter");
    dom::attr(&newsletter, "data-pw-newsletter", "");
    dom::append(&body, &newsletter);
    start::start(CONFIG);
}

/// `PrivacyWidget._send` and `_onDelivery` as the consent manager provides them: `_send` keeps
/// the event and answers with its key; 50 ms later every `_onDelivery` callback hears it was
/// dropped (a permanent refusal), and it is no longer kept.
fn install_delivery_stand_in() {
    let api: JsValue = js_sys::Object::new().into();
    let callbacks = js_sys::Array::new();
    let on_delivery = {
        let callbacks = callbacks.clone();
        Closure::<dyn Fn(JsValue)>::new(move |callback: JsValue| {
            callbacks.push(&callback);
        })
    };
    let send = Closure::<dyn Fn(String, String) -> String>::new(move |endpoint: String, body: String| {
        let key = format!("{:032x}", js_sys::Math::random().to_bits());
        QUEUED.with(|q| q.borrow_mut().push((key.clone(), endpoint, body)));
        let (callbacks, dropped) = (callbacks.clone(), key.clone());
        let report = Closure::once_into_js(move || {
            QUEUED.with(|q| q.borrow_mut().retain(|(k, _, _)| *k != dropped));
            for callback in callbacks.iter() {
                let args =
                    js_sys::Array::of5(&dropped.as_str().into(), &"dropped".into(), &404.into(), &"".into(), &0.into());
                callback.unchecked_ref::<js_sys::Function>().apply(&JsValue::NULL, &args).unwrap();
            }
        });
        dom::window().set_timeout_with_callback_and_timeout_and_arguments_0(report.unchecked_ref(), 50).unwrap();
        key
    });
    js_sys::Reflect::set(&api, &"_send".into(), &send.into_js_value()).unwrap();
    js_sys::Reflect::set(&api, &"_onDelivery".into(), &on_delivery.into_js_value()).unwrap();
    js_sys::Reflect::set(&dom::window(), &"PrivacyWidget".into(), &api).unwrap();
}

fn shadow(host_id: &str) -> ShadowRoot {
    dom::document().get_element_by_id(host_id).unwrap().shadow_root().expect("the widget attached a shadow root")
}

fn find(root: &ShadowRoot, selector: &str) -> Element {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}"))
}

fn find_all(root: &ShadowRoot, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length()).map(|i| list.item(i).unwrap().unchecked_into()).collect()
}

fn text(e: &Element) -> String {
    e.text_content().unwrap_or_default()
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        dom::window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits (up to 5 s) until `ready` holds.
async fn until(what: &str, ready: impl Fn() -> bool) {
    for _ in 0..250 {
        if ready() {
            return;
        }
        sleep_ms(20).await;
    }
    panic!("timed out waiting for {what}");
}

/// Types `value` into a text field as a visitor would: the value, then a bubbling `input` event.
fn type_into(field: &Element, value: &str) {
    field.unchecked_ref::<HtmlInputElement>().set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    field.dispatch_event(&event).unwrap();
}

fn click(e: &Element) {
    e.unchecked_ref::<HtmlElement>().click();
}

/// The events for `endpoint` the forms handed to the (stand-in) delivery and it still holds;
/// each one's body is JSON.
fn queued(endpoint: Endpoint) -> usize {
    QUEUED.with(|q| {
        let q = q.borrow();
        assert!(q.iter().all(|(_, _, body)| json::parse(body).is_ok_and(|b| matches!(b, Json::Object(_)))));
        q.iter().filter(|(_, name, _)| name == endpoint.name()).count()
    })
}

#[wasm_bindgen_test]
async fn the_statement_renders_with_contents_sections_and_deep_link_targets() {
    setup();
    let root = shadow("pw-test-statement");
    until("the statement", || root.query_selector("h2").unwrap().is_some()).await;
    let statement = json::parse(STATEMENT).unwrap();
    assert_eq!(text(&find(&root, "h2")), statement.get("title").and_then(Json::as_str).unwrap());
    assert_eq!(find(&root, "article").get_attribute("lang").as_deref(), Some("nb"));
    let Some(Json::Array(sections)) = statement.get("sections") else { panic!("test statement has sections") };
    let expected: Vec<(&str, &str)> = sections
        .iter()
        .map(|s| (s.get("id").and_then(Json::as_str).unwrap(), s.get("heading").and_then(Json::as_str).unwrap()))
        .collect();
    assert!(expected.len() >= 2, "the test statement has sections to link to");

    assert_eq!(text(&find(&root, "#pw-toc-title")), nb(FormText::StatementContents));
    let links: Vec<(String, String)> =
        find_all(&root, "nav.toc a").iter().map(|a| (a.get_attribute("href").unwrap_or_default(), text(a))).collect();
    let wanted: Vec<(String, String)> =
        expected.iter().map(|(id, heading)| (format!("#{id}"), heading.to_string())).collect();
    assert_eq!(links, wanted, "one contents entry per section, in order, linking to its id");

    let parts: Vec<String> = find_all(&root, "section.part").iter().map(|s| s.id()).collect();
    assert_eq!(parts, expected.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>());
    for (id, heading) in &expected {
        let heading_el = find(&root, &format!("section#{id} > h3#h-{id}"));
        assert!(text(&heading_el).starts_with(heading), "{id}: {}", text(&heading_el));
        assert_eq!(heading_el.get_attribute("tabindex").as_deref(), Some("-1"), "{id}: a deep link can focus it");
        let copy = find(&root, &format!("h3#h-{id} button[data-action=\"copy-link\"]"));
        assert_eq!(copy.get_attribute("data-section").as_deref(), Some(*id));
        assert!(
            copy.get_attribute("aria-label").is_some_and(|l| l.contains(heading)),
            "{id}: the copy button names it"
        );
    }
    assert!(root.query_selector("#pw-rights").unwrap().is_some(), "the rights form follows the statement");
    assert!(root.query_selector("script, img, iframe").unwrap().is_none(), "text only, never markup");
}

#[wasm_bindgen_test]
async fn the_rights_form_lists_its_request_types_names_datatilsynet_and_queues_one_request() {
    setup();
    let root = shadow("pw-test-statement");
    until("the rights form", || root.query_selector(".rights-form").unwrap().is_some()).await;
    let config = config();

    let radios = find_all(&root, ".rights-form input[type=radio][name=type]");
    let values: Vec<String> = radios.iter().map(|r| r.get_attribute("value").unwrap_or_default()).collect();
    assert_eq!(values, RequestType::ALL.iter().map(|t| t.name().to_string()).collect::<Vec<_>>());
    for (radio, kind) in radios.iter().zip(RequestType::ALL) {
        assert!(!radio.unchecked_ref::<HtmlInputElement>().checked(), "nothing chosen for the visitor");
        let label = find(&root, &format!("label[for=\"{}\"]", radio.id()));
        assert_eq!(text(&label), config.text(Lang::Nb, kind.title()));
    }
    let complaint = find(&root, ".complaint");
    assert!(text(&complaint).contains("Datatilsynet"), "{}", text(&complaint));
    assert_eq!(find(&root, ".complaint a").get_attribute("href").as_deref(), Some(DATATILSYNET_URL));
    let confirm = find(&root, "#rr-confirm");
    assert!(!confirm.unchecked_ref::<HtmlInputElement>().checked());

    click(&radios[0]);
    type_into(&find(&root, "#rr-email"), "kari@example.no");
    click(&confirm);
    let before = queued(Endpoint::RightsRequest);
    click(&find(&root, ".rights-form button[type=submit]"));
    click(&find(&root, ".rights-form button[type=submit]"));
    assert_eq!(queued(Endpoint::RightsRequest), before + 1, "two clicks, one request");
    assert_eq!(text(&find(&root, ".rights-form .status")), nb(FormText::FormSending));

    // The 404 is a permanent refusal: the form says so, keeps the input and offers a retry.
    until("the refusal", || {
        root.query_selector(".rights-form .status").unwrap().is_some_and(|s| text(&s) == nb(FormText::FormFailed))
    })
    .await;
    assert_eq!(queued(Endpoint::RightsRequest), before, "nothing of the refused request is left");
    assert_eq!(text(&find(&root, ".rights-form button[type=submit]")), nb(FormText::FormRetry));
    assert_eq!(find(&root, "#rr-email").unchecked_into::<HtmlInputElement>().value(), "kari@example.no");
    click(&find(&root, ".rights-form button[type=submit]"));
    assert_eq!(queued(Endpoint::RightsRequest), before + 1, "a retry after a refusal sends it again, once");
}

#[wasm_bindgen_test]
async fn the_newsletter_form_checks_the_address_in_place_and_queues_one_signup() {
    setup();
    let root = shadow("pw-test-newsletter");
    until("the newsletter form", || root.query_selector("form").unwrap().is_some()).await;
    let config = config();

    let consent = find(&root, "input[type=checkbox][name=consent]");
    assert!(!consent.unchecked_ref::<HtmlInputElement>().checked(), "the consent box is never pre-ticked");
    assert_eq!(text(&find(&root, "label[for=\"nl-consent\"]")), consent_text(&config, Lang::Nb));
    let policy = find(&root, "a[data-action=\"statement\"]");
    assert_eq!(policy.get_attribute("href").as_deref(), Some("/personvern"));
    assert_eq!(text(&policy), config.text(Lang::Nb, SharedText::PrivacyStatement));
    let email = find(&root, "input#nl-email");
    assert_eq!(email.get_attribute("type").as_deref(), Some("email"));
    assert_eq!(email.get_attribute("autocomplete").as_deref(), Some("email"));
    assert_eq!(text(&find(&root, "label[for=\"nl-email\"]")), nb(FormText::EmailLabel));

    // An invalid address: the error sits next to the field, which keeps what was typed.
    type_into(&email, "ola@serviteur");
    click(&find(&root, "button[type=submit]"));
    let email = find(&root, "input#nl-email");
    assert_eq!(email.unchecked_ref::<HtmlInputElement>().value(), "ola@serviteur");
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    let error = find(&root, "#nl-email-error");
    assert_eq!(text(&error), nb(FormText::EmailMissingTld));
    assert!(!error.has_attribute("hidden"));
    assert_eq!(error.parent_element(), email.parent_element(), "in the field's own wrapper");
    assert!(email.get_attribute("aria-describedby").is_some_and(|d| d.split(' ').any(|id| id == "nl-email-error")));
    assert_eq!(root.active_element(), Some(email.clone()), "focus moves to the invalid field");
    assert_eq!(queued(Endpoint::Newsletter), 0, "nothing is sent while the input is invalid");

    // Fixed and consented: one signup, however often the button is pressed.
    type_into(&email, "ola@serviteur.no");
    assert!(find(&root, "#nl-email-error").has_attribute("hidden"), "fixing the address clears its error");
    click(&find(&root, "#nl-consent"));
    click(&find(&root, "button[type=submit]"));
    click(&find(&root, "button[type=submit]"));
    assert_eq!(queued(Endpoint::Newsletter), 1, "two clicks, one signup");
    assert_eq!(find(&root, "button[type=submit]").get_attribute("aria-disabled").as_deref(), Some("true"));

    until("the refusal", || {
        root.query_selector(".status").unwrap().is_some_and(|s| text(&s) == nb(FormText::FormFailed))
    })
    .await;
    assert_eq!(queued(Endpoint::Newsletter), 0);
    assert_eq!(text(&find(&root, "button[type=submit]")), nb(FormText::FormRetry));
    assert_eq!(find(&root, "input#nl-email").unchecked_into::<HtmlInputElement>().value(), "ola@serviteur.no");
}

#[wasm_bindgen_test]
fn markup_trees_become_elements_attributes_and_text_never_markup() {
    use privacy_widget::web::shared::markup_dom;
    use privacy_widget_core::markup::Element as Markup;
    let tree = Markup::new("section")
        .attr("class", "pw-cd-category")
        .attr("aria-labelledby", "h-x")
        .child(Markup::new("h2").attr("id", "h-x").text("<img src=x onerror=alert(1)>"))
        .child(Markup::new("p").text("One ").child(Markup::new("a").attr("href", "#top").text("link")).text(" & more"));
    let built = markup_dom::build(&tree);
    assert_eq!(built.tag_name(), "SECTION");
    assert_eq!(built.get_attribute("class").as_deref(), Some("pw-cd-category"));
    assert_eq!(built.get_attribute("aria-labelledby").as_deref(), Some("h-x"));
    let heading = built.query_selector("h2#h-x").unwrap().expect("the heading with its id");
    assert_eq!(text(&heading), "<img src=x onerror=alert(1)>", "text stays text");
    assert!(built.query_selector("img").unwrap().is_none(), "no element from text");
    let paragraph = built.query_selector("p").unwrap().unwrap();
    assert_eq!(paragraph.child_nodes().length(), 3, "text, link, text in order");
    assert_eq!(text(&paragraph), "One link & more");
    assert_eq!(paragraph.query_selector("a").unwrap().unwrap().get_attribute("href").as_deref(), Some("#top"));

    let container = dom::el("div", "");
    dom::append(&container, &dom::text_node("pre-rendered"));
    dom::append(&container, &dom::el("p", "old"));
    let placed = markup_dom::replace_content(&container, &tree);
    assert_eq!(container.child_nodes().length(), 1, "the old content is gone");
    assert!(container.first_element_child().as_ref() == Some(&placed));
}
