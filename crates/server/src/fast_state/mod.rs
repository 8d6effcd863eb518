//! Short-lived shared state: rate-limit counters today. With `USHER_REDIS_URL` the counts are
//! shared by every node through Redis; without it (or while Redis is unreachable) each node
//! counts for itself. Losing Redis therefore degrades to per-node limits: never to an outage,
//! and never to no limit at all.

pub mod local;
mod redis;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use usher_core::clock::{Clock, Millis};
use usher_core::ratelimit::{Counters, CountersUnavailable};

pub use local::LocalCounters;
pub use redis::RedisCounters;

/// Redis when configured and answering, this node's own counters otherwise.
pub struct SharedCounters {
    redis: Option<RedisCounters>,
    local: LocalCounters,
    fallbacks: AtomicU64,
}

impl SharedCounters {
    pub fn new(redis: Option<RedisCounters>, clock: Arc<dyn Clock>) -> Arc<Self> {
        Arc::new(Self {
            redis,
            local: LocalCounters::new(clock),
            fallbacks: AtomicU64::new(0),
        })
    }

    pub fn uses_redis(&self) -> bool {
        self.redis.is_some()
    }

    /// Redis, when configured (the diagnostics ping it).
    pub fn redis(&self) -> Option<&RedisCounters> {
        self.redis.as_ref()
    }

    /// How many counters this node holds itself.
    pub fn local_entries(&self) -> usize {
        self.local.size().0
    }

    /// How many counts fell back to this node because Redis did not answer.
    pub fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl Counters for SharedCounters {
    async fn incr(&self, key: &str, ttl_ms: Millis) -> Result<u64, CountersUnavailable> {
        if let Some(redis) = &self.redis {
            match redis.incr(key, ttl_ms).await {
                Ok(n) => return Ok(n),
                Err(e) => {
                    if self
                        .fallbacks
                        .fetch_add(1, Ordering::Relaxed)
                        .is_multiple_of(1000)
                    {
                        tracing::warn!(error = %e, "Redis is unavailable: rate limits are counted per node until it returns");
                    }
                }
            }
        }
        self.local.incr(key, ttl_ms).await
    }

    async fn get(&self, key: &str) -> Result<u64, CountersUnavailable> {
        if let Some(redis) = &self.redis
            && let Ok(n) = redis.get(key).await
        {
            return Ok(n);
        }
        self.local.get(key).await
    }
}
