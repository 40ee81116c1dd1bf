//! The demo shop's static files: paths, content types, security headers, CSRF placeholder.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::{TempDir, TestApp};

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self' mailto:; require-trusted-types-for 'script'";

const INDEX_HTML: &str =
    r#"<!doctype html><meta name="csrf-token" content="__CSRF_TOKEN__"><title>Serviteur</title>"#;

fn shop(overrides: &[(&str, &str)]) -> TestApp {
    let app = TestApp::new(overrides);
    let www = &app.www;
    www.write("index.html", INDEX_HTML);
    www.write(
        "personopplysninger.html",
        "<!doctype html><title>Personvern</title>",
    );
    www.write(
        "produkter/index.html",
        "<!doctype html><title>Produkter</title>",
    );
    www.write(
        "fixtures/inline.html",
        "<!doctype html><script>inline()</script>",
    );
    www.write("dist/privacy_widget_bg.wasm", b"\0asm\x01\0\0\0");
    www.write("dist/privacy_widget.js", "export default 1;");
    www.write("dist/loader.mjs", "export {};");
    www.write("dist/widget.css", ":host{}");
    www.write("config.json", "{}");
    www.write("logo.svg", "<svg/>");
    www.write("logo.png", b"\x89PNG");
    www.write("robots.txt", "User-agent: *");
    www.write(".env", "SECRET=1");
    app
}

#[tokio::test]
async fn content_types_follow_the_extension() {
    let app = shop(&[]);
    let cases = [
        ("/", "text/html; charset=utf-8"),
        ("/personopplysninger", "text/html; charset=utf-8"),
        ("/produkter", "text/html; charset=utf-8"),
        ("/produkter/", "text/html; charset=utf-8"),
        ("/dist/privacy_widget_bg.wasm", "application/wasm"),
        ("/dist/privacy_widget.js", "text/javascript; charset=utf-8"),
        ("/dist/loader.mjs", "text/javascript; charset=utf-8"),
        ("/dist/widget.css", "text/css; charset=utf-8"),
        ("/config.json", "application/json"),
        ("/logo.svg", "image/svg+xml"),
        ("/logo.png", "image/png"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ];
    for (path, content_type) in cases {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(
            response.header("content-type"),
            Some(content_type),
            "{path}"
        );
        assert_eq!(
            response.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(response.header("cache-control"), Some("no-cache"), "{path}");
    }
    let wasm = app.get("/dist/privacy_widget_bg.wasm").await;
    assert_eq!(&wasm.body[..], b"\0asm\x01\0\0\0");
}

#[tokio::test]
async fn html_gets_the_strict_csp_except_fixtures() {
    let app = shop(&[]);
    for path in ["/", "/personopplysninger", "/produkter/"] {
        let response = app.get(path).await;
        assert_eq!(
            response.header("content-security-policy"),
            Some(CSP),
            "{path}"
        );
        assert_eq!(
            response.header("referrer-policy"),
            Some("strict-origin-when-cross-origin"),
            "{path}"
        );
    }
    let fixture = app.get("/fixtures/inline.html").await;
    assert_eq!(fixture.status, StatusCode::OK);
    assert_eq!(fixture.header("content-security-policy"), None);
    let script = app.get("/dist/privacy_widget.js").await;
    assert_eq!(script.header("content-security-policy"), None);
}

#[tokio::test]
async fn csrf_placeholder_is_replaced_in_html() {
    let with_token = shop(&[("CSRF_TOKEN", "tok-123")]);
    let page = with_token.get("/").await.text();
    assert!(page.contains(r#"content="tok-123""#), "{page}");
    assert!(!page.contains("__CSRF_TOKEN__"));

    let without_token = shop(&[]);
    let page = without_token.get("/").await.text();
    assert!(page.contains(r#"content="""#), "{page}");
}

#[tokio::test]
async fn traversal_and_hidden_files_are_404() {
    let app = shop(&[]);
    // A file next to WWW_DIR that no request may reach.
    let outside = TempDir::new("outside");
    outside.write("secret.txt", "secret");
    let outside_name = outside
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let paths = [
        format!("/../{outside_name}/secret.txt"),
        format!("/%2e%2e/{outside_name}/secret.txt"),
        format!("/dist/..%2f..%2f{outside_name}%2fsecret.txt"),
        format!("/dist/%2E%2E/%2E%2E/{outside_name}/secret.txt"),
        format!("/%2f{}", outside.path().join("secret.txt").display()),
        "/dist%5c..%5cindex.html".to_owned(),
        "/index.html%00.txt".to_owned(),
        "/.env".to_owned(),
    ];
    for path in paths {
        let response = app.get(&path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!response.text().contains("secret"), "{path}");
    }
}

#[tokio::test]
async fn unknown_paths_get_a_small_plain_404() {
    let app = shop(&[]);
    let response = app.get("/finnes-ikke").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    let missing_dist = app.get("/dist/missing.wasm").await;
    assert_eq!(missing_dist.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn head_works_and_other_methods_are_refused() {
    let app = shop(&[]);
    let head = app
        .send(
            Request::head("/dist/privacy_widget_bg.wasm")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.header("content-type"), Some("application/wasm"));
    assert!(head.body.is_empty());
    let post = app
        .send(Request::post("/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
}
