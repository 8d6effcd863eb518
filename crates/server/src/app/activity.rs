//! Hourly activity counted in memory (sign-ins, failed sign-ins, sign-ups, token refreshes)
//! and added to the stored hours by `workers::activity` every two seconds, so the hot token path
//! never writes. A crash loses at most the last few seconds of counts.

use std::collections::HashMap;
use std::sync::Mutex;

use usher_core::activity::{ActivityCount, ActivityKind, hour_of};
use usher_core::clock::Millis;

#[derive(Default)]
pub struct ActivityTally {
    pending: Mutex<HashMap<(Millis, ActivityKind), i64>>,
}

impl ActivityTally {
    /// `n` of `kind` at `at`.
    pub fn add(&self, kind: ActivityKind, at: Millis, n: i64) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *p.entry((hour_of(at), kind)).or_insert(0) += n;
    }

    /// Everything counted since the last take.
    pub fn take(&self) -> Vec<ActivityCount> {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.drain()
            .map(|((hour, kind), count)| ActivityCount { hour, kind, count })
            .collect()
    }

    /// Puts back a batch whose write failed.
    pub fn restore(&self, batch: Vec<ActivityCount>) {
        for c in batch {
            self.add(c.kind, c.hour, c.count);
        }
    }
}
