//! Unit tests of `transfer/clerk_source.rs`.
#![allow(clippy::unwrap_used)]
use std::time::Duration;

use usher_server::transfer::clerk_source::*;

#[test]
fn api_url_forms() {
    for u in [
        "https://api.clerk.com",
        "https://api.clerk.com/",
        "https://api.clerk.com/v1",
        "https://api.clerk.com/v1/",
    ] {
        assert_eq!(
            ClerkSource::new(u, "sk_test_x").unwrap().base_url(),
            "https://api.clerk.com"
        );
    }
    assert!(ClerkSource::new("ftp://x", "sk").is_err());
    assert!(ClerkSource::new("https://api.clerk.com", " ").is_err());
}

#[test]
fn clerk_errors_are_summarised() {
    let body = r#"{"errors":[{"code":"authentication_invalid","message":"bad key"}]}"#;
    assert_eq!(clerk_error(body), ": authentication_invalid: bad key");
    assert_eq!(clerk_error("<html>"), "");
}

/// A source that throttles, fails, then answers; and one that refuses.
#[tokio::test]
async fn throttled_and_failing_requests_are_retried_and_refusals_are_not() {
    use axum::Router;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::get;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let hits = Arc::new(AtomicUsize::new(0));
    let broken = Arc::new(AtomicUsize::new(0));
    let (h, b) = (hits.clone(), broken.clone());
    let app = Router::new()
        .route(
            "/v1/users/count",
            get(move |headers: HeaderMap| {
                let n = h.fetch_add(1, Ordering::SeqCst);
                async move {
                    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
                    if auth != Some("Bearer sk_test_1") {
                        return (StatusCode::UNAUTHORIZED, HeaderMap::new(), String::new());
                    }
                    let mut out = HeaderMap::new();
                    match n {
                        0 => {
                            out.insert("retry-after", "1".parse().unwrap());
                            (StatusCode::TOO_MANY_REQUESTS, out, String::new())
                        }
                        1 => (StatusCode::SERVICE_UNAVAILABLE, out, String::new()),
                        _ => (
                            StatusCode::OK,
                            out,
                            r#"{"object":"total_count","total_count":7}"#.to_owned(),
                        ),
                    }
                }
            }),
        )
        .route(
            "/v1/organizations",
            get(|| async {
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    r#"{"errors":[{"code":"form_param_value_invalid","message":"no"}]}"#,
                )
            }),
        )
        .route(
            "/v1/organization_memberships",
            get(move || {
                b.fetch_add(1, Ordering::SeqCst);
                async { StatusCode::BAD_GATEWAY }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let source = ClerkSource::new(&url, "sk_test_1")
        .unwrap()
        .with_first_backoff(Duration::from_millis(10));
    let started = std::time::Instant::now();
    assert_eq!(source.user_count().await.unwrap(), 7);
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );

    let refused = source.list("/v1/organizations", &[], 0, 10).await;
    let refused = format!("{:#}", refused.err().unwrap());
    assert!(
        refused.contains("HTTP 422: form_param_value_invalid"),
        "{refused}"
    );

    let down = source
        .list("/v1/organization_memberships", &[], 0, 10)
        .await;
    assert!(format!("{:#}", down.err().unwrap()).contains("failed 6 times"));
    assert_eq!(broken.load(Ordering::SeqCst), ATTEMPTS as usize);

    let wrong = ClerkSource::new(&url, "sk_test_2").unwrap();
    let err = format!("{:#}", wrong.user_count().await.err().unwrap());
    assert!(err.contains("refused the secret key (HTTP 401"), "{err}");
}
