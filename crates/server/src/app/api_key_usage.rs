//! `last_used_at` without a write per verification: each use is recorded in memory (the latest
//! per key) and `workers::api_key_usage` writes the batch every second in one transaction. Reads
//! on this node see the pending time at once (`seen`); other nodes see it after the flush. A
//! crash loses at most the last second of uses, which only moves `last_used_at`.

use std::collections::HashMap;
use std::sync::Mutex;

use usher_core::api_keys::ApiKey;
use usher_core::clock::Millis;
use usher_core::ids::ApiKeyId;

#[derive(Default)]
pub struct UsageLog {
    pending: Mutex<HashMap<ApiKeyId, Millis>>,
}

impl UsageLog {
    pub fn record(&self, id: &ApiKeyId, at: Millis) {
        let mut p = match self.pending.lock() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        };
        let slot = p.entry(id.clone()).or_insert(at);
        *slot = (*slot).max(at);
    }

    /// Everything recorded since the last take.
    pub fn take(&self) -> Vec<(ApiKeyId, Millis)> {
        let mut p = match self.pending.lock() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        };
        p.drain().collect()
    }

    /// Puts back a batch whose write failed (a newer use recorded meanwhile wins).
    pub fn restore(&self, batch: Vec<(ApiKeyId, Millis)>) {
        for (id, at) in batch {
            self.record(&id, at);
        }
    }

    /// `key` with a use recorded here and not yet written.
    pub fn seen(&self, mut key: ApiKey) -> ApiKey {
        let pending = match self.pending.lock() {
            Ok(p) => p.get(&key.id).copied(),
            Err(poisoned) => poisoned.into_inner().get(&key.id).copied(),
        };
        if let Some(at) = pending {
            key.last_used_at = Some(key.last_used_at.map_or(at, |t| t.max(at)));
        }
        key
    }
}
