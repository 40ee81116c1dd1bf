//! Periodic clean-up, run at start-up and every few minutes by [`Housekeeping::run`]:
//! unconfirmed newsletter addresses past their time, old outgoing mail, consent events past
//! their retention, empty rate-limit windows, and the operator pages' expired sessions and
//! aged-out failed sign-ins.

use std::sync::Arc;
use std::time::Duration;

use super::newsletter::{self, NewsletterSettings, PurgeReport};
use super::rate_limit::RateLimiter;
use super::retention::{self, RetentionReport};
use crate::clock::Clock;
use crate::error::ApiError;
use crate::store::Database;

/// Time between two clean-ups.
pub const INTERVAL: Duration = Duration::from_secs(5 * 60);

/// What one clean-up removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub newsletter: PurgeReport,
    pub mails: usize,
    pub consent: RetentionReport,
    pub admin_sessions: usize,
    pub sign_in_failures: usize,
}

/// What the clean-up works on.
pub struct Housekeeping {
    pub database: Database,
    pub clock: Arc<dyn Clock>,
    pub newsletter: NewsletterSettings,
    pub mailbox_retention: Duration,
    pub consent_retention: Duration,
    pub rate_limiter: Arc<RateLimiter>,
    /// The longer window of the sign-in limits; `None` when the operator pages are off.
    pub sign_in_window: Option<Duration>,
}

impl Housekeeping {
    /// One clean-up pass.
    pub async fn run_once(&self) -> Result<Report, ApiError> {
        let now = self.clock.now();
        let newsletter = newsletter::purge_expired(&self.database, now, &self.newsletter).await?;
        let cutoff = now.minus(self.mailbox_retention);
        let mails = self
            .database
            .call(move |transaction| Ok::<_, ApiError>(transaction.delete_mail_before(cutoff)?))
            .await?;
        let consent =
            retention::purge_consent_events(&self.database, now, self.consent_retention).await?;
        self.rate_limiter.prune(now);
        let (admin_sessions, sign_in_failures) = match self.sign_in_window {
            None => (0, 0),
            Some(window) => {
                self.database
                    .call(move |transaction| {
                        Ok::<_, ApiError>((
                            transaction.delete_admin_sessions_expired(now)?,
                            transaction.delete_sign_in_failures_before(now.minus(window))?,
                        ))
                    })
                    .await?
            }
        };
        Ok(Report {
            newsletter,
            mails,
            consent,
            admin_sessions,
            sign_in_failures,
        })
    }

    /// Cleans up now and then every [`INTERVAL`], until the task is aborted.
    pub async fn run(self) {
        loop {
            if let Err(error) = self.run_once().await {
                eprintln!("privacy-widget server: housekeeping failed: {error:?}");
            }
            tokio::time::sleep(INTERVAL).await;
        }
    }
}
