//! Runtime configuration, read once from the environment at start-up.
//! Every variable is checked here, so a typo stops the server with a message instead of
//! silently falling back to a default.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use sha2::{Digest, Sha256};

use crate::domain::rate_limit::RateLimit;
use crate::domain::retention::DEFAULT_CONSENT_RETENTION_DAYS;
use crate::store::sqlite::Synchronous;
use crate::store::{DatabaseLocation, DatabaseUrl};

/// File name of the SQLite database inside `DATA_DIR`.
pub const DATABASE_FILE_NAME: &str = "privacy-widget.sqlite3";

/// Everything the server needs to know about its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `HOST`: interface to bind (a name or an IP address).
    pub host: String,
    /// `PORT`: TCP port; 0 lets the operating system pick a free one.
    pub port: u16,
    /// `DATABASE_URL=postgres://…`, else `DATABASE_PATH`, else
    /// `DATA_DIR/privacy-widget.sqlite3`.
    pub database: DatabaseLocation,
    /// `DATABASE_SYNCHRONOUS`: `full` (default) or `normal`.
    pub database_synchronous: Synchronous,
    /// `WWW_DIR`: the demo shop served as static files.
    pub www_dir: PathBuf,
    /// `ADMIN_TOKEN`: bearer token of the admin endpoints; `None` disables them.
    pub admin_token: Option<Secret>,
    /// `CSRF_TOKEN`: when set, every API POST must carry it.
    pub csrf_token: Option<Secret>,
    /// `CORS_ALLOW_ORIGINS`: exact origins allowed to call the API cross-origin.
    pub cors_allow_origins: Vec<String>,
    /// `PW_FAULTS=1`: enables the test-only fault-injection endpoint.
    pub faults_enabled: bool,
    /// `BASE_URL`: how links in mails start (no trailing slash). `None` means
    /// `http://HOST:PORT`, with the bound port filled in by `main` when `PORT=0`.
    pub base_url: Option<String>,
    /// `DEMO_MAILBOX=1`: serves the outgoing mails as a page at `/demo/mailbox`.
    pub demo_mailbox: bool,
    /// `SMTP_URL`: when set, mails are also sent through this SMTP server.
    pub smtp_url: Option<Secret>,
    /// `MAIL_FROM`: the sender of every mail.
    pub mail_from: Mailbox,
    /// `NEWSLETTER_TOKEN_TTL_HOURS`: how long a confirmation link works.
    pub newsletter_token_ttl: Duration,
    /// `NEWSLETTER_PENDING_TTL_HOURS`: how long an unconfirmed address is kept.
    pub newsletter_pending_ttl: Duration,
    /// `MAILBOX_RETENTION_HOURS`: how long the outgoing-mail table keeps a mail.
    pub mailbox_retention: Duration,
    /// `CONSENT_RETENTION_DAYS`: how long consent events are kept (the latest event of a
    /// consent that still holds stays longer).
    pub consent_retention: Duration,
    /// `RATE_LIMIT_PER_ADDRESS`: mail-sending requests per e-mail address.
    pub rate_limit_per_address: RateLimit,
    /// `RATE_LIMIT_PER_IP`: mail-sending requests per client IP (IPv6: per /64).
    pub rate_limit_per_ip: RateLimit,
    /// `TRUST_PROXY=1`: take the client IP from the last `X-Forwarded-For` entry.
    pub trust_proxy: bool,
    /// The operator pages under `/admin`; `None` (no `ADMIN_PASSWORD_HASH`) disables them.
    pub admin_pages: Option<AdminPagesConfig>,
}

/// Settings of the operator pages.
#[derive(Debug, Clone)]
pub struct AdminPagesConfig {
    /// `ADMIN_PASSWORD_HASH`: the operator's password as an Argon2 PHC string
    /// (`privacy-widget-server hash-password` makes one); the password itself is never configured.
    pub password_hash: Secret,
    /// `ADMIN_USER`: the account name asked for at sign-in and recorded with status changes.
    pub user: String,
    /// `ADMIN_SESSION_HOURS`: how long a sign-in lasts.
    pub session_ttl: Duration,
    /// `ADMIN_SIGN_IN_LIMIT_PER_IP`: failed sign-ins per client address (IPv6: per /64).
    pub sign_in_limit_per_ip: RateLimit,
    /// `ADMIN_SIGN_IN_LIMIT_PER_ACCOUNT`: failed sign-ins per account name, from anywhere.
    pub sign_in_limit_per_account: RateLimit,
    /// Whether the session cookie is `Secure` whatever the request says: `BASE_URL` starts
    /// with `https://` (else only requests a trusted proxy marks `X-Forwarded-Proto: https`).
    pub always_secure: bool,
}

/// Sender of the shop's mails unless `MAIL_FROM` says otherwise: the contact address of
/// the demo statement.
pub const DEFAULT_MAIL_FROM: &str = "Serviteur AS <post@serviteur.no>";

/// A configured token. Compared in constant time and never printed, so neither timing
/// nor a debug log reveals it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The token itself, for the one place that must hand it out: the HTML page's
    /// `<meta name="csrf-token">`.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares digests rather than the strings, so the time taken reveals neither the
    /// position of the first wrong byte nor the token's length.
    pub fn matches(&self, candidate: &str) -> bool {
        let expected = Sha256::digest(self.0.as_bytes());
        let found = Sha256::digest(candidate.as_bytes());
        expected
            .iter()
            .zip(found.iter())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// A variable that is set but cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup`, so tests can configure a server without touching
    /// the (process-global) environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        // An empty variable counts as unset: `ADMIN_TOKEN=` must not mean "the empty token".
        let read = |name: &str| lookup(name).filter(|value| !value.is_empty());

        let port = match read("PORT") {
            None => 8080,
            Some(raw) => raw.parse::<u16>().map_err(|_| ConfigError {
                variable: "PORT",
                message: format!(
                    "found {raw:?}; expected a port number from 0 to 65535 (0 picks a free port)"
                ),
            })?,
        };

        let database_url = match read("DATABASE_URL") {
            None => None,
            Some(url) => Some(DatabaseUrl::parse(&url).ok_or_else(|| ConfigError {
                variable: "DATABASE_URL",
                message: "expected a PostgreSQL connection string starting with postgres:// or postgresql:// (leave it unset for the embedded SQLite file)".to_owned(),
            })?),
        };
        let database = match (database_url, read("DATABASE_PATH")) {
            (Some(url), _) => DatabaseLocation::Postgres(url),
            (None, Some(path)) if path == ":memory:" => DatabaseLocation::InMemory,
            (None, Some(path)) => DatabaseLocation::File(PathBuf::from(path)),
            (None, None) => {
                let data_dir = read("DATA_DIR").unwrap_or_else(|| "data".to_owned());
                DatabaseLocation::File(PathBuf::from(data_dir).join(DATABASE_FILE_NAME))
            }
        };

        let database_synchronous = match read("DATABASE_SYNCHRONOUS").as_deref() {
            None | Some("full") => Synchronous::Full,
            Some("normal") => Synchronous::Normal,
            Some(other) => {
                return Err(ConfigError {
                    variable: "DATABASE_SYNCHRONOUS",
                    message: format!(
                        "found {other:?}; expected full (every commit reaches the disk) or normal (faster; a power cut may lose the last commits)"
                    ),
                })
            }
        };

        let cors_allow_origins = match read("CORS_ALLOW_ORIGINS") {
            None => Vec::new(),
            Some(list) => parse_origins(&list)?,
        };

        let faults_enabled = flag(read("PW_FAULTS"), "PW_FAULTS", "enable fault injection")?;
        let demo_mailbox = flag(
            read("DEMO_MAILBOX"),
            "DEMO_MAILBOX",
            "serve the demo mailbox page",
        )?;
        let trust_proxy = flag(
            read("TRUST_PROXY"),
            "TRUST_PROXY",
            "trust X-Forwarded-For from a reverse proxy",
        )?;

        let base_url = read("BASE_URL").map(parse_base_url).transpose()?;
        let smtp_url = read("SMTP_URL").map(parse_smtp_url).transpose()?;
        let mail_from_text = read("MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned());
        let mail_from = mail_from_text.parse::<Mailbox>().map_err(|error| ConfigError {
            variable: "MAIL_FROM",
            message: format!(
                "found {mail_from_text:?} ({error}); expected an address like \"Serviteur AS <post@serviteur.no>\""
            ),
        })?;

        let hours = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            match read(name) {
                None => Ok(Duration::from_secs(default * 3600)),
                Some(raw) => match raw.parse::<u64>() {
                    Ok(hours @ 1..=87_600) => Ok(Duration::from_secs(hours * 3600)),
                    _ => Err(ConfigError {
                        variable: name,
                        message: format!(
                            "found {raw:?}; expected a whole number of hours from 1 to 87600"
                        ),
                    }),
                },
            }
        };
        let consent_retention = match read("CONSENT_RETENTION_DAYS") {
            None => DEFAULT_CONSENT_RETENTION_DAYS,
            Some(raw) => match raw.parse::<u64>() {
                Ok(days @ 1..=36_500) => days,
                _ => {
                    return Err(ConfigError {
                        variable: "CONSENT_RETENTION_DAYS",
                        message: format!(
                            "found {raw:?}; expected a whole number of days from 1 to 36500 (the privacy statement must name the same period)"
                        ),
                    })
                }
            },
        };
        let rate_limit = |name: &'static str, default: &str| -> Result<RateLimit, ConfigError> {
            read(name)
                .as_deref()
                .unwrap_or(default)
                .parse::<RateLimit>()
                .map_err(|message| ConfigError {
                    variable: name,
                    message,
                })
        };

        let admin_pages = match read("ADMIN_PASSWORD_HASH") {
            None => None,
            Some(hash) => Some(AdminPagesConfig {
                password_hash: parse_password_hash(hash)?,
                user: read("ADMIN_USER").unwrap_or_else(|| "admin".to_owned()),
                session_ttl: hours("ADMIN_SESSION_HOURS", 8)?,
                sign_in_limit_per_ip: rate_limit("ADMIN_SIGN_IN_LIMIT_PER_IP", "5/900")?,
                sign_in_limit_per_account: rate_limit("ADMIN_SIGN_IN_LIMIT_PER_ACCOUNT", "20/900")?,
                always_secure: base_url
                    .as_deref()
                    .is_some_and(|url| url.starts_with("https://")),
            }),
        };

        Ok(Config {
            host: read("HOST").unwrap_or_else(|| "127.0.0.1".to_owned()),
            port,
            database,
            database_synchronous,
            www_dir: PathBuf::from(read("WWW_DIR").unwrap_or_else(|| "www".to_owned())),
            admin_token: read("ADMIN_TOKEN").map(Secret::new),
            csrf_token: read("CSRF_TOKEN").map(Secret::new),
            cors_allow_origins,
            faults_enabled,
            base_url,
            demo_mailbox,
            smtp_url,
            mail_from,
            newsletter_token_ttl: hours("NEWSLETTER_TOKEN_TTL_HOURS", 48)?,
            newsletter_pending_ttl: hours("NEWSLETTER_PENDING_TTL_HOURS", 48)?,
            mailbox_retention: hours("MAILBOX_RETENTION_HOURS", 168)?,
            consent_retention: Duration::from_secs(consent_retention * 86_400),
            rate_limit_per_address: rate_limit("RATE_LIMIT_PER_ADDRESS", "5/3600")?,
            rate_limit_per_ip: rate_limit("RATE_LIMIT_PER_IP", "20/600")?,
            trust_proxy,
            admin_pages,
        })
    }

    /// The start of every link in a mail, without a trailing slash.
    pub fn base_url(&self) -> String {
        match &self.base_url {
            Some(url) => url.clone(),
            None if self.host.contains(':') => format!("http://[{}]:{}", self.host, self.port),
            None => format!("http://{}:{}", self.host, self.port),
        }
    }
}

/// `1` or `0` (unset means `0`).
fn flag(value: Option<String>, variable: &'static str, meaning: &str) -> Result<bool, ConfigError> {
    match value.as_deref() {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(ConfigError {
            variable,
            message: format!("found {other:?}; expected 1 ({meaning}) or 0"),
        }),
    }
}

/// Links in mails must be absolute: `http(s)://host[:port][/path]`, stored without a
/// trailing slash so paths can be appended.
fn parse_base_url(raw: String) -> Result<String, ConfigError> {
    let trimmed = raw.trim_end_matches('/');
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match host {
        Some(rest) if !rest.is_empty() && !rest.contains(['?', '#', ' ']) => Ok(trimmed.to_owned()),
        _ => Err(ConfigError {
            variable: "BASE_URL",
            message: format!(
                "found {raw:?}; expected the shop's public address like https://shop.example (scheme and host, optional path, no query)"
            ),
        }),
    }
}

/// An Argon2 PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), checked at start-up so a
/// pasted-in-half value stops the server instead of refusing every sign-in.
fn parse_password_hash(raw: String) -> Result<Secret, ConfigError> {
    match argon2::password_hash::phc::PasswordHash::new(&raw) {
        Ok(hash) if hash.algorithm.as_str().starts_with("argon2") && hash.hash.is_some() => {
            Ok(Secret::new(raw))
        }
        outcome => Err(ConfigError {
            variable: "ADMIN_PASSWORD_HASH",
            message: format!(
                "cannot be used{}; expected an Argon2 PHC string like $argon2id$v=19$m=19456,t=2,p=1$…$… (make one with `privacy-widget-server hash-password`; quote it in a shell, it contains $)",
                outcome.err().map(|error| format!(" ({error})")).unwrap_or_default()
            ),
        }),
    }
}

/// Checked with lettre's own parser at start-up, so a typo stops the server instead of
/// failing every mail later. The value is a secret: it may hold a password.
fn parse_smtp_url(raw: String) -> Result<Secret, ConfigError> {
    let scheme_ok = raw.starts_with("smtp://") || raw.starts_with("smtps://");
    let parsed = AsyncSmtpTransport::<Tokio1Executor>::from_url(&raw);
    match (scheme_ok, parsed) {
        (true, Ok(_)) => Ok(Secret::new(raw)),
        (_, parsed) => Err(ConfigError {
            variable: "SMTP_URL",
            message: format!(
                "cannot be used{}; expected smtp://user:pass@host:587?tls=required (STARTTLS), smtps://user:pass@host:465 (TLS) or smtp://host:25 (plain, local relays only)",
                parsed.err().map(|error| format!(" ({error})")).unwrap_or_default()
            ),
        }),
    }
}

/// Origins are compared exactly with the browser's `Origin` header, which never has a path
/// or a trailing slash; such an entry could never match, so it is refused up front.
fn parse_origins(list: &str) -> Result<Vec<String>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|origin| {
            let host_part = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            match host_part {
                Some(host) if !host.is_empty() && !host.contains('/') => Ok(origin.to_owned()),
                _ => Err(ConfigError {
                    variable: "CORS_ALLOW_ORIGINS",
                    message: format!(
                        "found {origin:?}; expected comma-separated origins like https://shop.example or http://localhost:8080 (scheme and host, no path or trailing slash)"
                    ),
                }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        let config = config(&[]).unwrap();
        assert_eq!(config.host, "127.0.0.1");
        assert_eq!(config.port, 8080);
        assert_eq!(
            config.database,
            DatabaseLocation::File(PathBuf::from("data").join(DATABASE_FILE_NAME))
        );
        assert_eq!(config.www_dir, PathBuf::from("www"));
        assert!(config.admin_token.is_none());
        assert!(config.csrf_token.is_none());
        assert!(config.cors_allow_origins.is_empty());
        assert!(!config.faults_enabled);
        assert_eq!(config.base_url(), "http://127.0.0.1:8080");
        assert!(!config.demo_mailbox);
        assert!(config.smtp_url.is_none());
        assert_eq!(config.mail_from.to_string(), DEFAULT_MAIL_FROM);
        assert_eq!(config.newsletter_token_ttl, Duration::from_secs(48 * 3600));
        assert_eq!(
            config.newsletter_pending_ttl,
            Duration::from_secs(48 * 3600)
        );
        assert_eq!(config.mailbox_retention, Duration::from_secs(168 * 3600));
        assert_eq!(config.rate_limit_per_address.to_string(), "5/3600");
        assert_eq!(config.rate_limit_per_ip.to_string(), "20/600");
        assert!(!config.trust_proxy);
        assert_eq!(config.database_synchronous, Synchronous::Full);
    }

    #[test]
    fn mail_settings_are_checked() {
        let config = config(&[
            ("BASE_URL", "https://shop.example/"),
            (
                "SMTP_URL",
                "smtp://user:secret@mail.example:587?tls=required",
            ),
            ("NEWSLETTER_TOKEN_TTL_HOURS", "24"),
        ])
        .unwrap();
        assert_eq!(config.base_url(), "https://shop.example");
        assert_eq!(config.newsletter_token_ttl, Duration::from_secs(24 * 3600));
        assert!(!format!("{config:?}").contains("secret"));
        for (variable, value) in [
            ("BASE_URL", "shop.example"),
            ("BASE_URL", "https://shop.example/?x"),
            ("SMTP_URL", "http://mail.example"),
            ("SMTP_URL", "smtp://"),
            ("MAIL_FROM", "not an address"),
            ("NEWSLETTER_TOKEN_TTL_HOURS", "0"),
            ("NEWSLETTER_PENDING_TTL_HOURS", "2d"),
            ("RATE_LIMIT_PER_IP", "20"),
            ("DEMO_MAILBOX", "yes"),
            ("TRUST_PROXY", "true"),
            ("DATABASE_SYNCHRONOUS", "off"),
        ] {
            assert_eq!(
                self::config(&[(variable, value)]).unwrap_err().variable,
                variable,
                "{value:?}"
            );
        }
    }

    #[test]
    fn database_path_overrides_data_dir() {
        let in_memory = config(&[("DATA_DIR", "/tmp/x"), ("DATABASE_PATH", ":memory:")]).unwrap();
        assert_eq!(in_memory.database, DatabaseLocation::InMemory);
        let in_data_dir = config(&[("DATA_DIR", "/srv/pw")]).unwrap();
        assert_eq!(
            in_data_dir.database,
            DatabaseLocation::File(PathBuf::from("/srv/pw").join(DATABASE_FILE_NAME))
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        assert_eq!(config(&[("PORT", "80a")]).unwrap_err().variable, "PORT");
        assert_eq!(
            config(&[("PW_FAULTS", "yes")]).unwrap_err().variable,
            "PW_FAULTS"
        );
        assert_eq!(
            config(&[("CORS_ALLOW_ORIGINS", "https://shop.example/")])
                .unwrap_err()
                .variable,
            "CORS_ALLOW_ORIGINS"
        );
    }

    #[test]
    fn cors_origins_are_trimmed_and_empty_tokens_are_unset() {
        let config = config(&[
            (
                "CORS_ALLOW_ORIGINS",
                " https://a.example, http://localhost:3000 ,",
            ),
            ("ADMIN_TOKEN", ""),
        ])
        .unwrap();
        assert_eq!(
            config.cors_allow_origins,
            vec!["https://a.example", "http://localhost:3000"]
        );
        assert!(config.admin_token.is_none());
    }

    #[test]
    fn secret_matches_only_itself() {
        let secret = Secret::new("s3cret".to_owned());
        assert!(secret.matches("s3cret"));
        assert!(!secret.matches("s3cre"));
        assert!(!secret.matches("s3cret "));
        assert!(!format!("{secret:?}").contains("s3cret"));
    }
}
