use std::sync::Arc;

use serde_json::json;
use usher_core::clock::{Clock, ManualClock};

use crate::common::*;

#[tokio::test]
async fn every_change_writes_its_clerk_event_and_an_audit_entry() {
    let app = spawn_app().await;
    let u = app.create_user("ev@events.test").await;
    let uid = u["id"].as_str().unwrap();
    app.patch(&format!("/v1/users/{uid}"), json!({"first_name": "Eve"}))
        .await
        .ok();
    let s = app.create_session(uid).await;
    app.revoke_session(s["id"].as_str().unwrap()).await.ok();
    let events = app.events().await;
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "user.created",
            "user.updated",
            "session.created",
            "session.revoked"
        ]
    );
    assert_eq!(events[0].data["object"], "user");
    assert_eq!(events[0].data["id"], uid);
    assert_eq!(events[0].data["private_metadata"], json!({}));
    assert_eq!(events[1].data["first_name"], "Eve");
    assert_eq!(events[3].data["status"], "revoked");
    assert_eq!(
        events[0].attributes["http_request"]["client_ip"],
        "127.0.0.1"
    );
    assert!(events.iter().all(|e| e.id.starts_with("msg_")));

    let state = &app.running.state;
    let log = state
        .store
        .audit_log(&state.instance.id, 100)
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().rev().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "user.create",
            "user.update",
            "session.create",
            "session.revoke"
        ]
    );
    let key_id = &state.secret_keys()[0].id;
    assert!(log.iter().all(|a| a.actor == format!("secret_key:{key_id}")
        && a.trace_id.as_ref().is_some_and(|t| t.len() == 32)));
    assert_eq!(log[0].target_id.as_deref(), s["id"].as_str());
}

#[tokio::test]
async fn sessions_expire_after_their_lifetime() {
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let app = spawn_with_clock(clock.clone()).await;
    let u = app.create_user("t@time.test").await;
    let s = app.create_session(u["id"].as_str().unwrap()).await;
    let sid = s["id"].as_str().unwrap();
    let (_, claims) = decode_jwt(&app.session_jwt(sid).await);
    assert_eq!(claims["iat"], 1_700_000_000);
    clock.advance(30 * 60_000);
    let (_, claims) = decode_jwt(&app.session_jwt(sid).await);
    assert_eq!(
        claims["fva"],
        json!([30, -1]),
        "minutes since the first factor"
    );
    clock.advance(7 * 24 * 3600 * 1000);
    assert_eq!(
        app.get(&format!("/v1/sessions/{sid}")).await.ok()["status"],
        "expired"
    );
    app.post_empty(&format!("/v1/sessions/{sid}/tokens"))
        .await
        .err(422, "session_not_active");
    let expired = app
        .get(&format!(
            "/v1/sessions?status=expired&user_id={}",
            u["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(expired.list_len(), 1);
    // A lock lifts by itself.
    let uid = u["id"].as_str().unwrap();
    app.post_empty(&format!("/v1/users/{uid}/lock")).await.ok();
    clock.advance(3600 * 1000);
    assert_eq!(
        app.get(&format!("/v1/users/{uid}")).await.ok()["locked"],
        false
    );
    let _ = clock.now_ms();
}

#[tokio::test]
async fn restart_keeps_instance_keys_and_data() {
    let app = spawn_app().await;
    let u = app.create_user("r@restart.test").await;
    let kid = app.get("/v1/jwks").await.ok()["keys"][0]["kid"].clone();
    let pk = app.running.boot.publishable_key.clone();
    assert!(pk.starts_with("pk_test_"));
    let dir = app.dir;
    let database_url = app.database_url.clone();
    app.running.shutdown().await.unwrap();

    let mut cfg = usher_server::config::ServerConfig::with_data_dir(dir.path());
    cfg.database_url = database_url;
    cfg.api_addr = "127.0.0.1:0".parse().unwrap();
    cfg.frontend_addr = "127.0.0.1:0".parse().unwrap();
    let again = usher_server::start(cfg.clone()).await.unwrap();
    assert!(!again.boot.created);
    assert_eq!(
        again.boot.secret_key.as_deref(),
        Some(SECRET),
        "the secret key file survives"
    );
    let http = reqwest::Client::new();
    let base = format!("http://{}", again.api_addr);
    let jwks: serde_json::Value = http
        .get(format!("{base}/v1/jwks"))
        .bearer_auth(SECRET)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["kid"], kid);
    let got = http
        .get(format!("{base}/v1/users/{}", u["id"].as_str().unwrap()))
        .bearer_auth(SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    again.shutdown().await.unwrap();

    cfg.secret_key = Some("sk_test_someotherkeysomeotherkey0000".into());
    let err = usher_server::start(cfg)
        .await
        .err()
        .expect("a mismatched seed key is refused");
    assert!(format!("{err:#}").contains("does not match"));
    let mode = std::fs::metadata(dir.path().join("secret_key")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o600);
}

#[tokio::test]
async fn health_readiness_metrics_and_trace_ids() {
    let app = spawn_app().await;
    let h = app
        .http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(h.status(), 200);
    let trace = h
        .headers()
        .get("x-clerk-trace-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(trace.len(), 32);
    assert_eq!(
        app.http
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let u = app.create_user("m@metrics.test").await;
    let s = app.create_session(u["id"].as_str().unwrap()).await;
    app.session_jwt(s["id"].as_str().unwrap()).await;
    let m = app.metrics().await;
    assert!(
        m.contains(
            "usher_http_requests_total{route=\"/v1/users\",method=\"POST\",status=\"200\"} 1"
        ),
        "{m}"
    );
    assert!(m.contains("usher_session_tokens_minted_total 1"), "{m}");
    assert!(m.contains("usher_password_hash_jobs"), "{m}");
    let e = app
        .send_raw(reqwest::Method::GET, "/v1/users", None, None)
        .await;
    assert_eq!(e.status, 401);
}

/// The Frontend API listener faces browsers (the internet): the operators' figures are only on
/// the Backend API listener, while health checks answer on both.
#[tokio::test]
async fn metrics_only_on_the_backend_api_listener() {
    let app = spawn_app().await;
    let get = |url: String| {
        let http = app.http.clone();
        async move {
            let res = http.get(url).send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }
    };
    let mut front = Browser::new(&app.frontend_url());
    let r = front.get("/metrics").await;
    r.err(404, "resource_not_found");
    assert!(!r.raw.contains("usher_http_requests_total"), "{}", r.raw);
    assert_eq!(front.get("/healthz").await.status, 200);
    assert_eq!(front.get("/readyz").await.status, 200);
    let (status, body) = get(format!("{}/metrics", app.base)).await;
    assert_eq!(status, 200);
    assert!(body.contains("usher_http_requests_total"), "{body}");
}

#[tokio::test]
async fn production_instances_refuse_backend_sessions() {
    let app = spawn_with(Arc::new(usher_core::clock::SystemClock), |cfg| {
        cfg.secret_key = Some("sk_live_0123456789abcdefghijABCDEFGHIJ0123456789".into());
    })
    .await;
    assert!(app.running.boot.publishable_key.starts_with("pk_live_"));
    let http = &app.http;
    let created = http
        .post(format!("{}/v1/users", app.base))
        .bearer_auth("sk_live_0123456789abcdefghijABCDEFGHIJ0123456789")
        .json(&json!({"email_address": ["p@prod.test"], "password": "correct-horse-9"}))
        .send()
        .await
        .unwrap();
    let u: serde_json::Value = created.json().await.unwrap();
    let r = http
        .post(format!("{}/v1/sessions", app.base))
        .bearer_auth("sk_live_0123456789abcdefghijABCDEFGHIJ0123456789")
        .json(&json!({"user_id": u["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "production_instance_forbidden");
}

#[tokio::test]
async fn rotated_signing_keys_are_picked_up_without_a_restart() {
    let app = spawn_with(Arc::new(usher_core::clock::SystemClock), |cfg| {
        cfg.key_refresh_secs = 1
    })
    .await;
    let u = app.create_user("k@keys.test").await;
    let s = app.create_session(u["id"].as_str().unwrap()).await;
    let sid = s["id"].as_str().unwrap().to_owned();
    let old_jwt = app.session_jwt(&sid).await;
    let (old_header, _) = decode_jwt(&old_jwt);

    // Another process (the CLI, or another node) rotates the key in the shared database.
    app.rotate_key("key_rotated").await;

    let mut jwks = serde_json::Value::Null;
    for _ in 0..300 {
        jwks = app.get("/v1/jwks").await.ok().clone();
        if jwks["keys"].as_array().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "the rotated key is published");
    let new_jwt = app.session_jwt(&sid).await;
    let (new_header, _) = decode_jwt(&new_jwt);
    assert_eq!(new_header["kid"], "key_rotated");
    let by_kid = |kid: &serde_json::Value| keys.iter().find(|k| &k["kid"] == kid).unwrap().clone();
    assert!(verify_with_jwk(&new_jwt, &by_kid(&new_header["kid"])));
    assert!(
        verify_with_jwk(&old_jwt, &by_kid(&old_header["kid"])),
        "tokens signed before the rotation still verify"
    );
}
