//! What every handler can reach: configuration, database, clock, rate limits, mailer.

use std::sync::Arc;

use super::fault_plan::FaultInjector;
use crate::clock::{Clock, OffsetClock, SystemClock};
use crate::config::Config;
use crate::domain::housekeeping::Housekeeping;
use crate::domain::mail::Mailer;
use crate::domain::newsletter::NewsletterSettings;
use crate::domain::rate_limit::{MailLimits, RateLimiter};
use crate::store::Database;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub database: Database,
    pub faults: Arc<FaultInjector>,
    /// "Now" for tokens, purges, references and rate limits; a `ManualClock` in tests.
    pub clock: Arc<dyn Clock>,
    pub rate_limiter: Arc<RateLimiter>,
    pub mailer: Arc<Mailer>,
    /// With `PW_FAULTS=1` the clock is the wall clock moved by an offset `POST /__clock`
    /// sets (end-to-end tests of deadlines); this is that clock.
    pub test_clock: Option<Arc<OffsetClock>>,
}

impl AppState {
    pub fn new(config: Config, database: Database) -> Self {
        if !config.faults_enabled {
            return Self::with_clock(config, database, Arc::new(SystemClock));
        }
        let test_clock = Arc::new(OffsetClock::default());
        AppState {
            test_clock: Some(Arc::clone(&test_clock)),
            ..Self::with_clock(config, database, test_clock)
        }
    }

    pub fn with_clock(config: Config, database: Database, clock: Arc<dyn Clock>) -> Self {
        AppState {
            mailer: Arc::new(Mailer::new(&config)),
            config: Arc::new(config),
            database,
            faults: Arc::new(FaultInjector::default()),
            clock,
            rate_limiter: Arc::new(RateLimiter::default()),
            test_clock: None,
        }
    }

    /// The budgets of a request that mails whatever address was typed.
    pub fn mail_limits(&self) -> MailLimits {
        MailLimits {
            clock: Arc::clone(&self.clock),
            limiter: Arc::clone(&self.rate_limiter),
            per_client: self.config.rate_limit_per_ip,
            per_address: self.config.rate_limit_per_address,
        }
    }

    /// What the newsletter's steps need besides the database.
    pub fn newsletter_settings(&self) -> NewsletterSettings {
        NewsletterSettings {
            mailer: Arc::clone(&self.mailer),
            base_url: self.config.base_url(),
            token_ttl: self.config.newsletter_token_ttl,
            pending_ttl: self.config.newsletter_pending_ttl,
        }
    }

    /// The periodic clean-up, over this app's database and clock.
    pub fn housekeeping(&self) -> Housekeeping {
        Housekeeping {
            database: self.database.clone(),
            clock: Arc::clone(&self.clock),
            newsletter: self.newsletter_settings(),
            mailbox_retention: self.config.mailbox_retention,
            consent_retention: self.config.consent_retention,
            rate_limiter: Arc::clone(&self.rate_limiter),
            sign_in_window: self.config.admin_pages.as_ref().map(|pages| {
                pages
                    .sign_in_limit_per_ip
                    .window
                    .max(pages.sign_in_limit_per_account.window)
            }),
        }
    }
}
