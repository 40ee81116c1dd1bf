//! Runtime configuration, read once from the environment at start-up.
//! Every variable is checked here, so a typo stops the server with a message instead of
//! silently falling back to a default.

use std::fmt;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

/// File name of the SQLite database inside `DATA_DIR`.
pub const DATABASE_FILE_NAME: &str = "privacy-widget.sqlite3";

/// Everything the server needs to know about its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `HOST`: interface to bind (a name or an IP address).
    pub host: String,
    /// `PORT`: TCP port; 0 lets the operating system pick a free one.
    pub port: u16,
    /// `DATABASE_PATH`, or `DATA_DIR/privacy-widget.sqlite3`.
    pub database: DatabaseLocation,
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
}

/// Where the SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    File(PathBuf),
    /// `DATABASE_PATH=:memory:`: gone when the process ends (tests).
    InMemory,
}

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

        let database = match read("DATABASE_PATH") {
            Some(path) if path == ":memory:" => DatabaseLocation::InMemory,
            Some(path) => DatabaseLocation::File(PathBuf::from(path)),
            None => {
                let data_dir = read("DATA_DIR").unwrap_or_else(|| "data".to_owned());
                DatabaseLocation::File(PathBuf::from(data_dir).join(DATABASE_FILE_NAME))
            }
        };

        let cors_allow_origins = match read("CORS_ALLOW_ORIGINS") {
            None => Vec::new(),
            Some(list) => parse_origins(&list)?,
        };

        let faults_enabled = match read("PW_FAULTS").as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(other) => {
                return Err(ConfigError {
                    variable: "PW_FAULTS",
                    message: format!("found {other:?}; expected 1 (enable fault injection) or 0"),
                })
            }
        };

        Ok(Config {
            host: read("HOST").unwrap_or_else(|| "127.0.0.1".to_owned()),
            port,
            database,
            www_dir: PathBuf::from(read("WWW_DIR").unwrap_or_else(|| "www".to_owned())),
            admin_token: read("ADMIN_TOKEN").map(Secret::new),
            csrf_token: read("CSRF_TOKEN").map(Secret::new),
            cors_allow_origins,
            faults_enabled,
        })
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
