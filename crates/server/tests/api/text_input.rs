//! Control characters and LIKE wildcards in what clients send: the same answer on SQLite and
//! PostgreSQL, and never a 5xx.

use reqwest::Method;
use serde_json::json;

use crate::common::spawn_app;

/// Every text filter of every list, with NUL and other control characters: refused with a 422
/// naming the parameter, instead of matching everything (SQLite's LIKE stops at NUL) or failing
/// (PostgreSQL refuses NUL in text).
#[tokio::test]
async fn control_characters_in_filters_are_refused_by_name() {
    let app = spawn_app().await;
    let alice = app.create_user("alice@filters.test").await;
    let uid = alice["id"].as_str().unwrap();
    app.create_session(uid).await;
    let ep = app
        .post(
            "/v1/webhooks/endpoints",
            json!({"url": "http://127.0.0.1:9/hook", "events": ["user.created"]}),
        )
        .await;
    let ep_id = ep.ok()["id"].as_str().unwrap().to_owned();

    let mut cases: Vec<(String, &str)> = Vec::new();
    for list in ["/v1/users", "/v1/users/count"] {
        for param in [
            "query",
            "email_address",
            "phone_number",
            "username",
            "external_id",
            "user_id",
            "web3_wallet",
            "organization_id",
            "order_by",
        ] {
            cases.push((format!("{list}?{param}=a%00b"), param));
        }
    }
    for param in ["user_id", "client_id", "status"] {
        cases.push((format!("/v1/sessions?{param}=%00"), param));
    }
    cases.push((
        "/v1/emails?email_address=alice%40filters.test%00".into(),
        "email_address",
    ));
    cases.push((
        format!("/v1/webhooks/endpoints/{ep_id}/deliveries?message_id=%00"),
        "message_id",
    ));
    cases.push(("/v1/webhooks/endpoints?status=%00".into(), "status"));
    cases.push(("/v1/clients/handshake_payload?nonce=%00".into(), "nonce"));
    // Other control characters, and the array form clerk's SDKs may send.
    for raw in ["%01", "%0A", "%0D", "%1B", "%7F", "%C2%85"] {
        cases.push((format!("/v1/users?query=ann{raw}"), "query"));
    }
    cases.push(("/v1/users?email_address[]=%00".into(), "email_address[]"));
    cases.push((
        "/v1/users?limit=10&email_address=alice%40filters.test&email_address=%00".into(),
        "email_address",
    ));

    for (path, param) in &cases {
        let r = app.get(path).await;
        r.err(422, "form_param_format_invalid");
        assert_eq!(r.param(), *param, "{path}: {}", r.raw);
    }
    // The parameter's name is echoed printable.
    let r = app.get("/v1/users?bad%00name=1").await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.param(), "bad\u{FFFD}name");

    // Printable text still filters as before.
    let r = app.get("/v1/users?query=alice").await;
    assert_eq!(r.list_len(), 1);
    let r = app.get(&format!("/v1/sessions?user_id={uid}")).await;
    assert_eq!(r.list_len(), 1);
}

/// `%`, `_` and `\` in `query` are searched for literally.
#[tokio::test]
async fn like_wildcards_in_query_are_literal() {
    let app = spawn_app().await;
    for (email, first, username) in [
        ("pct@like.test", "Fifty%Off", "percent"),
        ("under@like.test", "Plain", "under_score"),
        ("slash@like.test", "Back\\Slash", "backslash"),
        ("plain@like.test", "Nothing", "nothing"),
    ] {
        app.post(
            "/v1/users",
            json!({"email_address": [email], "first_name": first, "username": username,
                   "password": "correct-horse-9"}),
        )
        .await
        .ok();
    }
    let count = |q: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/v1/users/count?query={q}")).await.ok()["total_count"]
                .as_u64()
                .unwrap()
        }
    };
    assert_eq!(count("%25").await, 1, "only the user with a literal %");
    // As a wildcard, `_` would match the `%` of "fifty%off".
    assert_eq!(count("y_o").await, 0, "`_` is not a wildcard");
    assert_eq!(
        count("%5C").await,
        1,
        "only the user with a literal backslash"
    );
    assert_eq!(count("y%25o").await, 1);
    assert_eq!(count("%25%25").await, 0);
    assert_eq!(count("like.test").await, 4);
    let r = app.get("/v1/users?query=r_s").await;
    assert_eq!(r.ok().as_array().unwrap()[0]["username"], "under_score");
    assert_eq!(r.body.as_array().unwrap().len(), 1);
}

/// NUL in a body field, at any depth, is refused naming the field, and nothing is written;
/// other control characters where a field allows them (a newline in metadata) are stored as sent.
#[tokio::test]
async fn nul_in_bodies_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let before = app.events().await.len();
    for (body, param) in [
        (
            json!({"password": "correct-horse-9", "email_address": ["nul@body.test"], "first_name": "Ann\u{0}"}),
            "first_name",
        ),
        (
            json!({"password": "correct-horse-9", "email_address": ["nul\u{0}@body.test"]}),
            "email_address",
        ),
        (
            json!({"password": "correct-horse-9", "email_address": ["nul@body.test"], "public_metadata": {"a": [{"b": "\u{0}"}]}}),
            "public_metadata",
        ),
        (
            json!({"password": "correct-horse-9", "email_address": ["nul@body.test"], "unsafe_metadata": {"k\u{0}": 1}}),
            "unsafe_metadata",
        ),
        (
            json!({"password": "correct-horse-9", "email_address": ["nul@body.test"], "username\u{0}": "x"}),
            "username\u{FFFD}",
        ),
    ] {
        let r = app.post("/v1/users", body).await;
        r.err(422, "form_param_format_invalid");
        assert_eq!(r.param(), param, "{}", r.raw);
    }
    assert_eq!(
        app.get("/v1/users/count").await.ok()["total_count"],
        0,
        "nothing was created"
    );
    assert_eq!(app.events().await.len(), before);

    let u = app
        .post(
            "/v1/users",
            json!({"password": "correct-horse-9", "email_address": ["ctl@body.test"], "first_name": "Ann",
                   "public_metadata": {"note": "two\nlines"}}),
        )
        .await;
    let id = u.ok()["id"].as_str().unwrap().to_owned();
    assert_eq!(u.body["public_metadata"]["note"], "two\nlines");

    let r = app
        .patch(&format!("/v1/users/{id}"), json!({"last_name": "L\u{0}"}))
        .await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.param(), "last_name");
    let r = app
        .patch(
            &format!("/v1/users/{id}/metadata"),
            json!({"private_metadata": {"x": "\u{0}"}}),
        )
        .await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.param(), "private_metadata");
    let got = app.get(&format!("/v1/users/{id}")).await;
    assert!(got.ok()["last_name"].is_null());
    assert!(got.body["private_metadata"].get("x").is_none());

    // A NUL in a path is a resource that does not exist.
    app.get("/v1/users/user_%00")
        .await
        .err(404, "resource_not_found");
    app.send(Method::POST, &format!("/v1/users/{id}%00/ban"), None)
        .await
        .err(404, "resource_not_found");
    app.get("/v1/sessions/sess_%01x")
        .await
        .err(404, "resource_not_found");
}
