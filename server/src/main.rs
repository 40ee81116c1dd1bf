//! `privacy-widget-server`: reads the environment, opens the database, binds the port,
//! prints the one start-up line tests wait for, and serves until SIGTERM or SIGINT.

use std::io::Write;
use std::process::ExitCode;

use privacy_widget_server::config::Config;
use privacy_widget_server::store::Database;
use privacy_widget_server::{serve, AppState};
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
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
