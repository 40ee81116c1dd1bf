//! Periodic clean-up, run at start-up and every few minutes by [`run`]: unconfirmed
//! newsletter addresses past their time, old outgoing mail, and empty rate-limit windows.

use std::time::Duration;

use crate::error::ApiError;
use crate::mail::delete_mail_before;
use crate::newsletter::{self, PurgeReport};
use crate::AppState;

/// Time between two clean-ups.
pub const INTERVAL: Duration = Duration::from_secs(5 * 60);

/// What one clean-up removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub newsletter: PurgeReport,
    pub mails: usize,
}

/// One clean-up pass.
pub async fn run_once(state: &AppState) -> Result<Report, ApiError> {
    let newsletter = newsletter::purge_expired(state).await?;
    let now = state.clock.now();
    let cutoff = now.minus(state.config.mailbox_retention);
    let mails = state
        .database
        .call(move |connection| Ok(delete_mail_before(connection, cutoff)?))
        .await?;
    state.rate_limiter.prune(now);
    Ok(Report { newsletter, mails })
}

/// Cleans up now and then every [`INTERVAL`], until the task is aborted.
pub async fn run(state: AppState) {
    loop {
        if let Err(error) = run_once(&state).await {
            eprintln!("privacy-widget server: housekeeping failed: {error:?}");
        }
        tokio::time::sleep(INTERVAL).await;
    }
}
