//! Unit tests of `degraded/gate.rs`.

use usher_server::degraded::gate::*;

#[test]
fn refresh_routes_are_recognised() {
    for p in [
        "/v1/client/sessions/sess_1/tokens",
        "/__clerk/v1/client/sessions/sess_1/tokens",
        "/v1/sessions/sess_1/tokens",
    ] {
        assert!(refresh_route(p).is_some_and(|r| !r.template), "{p}");
    }
    assert!(refresh_route("/v1/sessions/sess_1/tokens/tpl").is_some_and(|r| r.template));
    for p in [
        "/v1/client/sessions/sess_1",
        "/v1/client/sign_ins",
        "/v1/sessions//tokens",
        "/v1/sessions/sess_1/tokens/a/b",
        "/v2/sessions/sess_1/tokens",
    ] {
        assert!(refresh_route(p).is_none(), "{p}");
    }
    assert!(exempt("/readyz") && exempt("/__clerk/v1/jwks") && !exempt("/v1/client"));
}
