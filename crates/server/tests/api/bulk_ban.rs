//! `POST /v1/users/ban` and `/v1/users/unban`: several users in one transaction, each with its
//! `user.updated` event and audit entry; an unknown id changes nothing.

use serde_json::json;

use crate::common::*;

fn updated_events(events: &[usher_core::events::OutboxEvent], id: &str) -> usize {
    events
        .iter()
        .filter(|e| e.event_type == "user.updated" && e.data["id"] == id)
        .count()
}

#[tokio::test]
async fn bans_and_unbans_many_users_at_once() {
    let app = spawn_app().await;
    let a = app.create_user_id("bulk-a@example.com").await;
    let b = app.create_user_id("bulk-b@example.com").await;
    let bystander = app.create_user_id("bulk-c@example.com").await;
    let sid = app.create_session(&a).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Named twice, answered once, in the order first named.
    let r = app
        .post("/v1/users/ban", json!({"user_ids": [b, a, b]}))
        .await;
    let users = r.ok().as_array().unwrap();
    assert_eq!(users.len(), 2, "{}", r.raw);
    assert_eq!(users[0]["id"], b.as_str());
    assert_eq!(users[1]["id"], a.as_str());
    assert!(
        users
            .iter()
            .all(|u| u["object"] == "user" && u["banned"] == true)
    );
    assert_eq!(
        app.get(&format!("/v1/sessions/{sid}")).await.ok()["status"],
        "revoked"
    );
    assert_eq!(
        app.get(&format!("/v1/users/{bystander}")).await.ok()["banned"],
        false
    );
    let events = app.events().await;
    assert_eq!(updated_events(&events, &a), 1);
    assert_eq!(updated_events(&events, &b), 1);
    assert!(
        events
            .iter()
            .any(|e| e.event_type == "session.revoked" && e.data["id"] == sid.as_str())
    );
    for id in [&a, &b] {
        assert_audited(&app, id, &["user.ban"]).await;
    }

    let r = app.post("/v1/users/unban", json!({"user_ids": [a]})).await;
    assert_eq!(r.ok()[0]["banned"], false);
    assert_eq!(
        app.get(&format!("/v1/users/{b}")).await.ok()["banned"],
        true
    );
    assert_audited(&app, &a, &["user.unban"]).await;
    assert_eq!(updated_events(&app.events().await, &a), 2);
}

#[tokio::test]
async fn an_unknown_id_changes_nothing() {
    let app = spawn_app().await;
    let a = app.create_user_id("bulk-known@example.com").await;
    let before = app.events().await.len();
    app.post(
        "/v1/users/ban",
        json!({"user_ids": [a, "user_2unknown000000000000000000"]}),
    )
    .await
    .err(404, "resource_not_found");
    assert_eq!(
        app.get(&format!("/v1/users/{a}")).await.ok()["banned"],
        false
    );
    assert_eq!(app.events().await.len(), before);
    assert!(
        !audit_actions(&app)
            .await
            .iter()
            .any(|(action, _)| action == "user.ban")
    );
}

#[tokio::test]
async fn user_ids_is_checked() {
    let app = spawn_app().await;
    let fifty_one: Vec<String> = (0..51).map(|i| format!("user_{i}")).collect();
    for (path, body, code, param) in [
        ("/v1/users/ban", json!({}), "form_param_missing", "user_ids"),
        (
            "/v1/users/unban",
            json!({"user_ids": null}),
            "form_param_missing",
            "user_ids",
        ),
        (
            "/v1/users/ban",
            json!({"user_ids": "user_1"}),
            "form_param_format_invalid",
            "user_ids",
        ),
        (
            "/v1/users/ban",
            json!({"user_ids": [1]}),
            "form_param_format_invalid",
            "user_ids",
        ),
        (
            "/v1/users/ban",
            json!({"user_ids": []}),
            "form_param_value_invalid",
            "user_ids",
        ),
        (
            "/v1/users/unban",
            json!({"user_ids": fifty_one}),
            "form_param_value_invalid",
            "user_ids",
        ),
        (
            "/v1/users/ban",
            json!({"user_ids": ["x"], "reason": "spam"}),
            "form_param_unknown",
            "reason",
        ),
    ] {
        let r = app.post(path, body.clone()).await;
        r.err(422, code);
        assert_eq!(r.param(), param, "{body}");
    }
    // Without the secret key, nothing.
    app.send_raw(
        reqwest::Method::POST,
        "/v1/users/ban",
        Some(br#"{"user_ids":["user_1"]}"#.to_vec()),
        None,
    )
    .await
    .err(401, "authentication_invalid");
}
