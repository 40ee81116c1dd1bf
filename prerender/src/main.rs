//! privacy-widget-prerender: writes the privacy statement into a shop's statement page (and the
//! cookie declaration into its declaration page) as plain HTML, so they read, print and link
//! without JavaScript or WebAssembly. One module per page kind (`statement_page`,
//! `declaration_page`); `splice` fills the marked region of the shop's own template.
//!
//! `privacy-widget-prerender --config CONFIG --statements DIR [--forms-page OTHER]… PAGE
//! [--declaration PAGE --declaration-url /path [--audit report.json]]`: fills PAGE (bokmål) in
//! place and writes the other languages next to it, `PAGE-without-.html/nn.html` and `…/en.html`,
//! the addresses `privacyPolicyUrl/nn` and `/en` (and the declaration's `/path/nn`, `/path/en`)
//! link to. The plain forms go into the form regions of PAGE and of each OTHER page (filled in
//! place, in its `<html lang>`).

mod declaration_page;
mod form_regions;
mod splice;
mod statement_page;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use privacy_widget_core::config::Config;
use privacy_widget_core::declaration::AuditSummary;
use privacy_widget_core::lang::Lang;
use privacy_widget_core::statement::Statement;

const USAGE: &str = "usage: privacy-widget-prerender --config widget-config.json --statements www/statement [--forms-page www/index.html]... www/personopplysninger.html [--declaration www/informasjonskapsler.html --declaration-url /informasjonskapsler [--audit www/cookie-audit.json]]";

struct Args {
    config: PathBuf,
    statements: PathBuf,
    /// Pages that carry only forms (the shop's footer newsletter signup on every page).
    forms_pages: Vec<PathBuf>,
    page: PathBuf,
    declaration: Option<Declaration>,
}

/// The declaration page, its address and the audit report it cites.
struct Declaration {
    page: PathBuf,
    address: String,
    audit: Option<PathBuf>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut config, mut statements, mut page) = (None, None, None);
    let mut forms_pages = Vec::new();
    let (mut declaration, mut address, mut audit) = (None, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" => config = args.next().map(PathBuf::from),
            "--statements" => statements = args.next().map(PathBuf::from),
            "--forms-page" => forms_pages.extend(args.next().map(PathBuf::from)),
            "--declaration" => declaration = args.next().map(PathBuf::from),
            "--declaration-url" => address = args.next().filter(|a| a.starts_with('/')),
            "--audit" => audit = args.next().map(PathBuf::from),
            "--help" | "-h" => return Err(USAGE.to_owned()),
            _ if page.is_none() && !arg.starts_with('-') => page = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg:?}\n{USAGE}")),
        }
    }
    let declaration = match (declaration, address, audit) {
        (None, None, None) => None,
        (Some(page), Some(address), audit) => Some(Declaration { page, address, audit }),
        _ => return Err(format!("--declaration needs --declaration-url /path (and --audit only with both)\n{USAGE}")),
    };
    match (config, statements, page) {
        (Some(config), Some(statements), Some(page)) => Ok(Args { config, statements, forms_pages, page, declaration }),
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
        let in_page = |e: splice::SpliceError| format!("{}: {e}", args.page.display());
        let page = statement_page::fill(&template, &config, &statement, lang).map_err(in_page)?;
        let (page, _) = form_regions::fill(&page, &config, lang).map_err(in_page)?;
        write(&page_for(&args.page, lang), &page)?;
    }
    for path in &args.forms_pages {
        let page = read(path)?;
        let lang = splice::html_lang(&page).and_then(Lang::from_tag).unwrap_or(Lang::Nb);
        let (filled, regions) =
            form_regions::fill(&page, &config, lang).map_err(|e| format!("{}: {e}", path.display()))?;
        if regions == 0 {
            return Err(format!(
                "{}: no form region; mark where a form belongs with <!-- privacy-widget:{} --><!-- /privacy-widget:{} --> (or {} / {})",
                path.display(),
                form_regions::NEWSLETTER,
                form_regions::NEWSLETTER,
                form_regions::UNSUBSCRIBE,
                form_regions::RIGHTS
            ));
        }
        write(path, &filled)?;
    }
    if let Some(declaration) = &args.declaration {
        let audit = match &declaration.audit {
            Some(file) => {
                Some(AuditSummary::parse(&read(file)?).map_err(|e| format!("{}: {}", file.display(), e.message()))?)
            }
            None => None,
        };
        let template = read(&declaration.page)?;
        for lang in Lang::ALL {
            let page = declaration_page::fill(&template, &config, audit.as_ref(), lang, &declaration.address)
                .map_err(|e| format!("{}: {e}", declaration.page.display()))?;
            write(&page_for(&declaration.page, lang), &page)?;
        }
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
