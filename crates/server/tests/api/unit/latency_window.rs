//! Unit tests of `latency_window.rs`.

use usher_server::latency_window::*;

#[test]
fn percentiles_per_route_over_the_last_samples() {
    let r = RecentLatencies::default();
    for i in 1..=100 {
        r.observe("GET", "/v1/users", f64::from(i) / 1000.0);
    }
    r.observe("POST", "/v1/users", 0.5);
    r.observe("BREW", "/coffee", 0.001);
    let s = r.snapshot();
    assert_eq!(s.len(), 3);
    assert_eq!(s[0].route, "POST /v1/users");
    let get = s.iter().find(|x| x.route == "GET /v1/users").unwrap();
    assert_eq!(get.samples, 100);
    assert!((get.p50_ms - 50.0).abs() < 0.01, "{get:?}");
    assert!((get.p95_ms - 95.0).abs() < 0.01, "{get:?}");
    assert!((get.p99_ms - 99.0).abs() < 0.01, "{get:?}");
    assert!(s.iter().any(|x| x.route == "OTHER /coffee"));
    for _ in 0..CAPACITY {
        r.observe("GET", "/v1/users", 0.002);
    }
    let get = r
        .snapshot()
        .into_iter()
        .find(|x| x.route == "GET /v1/users")
        .unwrap();
    assert_eq!(get.samples, CAPACITY as u64, "the oldest make room");
    assert!((get.p99_ms - 2.0).abs() < 0.01);
}
