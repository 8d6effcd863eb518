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

#[cfg(test)]
mod tests {
    use usher_core::activity::HOUR_MS;

    use super::*;

    #[test]
    fn counts_add_up_per_hour_and_kind_until_taken() {
        let t = ActivityTally::default();
        t.add(ActivityKind::SignInFailure, 10, 1);
        t.add(ActivityKind::SignInFailure, HOUR_MS - 1, 2);
        t.add(ActivityKind::SignInFailure, HOUR_MS, 1);
        t.add(ActivityKind::TokenRefresh, 5, 1);
        let mut batch = t.take();
        batch.sort_by_key(|c| (c.hour, c.kind));
        assert_eq!(
            batch,
            vec![
                ActivityCount {
                    hour: 0,
                    kind: ActivityKind::SignInFailure,
                    count: 3
                },
                ActivityCount {
                    hour: 0,
                    kind: ActivityKind::TokenRefresh,
                    count: 1
                },
                ActivityCount {
                    hour: HOUR_MS,
                    kind: ActivityKind::SignInFailure,
                    count: 1
                },
            ]
        );
        assert!(t.take().is_empty());
        t.restore(batch);
        t.add(ActivityKind::TokenRefresh, 7, 1);
        assert_eq!(t.take().len(), 3);
    }
}
