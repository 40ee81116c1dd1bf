//! Operator sign-in for the pages under `/admin`: the password checked against its Argon2
//! hash, sessions stored (by the SHA-256 of a random id) in the database so every instance
//! knows them, a per-session anti-forgery token, and failed sign-ins limited per client
//! address and per account, also in the database so the limits hold across instances.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use sha2::{Digest, Sha256};

use super::rate_limit::{ClientIp, RateLimit};
use super::token::LinkToken;
use crate::clock::Timestamp;
use crate::config::{AdminPagesConfig, Secret};
use crate::error::ApiError;
use crate::store::{AdminSessionRow, Database, NewAdminSession, SignInFailures, Transaction};

/// Random bytes of an Argon2 salt.
const SALT_BYTES: usize = 16;

/// What a sign-in attempt came to.
#[derive(Debug)]
pub enum SignInOutcome {
    /// A new session: the id goes into the cookie, never into the database.
    SignedIn { session_id: LinkToken },
    /// Wrong account name or password (which of the two is not said); counted.
    Refused,
    /// Too many failures from this client or for this account; not even checked.
    Limited { retry_after_secs: u64 },
}

/// A signed-in operator, as the pages know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorSession {
    pub user: String,
    pub csrf_token: String,
}

impl OperatorSession {
    /// Whether a form carried this session's anti-forgery token (constant time).
    pub fn csrf_matches(&self, presented: Option<&str>) -> bool {
        presented.is_some_and(|token| Secret::new(self.csrf_token.clone()).matches(token))
    }
}

/// `privacy-widget-server hash-password`: the PHC string of `password` with a fresh salt and
/// Argon2id's recommended parameters.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; SALT_BYTES];
    getrandom::fill(&mut salt).map_err(|error| format!("OS random generator: {error}"))?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| format!("cannot hash the password: {error}"))
}

/// Whether `password` is the one `hash` (an Argon2 PHC string checked at start-up) was made from.
pub fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// The subjects failed sign-ins are counted against: the client's network, and the account
/// name typed (as a digest: a password typed into the name field must not be stored).
fn subjects(client: ClientIp, user: &str) -> [String; 2] {
    let network = client
        .network()
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let account = Sha256::digest(user.trim().to_lowercase().as_bytes());
    [
        format!("ip:{network}"),
        format!("account:{}", hex(&account)),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Seconds until `failures` fall below `limit`, or `None` if another attempt is allowed now.
pub fn wait_for(failures: &SignInFailures, limit: RateLimit, now: Timestamp) -> Option<u64> {
    if failures.count < limit.max {
        return None;
    }
    // Stored timestamps are this server's own; an unreadable one waits a whole window.
    let oldest = failures
        .oldest
        .as_deref()
        .and_then(Timestamp::parse_rfc3339)
        .unwrap_or(now);
    let wait_ms = (oldest.plus(limit.window).unix_millis() - now.unix_millis()).max(1);
    Some((wait_ms as u64).div_ceil(1000))
}

/// The longest wait any of the limits asks for, counted in `transaction`.
fn limited_for(
    transaction: &mut dyn Transaction,
    config: &AdminPagesConfig,
    subjects: &[String; 2],
    now: Timestamp,
) -> Result<Option<u64>, ApiError> {
    let mut longest = None;
    for (subject, limit) in subjects.iter().zip([
        config.sign_in_limit_per_ip,
        config.sign_in_limit_per_account,
    ]) {
        let failures = transaction.sign_in_failures_since(subject, now.minus(limit.window))?;
        longest = longest.max(wait_for(&failures, limit, now));
    }
    Ok(longest)
}

/// Checks the limits, then the account name and password, and on success stores a new session.
/// Argon2 runs between two short transactions, on a blocking thread, so a sign-in never holds
/// the database while it hashes.
pub async fn sign_in(
    database: &Database,
    now: Timestamp,
    config: &AdminPagesConfig,
    client: ClientIp,
    user: String,
    password: String,
) -> Result<SignInOutcome, ApiError> {
    let subjects = subjects(client, &user);
    let limits = config.clone();
    let counted = subjects.clone();
    let wait = database
        .call(move |transaction| limited_for(transaction, &limits, &counted, now))
        .await?;
    if let Some(retry_after_secs) = wait {
        return Ok(SignInOutcome::Limited { retry_after_secs });
    }

    let hash = config.password_hash.expose().to_owned();
    let user_matches = Secret::new(config.user.clone()).matches(&user);
    // The hash is checked even for a wrong name, so the time taken does not tell names apart.
    let password_ok = tokio::task::spawn_blocking(move || password_matches(&hash, &password))
        .await
        .map_err(ApiError::internal)?;

    if !(user_matches && password_ok) {
        database
            .call(move |transaction| {
                for subject in &subjects {
                    transaction.insert_sign_in_failure(subject, now)?;
                }
                Ok::<_, ApiError>(())
            })
            .await?;
        return Ok(SignInOutcome::Refused);
    }

    let session_id = LinkToken::generate()?;
    let csrf_token = LinkToken::generate()?;
    let id_sha256 = session_id.sha256();
    let expires_at = now.plus(config.session_ttl);
    let user = config.user.clone();
    database
        .call(move |transaction| {
            transaction.insert_admin_session(&NewAdminSession {
                id_sha256: &id_sha256,
                user: &user,
                csrf_token: csrf_token.as_str(),
                created_at: now,
                expires_at,
            })?;
            Ok::<_, ApiError>(())
        })
        .await?;
    Ok(SignInOutcome::SignedIn { session_id })
}

/// The unexpired session a cookie names, if any.
pub async fn session(
    database: &Database,
    now: Timestamp,
    session_id: &str,
) -> Result<Option<OperatorSession>, ApiError> {
    let Some(token) = LinkToken::parse(session_id) else {
        return Ok(None);
    };
    let id_sha256 = token.sha256();
    let row: Option<AdminSessionRow> = database
        .call(move |transaction| Ok::<_, ApiError>(transaction.admin_session(&id_sha256, now)?))
        .await?;
    Ok(row.map(|row| OperatorSession {
        user: row.user,
        csrf_token: row.csrf_token,
    }))
}

/// Ends the session a cookie names (nothing happens for an unknown one).
pub async fn sign_out(database: &Database, session_id: &str) -> Result<(), ApiError> {
    let Some(token) = LinkToken::parse(session_id) else {
        return Ok(());
    };
    let id_sha256 = token.sha256();
    database
        .call(move |transaction| Ok::<_, ApiError>(transaction.delete_admin_session(&id_sha256)?))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(password_matches(&hash, "correct horse"));
        assert!(!password_matches(&hash, "correct horse "));
        assert!(!password_matches("not a hash", "correct horse"));
        assert_ne!(hash, hash_password("correct horse").unwrap(), "fresh salt");
    }

    #[test]
    fn waiting_starts_at_the_limit_and_ends_when_the_oldest_ages_out() {
        let limit = RateLimit {
            max: 3,
            window: Duration::from_secs(600),
        };
        let now = Timestamp::parse_rfc3339("2026-12-06T12:10:00.000Z").unwrap();
        let failures = |count| SignInFailures {
            count,
            oldest: Some("2026-12-06T12:01:30.500Z".to_owned()),
        };
        assert_eq!(wait_for(&failures(2), limit, now), None);
        // The oldest frees its slot at 12:11:30.5: 90.5 s from now, rounded up.
        assert_eq!(wait_for(&failures(3), limit, now), Some(91));
    }

    #[test]
    fn subjects_hide_the_typed_name_and_group_ipv6_by_network() {
        let [ip, account] = subjects(ClientIp(Some("2001:db8::1".parse().unwrap())), " Admin ");
        assert_eq!(ip, "ip:2001:db8::");
        assert!(!account.contains("admin"));
        assert_eq!(account, subjects(ClientIp(None), "admin")[1]);
    }

    #[test]
    fn csrf_token_must_match_exactly() {
        let session = OperatorSession {
            user: "admin".to_owned(),
            csrf_token: "a".repeat(64),
        };
        assert!(session.csrf_matches(Some(&"a".repeat(64))));
        assert!(!session.csrf_matches(Some(&"a".repeat(63))));
        assert!(!session.csrf_matches(None));
    }
}
