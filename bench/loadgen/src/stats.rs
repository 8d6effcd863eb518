//! Counting outcomes and summarising latencies.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// Failed requests by kind. Only `200` with a token in the body counts as a success.
#[derive(Debug, Default, Clone)]
pub struct Errors {
    /// Non-200 responses by status code.
    pub status: BTreeMap<u16, u64>,
    /// Connection refused/reset, malformed HTTP.
    pub transport: u64,
    /// No response within the per-request timeout.
    pub timeout: u64,
    /// 200 whose body had no `jwt` of three dot-separated parts.
    pub bad_body: u64,
    /// The first failure, verbatim enough to diagnose.
    pub sample: Option<String>,
}

impl Errors {
    pub fn total(&self) -> u64 {
        self.status.values().sum::<u64>() + self.transport + self.timeout + self.bad_body
    }

    pub fn note(&mut self, what: impl FnOnce() -> String) {
        if self.sample.is_none() {
            self.sample = Some(what());
        }
    }

    pub fn merge(&mut self, other: &Errors) {
        for (code, n) in &other.status {
            *self.status.entry(*code).or_default() += n;
        }
        self.transport += other.transport;
        self.timeout += other.timeout;
        self.bad_body += other.bad_body;
        if self.sample.is_none() {
            self.sample.clone_from(&other.sample);
        }
    }

    pub fn to_json(&self) -> Value {
        let status: serde_json::Map<String, Value> = self
            .status
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        json!({
            "total": self.total(),
            "http_status": status,
            "transport": self.transport,
            "timeout": self.timeout,
            "bad_body": self.bad_body,
            "first": self.sample,
        })
    }

    /// `"0"` or e.g. `"12 (429×10, timeout×2)"`.
    pub fn summary(&self) -> String {
        let total = self.total();
        if total == 0 {
            return "0".into();
        }
        let mut parts: Vec<String> = self
            .status
            .iter()
            .map(|(c, n)| format!("{c}×{n}"))
            .collect();
        for (name, n) in [
            ("transport", self.transport),
            ("timeout", self.timeout),
            ("bad body", self.bad_body),
        ] {
            if n > 0 {
                parts.push(format!("{name}×{n}"));
            }
        }
        format!("{total} ({})", parts.join(", "))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Latency {
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// Nearest-rank percentiles over latencies in microseconds (sorted in place).
pub fn latency(samples_us: &mut [u32]) -> Option<Latency> {
    if samples_us.is_empty() {
        return None;
    }
    samples_us.sort_unstable();
    let n = samples_us.len();
    let rank = |p: f64| {
        let idx = ((p / 100.0) * n as f64).ceil() as usize;
        f64::from(samples_us[idx.clamp(1, n) - 1]) / 1000.0
    };
    let sum: u64 = samples_us.iter().map(|&v| u64::from(v)).sum();
    Some(Latency {
        p50_ms: rank(50.0),
        p90_ms: rank(90.0),
        p99_ms: rank(99.0),
        max_ms: f64::from(samples_us[n - 1]) / 1000.0,
        mean_ms: sum as f64 / n as f64 / 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<u32> = (1..=100).rev().map(|i| i * 1000).collect();
        let l = latency(&mut v);
        assert_eq!(
            l,
            Some(Latency {
                p50_ms: 50.0,
                p90_ms: 90.0,
                p99_ms: 99.0,
                max_ms: 100.0,
                mean_ms: 50.5
            })
        );
        let mut one = vec![1500];
        assert_eq!(
            latency(&mut one).map(|l| (l.p50_ms, l.p99_ms, l.max_ms)),
            Some((1.5, 1.5, 1.5))
        );
        assert_eq!(latency(&mut []), None);
    }

    #[test]
    fn errors_add_up() {
        let mut a = Errors::default();
        *a.status.entry(429).or_default() += 2;
        a.note(|| "first".into());
        let mut b = Errors {
            transport: 1,
            timeout: 1,
            ..Errors::default()
        };
        b.note(|| "second".into());
        a.merge(&b);
        assert_eq!(a.total(), 4);
        assert_eq!(a.sample.as_deref(), Some("first"));
        assert_eq!(a.summary(), "4 (429×2, transport×1, timeout×1)");
        assert_eq!(Errors::default().summary(), "0");
    }
}
