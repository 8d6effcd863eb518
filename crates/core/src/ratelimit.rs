//! Fixed-window rate limits. Counting happens behind [`Counters`], so nodes can share counts
//! (Redis) or keep their own (in process) without the rule changing.

use async_trait::async_trait;

use crate::clock::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: u64,
    pub window_ms: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Seconds until the current window ends (what `Retry-After` says).
    pub retry_after_secs: u64,
}

impl Window {
    /// The counter key for `subject` in the window that contains `now`.
    pub fn key(&self, subject: &str, now: Millis) -> String {
        format!(
            "rl:{subject}:{}:{}",
            self.window_ms,
            now.div_euclid(self.window_ms.max(1))
        )
    }

    pub fn decide(&self, count: u64, now: Millis) -> Decision {
        let window = self.window_ms.max(1);
        let ends = (now.div_euclid(window) + 1) * window;
        Decision {
            allowed: count <= self.limit,
            retry_after_secs: ((ends - now + 999) / 1000).max(1) as u64,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("counter store unavailable: {0}")]
pub struct CountersUnavailable(pub String);

/// Increments a counter that expires after `ttl_ms`, returning the new count.
#[async_trait]
pub trait Counters: Send + Sync + 'static {
    async fn incr(&self, key: &str, ttl_ms: Millis) -> Result<u64, CountersUnavailable>;
    /// The current count (0 for a missing or expired counter).
    async fn get(&self, key: &str) -> Result<u64, CountersUnavailable>;
}

/// The Frontend API's limits. A wrong password or code costs the caller far more than it
/// costs a legitimate user: each (account, address) pair gets a few failures per window, each
/// address a few dozen across all accounts, and every mutation is capped per address. Throttled
/// attempts are refused before the password is checked, so they neither cost hashing time nor
/// count towards the account lockout: locking a victim out (100 failures by default) takes an
/// attacker many addresses or hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontDoorLimits {
    /// Any Frontend API write from one address.
    pub mutations_per_ip: Window,
    /// Failed sign-in attempts for one account from one address.
    pub failures_per_account_ip: Window,
    /// Failed sign-in attempts from one address across accounts (password spraying).
    pub failures_per_ip: Window,
}

impl Default for FrontDoorLimits {
    fn default() -> Self {
        Self {
            mutations_per_ip: Window {
                limit: 100,
                window_ms: 10_000,
            },
            failures_per_account_ip: Window {
                limit: 10,
                window_ms: 15 * 60_000,
            },
            failures_per_ip: Window {
                limit: 30,
                window_ms: 15 * 60_000,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_retry_after() {
        let w = Window {
            limit: 3,
            window_ms: 10_000,
        };
        assert_eq!(w.key("k", 25_000), w.key("k", 29_999));
        assert_ne!(w.key("k", 29_999), w.key("k", 30_000));
        assert!(w.decide(3, 25_000).allowed);
        let d = w.decide(4, 25_000);
        assert!(!d.allowed);
        assert_eq!(d.retry_after_secs, 5);
        assert_eq!(w.decide(4, 29_999).retry_after_secs, 1);
    }
}
