//! The runbook's key commands against a running server: `usher keys rotate --emergency` (every
//! session token issued before stops verifying against the served JWKS; the session mints
//! new ones) and secret-key rotation with an overlap (the old key accepted during it, refused
//! after it and after a revoke; the last key kept).

use std::path::Path;
use std::time::{Duration, Instant};

use usher_core::users::create::NewUser;

use crate::common::{
    audit_log, fails_in, http, instance_dir, keys_json, ok_in, runtime, serve_with,
};

/// A user and a live session, written while the server runs; the session's id.
fn session(dir: &Path) -> String {
    runtime().block_on(async {
        let (state, ctx) = crate::common::offline_state(dir).await;
        let user = crate::common::passwordless_user(
            &state,
            &ctx,
            NewUser {
                username: Some("token_holder".into()),
                ..Default::default()
            },
        )
        .await;
        usher_server::app::sessions::create(&state, &ctx, user.id.as_str(), None)
            .await
            .unwrap()
            .id
            .into_string()
    })
}

fn mint(api: &str, sk: &str, session: &str) -> String {
    let (status, body) = http(
        "POST",
        &format!("{api}/v1/sessions/{session}/tokens"),
        Some(sk),
        Some("{}"),
    );
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["jwt"].as_str().unwrap().to_owned()
}

/// Verified by a fresh verifier against the JWKS the server serves now.
fn verifies(api: &str, sk: &str, jwt: &str) -> bool {
    runtime().block_on(async {
        let verifier = usher_verify::Verifier::builder()
            .api_url(api)
            .secret_key(sk)
            .build()
            .unwrap();
        verifier.verify_session_token(jwt).await.is_ok()
    })
}

/// Polls `check` for up to 30 seconds (the machine may be loaded).
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "{what}: not within 30 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn an_emergency_rotation_stops_every_issued_token_at_once() {
    let dir = instance_dir();
    let d = dir.path();
    ok_in(d, "keys", &["rotate"]);
    let (_server, _) = serve_with(d, &["--key-refresh-secs", "1"]);
    let keys = keys_json(d);
    let (api, sk) = (
        keys["api_url"].as_str().unwrap().to_owned(),
        keys["secret_key"].as_str().unwrap().to_owned(),
    );
    let session = session(d);
    let before = mint(&api, &sk, &session);
    assert!(verifies(&api, &sk, &before), "a fresh token verifies");

    let out = ok_in(d, "keys", &["rotate", "--emergency"]);
    assert!(out.contains("Retired 2 earlier keys"), "{out}");
    assert!(out.contains("stops verifying"), "{out}");
    let listing = ok_in(d, "keys", &["list"]);
    assert_eq!(listing.lines().count(), 1, "{listing}");
    let new_kid = listing.split_whitespace().next().unwrap().to_owned();

    // Within the refresh interval the server publishes the new key alone: the old token fails,
    // and the session (still live) mints a token that verifies.
    eventually("the old token refused", || !verifies(&api, &sk, &before));
    let (status, jwks) = http("GET", &format!("{api}/v1/jwks"), Some(&sk), None);
    assert_eq!(status, 200);
    let jwks: serde_json::Value = serde_json::from_str(&jwks).unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["kid"].as_str())
        .collect();
    assert_eq!(kids, [new_kid.as_str()]);
    let after = mint(&api, &sk, &session);
    assert!(
        verifies(&api, &sk, &after),
        "the session goes on with the new key"
    );

    let audit = audit_log(d);
    assert!(
        audit.iter().any(|(actor, action, target)| actor == "cli"
            && action == "signing_key.emergency_rotate"
            && target.as_deref() == Some(new_kid.as_str())),
        "{audit:?}"
    );
}

fn users_status(api: &str, key: &str) -> u16 {
    http("GET", &format!("{api}/v1/users?limit=1"), Some(key), None).0
}

/// The new key printed by `usher keys rotate-secret`.
fn new_secret(out: &str) -> String {
    out.lines()
        .find(|l| l.starts_with("sk_test_"))
        .unwrap_or_else(|| panic!("no key in {out}"))
        .to_owned()
}

#[test]
fn a_rotated_secret_key_works_through_the_overlap_and_not_after() {
    let dir = instance_dir();
    let d = dir.path();
    let (_server, _) = serve_with(d, &["--key-refresh-secs", "1"]);
    let keys = keys_json(d);
    let api = keys["api_url"].as_str().unwrap().to_owned();
    let first = keys["secret_key"].as_str().unwrap().to_owned();
    assert_eq!(users_status(&api, &first), 200);

    let out = ok_in(
        d,
        "keys",
        &["rotate-secret", "--overlap", "4s", "--name", "second"],
    );
    let second = new_secret(&out);
    assert!(out.contains("\"default\" stays accepted until"), "{out}");
    // The server picks the new key up; the old one still works during the overlap.
    eventually("the new key accepted", || {
        users_status(&api, &second) == 200
    });
    assert_eq!(
        users_status(&api, &first),
        200,
        "the old key during the overlap"
    );
    // After the overlap the old key is refused, and `usher keys` no longer shows it.
    eventually("the old key refused", || users_status(&api, &first) == 401);
    assert_eq!(users_status(&api, &second), 200);
    assert_eq!(keys_json(d)["secret_key"], serde_json::Value::Null);

    // A leaked key revoked: refused within the refresh interval; the last one is kept.
    let out = ok_in(
        d,
        "keys",
        &["rotate-secret", "--overlap", "24h", "--name", "third"],
    );
    let third = new_secret(&out);
    eventually("the third key accepted", || {
        users_status(&api, &third) == 200
    });
    ok_in(d, "keys", &["revoke-secret", "second"]);
    eventually("the revoked key refused", || {
        users_status(&api, &second) == 401
    });
    assert_eq!(users_status(&api, &third), 200);
    let err = fails_in(d, "keys", &["revoke-secret", "third"]);
    assert!(err.contains("last secret key"), "{err}");
    let err = fails_in(d, "keys", &["revoke-secret", "second"]);
    assert!(err.contains("expired already"), "{err}");
    let err = fails_in(d, "keys", &["revoke-secret", "nope"]);
    assert!(err.contains("no secret key is named"), "{err}");
    let err = fails_in(
        d,
        "keys",
        &["rotate-secret", "--overlap", "1h", "--name", "third"],
    );
    assert!(err.contains("exists already"), "{err}");
    fails_in(d, "keys", &["rotate-secret", "--overlap", "soon"]);

    // The list names the keys and never shows them.
    let listing = ok_in(d, "keys", &["secrets"]);
    for secret in [&first, &second, &third] {
        assert!(!listing.contains(secret.as_str()), "{listing}");
    }
    let states: Vec<(&str, &str)> = listing
        .lines()
        .map(|l| {
            let mut w = l.split_whitespace();
            let name = w.next().unwrap();
            (name, w.nth(1).unwrap())
        })
        .collect();
    assert_eq!(
        states,
        [
            ("default", "expired"),
            ("second", "expired"),
            ("third", "accepted")
        ]
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok_in(d, "keys", &["secrets", "--json"])).unwrap();
    assert_eq!(json["total_count"], 3);
    assert_eq!(json["data"][2]["expires_at"], serde_json::Value::Null);
    let audit = audit_log(d);
    for (action, target) in [
        ("secret_key.rotate", "second"),
        ("secret_key.rotate", "third"),
        ("secret_key.revoke", "second"),
    ] {
        assert!(
            audit
                .iter()
                .any(|(a, act, t)| a == "cli" && act == action && t.as_deref() == Some(target)),
            "{action} {target}: {audit:?}"
        );
    }
}
