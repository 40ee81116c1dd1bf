//! privacy-widget-prerender: writes the privacy statement into a shop's statement page as plain
//! HTML, so it reads, prints and links without JavaScript or WebAssembly. One module per page
//! kind (`statement_page`); `splice` fills the marked region of the shop's own template.
//!
//! `privacy-widget-prerender --config CONFIG --statements DIR PAGE`: fills PAGE (bokmål) in
//! place and writes the other languages next to it, `PAGE-without-.html/nn.html` and `…/en.html`,
//! the addresses `privacyPolicyUrl/nn` and `/en` link to.

mod splice;
mod statement_page;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use privacy_widget_core::config::Config;
use privacy_widget_core::lang::Lang;
use privacy_widget_core::statement::Statement;

const USAGE: &str = "usage: privacy-widget-prerender --config widget-config.json --statements www/statement www/personopplysninger.html";

struct Args {
    config: PathBuf,
    statements: PathBuf,
    page: PathBuf,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut config, mut statements, mut page) = (None, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" => config = args.next().map(PathBuf::from),
            "--statements" => statements = args.next().map(PathBuf::from),
            "--help" | "-h" => return Err(USAGE.to_owned()),
            _ if page.is_none() && !arg.starts_with('-') => page = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg:?}\n{USAGE}")),
        }
    }
    match (config, statements, page) {
        (Some(config), Some(statements), Some(page)) => Ok(Args { config, statements, page }),
        _ => Err(USAGE.to_owned()),
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: cannot create: {e}", parent.display()))?;
    }
    // Unchanged pages are not rewritten, so a build leaves their modification time alone.
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

/// Where the page in `lang` goes: the page itself for bokmål, else `<page stem>/<lang>.html`.
fn page_for(page: &Path, lang: Lang) -> PathBuf {
    match lang {
        Lang::Nb => page.to_path_buf(),
        _ => page.with_extension("").join(format!("{}.html", lang.tag())),
    }
}

fn run(args: &Args) -> Result<(), String> {
    let config = Config::parse(&read(&args.config)?).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message()).collect();
        format!("{}: {}", args.config.display(), messages.join("; "))
    })?;
    let template = read(&args.page)?;
    for lang in Lang::ALL {
        let file = args.statements.join(format!("{}.json", lang.tag()));
        let statement = Statement::parse(&read(&file)?).map_err(|e| format!("{}: {e}", file.display()))?;
        let article = statement_page::html(&config, &statement, lang);
        let page = splice::fill(&splice::set_html_lang(&template, lang.tag()), statement_page::REGION, &article)
            .map_err(|e| format!("{}: {e}", args.page.display()))?;
        write(&page_for(&args.page, lang), &page)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let result = parse_args(std::env::args().skip(1)).and_then(|args| run(&args));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("privacy-widget-prerender: {message}");
            ExitCode::FAILURE
        }
    }
}
