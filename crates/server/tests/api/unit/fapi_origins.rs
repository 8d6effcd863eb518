//! Unit tests of `fapi/origins.rs`.

use usher_server::fapi::origins::*;

#[test]
fn loopback_hosts() {
    assert!(is_loopback_host("http://localhost:3000"));
    assert!(is_loopback_host("http://127.0.0.1"));
    assert!(is_loopback_host("http://app.localhost:8080"));
    assert!(!is_loopback_host("http://localhost.evil.test"));
    assert!(!is_loopback_host("https://example.com"));
}
