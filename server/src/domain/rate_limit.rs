//! In-memory rate limits for the endpoints that send mail: per client address and per
//! e-mail address, as sliding windows. Nothing here is ever written to the database; a
//! restart forgets it, which is acceptable for abuse protection. E-mail addresses are
//! kept as SHA-256 digests even in memory. Each instance counts for itself (several
//! instances on one PostgreSQL database: server/README.md says why).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::clock::{Clock, Timestamp};
use crate::error::{ApiError, LimitedBy};

/// Above this many tracked keys, expired ones are dropped on the next admission.
const PRUNE_ABOVE_KEYS: usize = 50_000;

/// "At most `max` requests per `window`", written `max/seconds` in the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let expected = "expected COUNT/SECONDS like 5/3600 (both whole numbers above 0)";
        let (max, seconds) = text
            .split_once('/')
            .ok_or_else(|| format!("found {text:?}; {expected}"))?;
        match (max.trim().parse::<u32>(), seconds.trim().parse::<u64>()) {
            (Ok(max), Ok(seconds)) if max > 0 && seconds > 0 => Ok(RateLimit {
                max,
                window: Duration::from_secs(seconds),
            }),
            _ => Err(format!("found {text:?}; {expected}")),
        }
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.max, self.window.as_secs())
    }
}

/// Which endpoints share a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Newsletter subscribe and unsubscribe requests.
    Newsletter,
    RightsRequests,
}

/// What a budget is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Subject {
    /// An IPv4 address, or the /64 network of an IPv6 address (one subscriber line gets a
    /// whole /64, so counting single IPv6 addresses would limit nothing). `None`: the
    /// peer is unknown (in-process requests), all such requests share one budget.
    Client(Option<IpAddr>),
    /// SHA-256 of the normalised e-mail address.
    Address([u8; 32]),
}

/// A refused request: which limit, and when to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub limited_by: LimitedBy,
    pub retry_after_secs: u64,
}

struct Window {
    window: Duration,
    /// Admitted requests inside the window, oldest first; at most the limit's `max`.
    admitted: VecDeque<Timestamp>,
}

impl Window {
    fn drop_expired(&mut self, now: Timestamp) {
        let start = now.minus(self.window);
        while self.admitted.front().is_some_and(|time| *time <= start) {
            self.admitted.pop_front();
        }
    }
}

/// The limits of a request that mails whatever address was typed (newsletter, rights-request
/// acknowledgement): the client's and the address's budget, at the app clock's "now". Moved
/// into `respond_once`'s closure, so it counts after the idempotency lookup and a replayed
/// retry costs nothing.
pub struct MailLimits {
    pub clock: Arc<dyn Clock>,
    pub limiter: Arc<RateLimiter>,
    pub per_client: RateLimit,
    pub per_address: RateLimit,
}

impl MailLimits {
    /// Admits the request (counting it) or refuses it with a 429; returns when it was admitted.
    pub fn admit(
        &self,
        scope: Scope,
        client: ClientIp,
        email: &str,
    ) -> Result<Timestamp, ApiError> {
        let now = self.clock.now();
        self.limiter
            .admit(now, scope, client, self.per_client, email, self.per_address)
            .map_err(|refusal| ApiError::RateLimited {
                limited_by: refusal.limited_by,
                retry_after_secs: refusal.retry_after_secs,
            })?;
        Ok(now)
    }
}

/// The counters of every scope and subject.
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<(Scope, Subject), Window>>,
}

impl RateLimiter {
    /// Admits a request if both the client's and the address's budget allow it, and then
    /// counts it against both; a refused request counts against neither.
    pub fn admit(
        &self,
        now: Timestamp,
        scope: Scope,
        client: ClientIp,
        per_client: RateLimit,
        email: &str,
        per_address: RateLimit,
    ) -> Result<(), Refusal> {
        let client_key = (scope, Subject::Client(client.network()));
        let address_key = (
            scope,
            Subject::Address(Sha256::digest(email.as_bytes()).into()),
        );
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() > PRUNE_ABOVE_KEYS {
            prune_expired(&mut windows, now);
        }
        let mut refusal: Option<Refusal> = None;
        for (key, limit, limited_by) in [
            (&client_key, per_client, LimitedBy::Client),
            (&address_key, per_address, LimitedBy::Address),
        ] {
            let Some(window) = windows.get_mut(key) else {
                continue;
            };
            window.window = limit.window;
            window.drop_expired(now);
            if window.admitted.len() >= limit.max as usize {
                let oldest = window.admitted[window.admitted.len() - limit.max as usize];
                let free_at = oldest.plus(limit.window);
                let wait_ms = (free_at.unix_millis() - now.unix_millis()).max(1);
                let retry_after_secs = (wait_ms as u64).div_ceil(1000);
                if refusal.is_none_or(|seen| retry_after_secs > seen.retry_after_secs) {
                    refusal = Some(Refusal {
                        limited_by,
                        retry_after_secs,
                    });
                }
            }
        }
        if let Some(refusal) = refusal {
            return Err(refusal);
        }
        for (key, limit) in [(client_key, per_client), (address_key, per_address)] {
            let window = windows.entry(key).or_insert_with(|| Window {
                window: limit.window,
                admitted: VecDeque::new(),
            });
            window.admitted.push_back(now);
            while window.admitted.len() > limit.max as usize {
                window.admitted.pop_front();
            }
        }
        Ok(())
    }

    /// Forgets every window with nothing left in it; run by the periodic housekeeping.
    pub fn prune(&self, now: Timestamp) {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        prune_expired(&mut windows, now);
    }

    /// How many (scope, subject) pairs are tracked.
    pub fn tracked(&self) -> usize {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

fn prune_expired(windows: &mut HashMap<(Scope, Subject), Window>, now: Timestamp) {
    windows.retain(|_, window| {
        window.drop_expired(now);
        !window.admitted.is_empty()
    });
}

/// The client's IP address: the TCP peer, or with `TRUST_PROXY=1` the address the proxy
/// appended last to `X-Forwarded-For` (earlier entries come from the client and could be
/// forged). `None` for in-process requests without a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// The key a budget is counted against: IPv4 as is (also when IPv4-mapped), IPv6 by /64.
    pub fn network(self) -> Option<IpAddr> {
        self.0.map(|ip| match ip {
            IpAddr::V4(_) => ip,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let segments = v6.segments();
                    IpAddr::V6(Ipv6Addr::new(
                        segments[0],
                        segments[1],
                        segments[2],
                        segments[3],
                        0,
                        0,
                        0,
                        0,
                    ))
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_800_000_000_000 + seconds * 1000)
    }

    fn ip(text: &str) -> ClientIp {
        ClientIp(Some(text.parse().unwrap()))
    }

    #[test]
    fn limits_parse_strictly() {
        assert_eq!(
            "5/3600".parse(),
            Ok(RateLimit {
                max: 5,
                window: Duration::from_secs(3600)
            })
        );
        for bad in ["5", "0/60", "5/0", "-1/60", "5/1h", "/60"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }

    #[test]
    fn sliding_window_refuses_then_frees_a_slot_when_the_oldest_expires() {
        let limiter = RateLimiter::default();
        let per_address = RateLimit {
            max: 2,
            window: MINUTE,
        };
        let generous = RateLimit {
            max: 100,
            window: MINUTE,
        };
        let client = ip("192.0.2.1");
        let admit = |time, email| {
            limiter.admit(
                time,
                Scope::Newsletter,
                client,
                generous,
                email,
                per_address,
            )
        };
        assert!(admit(at(0), "a@x.no").is_ok());
        assert!(admit(at(10), "a@x.no").is_ok());
        assert_eq!(
            admit(at(20), "a@x.no"),
            Err(Refusal {
                limited_by: LimitedBy::Address,
                retry_after_secs: 40
            })
        );
        // Other addresses are not affected.
        assert!(admit(at(20), "b@x.no").is_ok());
        // The first request leaves the window at 60 s.
        assert!(admit(at(60), "a@x.no").is_ok());
        assert!(admit(at(61), "a@x.no").is_err());
    }

    #[test]
    fn client_limit_counts_ipv6_by_network_and_a_refusal_counts_nowhere() {
        let limiter = RateLimiter::default();
        let per_client = RateLimit {
            max: 1,
            window: MINUTE,
        };
        let generous = RateLimit {
            max: 100,
            window: MINUTE,
        };
        let admit = |client, email| {
            limiter.admit(
                at(0),
                Scope::Newsletter,
                client,
                per_client,
                email,
                generous,
            )
        };
        assert!(admit(ip("2001:db8:1:2::1"), "a@x.no").is_ok());
        let refused = admit(ip("2001:db8:1:2::ffff"), "b@x.no").unwrap_err();
        assert_eq!(refused.limited_by, LimitedBy::Client);
        assert_eq!(refused.retry_after_secs, 60);
        assert!(admit(ip("2001:db8:1:3::1"), "b@x.no").is_ok());
        // Scopes are separate budgets.
        assert!(limiter
            .admit(
                at(0),
                Scope::RightsRequests,
                ip("2001:db8:1:2::1"),
                per_client,
                "a@x.no",
                generous
            )
            .is_ok());
        // b@x.no was refused once and admitted once: one slot used.
        assert_eq!(limiter.tracked(), 6);
        limiter.prune(at(60));
        assert_eq!(limiter.tracked(), 0);
    }
}
