//! API key verification, in memory, on one core: what `app::api_keys::verify` does around its
//! one indexed read — the secret's HMAC-SHA256 digest, the look-up (a `HashMap` of digests
//! stands in for the index), the constant-time comparison and the usability check
//! (`api_keys::rules::accept`), and the use recorded for `last_used_at` (`UsageLog`) — against
//! the raw HMAC-SHA256 rate of aws-lc-rs over the same secrets, in the same run. Prints JSON.
//!
//!   api_key_verify_bench [--seconds S] [--rounds N] [--keys N]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::hmac;
use usher_core::api_keys::rules::{self, NewApiKey};
use usher_core::api_keys::{ApiKey, ApiKeyKeys};
use usher_core::ids::UserId;
use usher_server::app::api_key_usage::UsageLog;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `f` over `secrets` round-robin for `d`; calls per second.
fn rate(d: Duration, secrets: &[String], mut f: impl FnMut(&str)) -> f64 {
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < d {
        for s in secrets.iter().take(256) {
            f(s);
        }
        n += secrets.len().min(256) as u64;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let seconds = arg("--seconds", 2);
    let rounds = arg("--rounds", 5).max(1);
    let count = arg("--keys", 1000).max(1) as usize;
    let keys = ApiKeyKeys::new(b"bench digest secret", b"bench seal secret").unwrap();
    let raw_key = hmac::Key::new(hmac::HMAC_SHA256, &[7u8; 32]);
    let now = 1_700_000_000_000;

    let mut index: HashMap<String, (ApiKey, String)> = HashMap::new();
    let mut secrets = Vec::with_capacity(count);
    for i in 0..count {
        let input = NewApiKey {
            name: format!("bench key {i}"),
            subject: UserId::new().into_string(),
            ..NewApiKey::default()
        };
        let key = rules::create(input, now).unwrap();
        let secret = ApiKeyKeys::new_secret();
        let digest = keys.digest(&secret);
        index.insert(digest.clone(), (key, digest));
        secrets.push(secret);
    }
    let usage = UsageLog::default();
    let d = Duration::from_secs(seconds);

    let mut raw = Vec::new();
    let mut verify = Vec::new();
    for _ in 0..rounds {
        raw.push(rate(d, &secrets, |s| {
            black_box(hmac::sign(&raw_key, s.as_bytes()));
        }));
        verify.push(rate(d, &secrets, |s| {
            let digest = keys.digest(s);
            let found = index.get(&digest).cloned();
            let key = rules::accept(found, &digest, now).expect("a known key");
            usage.record(&key.id, now);
            black_box(key);
        }));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (raw_med, verify_med) = (median(&mut raw), median(&mut verify));
    println!(
        "{}",
        serde_json::json!({
            "raw_hmac_sha256_per_sec": raw_med.round(),
            "api_key_verify_per_sec": verify_med.round(),
            "verify_vs_raw": (verify_med / raw_med * 1000.0).round() / 1000.0,
            "goal_per_sec": 20_000,
            "goal_met": verify_med >= 20_000.0,
            "keys": count,
            "rounds": rounds,
            "seconds_per_round": seconds,
        })
    );
}
