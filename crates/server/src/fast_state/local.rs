//! In-process counters.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use usher_core::clock::Millis;
use usher_core::ratelimit::{Counters, CountersUnavailable};

#[derive(Default)]
pub struct LocalCounters {
    counts: Mutex<HashMap<String, (u64, Instant)>>,
}

#[async_trait]
impl Counters for LocalCounters {
    async fn incr(&self, key: &str, ttl_ms: Millis) -> Result<u64, CountersUnavailable> {
        let now = Instant::now();
        let mut counts = self
            .counts
            .lock()
            .map_err(|_| CountersUnavailable("local counters poisoned".into()))?;
        // Expired windows are dropped as the map grows, so memory stays bounded by live windows.
        if counts.len() > 10_000 {
            counts.retain(|_, (_, expires)| *expires > now);
        }
        let ttl = Duration::from_millis(u64::try_from(ttl_ms).unwrap_or(0));
        let entry = counts.entry(key.to_owned()).or_insert((0, now + ttl));
        if entry.1 <= now {
            *entry = (0, now + ttl);
        }
        entry.0 += 1;
        Ok(entry.0)
    }

    async fn get(&self, key: &str) -> Result<u64, CountersUnavailable> {
        let counts = self
            .counts
            .lock()
            .map_err(|_| CountersUnavailable("local counters poisoned".into()))?;
        Ok(counts
            .get(key)
            .filter(|(_, expires)| *expires > Instant::now())
            .map_or(0, |(n, _)| *n))
    }
}
