//! Degraded mode: while the database is unreachable or slower than
//! `degraded_mode_db_timeout_ms`, signed-in sessions keep getting session tokens, minted from
//! what this node last read of them (`cache`), for at most `degraded_mode_window_secs` after
//! the database last confirmed each one; everything else answers Clerk's 503 at once (`gate`).
//! `workers::degraded` probes the database, learns revocations made anywhere while it answers,
//! and leaves degraded mode when it is back, writing the activity recorded meanwhile.

pub mod cache;
pub mod gate;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use usher_core::clock::Millis;
use usher_core::ids::SessionId;

pub use cache::SnapshotCache;

/// A node's degraded-mode machinery (the instance settings `degraded_mode_*` say whether it
/// serves and for how long; these are the node's own).
#[derive(Debug, Clone)]
pub struct DegradedConfig {
    /// Sessions held at most (least recently used out first).
    pub cache_sessions: usize,
    /// How often the database is probed and revocations polled.
    pub poll_interval: Duration,
    /// Runs the probe and poll worker. Tests turn it off and drive it with
    /// `workers::degraded::check_once`.
    pub run_worker: bool,
}

impl Default for DegradedConfig {
    fn default() -> Self {
        Self {
            cache_sessions: 100_000,
            poll_interval: Duration::from_secs(1),
            run_worker: true,
        }
    }
}

pub struct Degraded {
    pub config: DegradedConfig,
    pub cache: SnapshotCache,
    active: AtomicBool,
    cause: Mutex<Option<String>>,
    /// `last_active_at` moves recorded while degraded, written back when the database returns.
    touches: Mutex<HashMap<SessionId, Millis>>,
}

impl Degraded {
    pub fn new(config: DegradedConfig) -> Self {
        Self {
            cache: SnapshotCache::new(config.cache_sessions),
            config,
            active: AtomicBool::new(false),
            cause: Mutex::new(None),
            touches: Mutex::new(HashMap::new()),
        }
    }

    /// Whether this node believes the database unreachable.
    pub fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    /// Why the node is degraded, while it is.
    pub fn cause(&self) -> Option<String> {
        match self.cause.lock() {
            Ok(c) => c.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Enters degraded mode (once: later failures only log at debug). Returns whether it entered.
    pub fn enter(&self, cause: &str) -> bool {
        if self.active.swap(true, Ordering::AcqRel) {
            tracing::debug!(cause, "database still unavailable");
            return false;
        }
        if let Ok(mut c) = self.cause.lock() {
            *c = Some(cause.to_owned());
        }
        tracing::warn!(
            cause,
            held_sessions = self.cache.len(),
            "degraded mode entered: the database is unavailable; session tokens are served from memory"
        );
        true
    }

    /// Leaves degraded mode. Returns whether it was degraded.
    pub fn leave(&self, touches_written: usize) -> bool {
        if !self.active.swap(false, Ordering::AcqRel) {
            return false;
        }
        let cause = match self.cause.lock() {
            Ok(mut c) => c.take(),
            Err(p) => p.into_inner().take(),
        };
        tracing::warn!(
            cause = cause.as_deref().unwrap_or(""),
            touches_written,
            "degraded mode left: the database answers again"
        );
        true
    }

    /// Records a session's use at `at`, to be written when the database returns. Bounded like
    /// the cache: past it, a use is dropped (it only moves the inactivity deadline, which the
    /// next use after the outage moves again).
    pub fn note_touch(&self, id: &SessionId, at: Millis) {
        let mut t = match self.touches.lock() {
            Ok(t) => t,
            Err(p) => p.into_inner(),
        };
        if t.len() >= self.config.cache_sessions && !t.contains_key(id) {
            return;
        }
        let slot = t.entry(id.clone()).or_insert(at);
        *slot = (*slot).max(at);
    }

    pub fn take_touches(&self) -> Vec<(SessionId, Millis)> {
        match self.touches.lock() {
            Ok(mut t) => t.drain().collect(),
            Err(p) => p.into_inner().drain().collect(),
        }
    }

    pub fn restore_touches(&self, batch: Vec<(SessionId, Millis)>) {
        for (id, at) in batch {
            self.note_touch(&id, at);
        }
    }
}
