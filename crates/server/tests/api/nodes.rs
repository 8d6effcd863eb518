//! Several Usher nodes on one database: on PostgreSQL when the suite runs there
//! (`USHER_TEST_BACKEND=postgres`), otherwise two nodes sharing one SQLite file.

use std::sync::Arc;

use serde_json::json;
use usher_core::clock::SystemClock;

use crate::common::*;

/// A second node on `first`'s database and data directory.
async fn second_node(first: &App) -> App {
    let database_url = first.database_url.clone();
    let data_dir = first.dir.path().to_owned();
    spawn_with(Arc::new(SystemClock), move |cfg| {
        cfg.data_dir = data_dir;
        cfg.database_url = database_url;
        cfg.key_refresh_secs = 1;
    })
    .await
}

#[tokio::test]
async fn concurrent_sign_ups_through_two_nodes_create_each_user_once() {
    let a = Arc::new(spawn_with(Arc::new(SystemClock), |cfg| cfg.key_refresh_secs = 1).await);
    let b = Arc::new(second_node(&a).await);
    assert_eq!(
        a.running.state.instance.id, b.running.state.instance.id,
        "both nodes serve the same instance"
    );

    let mut tasks = Vec::new();
    for i in 0..200 {
        let node = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let email = format!("signup{}@nodes.test", i % 50);
            node.post(
                "/v1/users",
                json!({"email_address": [email], "password": "correct-horse-9"}),
            )
            .await
            .status
            .as_u16()
        }));
    }
    let mut ok = 0;
    let mut taken = 0;
    for t in tasks {
        match t.await.unwrap() {
            200 => ok += 1,
            422 => taken += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((ok, taken), (50, 150));
    assert_eq!(a.get("/v1/users/count").await.ok()["total_count"], 50);
    assert_eq!(b.get("/v1/users/count").await.ok()["total_count"], 50);
    let created = a
        .events()
        .await
        .iter()
        .filter(|e| e.event_type == "user.created")
        .count();
    assert_eq!(
        created, 50,
        "one event per user, none for the refused sign-ups"
    );

    // A lock set through one node holds on the other.
    let user = a
        .get("/v1/users?email_address=signup7%40nodes.test")
        .await
        .ok()[0]
        .clone();
    let uid = user["id"].as_str().unwrap();
    a.post_empty(&format!("/v1/users/{uid}/lock")).await.ok();
    let stored = a
        .running
        .state
        .store
        .get_user(&a.running.state.instance.id, uid)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.locked_until.is_some());
    b.post("/v1/sessions", json!({"user_id": uid}))
        .await
        .err(403, "user_locked");
}

#[tokio::test]
async fn concurrent_updates_through_two_nodes_lose_nothing() {
    let a = Arc::new(spawn_app().await);
    let b = Arc::new(second_node(&a).await);
    let u = a.create_user("counter@nodes.test").await;
    let uid = u["id"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let node = if i % 2 == 0 { a.clone() } else { b.clone() };
        let uid = uid.clone();
        tasks.push(tokio::spawn(async move {
            node.patch(
                &format!("/v1/users/{uid}/metadata"),
                json!({"public_metadata": {format!("k{i}"): i}}),
            )
            .await
            .status
            .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let meta = b.get(&format!("/v1/users/{uid}")).await.ok()["public_metadata"].clone();
    assert_eq!(
        meta.as_object().unwrap().len(),
        40,
        "every merge survived: {meta}"
    );
}

#[tokio::test]
async fn a_key_rotation_is_seen_by_every_node() {
    let a = spawn_with(Arc::new(SystemClock), |cfg| cfg.key_refresh_secs = 1).await;
    let b = second_node(&a).await;
    let state = &a.running.state;
    let (_, record) = usher_core::signing_keys::SigningKey::generate(
        "key_shared_rotation",
        &state.instance.id,
        state.now(),
    )
    .unwrap();
    state
        .store
        .rotate_signing_key(&state.instance.id, &record)
        .await
        .unwrap();
    let user = a.create_user("rot@nodes.test").await;
    let sid = b.create_session(user["id"].as_str().unwrap()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for node in [&a, &b] {
        let mut kid = serde_json::Value::Null;
        for _ in 0..100 {
            let jwt = node
                .post_empty(&format!("/v1/sessions/{sid}/tokens"))
                .await
                .ok()["jwt"]
                .as_str()
                .unwrap()
                .to_owned();
            kid = decode_jwt(&jwt).0["kid"].clone();
            if kid == "key_shared_rotation" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(kid, "key_shared_rotation");
        assert_eq!(
            node.get("/v1/jwks").await.ok()["keys"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
}
