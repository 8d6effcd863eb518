//! Recent request latencies per route, for the diagnostics' percentiles. The Prometheus
//! histograms count since start-up in fixed buckets (a p95 from them is only as fine as the
//! buckets around it, and yesterday's storm weighs in for ever); this keeps the last
//! [`CAPACITY`] latencies of each `METHOD /route` seen within [`WINDOW`], from which
//! `diagnostics` takes exact nearest-rank percentiles.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use usher_core::diagnostics::{RouteLatency, quantile};

/// Latencies kept per route.
pub const CAPACITY: usize = 512;
/// Older latencies are left out of the percentiles.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Routes tracked at most (methods outside the usual ones are one `OTHER`).
const MAX_ROUTES: usize = 1024;

#[derive(Default)]
struct Ring {
    samples: Vec<(Instant, f32)>,
    next: usize,
}

impl Ring {
    fn push(&mut self, at: Instant, secs: f32) {
        if self.samples.len() < CAPACITY {
            self.samples.push((at, secs));
        } else {
            self.samples[self.next] = (at, secs);
        }
        self.next = (self.next + 1) % CAPACITY;
    }
}

#[derive(Default)]
pub struct RecentLatencies {
    routes: RwLock<HashMap<String, Arc<Mutex<Ring>>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl RecentLatencies {
    /// One answered request.
    pub fn observe(&self, method: &str, route: &str, secs: f64) {
        let method = match method {
            "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" => method,
            _ => "OTHER",
        };
        let key = format!("{method} {route}");
        let now = Instant::now();
        let found = match self.routes.read() {
            Ok(r) => r.get(&key).cloned(),
            Err(p) => p.into_inner().get(&key).cloned(),
        };
        let ring = match found {
            Some(ring) => ring,
            None => {
                let mut w = self.routes.write().unwrap_or_else(|p| p.into_inner());
                if w.len() >= MAX_ROUTES && !w.contains_key(&key) {
                    return;
                }
                w.entry(key).or_default().clone()
            }
        };
        lock(&ring).push(now, secs as f32);
    }

    /// Each route's percentiles over its latencies within [`WINDOW`], slowest p95 first.
    pub fn snapshot(&self) -> Vec<RouteLatency> {
        let rings: Vec<(String, Arc<Mutex<Ring>>)> = match self.routes.read() {
            Ok(r) => r.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Err(p) => p
                .into_inner()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        let now = Instant::now();
        let mut out: Vec<RouteLatency> = rings
            .into_iter()
            .filter_map(|(route, ring)| {
                let mut ms: Vec<f64> = lock(&ring)
                    .samples
                    .iter()
                    .filter(|(at, _)| now.duration_since(*at) <= WINDOW)
                    .map(|(_, s)| f64::from(*s) * 1000.0)
                    .collect();
                if ms.is_empty() {
                    return None;
                }
                ms.sort_by(f64::total_cmp);
                Some(RouteLatency {
                    route,
                    samples: ms.len() as u64,
                    p50_ms: quantile(&ms, 0.50),
                    p95_ms: quantile(&ms, 0.95),
                    p99_ms: quantile(&ms, 0.99),
                })
            })
            .collect();
        out.sort_by(|a, b| b.p95_ms.total_cmp(&a.p95_ms).then(a.route.cmp(&b.route)));
        out
    }
}
