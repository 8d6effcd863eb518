//! Unit tests of `app/activity.rs`.
use usher_core::activity::{ActivityCount, ActivityKind};

use usher_core::activity::HOUR_MS;

use usher_server::app::activity::*;

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
