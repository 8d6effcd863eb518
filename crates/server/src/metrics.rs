//! Prometheus metrics at `/metrics`: request counts and latencies per route, tokens minted, and
//! the password-hashing pool's queue.

use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use usher_core::passwords::HasherPool;

use crate::fast_state::SharedCounters;

use crate::state::AppState;

type Labels = Vec<(String, String)>;

pub struct Metrics {
    registry: Registry,
    requests: Family<Labels, Counter>,
    latency: Family<Labels, Histogram>,
    pub tokens_minted: Counter,
    pub events_written: Counter,
    hasher: HasherPool,
    counters: std::sync::Arc<SharedCounters>,
    redis_fallbacks: Gauge,
    hasher_queued: Gauge,
    hasher_jobs: Gauge,
    hasher_wait_max_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
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
        Self {
            counters,
            redis_fallbacks,
            registry,
            requests,
            latency,
            tokens_minted,
            events_written,
            hasher,
            hasher_queued,
            hasher_jobs,
            hasher_wait_max_seconds,
        }
    }

    pub fn render(&self) -> String {
        self.redis_fallbacks.set(self.counters.fallbacks() as i64);
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

pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    let elapsed = start.elapsed().as_secs_f64();
    let status = res.status().as_u16().to_string();
    state
        .metrics
        .requests
        .get_or_create(&vec![
            ("route".into(), route.clone()),
            ("method".into(), method),
            ("status".into(), status),
        ])
        .inc();
    state
        .metrics
        .latency
        .get_or_create(&vec![("route".into(), route)])
        .observe(elapsed);
    res
}

pub async fn endpoint(State(state): State<AppState>) -> Response {
    (
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}
