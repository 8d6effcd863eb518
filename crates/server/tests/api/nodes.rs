//! Several Usher nodes on one database: on PostgreSQL when the suite runs there
//! (`USHER_TEST_BACKEND=postgres`), otherwise two nodes sharing one SQLite file.

use std::sync::Arc;

use serde_json::json;
use usher_core::clock::SystemClock;

use crate::common::*;

/// A second node on `first`'s database and data directory.
async fn second_node(first: &App) -> App {
    spawn_node_of(first, Arc::new(SystemClock), |cfg| cfg.key_refresh_secs = 1).await
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
        .get_user(
            &a.running.state.instance.id,
            &usher_core::ids::UserId::parse(uid).unwrap(),
        )
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
    a.rotate_key("key_shared_rotation").await;
    let user = a.create_user("rot@nodes.test").await;
    let sid = b.create_session(user["id"].as_str().unwrap()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for node in [&a, &b] {
        let mut kid = serde_json::Value::Null;
        for _ in 0..300 {
            let jwt = node.session_jwt(&sid).await;
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

/// A throwaway `redis-server` on a free loopback port, stopped on drop.
struct RedisServer {
    child: std::process::Child,
    url: String,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_redis() -> Option<RedisServer> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spawned = std::process::Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(std::process::Stdio::null())
        .spawn();
    let Ok(child) = spawned else {
        assert!(
            std::env::var("USHER_REQUIRE_REDIS").is_err(),
            "USHER_REQUIRE_REDIS is set but redis-server cannot be started"
        );
        eprintln!("redis-server is not installed; scripts/test installs it");
        return None;
    };
    for _ in 0..400 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(RedisServer {
                child,
                url: format!("redis://127.0.0.1:{port}"),
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("redis-server did not start");
}

#[tokio::test]
async fn rate_limits_are_shared_through_redis_and_fall_back_per_node_without_it() {
    let Some(redis) = start_redis() else { return };
    let clock = Arc::new(usher_core::clock::ManualClock::new(1_800_000_000_000));
    let redis_url = redis.url.clone();
    let a = spawn_with(clock.clone(), {
        let redis_url = redis_url.clone();
        move |cfg| {
            cfg.redis_url = Some(redis_url);
            cfg.bapi_rate_limit = 10;
        }
    })
    .await;
    let b = spawn_node_of(&a, clock.clone(), |cfg| {
        cfg.redis_url = Some(redis_url);
        cfg.bapi_rate_limit = 10;
    })
    .await;

    let burst = |n: usize| {
        let (a, b) = (&a, &b);
        async move {
            let mut ok = 0;
            for i in 0..n {
                let r = if i % 2 == 0 {
                    a.get("/v1/users/count").await
                } else {
                    b.get("/v1/users/count").await
                };
                match r.status.as_u16() {
                    200 => ok += 1,
                    429 => {
                        r.err(429, "too_many_requests");
                    }
                    other => panic!("unexpected {other}"),
                }
            }
            ok
        }
    };
    assert_eq!(
        burst(30).await,
        10,
        "ten requests per window across both nodes"
    );
    let res = a
        .http
        .get(format!("{}/v1/users/count", a.base))
        .bearer_auth(SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(
        res.headers().get("retry-after").unwrap().to_str().unwrap(),
        "10"
    );

    clock.advance(10_000);
    assert_eq!(burst(30).await, 10, "a new window allows ten again");

    // Redis goes away: no outage, and no open door either: each node keeps its own count.
    drop(redis);
    clock.advance(10_000);
    assert_eq!(
        burst(40).await,
        20,
        "ten per node per window while Redis is down"
    );
    let metrics = a.metrics().await;
    assert!(
        !metrics.contains("usher_rate_limit_redis_fallbacks 0\n"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_api_key_revoked_on_one_node_is_refused_by_both_at_once() {
    let a = spawn_with(Arc::new(SystemClock), |cfg| cfg.key_refresh_secs = 1).await;
    let b = second_node(&a).await;
    let user = a.create_user_id("keys@nodes.test").await;
    let key = a
        .post("/api_keys", json!({"name": "two nodes", "subject": user}))
        .await
        .ok()
        .clone();
    let secret = json!({ "secret": key["secret"] });
    // Both nodes share the instance's digest and sealing keys: each verifies, and reads the secret.
    a.post("/api_keys/verify", secret.clone()).await.ok();
    b.post("/api_keys/verify", secret.clone()).await.ok();
    let id = key["id"].as_str().unwrap();
    assert_eq!(
        b.get(&format!("/api_keys/{id}/secret")).await.ok()["secret"],
        key["secret"]
    );
    b.post(&format!("/api_keys/{id}/revoke"), json!({}))
        .await
        .ok();
    a.post("/api_keys/verify", secret.clone())
        .await
        .err(404, "resource_not_found");
    b.post("/api_keys/verify", secret)
        .await
        .err(404, "resource_not_found");
}
