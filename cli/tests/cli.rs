//! The built `privacy-widget` binary: exit codes, the browser's messages, pages and `--json`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VALID: &str = r#"{
  "revision": "2026-11-01",
  "categories": [
    {"id": "necessary", "required": true},
    {"id": "analytics", "services": [{"id": "google-analytics", "cookies": ["_ga", "_ga_*"]}]}
  ]
}"#;

/// Three mistakes in three places: the revision, a service id and the theme.
fn three_mistakes() -> String {
    VALID.replace("2026-11-01", "2026 11 01").replace("\"google-analytics\"", "\"Google Analytics\"").replacen(
        '{',
        "{\"theme\": \"blue\",",
        1,
    )
}

/// A fresh folder for one test's files, removed when the test ends.
struct Folder(PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for Folder {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

fn folder(test: &str) -> Folder {
    let dir = std::env::temp_dir().join(format!("privacy-widget-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Folder(dir)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_privacy-widget")).args(args).output().expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn page(config_element: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Shop</title>\n\
         <script type=\"module\" async src=\"/dist/privacy-widget.js\"></script>\n{config_element}\n</head><body></body></html>\n"
    )
}

#[test]
fn three_mistakes_give_three_messages_and_exit_1() {
    let dir = folder("three");
    let path = write(&dir, "config.json", &three_mistakes());
    let output = run(&["check", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    let messages: Vec<&str> = out.lines().filter(|l| l.trim_start().starts_with("privacy-widget config")).collect();
    assert_eq!(messages.len(), 3, "{out}");
    // The same messages the browser console shows (ConfigError::message).
    assert!(messages[0].contains("\"revision\" must be a revision id of 1–64 letters"), "{out}");
    assert!(messages[1].contains("\"categories[1].services[0].id\" must be an id of 1–32 lowercase"), "{out}");
    assert!(messages[2].contains("\"theme\" must be \"auto\", \"light\" or \"dark\", found \"blue\""), "{out}");
    assert!(out.trim_end().ends_with("3 problems"), "{out}");
}

#[test]
fn a_valid_config_exits_0() {
    let dir = folder("valid");
    let path = write(&dir, "config.json", VALID);
    let output = run(&["check", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("valid: 2 categories, 1 service, revision 2026-11-01"));
}

#[test]
fn a_page_with_an_inline_config_is_checked() {
    let dir = folder("inline");
    let element =
        |json: &str| format!("<script type=\"application/json\" id=\"privacy-widget-config\">\n{json}\n</script>");
    let good = write(&dir, "good.html", &page(&element(VALID)));
    let output = run(&["check", good.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("(inline config, line 4)"), "{}", stdout(&output));

    let bad = write(&dir, "bad.html", &page(&element(&three_mistakes())));
    let output = run(&["check", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output).matches("privacy-widget config:").count(), 3, "{}", stdout(&output));
}

#[test]
fn a_page_with_data_src_checks_the_file_it_names() {
    let dir = folder("data-src");
    std::fs::create_dir_all(dir.join("site/shop")).unwrap();
    write(&dir, "site/widget-config.json", &three_mistakes());
    let element =
        "<script type=\"application/json\" id=\"privacy-widget-config\" data-src=\"/widget-config.json\"></script>";
    let shop_page = write(&dir, "site/shop/index.html", &page(element));
    let root = dir.join("site");
    let output = run(&["check", "--root", root.to_str().unwrap(), shop_page.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}{}", stdout(&output), stderr(&output));
    assert_eq!(stdout(&output).matches("privacy-widget config:").count(), 3);

    // Without --root a '/' path is looked up beside the page, where it is not: say so, exit 2.
    let output = run(&["check", shop_page.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("data-src=\"/widget-config.json\""), "{err}");
    assert!(err.contains("does not exist; pass --root"), "{err}");
}

#[test]
fn a_page_without_config_is_a_clear_error() {
    let dir = folder("no-config");
    let path = write(&dir, "index.html", &page("<script>console.log('<p id=privacy-widget-config>')</script>"));
    let output = run(&["check", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("no config found"), "{err}");
    assert!(err.contains("id=\"privacy-widget-config\""), "{err}");
}

#[test]
fn an_unreadable_file_is_a_clear_error_with_exit_2() {
    let dir = folder("unreadable");
    let missing = dir.join("no-such-config.json");
    let output = run(&["check", missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("cannot read") && err.contains("no-such-config.json"), "{err}");

    let latin1 = dir.join("latin1.json");
    std::fs::write(&latin1, b"{\"revision\": \"bl\xe5\"}").unwrap();
    let output = run(&["check", latin1.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not UTF-8"), "{}", stderr(&output));
}

#[test]
fn json_output_lists_each_problem_with_its_field() {
    let dir = folder("json");
    let path = write(&dir, "config.json", &three_mistakes());
    let output = run(&["check", "--json", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&output)).expect("one JSON object");
    assert_eq!(report["valid"], false);
    let fields: Vec<&str> =
        report["problems"].as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["revision", "categories[1].services[0].id", "theme"]);

    let syntax = write(&dir, "broken.json", "{\n  \"revision\": \"r1\"\n  \"categories\": []\n}");
    let report: Value = serde_json::from_str(&stdout(&run(&["check", "--json", syntax.to_str().unwrap()]))).unwrap();
    assert_eq!(report["problems"][0]["field"], Value::Null);
    let message = report["problems"][0]["message"].as_str().unwrap();
    assert!(message.contains("is not valid JSON") && message.ends_with("(line 3)"), "{message}");

    let output = run(&["check", "--json", dir.join("missing.json").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(report["error"].as_str().unwrap().contains("cannot read"));
}

#[test]
fn the_demo_pages_pass() {
    let www = concat!(env!("CARGO_MANIFEST_DIR"), "/../www");
    for page in ["index.html", "personopplysninger.html", "widget-config.json"] {
        let path = format!("{www}/{page}");
        let output = run(&["check", "--root", www, &path]);
        assert_eq!(output.status.code(), Some(0), "{page}: {}{}", stdout(&output), stderr(&output));
    }
}

#[test]
fn help_and_usage_errors() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("privacy-widget check [--json] [--root <dir>] <config.json | page.html>"));
    for args in [&[][..], &["check"], &["check", "--jsn", "a.json"], &["lint", "a.json"]] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains("--help"), "{args:?}: {}", stderr(&output));
    }
}
