//! The demo shop: files from `WWW_DIR`, served by hand to keep control of every header.
//! HTML gets a strict Content-Security-Policy (except the test pages under `fixtures/`)
//! and the CSRF token in place of `__CSRF_TOKEN__`.

use std::path::{Path, PathBuf};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::state::AppState;

/// The CSP every page of the shop runs under: the widget must work with it.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self' mailto:; require-trusted-types-for 'script'";

/// Replaced in HTML by the configured `CSRF_TOKEN` (empty when unset).
pub const CSRF_PLACEHOLDER: &str = "__CSRF_TOKEN__";

/// Test pages that need inline scripts, and so are served without CSP.
const FIXTURES_FOLDER: &str = "fixtures";

/// Fallback handler: every request that is not an API route.
pub async fn serve_static(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    let Some(segments) = safe_segments(uri.path()) else {
        return not_found();
    };
    let Some(file) = find_file(&state.config.www_dir, &segments).await else {
        return not_found();
    };
    // 405 only where something exists; elsewhere (e.g. `/__faults` while disabled) 404.
    if method != Method::GET && method != Method::HEAD {
        let mut response =
            plain_response(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    match tokio::fs::read(&file).await {
        Ok(contents) => {
            let is_fixture = segments.first().map(String::as_str) == Some(FIXTURES_FOLDER);
            file_response(&state, &file, contents, is_fixture)
        }
        Err(error) => {
            eprintln!(
                "privacy-widget server: cannot read {}: {error}",
                file.display()
            );
            plain_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "500 Internal Server Error\n",
            )
        }
    }
}

/// The first candidate that is a regular file.
async fn find_file(www_dir: &Path, segments: &[String]) -> Option<PathBuf> {
    for candidate in candidates(www_dir, segments) {
        let is_file = tokio::fs::metadata(&candidate)
            .await
            .is_ok_and(|metadata| metadata.is_file());
        if is_file {
            return Some(candidate);
        }
    }
    None
}

/// Splits a request path into decoded segments, or `None` for anything that could leave
/// `WWW_DIR` or reach hidden files: `..`, `.`-prefixed names, backslashes, NUL, empty
/// segments (`//`, which could make an absolute path), invalid percent-encoding.
/// A trailing slash yields a final empty segment, meaning "the folder's index".
fn safe_segments(path: &str) -> Option<Vec<String>> {
    let relative = path.strip_prefix('/')?;
    let segments: Vec<&str> = relative.split('/').collect();
    let last = segments.len() - 1;
    segments
        .iter()
        .enumerate()
        .map(|(index, raw)| {
            let segment = percent_decode(raw)?;
            let unsafe_segment = segment.starts_with('.')
                || segment.contains(['\\', '\0', '/'])
                || (segment.is_empty() && index != last);
            (!unsafe_segment).then_some(segment)
        })
        .collect()
}

fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = raw.get(index + 1..index + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// Files to try, in order: `/` and `/dir/` → `index.html`; `/name.ext` → itself;
/// `/name` → `name.html`, then `name/index.html`.
fn candidates(www_dir: &Path, segments: &[String]) -> Vec<PathBuf> {
    let (last, folders) = segments
        .split_last()
        .expect("a path has at least one segment");
    let folder = folders
        .iter()
        .fold(www_dir.to_path_buf(), |path, segment| path.join(segment));
    if last.is_empty() {
        vec![folder.join("index.html")]
    } else if last.contains('.') {
        vec![folder.join(last)]
    } else {
        vec![
            folder.join(format!("{last}.html")),
            folder.join(last).join("index.html"),
        ]
    }
}

fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        // Required for WebAssembly.instantiateStreaming.
        Some("wasm") => "application/wasm",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn file_response(state: &AppState, path: &Path, contents: Vec<u8>, is_fixture: bool) -> Response {
    let content_type = content_type(path);
    let is_html = content_type.starts_with("text/html");
    let body = if is_html {
        with_csrf_token(
            contents,
            state
                .config
                .csrf_token
                .as_ref()
                .map_or("", |token| token.expose()),
        )
    } else {
        contents
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    common_headers(headers);
    if is_html && !is_fixture {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    response
}

/// Puts the token into the page, HTML-escaped because it lands in an attribute value.
/// A page that is not UTF-8 is served unchanged.
fn with_csrf_token(contents: Vec<u8>, token: &str) -> Vec<u8> {
    match String::from_utf8(contents) {
        Ok(html) if html.contains(CSRF_PLACEHOLDER) => html
            .replace(CSRF_PLACEHOLDER, &escape_html(token))
            .into_bytes(),
        Ok(html) => html.into_bytes(),
        Err(error) => error.into_bytes(),
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

fn common_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A demo: edits to www/ must show on the next reload.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
}

fn plain_response(status: StatusCode, text: &'static str) -> Response {
    let mut response = (status, text).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    common_headers(headers);
    response
}

fn not_found() -> Response {
    plain_response(StatusCode::NOT_FOUND, "404 Not Found\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_hidden_paths_are_refused() {
        for path in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "/.git/config",
            "//etc/passwd",
            "/a\\b",
            "/a%5cb",
            "/a%00b",
            "/%zz",
            "/%ff",
        ] {
            assert_eq!(safe_segments(path), None, "{path}");
        }
    }

    #[test]
    fn paths_map_to_candidate_files() {
        let www = Path::new("/www");
        let resolve = |path: &str| candidates(www, &safe_segments(path).unwrap());
        assert_eq!(resolve("/"), vec![PathBuf::from("/www/index.html")]);
        assert_eq!(
            resolve("/dist/w.wasm"),
            vec![PathBuf::from("/www/dist/w.wasm")]
        );
        assert_eq!(
            resolve("/personopplysninger"),
            vec![
                PathBuf::from("/www/personopplysninger.html"),
                PathBuf::from("/www/personopplysninger/index.html")
            ]
        );
        assert_eq!(
            resolve("/fixtures/"),
            vec![PathBuf::from("/www/fixtures/index.html")]
        );
        assert_eq!(resolve("/a%20b.txt"), vec![PathBuf::from("/www/a b.txt")]);
    }

    #[test]
    fn csrf_token_is_escaped_for_attributes() {
        let html = br#"<meta name="csrf-token" content="__CSRF_TOKEN__">"#.to_vec();
        assert_eq!(
            with_csrf_token(html, r#"a"b<c"#),
            br#"<meta name="csrf-token" content="a&quot;b&lt;c">"#.to_vec()
        );
    }
}
