//! The JSON Schema (`schema/privacy-widget-config.schema.json`) and the widget's validator agree:
//! one table of configs, each accepted by both or refused by both, except the cross-field rules
//! only the validator can check (`VALIDATOR_ONLY`, also listed in the README).

use privacy_widget_core::config::Config;
use privacy_widget_core::i18n::{BannerText, FormText, SharedText, TextKey};
use serde_json::{json, Value};

const SCHEMA: &str = include_str!("../../schema/privacy-widget-config.schema.json");

/// The rules JSON Schema cannot express, which only the validator enforces. Keep in step with
/// the README ("Check your config") and the schema's description.
const VALIDATOR_ONLY: [(&str, &str); 7] = [
    ("unique category ids", "no two categories share an id"),
    ("unique service ids", "a service id is used once in the whole config"),
    ("a required category", "at least one category has \"required\": true"),
    ("consentMode names categories", "Consent Mode lists only ids of configured categories"),
    ("cookie size", "the consent cookie for all categories and services stays under 3000 bytes"),
    ("at most 128 services", "the whole config lists at most 128 services (an event names each)"),
    ("whole numbers", "numbers are written without a fraction or exponent (30, not 30.0)"),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Valid,
    Invalid,
    /// Refused by the validator only, by the named rule of `VALIDATOR_ONLY`.
    ValidatorOnly(&'static str),
}
use Expect::*;

/// A small config that passes, which each case edits at one JSON pointer.
fn base() -> Value {
    json!({
        "revision": "2026-11-01",
        "categories": [
            {"id": "necessary", "required": true},
            {"id": "analytics", "services": [
                {"id": "google-analytics", "name": "Google Analytics",
                 "cookies": ["_ga_*", {"name": "_ga", "lifetime": {"nb": "2 år", "en": "2 years"}}]}
            ]}
        ]
    })
}

/// What a case does to `base()` at its pointer.
enum Edit {
    Set(Value),
    Remove,
}
use Edit::*;

fn set(v: Value) -> Edit {
    Set(v)
}

/// Sets or removes the value at `pointer` ("" is the root; an array index one past the end appends).
fn edited(pointer: &str, edit: &Edit) -> Value {
    let mut config = base();
    if pointer.is_empty() {
        if let Set(v) = edit {
            return v.clone();
        }
        unreachable!("the root cannot be removed");
    }
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = config.pointer_mut(parent).unwrap_or_else(|| panic!("no parent for {pointer}"));
    match (parent, edit) {
        (Value::Object(map), Set(v)) => {
            map.insert(key.to_string(), v.clone());
        }
        (Value::Object(map), Remove) => {
            map.remove(key).unwrap_or_else(|| panic!("nothing at {pointer}"));
        }
        (Value::Array(items), Set(v)) => {
            let i: usize = key.parse().unwrap();
            if i == items.len() {
                items.push(v.clone());
            } else {
                items[i] = v.clone();
            }
        }
        (Value::Array(items), Remove) => {
            items.remove(key.parse().unwrap());
        }
        _ => panic!("{pointer} is not inside an object or array"),
    }
    config
}

/// One required category and `n` services with long ids: more than the consent cookie can hold.
fn oversized() -> Value {
    let services: Vec<Value> = (0..128).map(|i| json!({"id": format!("service-with-a-long-id-{i}")})).collect();
    json!([{"id": "necessary", "required": true, "services": services}])
}

/// 129 short service ids: they fit the cookie, but no event may name that many.
fn too_many_services() -> Value {
    let services: Vec<Value> = (0..129).map(|i| json!({"id": format!("s{i}")})).collect();
    json!([{"id": "necessary", "required": true, "services": services}])
}

fn cases() -> Vec<(&'static str, &'static str, Edit, Expect)> {
    let s = |text: &str| Value::String(text.to_string());
    vec![
        // The base and one valid use of every field.
        ("the base config", "/revision", set(s("2026-11-01")), Valid),
        ("$schema reference", "/$schema", set(s("./privacy-widget-config.schema.json")), Valid),
        ("language nn", "/language", set(s("nn")), Valid),
        ("language auto", "/language", set(s("auto")), Valid),
        ("language with a region", "/language", set(s("nb-NO")), Valid),
        (
            "all endpoints",
            "/endpoints",
            set(
                json!({"consent": "/api/consent", "newsletter": "https://example.no/subscribe", "rightsRequest": "/r"}),
            ),
            Valid,
        ),
        ("privacy policy at the root path", "/privacyPolicyUrl", set(s("/")), Valid),
        (
            "statement with every field",
            "/statement",
            set(
                json!({"url": "/statement/{lang}.json", "revisionUrl": "/s/{revision}/{lang}.json", "container": "st"}),
            ),
            Valid,
        ),
        ("theme dark", "/theme", set(s("dark")), Valid),
        ("cookie settings", "/cookie", set(json!({"name": "pw", "domain": ".example.no", "lifetimeDays": 395})), Valid),
        ("session cookie by null", "/cookie", set(json!({"lifetimeDays": null})), Valid),
        ("consent mode mapping", "/consentMode", set(json!({"ad_storage": ["analytics"]})), Valid),
        ("outbox settings", "/outbox", set(json!({"storage": "local", "keepHistory": true})), Valid),
        (
            "text overrides",
            "/texts",
            set(json!({"en": {"acceptAll": "Allow all"}, "nn": {"newsletterSender": "Serviteur"}})),
            Valid,
        ),
        ("dotted text key", "/texts", set(json!({"en": {"category.analytics": "Statistics"}})), Valid),
        ("own category with a title", "/categories/2", set(json!({"id": "social", "title": {"en": "Social"}})), Valid),
        ("category description", "/categories/1/description", set(s("Statistics")), Valid),
        ("floating button", "/floatingButton", set(json!(true)), Valid),
        ("reload on withdraw", "/reloadOnWithdraw", set(json!(false)), Valid),
        ("contact e-mail", "/contactEmail", set(s("post@serviteur.no")), Valid),
        ("service provider", "/categories/1/services/0/provider", set(s("Google Ireland Ltd.")), Valid),
        ("https URL in capitals", "/privacyPolicyUrl", set(s("HTTPS://example.no/personvern")), Valid),
        ("texts for 'no' (bokmål)", "/texts", set(json!({"no": {"acceptAll": "Godta"}})), Valid),
        // Each field's own rule, refused by both.
        ("root not an object", "", set(json!([1, 2])), Invalid),
        ("unknown top-level field", "/colour", set(s("red")), Invalid),
        ("$schema not a string", "/$schema", set(json!(1)), Invalid),
        ("revision missing", "/revision", Remove, Invalid),
        ("revision with a space", "/revision", set(s("2026 11 01")), Invalid),
        ("revision starting with a dot", "/revision", set(s(".2026")), Invalid),
        ("revision with a dot inside", "/revision", set(s("2026.11")), Valid),
        ("revision too long", "/revision", set(s(&"r".repeat(65))), Invalid),
        ("revision a number", "/revision", set(json!(20261101)), Invalid),
        ("language not supported", "/language", set(s("de")), Invalid),
        ("language auto in capitals", "/language", set(s("AUTO")), Invalid),
        ("categories missing", "/categories", Remove, Invalid),
        ("no categories", "/categories", set(json!([])), Invalid),
        ("17 categories", "/categories", set(Value::Array(vec![json!({"id": "necessary"}); 17])), Invalid),
        ("category id in capitals", "/categories/0/id", set(s("Necessary")), Invalid),
        ("category id too long", "/categories/0/id", set(s(&"a".repeat(33))), Invalid),
        ("required not a boolean", "/categories/0/required", set(s("yes")), Invalid),
        ("unknown category field", "/categories/0/colour", set(s("red")), Invalid),
        ("own category without a title", "/categories/2", set(json!({"id": "social"})), Invalid),
        ("empty title", "/categories/1/title", set(s(" ")), Invalid),
        ("title with no languages", "/categories/1/title", set(json!({})), Invalid),
        ("title in an unsupported language", "/categories/1/title", set(json!({"de": "Statistik"})), Invalid),
        ("services not an array", "/categories/1/services", set(s("google-analytics")), Invalid),
        ("service id with spaces", "/categories/1/services/0/id", set(s("Google Analytics")), Invalid),
        ("service id missing", "/categories/1/services/0/id", Remove, Invalid),
        ("service name a number", "/categories/1/services/0/name", set(json!(5)), Invalid),
        ("blank provider", "/categories/1/services/0/provider", set(s(" ")), Invalid),
        ("cookie with '*' inside", "/categories/1/services/0/cookies/0", set(s("_g*a")), Invalid),
        ("cookie with '='", "/categories/1/services/0/cookies/0", set(s("a=b")), Invalid),
        ("cookie ending in '**'", "/categories/1/services/0/cookies/0", set(s("_ga**")), Invalid),
        ("cookie not ASCII", "/categories/1/services/0/cookies/0", set(s("kake_æ")), Invalid),
        ("cookie only '*'", "/categories/1/services/0/cookies/0", set(s("*")), Invalid),
        ("unknown cookie field", "/categories/1/services/0/cookies/1/expires", set(s("2y")), Invalid),
        ("cookie object without a name", "/categories/1/services/0/cookies/1", set(json!({"lifetime": "2y"})), Invalid),
        ("cookie of an unknown type", "/categories/1/services/0/cookies/1/type", set(s("flash")), Invalid),
        ("local-storage key", "/categories/1/services/0/cookies/1/type", set(s("localStorage")), Valid),
        ("third-party cookie", "/categories/1/services/0/cookies/1/party", set(s("third")), Valid),
        ("cookie party misspelt", "/categories/1/services/0/cookies/1/party", set(s("3rd")), Invalid),
        (
            "hosts",
            "/categories/1/services/0/hosts",
            set(json!(["www.google-analytics.com", "*.g.doubleclick.net", "127.0.0.2:8081"])),
            Valid,
        ),
        ("hosts not an array", "/categories/1/services/0/hosts", set(s("google.com")), Invalid),
        ("host with a scheme", "/categories/1/services/0/hosts", set(json!(["https://google.com"])), Invalid),
        ("host in capitals", "/categories/1/services/0/hosts", set(json!(["Google.com"])), Invalid),
        ("host with a path", "/categories/1/services/0/hosts", set(json!(["google.com/x"])), Invalid),
        ("javascript: endpoint", "/endpoints", set(json!({"consent": "javascript:alert(1)"})), Invalid),
        ("protocol-relative endpoint", "/endpoints", set(json!({"consent": "//evil.example/c"})), Invalid),
        ("endpoint with a space", "/endpoints", set(json!({"consent": "/api/con sent"})), Invalid),
        ("unknown endpoint", "/endpoints", set(json!({"consents": "/api"})), Invalid),
        ("relative privacy policy", "/privacyPolicyUrl", set(s("personvern")), Invalid),
        ("statement without url", "/statement", set(json!({"revisionUrl": "/s/{revision}.json"})), Invalid),
        (
            "revisionUrl without {revision}",
            "/statement",
            set(json!({"url": "/s/{lang}.json", "revisionUrl": "/s.json"})),
            Invalid,
        ),
        ("container with '#'", "/statement", set(json!({"url": "/s/{lang}.json", "container": "#st"})), Invalid),
        ("statement url relative", "/statement", set(json!({"url": "statement/{lang}.json"})), Invalid),
        ("newsletter endpoint ftp", "/endpoints", set(json!({"newsletter": "ftp://example.no/subscribe"})), Invalid),
        ("rights endpoint with a backslash", "/endpoints", set(json!({"rightsRequest": "/api\\rights"})), Invalid),
        ("endpoints not an object", "/endpoints", set(s("/api")), Invalid),
        ("empty description", "/categories/1/description", set(s("")), Invalid),
        ("purpose a number", "/categories/1/services/0/purpose", set(json!(1)), Invalid),
        ("cookie lifetime empty", "/categories/1/services/0/cookies/1/lifetime", set(json!({"en": ""})), Invalid),
        ("consent mode id not a string", "/consentMode", set(json!({"analytics_storage": [1]})), Invalid),
        ("theme not known", "/theme", set(s("blue")), Invalid),
        ("cookie name with a space", "/cookie", set(json!({"name": "pw consent"})), Invalid),
        ("cookie domain with '/'", "/cookie", set(json!({"domain": "example.no/"})), Invalid),
        ("lifetime 0 days", "/cookie", set(json!({"lifetimeDays": 0})), Invalid),
        ("lifetime 396 days", "/cookie", set(json!({"lifetimeDays": 396})), Invalid),
        ("lifetime as text", "/cookie", set(json!({"lifetimeDays": "30"})), Invalid),
        ("consent mode not an array", "/consentMode", set(json!({"ad_storage": "marketing"})), Invalid),
        ("unknown consent mode signal", "/consentMode", set(json!({"ads": ["analytics"]})), Invalid),
        ("outbox storage not known", "/outbox", set(json!({"storage": "indexeddb"})), Invalid),
        ("keepHistory as text", "/outbox", set(json!({"keepHistory": "yes"})), Invalid),
        ("texts in an unsupported language", "/texts", set(json!({"de": {"acceptAll": "Alle"}})), Invalid),
        ("unknown text key", "/texts", set(json!({"en": {"acceptAl": "x"}})), Invalid),
        ("empty text", "/texts", set(json!({"en": {"acceptAll": ""}})), Invalid),
        ("texts for a language not an object", "/texts", set(json!({"en": "Allow"})), Invalid),
        ("floatingButton as text", "/floatingButton", set(s("true")), Invalid),
        ("empty contact e-mail", "/contactEmail", set(s("")), Invalid),
        // The cross-field rules only the validator checks.
        (
            "duplicate category id",
            "/categories/2",
            set(json!({"id": "analytics"})),
            ValidatorOnly("unique category ids"),
        ),
        (
            "duplicate service id",
            "/categories/0/services",
            set(json!([{"id": "google-analytics"}])),
            ValidatorOnly("unique service ids"),
        ),
        ("no required category", "/categories/0/required", set(json!(false)), ValidatorOnly("a required category")),
        (
            "consent mode names a missing category",
            "/consentMode",
            set(json!({"ad_storage": ["marketing"]})),
            ValidatorOnly("consentMode names categories"),
        ),
        ("too many services for the cookie", "/categories", set(oversized()), ValidatorOnly("cookie size")),
        ("129 services", "/categories", set(too_many_services()), ValidatorOnly("at most 128 services")),
        ("lifetime with a fraction", "/cookie", set(json!({"lifetimeDays": 30.0})), ValidatorOnly("whole numbers")),
    ]
}

fn schema() -> Value {
    serde_json::from_str(SCHEMA).expect("the schema is JSON")
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema = schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    jsonschema::meta::validate(&schema).expect("valid against the draft 2020-12 meta-schema");
}

#[test]
fn schema_and_validator_agree_on_every_case() {
    let validator = jsonschema::draft202012::new(&schema()).expect("the schema compiles");
    let cases = cases();
    assert!(cases.len() >= 40, "the table covers every field's rule");
    let mut disagreements = Vec::new();
    for (name, pointer, edit, expect) in &cases {
        let config = edited(pointer, edit);
        let text = serde_json::to_string(&config).unwrap();
        let by_validator = Config::parse(&text);
        let by_schema: Vec<String> = validator.iter_errors(&config).map(|e| e.to_string()).collect();
        let (validator_ok, schema_ok) = (by_validator.is_ok(), by_schema.is_empty());
        let wanted = match expect {
            Valid => (true, true),
            Invalid => (false, false),
            ValidatorOnly(_) => (false, true),
        };
        if (validator_ok, schema_ok) != wanted {
            let validator_says = match &by_validator {
                Ok(_) => "accepted".to_string(),
                Err(errors) => errors.iter().map(|e| e.message()).collect::<Vec<_>>().join("; "),
            };
            disagreements.push(format!(
                "{name} ({expect:?}): validator {validator_says}; schema {}\n  config: {text}",
                if schema_ok { "accepted".to_string() } else { by_schema.join("; ") }
            ));
        }
    }
    assert!(disagreements.is_empty(), "{} case(s) wrong:\n{}", disagreements.len(), disagreements.join("\n"));
}

#[test]
fn every_validator_only_rule_is_listed_and_exercised() {
    let cases = cases();
    for (rule, _) in VALIDATOR_ONLY {
        assert!(cases.iter().any(|(_, _, _, e)| *e == ValidatorOnly(rule)), "no case for the rule {rule:?}");
    }
    for (name, _, _, expect) in &cases {
        if let ValidatorOnly(rule) = expect {
            assert!(VALIDATOR_ONLY.iter().any(|(r, _)| r == rule), "{name}: {rule:?} is not in VALIDATOR_ONLY");
        }
    }
}

#[test]
fn the_schema_lists_exactly_the_text_keys_the_widget_accepts() {
    let schema = schema();
    let listed = schema.pointer("/properties/texts/additionalProperties/properties").unwrap().as_object().unwrap();
    let mut in_schema: Vec<&str> = listed.keys().map(String::as_str).collect();
    let mut in_widget: Vec<&str> = BannerText::ALL
        .iter()
        .map(|k| k.name())
        .chain(TextKey::ALL.iter().map(|k| k.name()))
        .chain(SharedText::ALL.iter().map(|k| k.name()))
        .chain(FormText::ALL.iter().map(|k| k.name()))
        .collect();
    in_schema.sort_unstable();
    in_widget.sort_unstable();
    assert_eq!(in_schema, in_widget);
}

#[test]
fn the_demo_config_passes_both_and_names_the_schema() {
    let text = include_str!("../../www/widget-config.json");
    let config: Value = serde_json::from_str(text).unwrap();
    assert_eq!(config["$schema"], "../schema/privacy-widget-config.schema.json");
    let validator = jsonschema::draft202012::new(&schema()).unwrap();
    let problems: Vec<String> = validator.iter_errors(&config).map(|e| e.to_string()).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(Config::parse(text).is_ok());
}
