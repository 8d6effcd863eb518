//! Where each measurement turns from ok to warning to critical. README's Runbook lists them.

use crate::clock::Millis;

/// A route's p95, and the database round trip (average of the pings), in milliseconds.
pub const LATENCY_WARNING_MS: f64 = 100.0;
pub const LATENCY_CRITICAL_MS: f64 = 500.0;

/// A route's percentiles are judged once it has this many recent samples (a handful of cold
/// requests says nothing).
pub const MIN_ROUTE_SAMPLES: u64 = 20;

/// Routes (`METHOD /path`) that may hash a password on purpose (Argon2id costs tens of
/// milliseconds by design): their latency is reported, and judged by the hashing pool's wait
/// instead. A route is one of them when its name contains one of these.
pub const HASHING_ROUTE_MARKERS: &[&str] = &[
    "attempt_first_factor",
    "POST /v1/client/sign_ins",
    "POST /v1/client/sign_ups",
    "verify_password",
    "reset_password",
    "POST /v1/users",
    "PATCH /v1/users/{user_id}",
    "POST /sign-in",
    "POST /sign-up",
    "POST /__clerk/sign-in",
    "POST /__clerk/sign-up",
];

/// Average wait of a password-hashing job for a worker, in milliseconds.
pub const HASHER_WAIT_WARNING_MS: f64 = 100.0;
pub const HASHER_WAIT_CRITICAL_MS: f64 = 500.0;

/// Queued webhook deliveries over every endpoint.
pub const WEBHOOK_DEPTH_WARNING: i64 = 100;
pub const WEBHOOK_DEPTH_CRITICAL: i64 = 1000;
/// Age of the oldest queued delivery, in seconds.
pub const WEBHOOK_AGE_WARNING_SECS: f64 = 60.0;
pub const WEBHOOK_AGE_CRITICAL_SECS: f64 = 900.0;

/// An SMTP or Redis connection slower than this (milliseconds) is a warning.
pub const CONNECT_WARNING_MS: f64 = 500.0;

/// Server clock minus database clock, either way, in milliseconds. Session tokens live 60 s
/// and verifiers allow about 5 s of skew.
pub const SKEW_WARNING_MS: i64 = 1_000;
pub const SKEW_CRITICAL_MS: i64 = 5_000;

/// A signing key older than this is due for rotation.
pub const SIGNING_KEY_WARNING_AGE_MS: Millis = 365 * DAY_MS;

/// When the last accepted secret key stops being accepted within these, the Backend API is
/// about to lock every caller out.
pub const SECRET_KEY_WARNING_MS: Millis = 7 * DAY_MS;
pub const SECRET_KEY_CRITICAL_MS: Millis = DAY_MS;

/// SQLite: a free list over this share of the file is worth a `VACUUM`.
pub const FREELIST_WARNING_SHARE: f64 = 0.5;

/// PostgreSQL: this share of the pool in use is a warning; all of it is critical.
pub const POOL_WARNING_SHARE: f64 = 0.8;

const DAY_MS: Millis = 86_400_000;
