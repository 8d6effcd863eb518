//! The Prometheus registry and the handles the server counts through: request counts and
//! latencies per route, tokens minted, the password-hashing pool's queue, webhook deliveries.
//! `metrics_http.rs` serves them at `/metrics`.

use std::sync::atomic::Ordering;
use usher_core::ids::InstanceId;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use usher_core::clock::Millis;
use usher_core::passwords::HasherPool;
use usher_core::store::Store;

use crate::fast_state::SharedCounters;

type Labels = Vec<(String, String)>;

pub struct Metrics {
    registry: Registry,
    requests: Family<Labels, Counter>,
    latency: Family<Labels, Histogram>,
    pub tokens_minted: Counter,
    /// Session tokens minted over `session_claims::LARGE_TOKEN_BYTES`: near a cookie's 4 KB.
    pub session_tokens_large: Counter,
    pub events_written: Counter,
    /// Browser requests refused for their origin.
    pub origin_refusals: Counter,
    /// Wrong passwords and codes in sign-ins.
    pub sign_in_failures: Counter,
    /// Frontend API requests refused by a rate limit.
    pub throttled: Counter,
    /// Texted codes refused by an SMS cap (per number, country calling code or address).
    pub sms_capped: Counter,
    /// The most failures one account (from one address) or one address has in its current
    /// window, as last seen.
    failure_run: Gauge,
    hasher: HasherPool,
    counters: std::sync::Arc<SharedCounters>,
    redis_fallbacks: Gauge,
    local_counters: Gauge,
    hasher_queued: Gauge,
    hasher_jobs: Gauge,
    hasher_wait_max_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
    pub webhooks: WebhookMetrics,
    /// 1 while this node serves session tokens from memory (the database unavailable).
    pub degraded_active: Gauge,
    /// Session tokens minted from memory in degraded mode.
    pub degraded_tokens: Counter,
    /// Token requests degraded mode could not serve (503).
    pub degraded_refusals: Counter,
    /// Sessions held in the snapshot cache.
    pub degraded_cache_sessions: Gauge,
    /// The last latencies of each route, for the diagnostics' percentiles.
    pub recent: crate::latency_window::RecentLatencies,
}

type GaugeF64 = Gauge<f64, std::sync::atomic::AtomicU64>;

/// Per-endpoint webhook figures. Attempts and latency are counted by this process; the queue
/// gauges and the success ratio are read from the database at each scrape, so every node
/// reports the same, restart-proof values.
pub struct WebhookMetrics {
    attempts: Family<Labels, Counter>,
    delivery_latency: Family<Labels, Histogram>,
    queue_depth: Family<Labels, Gauge>,
    oldest_age: Family<Labels, GaugeF64>,
    success_ratio: Family<Labels, GaugeF64>,
}

/// The success ratio covers the attempts of the last day.
const SUCCESS_WINDOW_MS: i64 = 24 * 3600 * 1000;

fn delivery_latency_histogram() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0,
    ])
}

impl WebhookMetrics {
    fn register(registry: &mut Registry) -> Self {
        let m = Self {
            attempts: Family::default(),
            delivery_latency: Family::new_with_constructor(
                delivery_latency_histogram as fn() -> Histogram,
            ),
            queue_depth: Family::default(),
            oldest_age: Family::default(),
            success_ratio: Family::default(),
        };
        registry.register(
            "webhook_attempts",
            "Webhook delivery attempts by endpoint and result (succeeded, failed)",
            m.attempts.clone(),
        );
        registry.register(
            "webhook_delivery_latency_seconds",
            "Time from an event's commit (or its retry or replay) to its successful delivery, by endpoint",
            m.delivery_latency.clone(),
        );
        registry.register(
            "webhook_queue_depth",
            "Deliveries not yet succeeded or failed for good, by endpoint",
            m.queue_depth.clone(),
        );
        registry.register(
            "webhook_oldest_undelivered_age_seconds",
            "Age of the oldest queued delivery, by endpoint (0 when the queue is empty)",
            m.oldest_age.clone(),
        );
        registry.register(
            "webhook_success_ratio",
            "Share of attempts in the last 24 hours that succeeded, by endpoint",
            m.success_ratio.clone(),
        );
        m
    }

    fn endpoint(id: &str) -> Labels {
        vec![("endpoint".into(), id.to_owned())]
    }

    /// One attempt: `queued_for_secs` is observed as delivery latency when it succeeded.
    pub fn attempt(&self, endpoint_id: &str, succeeded: bool, queued_for_secs: f64) {
        let mut labels = Self::endpoint(endpoint_id);
        labels.push((
            "result".into(),
            if succeeded { "succeeded" } else { "failed" }.into(),
        ));
        self.attempts.get_or_create(&labels).inc();
        if succeeded {
            self.delivery_latency
                .get_or_create(&Self::endpoint(endpoint_id))
                .observe(queued_for_secs);
        }
    }

    /// Sets the queue gauges from the database; endpoints that no longer exist disappear.
    pub async fn refresh(&self, store: &dyn Store, instance_id: &InstanceId, now: Millis) {
        let stats = match store
            .webhook_stats(instance_id, now - SUCCESS_WINDOW_MS)
            .await
        {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %usher_core::error::report(&e), "could not read webhook statistics for /metrics");
                return;
            }
        };
        self.queue_depth.clear();
        self.oldest_age.clear();
        self.success_ratio.clear();
        for s in stats {
            let labels = Self::endpoint(&s.endpoint_id);
            self.queue_depth.get_or_create(&labels).set(s.queue_depth);
            let age = s
                .oldest_pending_at
                .map_or(0.0, |t| (now - t).max(0) as f64 / 1000.0);
            self.oldest_age.get_or_create(&labels).set(age);
            let total = s.attempts_succeeded + s.attempts_failed;
            if total > 0 {
                self.success_ratio
                    .get_or_create(&labels)
                    .set(s.attempts_succeeded as f64 / total as f64);
            }
        }
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new([
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    ])
}

impl Metrics {
    pub fn new(hasher: HasherPool, counters: std::sync::Arc<SharedCounters>) -> Self {
        let mut registry = Registry::with_prefix("usher");
        let requests = Family::<Labels, Counter>::default();
        let latency = Family::<Labels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let tokens_minted = Counter::default();
        let session_tokens_large = Counter::default();
        let events_written = Counter::default();
        let hasher_queued = Gauge::default();
        let hasher_jobs = Gauge::default();
        let hasher_wait_max_seconds = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register(
            "session_tokens_minted",
            "Session tokens signed",
            tokens_minted.clone(),
        );
        registry.register(
            "session_token_large",
            "Session tokens minted close to the 4 KB a cookie holds",
            session_tokens_large.clone(),
        );
        registry.register(
            "events_written",
            "Events written to the outbox",
            events_written.clone(),
        );
        registry.register(
            "password_hash_queue_depth",
            "Password hashing jobs waiting for a worker",
            hasher_queued.clone(),
        );
        registry.register(
            "password_hash_jobs",
            "Password hashing jobs completed",
            hasher_jobs.clone(),
        );
        registry.register(
            "password_hash_queue_wait_max_seconds",
            "Longest time a password hashing job waited for a worker",
            hasher_wait_max_seconds.clone(),
        );
        let redis_fallbacks = Gauge::default();
        registry.register(
            "rate_limit_redis_fallbacks",
            "Rate-limit counts taken on this node because Redis did not answer",
            redis_fallbacks.clone(),
        );
        let local_counters = Gauge::default();
        registry.register(
            "rate_limit_local_counters",
            "Rate-limit counters this node holds in memory (its own counts, or Redis's fallback)",
            local_counters.clone(),
        );
        let origin_refusals = Counter::default();
        registry.register(
            "frontend_origin_refusals",
            "Frontend API requests refused because their Origin is not allowed",
            origin_refusals.clone(),
        );
        let sign_in_failures = Counter::default();
        registry.register(
            "sign_in_failures",
            "Sign-in attempts that failed on a wrong password or code",
            sign_in_failures.clone(),
        );
        let throttled = Counter::default();
        registry.register(
            "frontend_throttled",
            "Frontend API requests refused by a per-address or per-account rate limit",
            throttled.clone(),
        );
        let sms_capped = Counter::default();
        registry.register(
            "sms_capped",
            "Texted codes refused by an SMS cap (per number, country calling code or client address)",
            sms_capped.clone(),
        );
        let failure_run = Gauge::default();
        registry.register(
            "sign_in_failures_worst_window",
            "Failed sign-ins of the worst account/address pair or address in its current window, as last seen",
            failure_run.clone(),
        );
        let webhooks = WebhookMetrics::register(&mut registry);
        let degraded_active = Gauge::default();
        registry.register(
            "degraded_mode_active",
            "1 while this node serves session tokens from memory because the database is unavailable",
            degraded_active.clone(),
        );
        let degraded_tokens = Counter::default();
        registry.register(
            "degraded_tokens",
            "Session tokens minted from memory in degraded mode",
            degraded_tokens.clone(),
        );
        let degraded_refusals = Counter::default();
        registry.register(
            "degraded_refusals",
            "Token requests degraded mode could not serve from memory (answered 503)",
            degraded_refusals.clone(),
        );
        let degraded_cache_sessions = Gauge::default();
        registry.register(
            "degraded_cache_sessions",
            "Sessions held in the degraded-mode snapshot cache",
            degraded_cache_sessions.clone(),
        );
        Self {
            degraded_active,
            degraded_tokens,
            degraded_refusals,
            degraded_cache_sessions,
            recent: crate::latency_window::RecentLatencies::default(),
            throttled,
            sms_capped,
            failure_run,
            origin_refusals,
            sign_in_failures,
            webhooks,
            counters,
            redis_fallbacks,
            local_counters,
            registry,
            requests,
            latency,
            tokens_minted,
            session_tokens_large,
            events_written,
            hasher,
            hasher_queued,
            hasher_jobs,
            hasher_wait_max_seconds,
        }
    }

    /// One answered request: counted by route, method and status; timed by route.
    pub fn observe_request(&self, route: String, method: String, status: u16, elapsed_secs: f64) {
        self.recent.observe(&method, &route, elapsed_secs);
        self.requests
            .get_or_create(&vec![
                ("route".into(), route.clone()),
                ("method".into(), method),
                ("status".into(), status.to_string()),
            ])
            .inc();
        self.latency
            .get_or_create(&vec![("route".into(), route)])
            .observe(elapsed_secs);
    }

    pub fn observe_failure_run(&self, n: u64) {
        self.failure_run.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// The hashing pool since start-up: workers, queued jobs, jobs done, average and longest
    /// wait for a worker (milliseconds).
    pub fn hasher_figures(&self) -> usher_core::diagnostics::HasherCheck {
        let stats = self.hasher.stats();
        let jobs = stats.jobs_done.load(Ordering::Relaxed);
        let total_us = stats.queue_wait_micros_total.load(Ordering::Relaxed);
        usher_core::diagnostics::HasherCheck {
            workers: self.hasher.workers() as u64,
            queued: stats.queued.load(Ordering::Relaxed),
            jobs,
            avg_wait_ms: if jobs > 0 {
                total_us as f64 / jobs as f64 / 1000.0
            } else {
                0.0
            },
            max_wait_ms: stats.queue_wait_micros_max.load(Ordering::Relaxed) as f64 / 1000.0,
        }
    }

    pub fn render(&self) -> String {
        self.redis_fallbacks.set(self.counters.fallbacks() as i64);
        self.local_counters
            .set(i64::try_from(self.counters.local_entries()).unwrap_or(i64::MAX));
        let stats = self.hasher.stats();
        self.hasher_queued
            .set(stats.queued.load(Ordering::Relaxed) as i64);
        self.hasher_jobs
            .set(stats.jobs_done.load(Ordering::Relaxed) as i64);
        self.hasher_wait_max_seconds
            .set(stats.queue_wait_micros_max.load(Ordering::Relaxed) as f64 / 1e6);
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
