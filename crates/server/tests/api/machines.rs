//! Machines over the Backend API: Clerk's `machine` shape with `scoped_machines`, the secret key
//! at creation and on an audited read, rotation (the old key lasts its window, then fails),
//! scopes added and removed, lists (paging, `query`, `order_by`), deletes, and refused input.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};
use usher_core::clock::ManualClock;

use crate::common::*;

pub async fn create_machine(app: &App, body: Value) -> Value {
    app.post("/v1/machines", body).await.ok().clone()
}

pub fn s(v: &Value) -> String {
    v.as_str().unwrap().to_owned()
}

/// `POST /m2m_tokens` with `key` as the bearer.
pub async fn mint(app: &App, key: &str, body: Value) -> Reply {
    app.send_raw(
        Method::POST,
        "/m2m_tokens",
        Some(body.to_string().into_bytes()),
        Some(key),
    )
    .await
}

#[tokio::test]
async fn a_machine_lives_from_creation_to_deletion() {
    let app = spawn_app().await;
    let callee = create_machine(&app, json!({"name": "ledger"})).await;
    let callee_id = s(&callee["id"]);
    assert!(
        callee_id.starts_with("mch_") && callee_id.len() == 31,
        "{callee_id}"
    );
    assert_eq!(callee["object"], "machine");
    assert_eq!(callee["default_token_ttl"], 3600);
    assert_eq!(callee["scoped_machines"], json!([]));
    assert_eq!(
        callee["instance_id"],
        app.running.state.instance.id.as_str()
    );
    let m = create_machine(
        &app,
        json!({"name": "billing", "scoped_machines": [callee_id], "default_token_ttl": 60}),
    )
    .await;
    let id = s(&m["id"]);
    let secret = s(&m["secret_key"]);
    assert!(secret.starts_with("ak_") && secret.len() == 43, "{secret}");
    assert_eq!(m["default_token_ttl"], 60);
    assert_eq!(m["scoped_machines"][0]["id"], callee_id.as_str());
    assert_eq!(m["scoped_machines"][0]["object"], "machine");
    assert_eq!(m["scoped_machines"][0]["name"], "ledger");

    let got = app.get(&format!("/v1/machines/{id}")).await.ok().clone();
    assert!(got.get("secret_key").is_none(), "{got}");
    assert_eq!(got["scoped_machines"][0]["id"], callee_id.as_str());
    let read = app.get(&format!("/v1/machines/{id}/secret_key")).await;
    assert_eq!(read.ok()["object"], "machine_secret_key");
    assert_eq!(read.ok()["secret"], secret.as_str());

    let updated = app
        .patch(
            &format!("/v1/machines/{id}"),
            json!({"name": "billing v2", "default_token_ttl": 120}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(
        (&updated["name"], &updated["default_token_ttl"]),
        (&json!("billing v2"), &json!(120))
    );
    assert!(updated["updated_at"].as_i64() >= m["updated_at"].as_i64());

    // Scopes: removed, then added back; twice is a conflict.
    let scope_path = format!("/v1/machines/{id}/scopes/{callee_id}");
    let removed = app.delete(&scope_path).await;
    assert_eq!(
        removed.ok().clone(),
        json!({"object": "machine_scope", "from_machine_id": id, "to_machine_id": callee_id, "deleted": true})
    );
    app.delete(&scope_path).await.err(404, "resource_not_found");
    let scopes = format!("/v1/machines/{id}/scopes");
    let added = app.post(&scopes, json!({"to_machine_id": callee_id})).await;
    assert_eq!(added.ok()["object"], "machine_scope");
    assert!(added.ok()["created_at"].is_i64());
    app.post(&scopes, json!({"to_machine_id": callee_id}))
        .await
        .err(409, "duplicate_record");
    app.post(&scopes, json!({"to_machine_id": id}))
        .await
        .err(422, "form_param_value_invalid");

    // Deleting the callee removes it from the caller's scope.
    app.delete_gone(&format!("/v1/machines/{callee_id}"), "machine", &callee_id)
        .await;
    let got = app.get(&format!("/v1/machines/{id}")).await.ok().clone();
    assert_eq!(got["scoped_machines"], json!([]));

    let actions = audit_actions(&app).await;
    for action in [
        "machine.create",
        "machine.secret_read",
        "machine.update",
        "machine.scope_delete",
        "machine.scope_create",
        "machine.delete",
    ] {
        assert!(
            actions.iter().any(|(a, _)| a == action),
            "{action}: {actions:?}"
        );
    }
}

#[tokio::test]
async fn machines_are_listed_paged_searched_and_ordered() {
    // A clock that moves between the creations, so that newest-first is one order.
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let app = spawn_with_clock(clock.clone()).await;
    for name in ["charlie", "Alpha", "bravo"] {
        create_machine(&app, json!({"name": name})).await;
        clock.advance(1_000);
    }
    let names = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| s(&m["name"]))
            .collect()
    };
    let all = app.get("/v1/machines").await.ok().clone();
    assert_eq!(all["total_count"], 3);
    assert_eq!(names(&all), ["bravo", "Alpha", "charlie"]);
    assert!(all["data"][0]["scoped_machines"].is_array());
    let by_name = app.get("/v1/machines?order_by=name").await.ok().clone();
    assert_eq!(names(&by_name), ["Alpha", "bravo", "charlie"]);
    let desc = app
        .get("/v1/machines?order_by=-name&limit=1&offset=1")
        .await
        .ok()
        .clone();
    assert_eq!(
        (names(&desc), &desc["total_count"]),
        (vec!["bravo".to_owned()], &json!(3))
    );
    let found = app.get("/v1/machines?query=ARL").await.ok().clone();
    assert_eq!(
        (names(&found), &found["total_count"]),
        (vec!["charlie".to_owned()], &json!(1))
    );
    app.get("/v1/machines?order_by=updated_at")
        .await
        .err(400, "form_param_value_invalid");
    app.get("/v1/machines?limit=0")
        .await
        .err(400, "form_param_value_invalid");
}

#[tokio::test]
async fn refused_input_names_its_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({}), "form_param_missing", "name"),
        (json!({"name": ""}), "form_param_value_invalid", "name"),
        (
            json!({"name": "x".repeat(256)}),
            "form_param_value_invalid",
            "name",
        ),
        (
            json!({"name": "a", "default_token_ttl": 0}),
            "form_param_value_invalid",
            "default_token_ttl",
        ),
        (
            json!({"name": "a", "default_token_ttl": "1"}),
            "form_param_format_invalid",
            "default_token_ttl",
        ),
        (
            json!({"name": "a", "scoped_machines": ["user_x"]}),
            "form_param_value_invalid",
            "scoped_machines",
        ),
        (
            json!({"name": "a", "scoped_machines": ["mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"]}),
            "form_param_value_invalid",
            "scoped_machines",
        ),
        (
            json!({"name": "a", "colour": "red"}),
            "form_param_unknown",
            "colour",
        ),
    ];
    for (body, code, param) in cases {
        let r = app.post("/v1/machines", body.clone()).await;
        assert!(r.status.is_client_error(), "{body}: {}", r.raw);
        assert_eq!((r.code(), r.param()), (code, param), "{body}: {}", r.raw);
    }
    app.get("/v1/machines/not-a-machine")
        .await
        .err(404, "resource_not_found");
    app.get("/v1/machines/mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk/secret_key")
        .await
        .err(404, "resource_not_found");
    let m = create_machine(&app, json!({"name": "a"})).await;
    let rotate = format!("/v1/machines/{}/secret_key/rotate", s(&m["id"]));
    for (body, param) in [
        (json!({}), "previous_token_ttl"),
        (json!({"previous_token_ttl": 28_801}), "previous_token_ttl"),
        (json!({"previous_token_ttl": -1}), "previous_token_ttl"),
    ] {
        let r = app.post(&rotate, body).await;
        assert!(r.status.is_client_error(), "{}", r.raw);
        assert_eq!(r.param(), param, "{}", r.raw);
    }
    // Machines are the instance's: a machine's own key manages none.
    let r = app
        .send_raw(
            Method::GET,
            "/v1/machines",
            None,
            Some(&s(&m["secret_key"])),
        )
        .await;
    r.err(401, "clerk_key_invalid");
}

#[tokio::test]
async fn rotating_a_secret_key_ends_the_old_one_after_its_window() {
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let app = spawn_with_clock(clock.clone()).await;
    let m = create_machine(&app, json!({"name": "rotating"})).await;
    let id = s(&m["id"]);
    let old = s(&m["secret_key"]);
    created(&mint(&app, &old, json!({})).await);
    let rotated = app
        .post(
            &format!("/v1/machines/{id}/secret_key/rotate"),
            json!({"previous_token_ttl": 60}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(rotated["object"], "machine_secret_key");
    let new = s(&rotated["secret"]);
    assert_ne!(new, old);
    let read = app.get(&format!("/v1/machines/{id}/secret_key")).await;
    assert_eq!(read.ok()["secret"], new.as_str());
    // Both keys within the window; the old one no more after it.
    clock.advance(59_999);
    assert_eq!(mint(&app, &old, json!({})).await.status.as_u16(), 201);
    assert_eq!(mint(&app, &new, json!({})).await.status.as_u16(), 201);
    clock.advance(1);
    mint(&app, &old, json!({}))
        .await
        .err(401, "machine_secret_key_invalid");
    assert_eq!(mint(&app, &new, json!({})).await.status.as_u16(), 201);
    // A rotation with no window ends the current key at once.
    let again = app
        .post(
            &format!("/v1/machines/{id}/secret_key/rotate"),
            json!({"previous_token_ttl": 0}),
        )
        .await
        .ok()
        .clone();
    mint(&app, &new, json!({}))
        .await
        .err(401, "machine_secret_key_invalid");
    assert_eq!(
        mint(&app, &s(&again["secret"]), json!({}))
            .await
            .status
            .as_u16(),
        201
    );
    assert!(
        audit_actions(&app)
            .await
            .iter()
            .any(|(a, t)| a == "machine.secret_rotate" && t == &id)
    );
}
