//! `privacy-widget-server`: reads the environment, opens the database, binds the port,
//! prints the one start-up line tests wait for, and serves until SIGTERM or SIGINT.
//! `privacy-widget-server hash-password` instead reads a password from standard input and
//! prints its Argon2 hash for `ADMIN_PASSWORD_HASH`.

use std::io::Write;
use std::process::ExitCode;

use privacy_widget_server::config::Config;
use privacy_widget_server::store::Database;
use privacy_widget_server::{serve, AppState};
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

/// Shorter passwords are refused by `hash-password`: the sign-in limits slow guessing down,
/// they do not make a short password safe.
const MIN_PASSWORD_CHARS: usize = 12;

#[tokio::main]
async fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match arguments.as_slice() {
        [] => run().await,
        [command] if command == "hash-password" => print_password_hash(),
        _ => Err(format!(
            "unknown arguments {arguments:?}; expected none (serve) or `hash-password` (reads a password from standard input, prints ADMIN_PASSWORD_HASH)"
        )),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("privacy-widget server: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let mut config = Config::from_env().map_err(|error| error.to_string())?;
    let database = Database::open_with(&config.database, config.database_synchronous)
        .map_err(|error| error.to_string())?;
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .await
        .map_err(|error| format!("cannot listen on {}:{}: {error}", config.host, config.port))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot read the bound address: {error}"))?;

    if config.base_url.is_none() {
        // Links in mails must carry the port actually bound (PORT=0 in tests).
        config.base_url = Some(format!("http://{address}"));
    }

    // The only stdout line: scripts and tests parse it for the port when PORT=0.
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "privacy-widget server listening on http://{address}/"
    )
    .and_then(|()| stdout.flush())
    .map_err(|error| format!("cannot write to stdout: {error}"))?;
    drop(stdout);

    serve(
        listener,
        AppState::new(config, database),
        shutdown_requested(),
    )
    .await
    .map_err(|error| format!("server failed: {error}"))
}

/// The password is read from standard input, not taken as an argument, so it stays out of
/// the shell history and the process list.
fn print_password_hash() -> Result<(), String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|error| format!("cannot read the password from standard input: {error}"))?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "hash-password: the password has {} characters; expected at least {MIN_PASSWORD_CHARS}",
            password.chars().count()
        ));
    }
    let hash = privacy_widget_server::domain::admin_sessions::hash_password(password)?;
    println!("{hash}");
    Ok(())
}

/// Completes on SIGTERM (service managers, CI) or SIGINT (Ctrl-C).
async fn shutdown_requested() {
    let terminate = async {
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                eprintln!(
                    "privacy-widget server: cannot watch SIGTERM ({error}); stop it with Ctrl-C"
                );
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
