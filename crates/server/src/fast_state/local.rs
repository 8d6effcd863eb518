//! In-process counters. Browsers arrive from many addresses, and each address's counter lives
//! for its window: at an ordinary 500 new addresses a second a node holds about ten thousand of
//! them. Clean-up is therefore amortised: every counter's expiry also sits in a queue ordered by
//! time, and each increment drops at most a few expired counters from the front of its shard's
//! queue, so no request ever walks the whole table. The table is sharded (one lock per shard)
//! and capped: past the cap the counter closest to its end is forgotten first.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use usher_core::clock::{Clock, Millis};
use usher_core::ratelimit::{Counters, CountersUnavailable};

pub const SHARDS: usize = 16;
/// Counters kept at most, over all shards (about 150 bytes each).
pub const MAX_ENTRIES: usize = 256 * 1024;
/// Expired counters one increment may drop. An increment adds at most one, so the expired
/// ones are dropped many times faster than they can pile up.
pub const SWEEP_BUDGET: usize = 8;

struct Count {
    n: u64,
    expires: Millis,
}

#[derive(Default)]
struct Shard {
    counts: HashMap<Arc<str>, Count>,
    /// Each counter's expiry, soonest first. A counter restarted after its expiry leaves its
    /// old entry behind; the sweep recognises it by its time and skips it.
    expiries: BinaryHeap<Reverse<(Millis, Arc<str>)>>,
}

impl Shard {
    /// Drops the counter `expiries`' front names if it still ends at `at`.
    fn pop_front(&mut self) -> bool {
        let Some(Reverse((at, key))) = self.expiries.pop() else {
            return false;
        };
        if self.counts.get(&key).is_some_and(|c| c.expires == at) {
            self.counts.remove(&key);
            return true;
        }
        false
    }

    fn sweep(&mut self, now: Millis, budget: usize) {
        for _ in 0..budget {
            match self.expiries.peek() {
                Some(Reverse((at, _))) if *at <= now => {
                    self.pop_front();
                }
                _ => break,
            }
        }
    }

    /// Forgets the counter closest to its end (possibly already expired).
    fn evict_one(&mut self) {
        while !self.expiries.is_empty() {
            if self.pop_front() {
                return;
            }
        }
    }

    fn incr(&mut self, key: &str, ttl: Millis, now: Millis, cap: usize) -> u64 {
        self.sweep(now, SWEEP_BUDGET);
        let expires = now.saturating_add(ttl);
        if let Some((k, c)) = self.counts.get_key_value(key) {
            if c.expires > now {
                if let Some(c) = self.counts.get_mut(key) {
                    c.n += 1;
                    return c.n;
                }
            } else {
                let k = k.clone();
                self.counts.insert(k.clone(), Count { n: 1, expires });
                self.expiries.push(Reverse((expires, k)));
                return 1;
            }
        }
        while self.counts.len() >= cap && !self.expiries.is_empty() {
            self.evict_one();
        }
        let k: Arc<str> = Arc::from(key);
        self.counts.insert(k.clone(), Count { n: 1, expires });
        self.expiries.push(Reverse((expires, k)));
        1
    }
}

pub struct LocalCounters {
    clock: Arc<dyn Clock>,
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
    hasher: RandomState,
}

impl LocalCounters {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self::with_capacity(clock, MAX_ENTRIES)
    }

    pub fn with_capacity(clock: Arc<dyn Clock>, max_entries: usize) -> Self {
        Self {
            clock,
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            per_shard: max_entries.div_ceil(SHARDS).max(1),
            hasher: RandomState::new(),
        }
    }

    fn shard(&self, key: &str) -> Result<std::sync::MutexGuard<'_, Shard>, CountersUnavailable> {
        let i = (self.hasher.hash_one(key) % SHARDS as u64) as usize;
        self.shards[i]
            .lock()
            .map_err(|_| CountersUnavailable("local counters poisoned".into()))
    }

    /// (counters, queued expiries) over all shards: what the table holds in memory.
    pub fn size(&self) -> (usize, usize) {
        self.shards.iter().fold((0, 0), |(c, q), s| match s.lock() {
            Ok(s) => (c + s.counts.len(), q + s.expiries.len()),
            Err(_) => (c, q),
        })
    }
}

#[async_trait]
impl Counters for LocalCounters {
    async fn incr(&self, key: &str, ttl_ms: Millis) -> Result<u64, CountersUnavailable> {
        let now = self.clock.now_ms();
        let per_shard = self.per_shard;
        Ok(self.shard(key)?.incr(key, ttl_ms.max(0), now, per_shard))
    }

    async fn get(&self, key: &str) -> Result<u64, CountersUnavailable> {
        let now = self.clock.now_ms();
        Ok(self
            .shard(key)?
            .counts
            .get(key)
            .filter(|c| c.expires > now)
            .map_or(0, |c| c.n))
    }
}
