//! `privacy-widget check`: runs a shop's config (a JSON file, or the config element of an HTML
//! page) through the widget's own validator and prints the messages the browser console would.

mod page;

use page::{find_config, PageConfig};
use privacy_widget_core::config::{Config, ConfigError};
use privacy_widget_core::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
privacy-widget: checks a privacy-widget config before it reaches visitors

Usage:
  privacy-widget check [--json] [--root <dir>] <config.json | page.html>
  privacy-widget --help | --version

check         Validates the config with the widget's own rules and prints one message per
              mistake, exactly as the browser console would show them. For an HTML page it
              reads <script type=\"application/json\" id=\"privacy-widget-config\">: inline JSON,
              or the file named by its data-src, looked up relative to the page (a path
              starting with '/' is looked up under --root, by default the page's folder).
--json        One JSON object on stdout: {\"source\", \"valid\", \"problems\": [{\"field\", \"message\"}]}
              or, when nothing could be checked, {\"source\", \"error\"}.
--root <dir>  The folder the site is served from, for data-src paths starting with '/'.

Exit status: 0 the config is valid; 1 it has mistakes; 2 nothing could be checked (bad usage,
unreadable file, no config element in the page, data-src file not found).

The JSON Schema for editors is schema/privacy-widget-config.schema.json in the package.";

/// Why nothing could be checked: exit status 2.
#[derive(Debug)]
enum CheckError {
    Usage(String),
    Unreadable { path: PathBuf, reason: String },
    Page { path: PathBuf, message: String },
    ExternalMissing { page: PathBuf, url: String, looked_at: PathBuf },
    ExternalRemote { page: PathBuf, url: String },
}

impl CheckError {
    fn message(&self) -> String {
        match self {
            CheckError::Usage(problem) => format!("{problem}\nRun `privacy-widget --help` for usage."),
            CheckError::Unreadable { path, reason } => format!("cannot read {}: {reason}", path.display()),
            CheckError::Page { path, message } => format!("{}: {message}", path.display()),
            CheckError::ExternalMissing { page, url, looked_at } => format!(
                "{}: the config is loaded from data-src=\"{url}\", but {} does not exist; \
                 pass --root <the folder your site is served from>, or check the config file directly",
                page.display(),
                looked_at.display()
            ),
            CheckError::ExternalRemote { page, url } => format!(
                "{}: the config is loaded from data-src=\"{url}\", on another server; \
                 download it and check the file directly",
                page.display()
            ),
        }
    }
}

struct Options {
    json: bool,
    root: Option<PathBuf>,
    path: PathBuf,
}

enum Command {
    Help,
    Version,
    Check(Options),
}

fn parse_args(args: &[String]) -> Result<Command, CheckError> {
    let mut args = args.iter();
    match args.next().map(String::as_str) {
        None => Err(CheckError::Usage("missing command: privacy-widget check <config.json | page.html>".into())),
        Some("--help" | "-h" | "help") => Ok(Command::Help),
        Some("--version" | "-V") => Ok(Command::Version),
        Some("check") => {
            let (mut json, mut root, mut path) = (false, None, None);
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--json" => json = true,
                    "--root" => match args.next() {
                        Some(dir) => root = Some(PathBuf::from(dir)),
                        None => return Err(CheckError::Usage("--root needs a folder".into())),
                    },
                    "--help" | "-h" => return Ok(Command::Help),
                    other if other.starts_with('-') && other != "-" => {
                        return Err(CheckError::Usage(format!("unknown option {other}")))
                    }
                    other if path.is_none() => path = Some(PathBuf::from(other)),
                    other => return Err(CheckError::Usage(format!("one file at a time; {other} is one too many"))),
                }
            }
            let path =
                path.ok_or_else(|| CheckError::Usage("check needs a file: a config .json or an .html page".into()))?;
            Ok(Command::Check(Options { json, root, path }))
        }
        Some(other) => Err(CheckError::Usage(format!("unknown command {other}"))),
    }
}

/// The config text to check and a description of where it came from.
struct Source {
    describe: String,
    text: String,
    /// The line of the file on which `text` starts, to turn a JSON syntax error's byte offset
    /// into a line a shop developer can jump to.
    first_line: usize,
}

impl Source {
    /// The message for `error`, with the file line of a JSON syntax error.
    fn message(&self, error: &ConfigError) -> String {
        let mut message = error.message();
        if let ConfigError::Syntax(e) = error {
            let before = self.text.get(..e.offset).unwrap_or(&self.text);
            let line = self.first_line + before.matches('\n').count();
            message.push_str(&format!(" (line {line})"));
        }
        message
    }
}

fn read(path: &Path) -> Result<String, CheckError> {
    let bytes =
        std::fs::read(path).map_err(|e| CheckError::Unreadable { path: path.to_path_buf(), reason: e.to_string() })?;
    let text = String::from_utf8(bytes).map_err(|_| CheckError::Unreadable {
        path: path.to_path_buf(),
        reason: "not UTF-8 text (save it as UTF-8, which browsers expect for JSON)".into(),
    })?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
}

fn is_page(path: &Path, text: &str) -> bool {
    let html_extension = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    html_extension || text.trim_start().starts_with('<')
}

fn load(options: &Options) -> Result<Source, CheckError> {
    let path = &options.path;
    let text = read(path)?;
    if !is_page(path, &text) {
        return Ok(Source { describe: path.display().to_string(), text, first_line: 1 });
    }
    let found = find_config(&text).map_err(|e| CheckError::Page { path: path.clone(), message: e.message() })?;
    match found {
        PageConfig::Inline { json, line } => Ok(Source {
            describe: format!("{} (inline config, line {line})", path.display()),
            text: json,
            first_line: line,
        }),
        PageConfig::External(url) => {
            let lower = url.to_ascii_lowercase();
            if lower.starts_with("http://") || lower.starts_with("https://") || url.starts_with("//") {
                return Err(CheckError::ExternalRemote { page: path.clone(), url });
            }
            let file = url.split(['?', '#']).next().unwrap_or_default();
            let page_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let looked_at = match file.strip_prefix('/') {
                Some(from_root) => options.root.clone().unwrap_or(page_dir).join(from_root),
                None => page_dir.join(file),
            };
            if !looked_at.is_file() {
                return Err(CheckError::ExternalMissing { page: path.clone(), url, looked_at });
            }
            let text = read(&looked_at)?;
            Ok(Source {
                describe: format!("{} (data-src=\"{url}\" of {})", looked_at.display(), path.display()),
                text,
                first_line: 1,
            })
        }
    }
}

fn field(error: &ConfigError) -> Option<&str> {
    match error {
        ConfigError::Syntax(_) => None,
        ConfigError::Missing { field, .. } | ConfigError::Invalid { field, .. } | ConfigError::Unknown { field } => {
            Some(field)
        }
    }
}

fn json_report(source: &Source, problems: &[ConfigError]) -> String {
    let mut out = String::from("{\"source\":");
    json::write_string(&mut out, &source.describe);
    out.push_str(if problems.is_empty() { ",\"valid\":true" } else { ",\"valid\":false" });
    out.push_str(",\"problems\":[");
    for (i, problem) in problems.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"field\":");
        match field(problem) {
            Some(f) => json::write_string(&mut out, f),
            None => out.push_str("null"),
        }
        out.push_str(",\"message\":");
        json::write_string(&mut out, &source.message(problem));
        out.push('}');
    }
    out.push_str("]}");
    out
}

fn summary(config: &Config) -> String {
    let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let services = config.categories.iter().map(|c| c.services.len()).sum();
    format!(
        "valid: {}, {}, revision {}",
        count(config.categories.len(), "category", "categories"),
        count(services, "service", "services"),
        config.revision
    )
}

fn check(options: &Options) -> ExitCode {
    let source = match load(options) {
        Ok(source) => source,
        Err(e) => {
            if options.json {
                let mut out = String::from("{\"source\":");
                json::write_string(&mut out, &options.path.display().to_string());
                out.push_str(",\"error\":");
                json::write_string(&mut out, &e.message());
                out.push('}');
                println!("{out}");
            } else {
                eprintln!("privacy-widget: {}", e.message());
            }
            return ExitCode::from(2);
        }
    };
    let result = Config::parse(&source.text);
    if options.json {
        println!("{}", json_report(&source, result.as_ref().err().map_or(&[], Vec::as_slice)));
    } else {
        match &result {
            Ok(config) => println!("{}: {}", source.describe, summary(config)),
            Err(problems) => {
                println!("{}:", source.describe);
                for problem in problems {
                    println!("  {}", source.message(problem));
                }
                let n = problems.len();
                println!("{n} {}", if n == 1 { "problem" } else { "problems" });
            }
        }
    }
    ExitCode::from(if result.is_ok() { 0 } else { 1 })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&args) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("privacy-widget {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Check(options)) => check(&options),
        Err(e) => {
            eprintln!("privacy-widget: {}", e.message());
            ExitCode::from(2)
        }
    }
}
