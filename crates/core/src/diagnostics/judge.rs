//! The judgement: each check's level against [`super::thresholds`], the worst as the verdict,
//! and for each check that is not ok the likely cause in an operator's words.

use serde::{Deserialize, Serialize};

use super::thresholds as t;
use super::{DatabaseHealth, Measurements, Reachability};
use crate::clock::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    Warning,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Critical => "critical",
        }
    }

    fn of(value: f64, warning: f64, critical: f64) -> Self {
        if value >= critical {
            Level::Critical
        } else if value >= warning {
            Level::Warning
        } else {
            Level::Ok
        }
    }
}

/// One check: its name, level, what was measured, and (unless ok) the likely cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub level: Level,
    pub summary: String,
    pub cause: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// The worst level of any check.
    pub verdict: Level,
    /// Every check, in a fixed order.
    pub checks: Vec<Check>,
    /// The causes of the checks that are not ok, critical ones first (a slow route's after the
    /// other causes of its level, as it is usually their symptom).
    pub causes: Vec<String>,
}

fn check(name: &str, level: Level, summary: String, cause: impl FnOnce() -> String) -> Check {
    Check {
        name: name.to_owned(),
        level,
        summary,
        cause: (level != Level::Ok).then(cause),
    }
}

/// Judges the measurements.
pub fn judge(m: &Measurements) -> Diagnosis {
    let checks = vec![
        latency(m),
        round_trip(m),
        database_health(&m.database.health),
        hasher(m),
        webhooks(m),
        reachability(
            "smtp",
            &m.smtp,
            "emails are logged, not sent (no --smtp-url)",
            "the SMTP server does not accept connections: verification codes and invitations queue and retry — check the host, port and firewall of --smtp-url",
        ),
        reachability(
            "redis",
            &m.redis,
            "rate limits are counted per node (no --redis-url)",
            "Redis is unreachable: each node counts rate limits for itself until it is back — check --redis-url and the Redis server",
        ),
        clock(m),
        signing_key(m),
        secret_keys(m),
    ];
    let verdict = checks.iter().map(|c| c.level).max().unwrap_or(Level::Ok);
    let mut bad: Vec<&Check> = checks.iter().filter(|c| c.level != Level::Ok).collect();
    // Worst first; among equals, slow routes last: they are the symptom of the others.
    bad.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then((a.name == "latency").cmp(&(b.name == "latency")))
    });
    let causes = bad.iter().filter_map(|c| c.cause.clone()).collect();
    Diagnosis {
        verdict,
        checks,
        causes,
    }
}

fn is_hashing_route(route: &str) -> bool {
    t::HASHING_ROUTE_MARKERS.iter().any(|m| route.contains(m))
}

fn latency(m: &Measurements) -> Check {
    let judged: Vec<_> = m
        .routes
        .iter()
        .filter(|r| r.samples >= t::MIN_ROUTE_SAMPLES && !is_hashing_route(&r.route))
        .collect();
    let Some(worst) = judged.iter().max_by(|a, b| a.p95_ms.total_cmp(&b.p95_ms)) else {
        return check(
            "latency",
            Level::Ok,
            format!(
                "{} routes seen; none with {} recent requests to judge",
                m.routes.len(),
                t::MIN_ROUTE_SAMPLES
            ),
            String::new,
        );
    };
    let level = Level::of(worst.p95_ms, t::LATENCY_WARNING_MS, t::LATENCY_CRITICAL_MS);
    let db_slow = m.database.round_trip_ms.avg >= t::LATENCY_WARNING_MS;
    check(
        "latency",
        level,
        format!(
            "slowest route {}: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms ({} requests)",
            worst.route, worst.p50_ms, worst.p95_ms, worst.p99_ms, worst.samples
        ),
        || {
            if db_slow {
                format!(
                    "{} p95 {:.0} ms follows the slow database round trip",
                    worst.route, worst.p95_ms
                )
            } else {
                format!(
                    "{} p95 {:.0} ms with a fast database: the server is CPU-bound — check the host's load, --worker-threads and what else runs there",
                    worst.route, worst.p95_ms
                )
            }
        },
    )
}

fn round_trip(m: &Measurements) -> Check {
    let r = m.database.round_trip_ms;
    let level = Level::of(r.avg, t::LATENCY_WARNING_MS, t::LATENCY_CRITICAL_MS);
    check(
        "database_round_trip",
        level,
        format!(
            "{} pings: min {:.1} ms, avg {:.1} ms, max {:.1} ms",
            r.pings, r.min, r.avg, r.max
        ),
        || {
            format!(
                "database round trip {:.0} ms: the database is the bottleneck — check its host's load and disk, the network to it, and long-running queries or locks",
                r.avg
            )
        },
    )
}

fn database_health(h: &DatabaseHealth) -> Check {
    match h {
        DatabaseHealth::Sqlite {
            journal_mode,
            page_size,
            page_count,
            freelist_count,
            quick_check,
        } => {
            let share = if *page_count > 0 {
                *freelist_count as f64 / *page_count as f64
            } else {
                0.0
            };
            let summary = format!(
                "sqlite: journal {journal_mode}, {page_count} pages of {page_size} bytes, {freelist_count} free, quick_check {quick_check}"
            );
            if quick_check != "ok" {
                return check("database_health", Level::Critical, summary, || {
                    format!(
                        "SQLite quick_check reports {quick_check:?}: the database file is damaged — stop the server, `usher backup` what can be read and restore the last good copy"
                    )
                });
            }
            if !journal_mode.eq_ignore_ascii_case("wal") {
                return check("database_health", Level::Warning, summary, || {
                    format!("SQLite journal mode {journal_mode}, not wal: readers wait for writers")
                });
            }
            let level = if share >= t::FREELIST_WARNING_SHARE {
                Level::Warning
            } else {
                Level::Ok
            };
            check("database_health", level, summary, || {
                format!(
                    "{:.0}% of the SQLite file is free pages: run VACUUM with the server stopped",
                    share * 100.0
                )
            })
        }
        DatabaseHealth::Postgres {
            version,
            connections_in_use,
            pool_size,
            server_connections,
        } => {
            let share = if *pool_size > 0 {
                f64::from(*connections_in_use) / f64::from(*pool_size)
            } else {
                0.0
            };
            let level = Level::of(share, t::POOL_WARNING_SHARE, 1.0);
            check(
                "database_health",
                level,
                format!(
                    "postgres {version}: {connections_in_use} of {pool_size} pool connections in use, {server_connections} connections to the database"
                ),
                || {
                    format!(
                        "{connections_in_use} of {pool_size} PostgreSQL pool connections in use: requests wait for a connection — look for slow queries and locks, or add nodes"
                    )
                },
            )
        }
    }
}

fn hasher(m: &Measurements) -> Check {
    let h = m.hasher;
    let level = Level::of(
        h.avg_wait_ms,
        t::HASHER_WAIT_WARNING_MS,
        t::HASHER_WAIT_CRITICAL_MS,
    );
    check(
        "hasher_queue",
        level,
        format!(
            "{} workers, {} queued, {} jobs: wait avg {:.1} ms, max {:.1} ms",
            h.workers, h.queued, h.jobs, h.avg_wait_ms, h.max_wait_ms
        ),
        || {
            format!(
                "hasher queue wait high (avg {:.0} ms): too few hashing workers for sign-in load — raise --hasher-workers (or add cores), and check for a credential-stuffing storm in the failed sign-ins",
                h.avg_wait_ms
            )
        },
    )
}

fn webhooks(m: &Measurements) -> Check {
    let w = m.webhooks;
    let level = Level::of(
        w.queue_depth as f64,
        t::WEBHOOK_DEPTH_WARNING as f64,
        t::WEBHOOK_DEPTH_CRITICAL as f64,
    )
    .max(Level::of(
        w.oldest_undelivered_age_secs,
        t::WEBHOOK_AGE_WARNING_SECS,
        t::WEBHOOK_AGE_CRITICAL_SECS,
    ));
    check(
        "webhook_queue",
        level,
        format!(
            "{} endpoints, {} deliveries queued, oldest {:.0} s",
            w.endpoints, w.queue_depth, w.oldest_undelivered_age_secs
        ),
        || {
            format!(
                "webhook queue: {} deliveries waiting, oldest {:.0} s — an endpoint is down or slow; see `usher webhooks list` and `usher webhooks deliveries EP --status failing`",
                w.queue_depth, w.oldest_undelivered_age_secs
            )
        },
    )
}

fn reachability(name: &str, r: &Reachability, unconfigured: &str, down: &str) -> Check {
    let target = r.target.as_deref().unwrap_or("?");
    if !r.configured {
        return check(name, Level::Ok, unconfigured.to_owned(), String::new);
    }
    match (r.reachable, r.connect_ms) {
        (Some(true), Some(ms)) => {
            let level = if ms >= t::CONNECT_WARNING_MS {
                Level::Warning
            } else {
                Level::Ok
            };
            check(
                name,
                level,
                format!("{target} reachable in {ms:.1} ms"),
                || format!("{name} at {target} answers slowly ({ms:.0} ms to connect)"),
            )
        }
        _ => check(
            name,
            Level::Critical,
            format!(
                "{target} unreachable: {}",
                r.error.as_deref().unwrap_or("no answer")
            ),
            || format!("{name} unreachable at {target}: {down}"),
        ),
    }
}

fn clock(m: &Measurements) -> Check {
    let skew = m.clock.skew_ms;
    let level = Level::of(
        skew.unsigned_abs() as f64,
        t::SKEW_WARNING_MS as f64,
        t::SKEW_CRITICAL_MS as f64,
    );
    check(
        "clock_skew",
        level,
        format!("server clock minus database clock: {skew} ms"),
        || {
            format!(
                "clock skew {skew} ms between this server and the database: tokens look issued in the future or already expired — check NTP on both hosts"
            )
        },
    )
}

fn signing_key(m: &Measurements) -> Check {
    let Some(k) = &m.keys.signing_key else {
        return check(
            "signing_key",
            Level::Critical,
            "no active signing key".into(),
            || {
                "no active signing key: no session token can be signed — run `usher keys rotate`"
                    .into()
            },
        );
    };
    let age = m.measured_at - k.created_at;
    let level = if age >= t::SIGNING_KEY_WARNING_AGE_MS {
        Level::Warning
    } else {
        Level::Ok
    };
    check(
        "signing_key",
        level,
        format!("{} active, {} days old", k.kid, age / 86_400_000),
        || {
            format!(
                "the signing key {} is {} days old: rotate it (`usher keys rotate`)",
                k.kid,
                age / 86_400_000
            )
        },
    )
}

fn secret_keys(m: &Measurements) -> Check {
    let now = m.measured_at;
    let keys = &m.keys.secret_keys;
    // The Backend API stays reachable until the last accepted key expires.
    let last: Option<Option<Millis>> =
        keys.iter()
            .map(|k| k.expires_at)
            .max_by(|a, b| match (a, b) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, _) => std::cmp::Ordering::Greater,
                (_, None) => std::cmp::Ordering::Less,
                (Some(x), Some(y)) => x.cmp(y),
            });
    let expiring = keys.iter().filter(|k| k.expires_at.is_some()).count();
    let (level, summary) = match last {
        None => (Level::Critical, "no secret key is accepted".to_owned()),
        Some(None) => (
            Level::Ok,
            format!(
                "{} accepted, {expiring} of them expiring (rotation overlap)",
                keys.len()
            ),
        ),
        Some(Some(at)) => {
            let left = at - now;
            let level = if left <= t::SECRET_KEY_CRITICAL_MS {
                Level::Critical
            } else if left <= t::SECRET_KEY_WARNING_MS {
                Level::Warning
            } else {
                Level::Ok
            };
            (
                level,
                format!(
                    "{} accepted, the last one expires in {} hours",
                    keys.len(),
                    left / 3_600_000
                ),
            )
        }
    };
    check("secret_keys", level, summary.clone(), || {
        format!(
            "secret keys: {summary} — make a new one before then (`usher keys rotate-secret --overlap …`)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;

    const NOW: Millis = 1_800_000_000_000;

    fn healthy() -> Measurements {
        Measurements {
            measured_at: NOW,
            routes: vec![RouteLatency {
                route: "GET /v1/users".into(),
                samples: 50,
                p50_ms: 2.0,
                p95_ms: 8.0,
                p99_ms: 12.0,
            }],
            database: DatabaseCheck {
                round_trip_ms: RoundTrips::from_samples(&[0.2, 0.3]),
                health: DatabaseHealth::Sqlite {
                    journal_mode: "wal".into(),
                    page_size: 4096,
                    page_count: 100,
                    freelist_count: 3,
                    quick_check: "ok".into(),
                },
            },
            hasher: HasherCheck {
                workers: 1,
                queued: 0,
                jobs: 3,
                avg_wait_ms: 0.1,
                max_wait_ms: 0.2,
            },
            webhooks: WebhookQueue {
                endpoints: 1,
                queue_depth: 0,
                oldest_undelivered_age_secs: 0.0,
            },
            smtp: Reachability::not_configured(),
            redis: Reachability::not_configured(),
            clock: ClockSkew {
                server_ms: NOW,
                database_ms: NOW,
                skew_ms: 0,
            },
            keys: KeysCheck {
                signing_key: Some(SigningKeyAge {
                    kid: "ins_k".into(),
                    created_at: NOW - 86_400_000,
                }),
                secret_keys: vec![SecretKeyExpiry {
                    name: "default".into(),
                    expires_at: None,
                }],
            },
        }
    }

    fn level_of(d: &Diagnosis, name: &str) -> Level {
        d.checks
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.level)
            .unwrap_or(Level::Critical)
    }

    #[test]
    fn a_healthy_server_is_ok_on_every_check() {
        let d = judge(&healthy());
        assert_eq!(d.verdict, Level::Ok);
        assert_eq!(d.checks.len(), 10);
        assert!(d.causes.is_empty());
        assert!(d.checks.iter().all(|c| c.cause.is_none()));
    }

    #[test]
    fn a_slow_database_is_named_as_the_bottleneck() {
        let mut m = healthy();
        m.database.round_trip_ms = RoundTrips::from_samples(&[640.0]);
        m.routes[0].p95_ms = 700.0;
        let d = judge(&m);
        assert_eq!(d.verdict, Level::Critical);
        assert!(
            d.causes[0].starts_with("database round trip 640 ms: the database is the bottleneck")
        );
        assert!(
            d.causes
                .iter()
                .any(|c| c.contains("follows the slow database"))
        );
        m.database.round_trip_ms = RoundTrips::from_samples(&[150.0]);
        assert_eq!(level_of(&judge(&m), "database_round_trip"), Level::Warning);
    }

    #[test]
    fn latency_is_judged_on_enough_samples_and_not_on_hashing_routes() {
        let mut m = healthy();
        m.routes[0].p95_ms = 120.0;
        assert_eq!(level_of(&judge(&m), "latency"), Level::Warning);
        m.routes[0].samples = 5;
        assert_eq!(level_of(&judge(&m), "latency"), Level::Ok);
        m.routes[0].samples = 50;
        m.routes[0].route = "POST /v1/client/sign_ins/{sign_in_id}/attempt_first_factor".into();
        assert_eq!(level_of(&judge(&m), "latency"), Level::Ok);
        m.routes[0].route = "GET /v1/jwks".into();
        m.routes[0].p95_ms = 501.0;
        let d = judge(&m);
        assert_eq!(level_of(&d, "latency"), Level::Critical);
        assert!(d.causes[0].contains("CPU-bound"));
    }

    #[test]
    fn hasher_wait_points_at_the_workers() {
        let mut m = healthy();
        m.hasher.avg_wait_ms = 600.0;
        let d = judge(&m);
        assert_eq!(d.verdict, Level::Critical);
        assert!(d.causes[0].starts_with("hasher queue wait high"));
        assert!(d.causes[0].contains("--hasher-workers"));
    }

    #[test]
    fn webhook_queue_by_depth_or_age() {
        let mut m = healthy();
        m.webhooks.queue_depth = 150;
        assert_eq!(level_of(&judge(&m), "webhook_queue"), Level::Warning);
        m.webhooks.queue_depth = 1;
        m.webhooks.oldest_undelivered_age_secs = 1000.0;
        assert_eq!(level_of(&judge(&m), "webhook_queue"), Level::Critical);
    }

    #[test]
    fn unreachable_services_are_critical_and_unconfigured_ones_ok() {
        let mut m = healthy();
        m.redis = Reachability {
            configured: true,
            target: Some("127.0.0.1:1".into()),
            reachable: Some(false),
            connect_ms: None,
            error: Some("connection refused".into()),
        };
        let d = judge(&m);
        assert_eq!(d.verdict, Level::Critical);
        assert!(d.causes[0].starts_with("redis unreachable at 127.0.0.1:1"));
        m.redis.reachable = Some(true);
        m.redis.connect_ms = Some(800.0);
        assert_eq!(level_of(&judge(&m), "redis"), Level::Warning);
    }

    #[test]
    fn clock_skew_either_way() {
        let mut m = healthy();
        m.clock.skew_ms = -1500;
        assert_eq!(level_of(&judge(&m), "clock_skew"), Level::Warning);
        m.clock.skew_ms = 6000;
        assert_eq!(level_of(&judge(&m), "clock_skew"), Level::Critical);
    }

    #[test]
    fn keys_missing_old_or_expiring() {
        let mut m = healthy();
        m.keys.signing_key = None;
        assert_eq!(level_of(&judge(&m), "signing_key"), Level::Critical);
        m.keys.signing_key = Some(SigningKeyAge {
            kid: "k".into(),
            created_at: NOW - 400 * 86_400_000,
        });
        assert_eq!(level_of(&judge(&m), "signing_key"), Level::Warning);
        // An overlap's expiring key next to a lasting one is fine.
        m.keys.secret_keys.push(SecretKeyExpiry {
            name: "old".into(),
            expires_at: Some(NOW + 3_600_000),
        });
        assert_eq!(level_of(&judge(&m), "secret_keys"), Level::Ok);
        m.keys.secret_keys.remove(0);
        assert_eq!(level_of(&judge(&m), "secret_keys"), Level::Critical);
        m.keys.secret_keys[0].expires_at = Some(NOW + 3 * 86_400_000);
        assert_eq!(level_of(&judge(&m), "secret_keys"), Level::Warning);
        m.keys.secret_keys.clear();
        assert_eq!(level_of(&judge(&m), "secret_keys"), Level::Critical);
    }

    #[test]
    fn sqlite_damage_and_postgres_pool_exhaustion() {
        let mut m = healthy();
        m.database.health = DatabaseHealth::Sqlite {
            journal_mode: "wal".into(),
            page_size: 4096,
            page_count: 10,
            freelist_count: 0,
            quick_check: "*** in database main ***".into(),
        };
        assert_eq!(level_of(&judge(&m), "database_health"), Level::Critical);
        m.database.health = DatabaseHealth::Postgres {
            version: "16".into(),
            connections_in_use: 9,
            pool_size: 10,
            server_connections: 12,
        };
        assert_eq!(level_of(&judge(&m), "database_health"), Level::Warning);
    }
}
