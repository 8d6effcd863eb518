//! Unit tests of `outbound/webhook_http.rs`.
use reqwest::dns::Resolve;
use reqwest::header::HeaderMap;
use std::time::Duration;
use usher_core::webhooks::DestinationPolicy;

use usher_core::instance::Environment;
use usher_server::outbound::webhook_http::*;

#[tokio::test]
async fn the_resolver_refuses_names_of_internal_addresses_in_production() {
    let prod = GuardedResolver {
        policy: DestinationPolicy::for_instance(Environment::Production, false),
    };
    let err = match prod.resolve("localhost".parse().unwrap()).await {
        Ok(_) => panic!("localhost resolved in production"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("destination refused"), "{err}");
    let dev = GuardedResolver {
        policy: DestinationPolicy::for_instance(Environment::Development, false),
    };
    let addrs: Vec<_> = dev
        .resolve("localhost".parse().unwrap())
        .await
        .unwrap()
        .collect();
    assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
}

#[tokio::test]
async fn production_sends_over_https_only() {
    let policy = DestinationPolicy::for_instance(Environment::Production, false);
    let c = client(policy, Duration::from_secs(1)).unwrap();
    let sent = post(
        &c,
        &policy,
        "http://hooks.example.com/",
        HeaderMap::new(),
        vec![],
    )
    .await;
    assert!(!sent.ok && sent.status.is_none());
    assert!(sent.error.unwrap().contains("https only"));
}

#[tokio::test]
async fn ip_literals_are_checked_before_any_request() {
    let policy = DestinationPolicy::for_instance(Environment::Production, false);
    let c = client(policy, Duration::from_secs(1)).unwrap();
    for url in [
        "http://127.0.0.1:9/hook",
        "http://[::1]:9/",
        "http://169.254.169.254/latest",
        "http://0x7f.1:9/",
    ] {
        let sent = post(&c, &policy, url, HeaderMap::new(), b"{}".to_vec()).await;
        assert!(!sent.ok && sent.status.is_none(), "{url}");
        assert!(
            sent.error
                .as_deref()
                .is_some_and(|e| e.starts_with("destination refused")),
            "{url}: {:?}",
            sent.error
        );
    }
}
