//! Unit tests of `fapi/tunnel.rs`.
use axum::extract::Request;
use axum::http::Method;

use axum::body::Body;
use usher_server::fapi::tunnel::*;

#[test]
fn the_api_keys_doubled_slash_is_folded() {
    for (from, to) in [
        (
            "/__clerk//api_keys?subject=u",
            "/__clerk/api_keys?subject=u",
        ),
        ("//api_keys/ak_1/revoke", "/api_keys/ak_1/revoke"),
        ("/api_keys", "/api_keys"),
        ("/v1//client", "/v1//client"),
    ] {
        let req = Request::builder().uri(from).body(Body::empty()).unwrap();
        assert_eq!(restore_method(req).uri().to_string(), to);
    }
}

#[test]
fn tunnelled_methods_and_trailing_slashes() {
    let req = Request::builder()
        .method("POST")
        .uri("/__clerk/v1/me/backup_codes/?_clerk_session_id=s&_method=DELETE")
        .body(Body::empty())
        .unwrap();
    let req = restore_method(req);
    assert_eq!(req.method(), Method::DELETE);
    assert_eq!(req.uri().path(), "/__clerk/v1/me/backup_codes");
    assert_eq!(
        req.uri().query(),
        Some("_clerk_session_id=s&_method=DELETE")
    );
    let get = restore_method(
        Request::builder()
            .method("GET")
            .uri("/v1/client?_method=DELETE")
            .body(Body::empty())
            .unwrap(),
    );
    assert_eq!(get.method(), Method::GET);
}
