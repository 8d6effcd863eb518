//! API keys over the Backend API at the root (as `@clerk/backend` calls them) and under `/v1`:
//! Clerk's `api_key` shape, the secret shown at creation and on an audited read only, verify
//! (404 for unknown, revoked, expired, another instance's), batched `last_used_at`, the
//! `usher.security.api_key.*` events and audit entries, and every refused input.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};
use usher_core::clock::ManualClock;

use crate::common::*;

async fn create(app: &App, body: Value) -> Value {
    app.post("/api_keys", body).await.ok().clone()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

async fn verify(app: &App, secret: &str) -> Reply {
    app.post("/api_keys/verify", json!({ "secret": secret }))
        .await
}

#[tokio::test]
async fn an_api_key_lives_from_creation_to_revocation() {
    let app = spawn_app().await;
    let user = app.create_user_id("keys@api.test").await;
    let key = create(
        &app,
        json!({
            "name": "CI deploys",
            "subject": user,
            "description": "pushes releases",
            "claims": {"team": "ops"},
            "scopes": ["deploy", "read"],
            "created_by": user,
            "seconds_until_expiration": 3600,
        }),
    )
    .await;
    assert_eq!(key["object"], "api_key");
    assert_eq!(key["type"], "api_key");
    let id = s(&key["id"]).to_owned();
    assert!(id.starts_with("ak_") && id.len() == 35, "{id}");
    assert!(id[3..].bytes().all(|b| b.is_ascii_hexdigit()));
    let secret = s(&key["secret"]).to_owned();
    assert!(secret.starts_with("ak_") && secret.len() == 43, "{secret}");
    assert_eq!(key["subject"], user.as_str());
    assert_eq!(key["claims"], json!({"team": "ops"}));
    assert_eq!(key["scopes"], json!(["deploy", "read"]));
    assert_eq!(key["created_by"], user.as_str());
    assert_eq!(
        (&key["revoked"], &key["expired"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(key["revocation_reason"], Value::Null);
    assert_eq!(key["last_used_at"], Value::Null);
    let created = key["created_at"].as_i64().unwrap();
    assert_eq!(key["expiration"].as_i64().unwrap(), created + 3_600_000);

    // Read again: every field but the secret.
    let got = app.get(&format!("/api_keys/{id}")).await.ok().clone();
    assert!(got.get("secret").is_none(), "{got}");
    assert_eq!(got["name"], "CI deploys");
    let listed = app
        .get(&format!("/api_keys?subject={user}"))
        .await
        .ok()
        .clone();
    assert_eq!(listed["total_count"], 1);
    assert_eq!(listed["data"][0]["id"], id.as_str());
    assert!(listed["data"][0].get("secret").is_none());

    // The secret again, on request: audited.
    let again = app
        .get(&format!("/api_keys/{id}/secret"))
        .await
        .ok()
        .clone();
    assert_eq!(again, json!({ "secret": secret }));

    // Verification answers the key and records its use.
    let verified = verify(&app, &secret).await.ok().clone();
    assert_eq!(verified["id"], id.as_str());
    assert_eq!(verified["claims"], json!({"team": "ops"}));
    let used = verified["last_used_at"].as_i64().expect("a use time");
    assert!(used >= created);
    app.running.flush_api_key_usage().await.unwrap();
    let s2 = &app.running.state;
    let stored = s2
        .store
        .get_api_key(&s2.instance.id, &id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.last_used_at, Some(used), "written by the batch");

    // An update changes what it names and keeps the rest.
    let updated = app
        .patch(
            &format!("/api_keys/{id}"),
            json!({"subject": user, "scopes": ["read"], "description": null, "claims": null}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(updated["scopes"], json!(["read"]));
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["claims"], Value::Null);
    assert_eq!(updated["name"], "CI deploys");

    let revoked = app
        .post(
            &format!("/api_keys/{id}/revoke"),
            json!({"revocation_reason": "leaked in a log"}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(revoked["revoked"], true);
    assert_eq!(revoked["revocation_reason"], "leaked in a log");
    verify(&app, &secret).await.err(404, "resource_not_found");
    // Revoked keys leave the default list, and stay in the full one.
    let listed = app.get(&format!("/api_keys?subject={user}")).await;
    assert_eq!(listed.ok()["total_count"], 0);
    let all = app
        .get(&format!("/api_keys?subject={user}&include_invalid=true"))
        .await;
    assert_eq!(all.ok()["data"][0]["revoked"], true);

    app.delete_gone(&format!("/api_keys/{id}"), "api_key", &id)
        .await;

    // One audit entry per change and per secret read; verification audits nothing.
    let mut actions: Vec<String> = audit_actions(&app)
        .await
        .into_iter()
        .filter(|(_, target)| *target == id)
        .map(|(a, _)| a)
        .collect();
    actions.reverse();
    assert_eq!(
        actions,
        [
            "api_key.create",
            "api_key.secret_read",
            "api_key.update",
            "api_key.revoke",
            "api_key.delete"
        ]
    );
    // Events for each change, and the secret in none of them.
    let events: Vec<_> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e.event_type.starts_with("usher.security.api_key."))
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "usher.security.api_key.created",
            "usher.security.api_key.updated",
            "usher.security.api_key.revoked",
            "usher.security.api_key.deleted"
        ]
    );
    for e in &events {
        assert_eq!(e.data["id"], id.as_str());
        assert!(!e.data.to_string().contains(&secret[3..]), "{}", e.data);
        assert!(e.data.get("secret").is_none());
    }
}

#[tokio::test]
async fn organizations_hold_keys_and_v1_paths_answer_too() {
    let app = spawn_app().await;
    let owner = app.create_user_id("owner@api.test").await;
    let org = app.create_org("Acme", &owner).await;
    let key = app
        .post(
            "/v1/api_keys",
            json!({"name": "acme backend", "subject": org}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(key["subject"], org.as_str());
    assert_eq!(key["expiration"], Value::Null);
    let id = s(&key["id"]);
    assert_eq!(
        app.get(&format!("/v1/api_keys/{id}")).await.ok()["subject"],
        org.as_str()
    );
    let v = app
        .post("/v1/api_keys/verify", json!({"secret": key["secret"]}))
        .await;
    assert_eq!(v.ok()["id"], id);
    // Deleting the organization takes its keys with it.
    app.delete(&format!("/v1/organizations/{org}")).await.ok();
    verify(&app, s(&key["secret"]))
        .await
        .err(404, "resource_not_found");
}

#[tokio::test]
async fn bad_input_is_refused_with_clerks_errors() {
    let app = spawn_app().await;
    let user = app.create_user_id("bad@api.test").await;
    let refused = |body: Value, param: &'static str| {
        let app = &app;
        async move {
            let r = app.post("/api_keys", body).await;
            assert_eq!(r.status.as_u16(), 400, "{}", r.raw);
            assert_eq!(r.param(), param, "{}", r.raw);
            r
        }
    };
    let unknown_user = "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk";
    refused(json!({"name": "k1k", "subject": unknown_user}), "subject")
        .await
        .err(400, "form_param_value_invalid");
    refused(
        json!({"name": "k1k", "subject": "org_2xhFjEI5X2qWRvtV13BzSj8H6Dk"}),
        "subject",
    )
    .await;
    refused(
        json!({"name": "k1k", "subject": "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"}),
        "subject",
    )
    .await;
    refused(json!({"name": "k1k", "subject": "someone"}), "subject").await;
    refused(json!({"name": "ab", "subject": user}), "name").await;
    refused(json!({"name": " padded ", "subject": user}), "name").await;
    for bad in [json!(0), json!(-10), json!(400_000_000_000i64)] {
        refused(
            json!({"name": "k1k", "subject": user, "seconds_until_expiration": bad}),
            "seconds_until_expiration",
        )
        .await;
    }
    refused(
        json!({"name": "k1k", "subject": user, "claims": [1]}),
        "claims",
    )
    .await;
    refused(
        json!({"name": "k1k", "subject": user, "scopes": ["a b"]}),
        "scopes",
    )
    .await;
    refused(
        json!({"name": "k1k", "subject": user, "created_by": unknown_user}),
        "created_by",
    )
    .await;
    refused(
        json!({"name": "k1k", "subject": user, "type": "machine"}),
        "type",
    )
    .await;
    // Wrong types and unknown or missing fields are the body's fault (as every Backend API body).
    let r = app
        .post(
            "/api_keys",
            json!({"name": "k1k", "subject": user, "seconds_until_expiration": "soon"}),
        )
        .await;
    assert_eq!(r.param(), "seconds_until_expiration", "{}", r.raw);
    assert!(r.status.is_client_error());
    let r = app
        .post(
            "/api_keys",
            json!({"name": "k1k", "subject": user, "colour": "red"}),
        )
        .await;
    assert_eq!(r.param(), "colour");
    let r = app.post("/api_keys", json!({"name": "k1k"})).await;
    assert_eq!(r.param(), "subject");

    // Lists need a subject; bad paging is 400.
    app.get("/api_keys").await.err(400, "form_param_missing");
    app.get(&format!("/api_keys?subject={user}&limit=abc"))
        .await
        .err(400, "form_param_format_invalid");
    app.get(&format!("/api_keys?subject={user}&include_invalid=maybe"))
        .await
        .err(400, "form_param_format_invalid");
    // A subject with no keys, or no such subject, lists nothing.
    assert_eq!(
        app.get("/api_keys?subject=nobody").await.ok()["total_count"],
        0
    );

    // Unknown and malformed ids are 404 on every route.
    for id in [
        "ak_3beecc9c60adb5f9b850e91a8ee1e992",
        "ak_not-an-id",
        "user_abc",
    ] {
        app.get(&format!("/api_keys/{id}"))
            .await
            .err(404, "resource_not_found");
        app.get(&format!("/api_keys/{id}/secret"))
            .await
            .err(404, "resource_not_found");
        app.post(&format!("/api_keys/{id}/revoke"), json!({}))
            .await
            .err(404, "resource_not_found");
        app.patch(&format!("/api_keys/{id}"), json!({"scopes": []}))
            .await
            .err(404, "resource_not_found");
    }
    verify(&app, "ak_nonsense")
        .await
        .err(404, "resource_not_found");
    verify(&app, "").await;
    let r = app.post("/api_keys/verify", json!({})).await;
    assert_eq!(r.param(), "secret");

    // Without the secret key, nothing.
    let r = app
        .send_raw(
            Method::GET,
            &format!("/api_keys?subject={user}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 401);
    // Nothing was created by any of it.
    let listed = app
        .get(&format!("/api_keys?subject={user}&include_invalid=true"))
        .await;
    assert_eq!(listed.ok()["total_count"], 0);
}

#[tokio::test]
async fn an_expired_key_is_refused_and_shown_expired() {
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let app = spawn_with_clock(clock.clone()).await;
    let user = app.create_user_id("clock@api.test").await;
    let key = create(
        &app,
        json!({"name": "short", "subject": user, "seconds_until_expiration": 60}),
    )
    .await;
    assert_eq!(key["expiration"], 1_700_000_060_000i64);
    let secret = s(&key["secret"]);
    verify(&app, secret).await.ok();
    clock.advance(59_999);
    verify(&app, secret).await.ok();
    clock.advance(1);
    verify(&app, secret).await.err(404, "resource_not_found");
    let got = app.get(&format!("/api_keys/{}", s(&key["id"]))).await;
    assert_eq!(
        (&got.ok()["expired"], &got.ok()["revoked"]),
        (&json!(true), &json!(false))
    );
    let listed = app.get(&format!("/api_keys?subject={user}")).await;
    assert_eq!(listed.ok()["total_count"], 0);
    // A new expiry brings it back.
    let id = s(&key["id"]);
    let renewed = app
        .patch(
            &format!("/api_keys/{id}"),
            json!({"seconds_until_expiration": 10}),
        )
        .await;
    assert_eq!(renewed.ok()["expired"], false);
    verify(&app, secret).await.ok();
}

#[tokio::test]
async fn another_instances_key_does_not_verify() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    assert_ne!(a.running.state.instance.id, b.running.state.instance.id);
    let user = a.create_user_id("a@api.test").await;
    let key = create(&a, json!({"name": "a's key", "subject": user})).await;
    verify(&a, s(&key["secret"])).await.ok();
    verify(&b, s(&key["secret"]))
        .await
        .err(404, "resource_not_found");
    b.get(&format!("/api_keys/{}", s(&key["id"])))
        .await
        .err(404, "resource_not_found");
}

#[tokio::test]
async fn a_deleted_users_keys_stop_working() {
    let app = spawn_app().await;
    let user = app.create_user_id("gone@api.test").await;
    let key = create(&app, json!({"name": "soon gone", "subject": user})).await;
    verify(&app, s(&key["secret"])).await.ok();
    app.delete(&format!("/v1/users/{user}")).await.ok();
    verify(&app, s(&key["secret"]))
        .await
        .err(404, "resource_not_found");
}
