//! Performance-degradation diagnosis: what a running server measures about itself
//! ([`Measurements`]: latencies, the database, the hashing pool, queues, outbound services,
//! clocks and keys) and the judgement of it ([`judge`]: each check ok, warning or critical, a
//! verdict and the likely causes). `GET /v1/usher/diagnostics` returns both; `usher doctor`
//! prints them. No I/O here.

mod judge;
pub mod thresholds;

pub use judge::{Check, Diagnosis, Level, judge};

use serde::{Deserialize, Serialize};

use crate::clock::Millis;

/// Everything the diagnosis is made from, as measured by one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    /// The server's clock when it measured.
    pub measured_at: Millis,
    /// Recent request latencies per route, slowest p95 first.
    pub routes: Vec<RouteLatency>,
    pub database: DatabaseCheck,
    pub hasher: HasherCheck,
    pub webhooks: WebhookQueue,
    pub smtp: Reachability,
    pub redis: Reachability,
    pub clock: ClockSkew,
    pub keys: KeysCheck,
}

/// One route's recent latencies (the server keeps the last few hundred per route).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteLatency {
    pub route: String,
    pub samples: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseCheck {
    /// `SELECT 1` round trips through the store, in milliseconds.
    pub round_trip_ms: RoundTrips,
    pub health: DatabaseHealth,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoundTrips {
    pub pings: u32,
    pub min: f64,
    pub avg: f64,
    pub max: f64,
}

impl RoundTrips {
    /// From the measured durations, in milliseconds.
    pub fn from_samples(samples: &[f64]) -> Self {
        if samples.is_empty() {
            return Self {
                pings: 0,
                min: 0.0,
                avg: 0.0,
                max: 0.0,
            };
        }
        let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
        let max = samples.iter().copied().fold(0.0, f64::max);
        let avg = samples.iter().sum::<f64>() / samples.len() as f64;
        Self {
            pings: samples.len() as u32,
            min,
            avg,
            max,
        }
    }
}

/// What the database says about itself: the store answers this per backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "backend", rename_all = "snake_case")]
pub enum DatabaseHealth {
    Sqlite {
        journal_mode: String,
        page_size: i64,
        page_count: i64,
        freelist_count: i64,
        /// `PRAGMA quick_check`: `ok`, or the first problem found.
        quick_check: String,
    },
    Postgres {
        version: String,
        /// Connections of this server's pools in use (open and not idle).
        connections_in_use: u32,
        /// The most connections this server's pools may open.
        pool_size: u32,
        /// Connections the database server holds for this database, from every client.
        server_connections: i64,
    },
}

/// The store's health report with the database's own clock.
#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseReport {
    pub health: DatabaseHealth,
    /// The database's `now`, in milliseconds since the epoch.
    pub now: Millis,
}

/// The password-hashing pool since the server started.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HasherCheck {
    pub workers: u64,
    pub queued: u64,
    pub jobs: u64,
    pub avg_wait_ms: f64,
    pub max_wait_ms: f64,
}

/// Webhook deliveries not yet succeeded or failed for good, over every endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WebhookQueue {
    pub endpoints: u64,
    pub queue_depth: i64,
    /// Age of the oldest queued delivery (0 with an empty queue).
    pub oldest_undelivered_age_secs: f64,
}

/// An outbound service: configured or not, and whether a connection could be made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reachability {
    pub configured: bool,
    /// `host:port` (never credentials).
    pub target: Option<String>,
    pub reachable: Option<bool>,
    pub connect_ms: Option<f64>,
    pub error: Option<String>,
}

impl Reachability {
    pub fn not_configured() -> Self {
        Self {
            configured: false,
            target: None,
            reachable: None,
            connect_ms: None,
            error: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClockSkew {
    pub server_ms: Millis,
    pub database_ms: Millis,
    /// Server minus database (the round trip's middle taken as the server's time).
    pub skew_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeysCheck {
    /// The key signing session tokens now.
    pub signing_key: Option<SigningKeyAge>,
    /// The secret keys the Backend API accepts now.
    pub secret_keys: Vec<SecretKeyExpiry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningKeyAge {
    pub kid: String,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretKeyExpiry {
    pub name: String,
    pub expires_at: Option<Millis>,
}

/// The `q`-quantile (0 to 1) of `sorted` (ascending), nearest rank; 0 when empty.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_take_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), 50.0);
        assert_eq!(quantile(&v, 0.95), 95.0);
        assert_eq!(quantile(&v, 0.99), 99.0);
        assert_eq!(quantile(&[7.0], 0.99), 7.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
    }

    #[test]
    fn round_trips_summarise_the_pings() {
        let r = RoundTrips::from_samples(&[2.0, 4.0, 6.0]);
        assert_eq!((r.pings, r.min, r.avg, r.max), (3, 2.0, 4.0, 6.0));
        assert_eq!(RoundTrips::from_samples(&[]).pings, 0);
    }
}
