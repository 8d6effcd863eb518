//! Unit tests of `fast_state/local.rs`.
#![allow(clippy::unwrap_used)]
use std::sync::Arc;
use usher_core::ratelimit::Counters;

use usher_core::clock::ManualClock;
use usher_server::fast_state::local::*;

fn counters(max: usize) -> (Arc<ManualClock>, LocalCounters) {
    let clock = Arc::new(ManualClock::new(1_000_000));
    (clock.clone(), LocalCounters::with_capacity(clock, max))
}

#[tokio::test]
async fn counts_until_the_window_ends_then_starts_again() {
    let (clock, c) = counters(MAX_ENTRIES);
    assert_eq!(c.incr("a", 1_000).await.unwrap(), 1);
    assert_eq!(c.incr("a", 1_000).await.unwrap(), 2);
    assert_eq!(c.incr("b", 1_000).await.unwrap(), 1);
    clock.advance(999);
    assert_eq!(c.get("a").await.unwrap(), 2);
    assert_eq!(c.incr("a", 1_000).await.unwrap(), 3);
    clock.advance(1);
    assert_eq!(c.get("a").await.unwrap(), 0, "expired at its end");
    assert_eq!(c.incr("a", 1_000).await.unwrap(), 1, "a new window");
    clock.advance(500);
    assert_eq!(c.incr("a", 1_000).await.unwrap(), 2);
    assert_eq!(c.get("missing").await.unwrap(), 0);
}

#[tokio::test]
async fn expired_counters_are_dropped_a_few_at_a_time() {
    let (clock, c) = counters(MAX_ENTRIES);
    for i in 0..20_000 {
        c.incr(&format!("old:{i}"), 10_000).await.unwrap();
    }
    assert_eq!(c.size().0, 20_000);
    clock.advance(10_000);
    // One increment does a bounded amount of clean-up, never the whole table.
    c.incr("new:0", 10_000).await.unwrap();
    let (left, _) = c.size();
    assert!(left >= 20_000 - SWEEP_BUDGET, "{left}");
    // Enough increments spread over the shards drop every expired counter.
    for i in 1..=20_000 / SWEEP_BUDGET * 2 {
        c.incr(&format!("new:{i}"), 10_000).await.unwrap();
    }
    let (live, queued) = c.size();
    assert_eq!(live, 20_000 / SWEEP_BUDGET * 2 + 1, "only the new counters");
    assert_eq!(queued, live);
}

#[tokio::test]
async fn memory_stays_bounded_by_the_live_counters() {
    let (clock, c) = counters(MAX_ENTRIES);
    // 500 new addresses a second for ten minutes, each counted for 20 s: about 10,000
    // live counters at any time, and the table never holds many more.
    let mut most = (0, 0);
    for i in 0..300_000u64 {
        clock.advance(2);
        c.incr(&format!("fapi:ip:{i}"), 20_000).await.unwrap();
        if i % 1_000 == 0 {
            let (live, queued) = c.size();
            most = (most.0.max(live), most.1.max(queued));
        }
    }
    assert!(most.0 <= 10_000 + 1_000, "{most:?}");
    assert!(most.1 <= 10_000 + 1_000, "{most:?}");
    // Restarted windows leave their old expiries behind only briefly.
    let (clock, c) = counters(MAX_ENTRIES);
    for _ in 0..10_000 {
        for k in 0..50 {
            c.incr(&format!("k{k}"), 1_000).await.unwrap();
        }
        clock.advance(1_000);
    }
    let (live, queued) = c.size();
    assert!(live <= 50 && queued <= 100, "{live} {queued}");
}

#[tokio::test]
async fn the_cap_forgets_the_counters_closest_to_their_end() {
    let (clock, c) = counters(SHARDS * 10);
    for i in 0..10_000 {
        c.incr(&format!("flood:{i}"), 60_000).await.unwrap();
    }
    assert!(c.size().0 <= SHARDS * 10, "{:?}", c.size());
    assert!(c.size().1 <= SHARDS * 10, "{:?}", c.size());
    // A long window started after the flood outlives the flood's counters.
    clock.advance(1);
    for _ in 0..3 {
        c.incr("victim", 900_000).await.unwrap();
    }
    for i in 0..1_000 {
        c.incr(&format!("flood2:{i}"), 60_000).await.unwrap();
    }
    assert_eq!(c.get("victim").await.unwrap(), 3);
}
