//! `GET /v1/usher/diagnostics` (an Usher extension behind `usher doctor`): the secret key
//! required, every check present and judged, recent latencies per route, the database's
//! report, an unreachable Redis and SMTP server named as the cause; and the hourly activity
//! counters the sign-in paths and token refreshes add to.

use std::sync::Arc;

use reqwest::Method;
use serde_json::Value;
use usher_core::activity::{ActivityKind, HOUR_MS, hour_of, total};
use usher_core::clock::SystemClock;

use crate::common::{App, each_str, spawn_app, spawn_with};

const CHECKS: [&str; 10] = [
    "latency",
    "database_round_trip",
    "database_health",
    "hasher_queue",
    "webhook_queue",
    "smtp",
    "redis",
    "clock_skew",
    "signing_key",
    "secret_keys",
];

fn check<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {body}"))
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn diagnostics_need_the_secret_key_and_judge_every_check() {
    let app = spawn_app().await;
    app.send_raw(Method::GET, "/v1/usher/diagnostics", None, None)
        .await
        .err(401, "authentication_invalid");
    app.send_raw(
        Method::GET,
        "/v1/usher/diagnostics",
        None,
        Some("sk_test_not_a_key_of_this_instance_000000000"),
    )
    .await
    .err(401, "clerk_key_invalid");

    for _ in 0..25 {
        app.get("/v1/users?limit=1").await.ok();
    }
    let reply = app.get("/v1/usher/diagnostics").await;
    let body = reply.ok();
    assert_eq!(body["object"], "usher_diagnostics");
    assert_eq!(body["verdict"], "ok", "{body:#}");
    assert_eq!(body["causes"], serde_json::json!([]));
    let names = each_str(&body["checks"], "name");
    assert_eq!(names, CHECKS);
    for c in body["checks"].as_array().unwrap() {
        assert_eq!(c["level"], "ok", "{c}");
        assert!(c["summary"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(c["cause"].is_null());
    }

    let m = &body["measurements"];
    let users = m["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["route"] == "GET /v1/users")
        .unwrap_or_else(|| panic!("{m:#}"));
    assert_eq!(users["samples"], 25);
    let (p50, p95, p99) = (
        users["p50_ms"].as_f64().unwrap(),
        users["p95_ms"].as_f64().unwrap(),
        users["p99_ms"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 <= p95 && p95 <= p99, "{users}");
    assert!(
        check(body, "latency")["summary"]
            .as_str()
            .unwrap()
            .contains("GET /v1/users")
    );

    let db = &m["database"];
    assert_eq!(db["round_trip_ms"]["pings"], 5);
    assert!(db["round_trip_ms"]["avg"].as_f64().unwrap() > 0.0);
    match db["health"]["backend"].as_str().unwrap() {
        "sqlite" => {
            assert_eq!(db["health"]["journal_mode"], "wal");
            assert_eq!(db["health"]["quick_check"], "ok");
            assert!(db["health"]["page_count"].as_i64().unwrap() > 0);
        }
        "postgres" => {
            assert!(db["health"]["pool_size"].as_u64().unwrap() > 0);
            assert!(!db["health"]["version"].as_str().unwrap().is_empty());
        }
        other => panic!("backend {other}"),
    }
    assert!(m["clock"]["skew_ms"].as_i64().unwrap().abs() < 1000);
    assert!(m["keys"]["signing_key"]["kid"].is_string());
    assert_eq!(m["keys"]["secret_keys"].as_array().unwrap().len(), 1);
    assert_eq!(m["smtp"]["configured"], false);
    assert_eq!(m["redis"]["configured"], false);
    assert_eq!(m["hasher"]["workers"], 2);
    assert_eq!(m["webhooks"]["queue_depth"], 0);
}

#[tokio::test]
async fn unreachable_redis_and_smtp_are_critical_and_named() {
    let redis_port = closed_port();
    let smtp_port = closed_port();
    let app: App = spawn_with(Arc::new(SystemClock), |cfg| {
        cfg.redis_url = Some(format!("redis://127.0.0.1:{redis_port}"));
        cfg.mail.smtp_url = Some(format!("smtp://127.0.0.1:{smtp_port}?tls=none"));
        cfg.mail.run_worker = false;
    })
    .await;
    let body = app.get("/v1/usher/diagnostics").await.ok().clone();
    assert_eq!(body["verdict"], "critical", "{body:#}");
    let redis = check(&body, "redis");
    assert_eq!(redis["level"], "critical");
    assert!(
        redis["cause"]
            .as_str()
            .unwrap()
            .starts_with(&format!("redis unreachable at 127.0.0.1:{redis_port}")),
        "{redis}"
    );
    assert_eq!(check(&body, "smtp")["level"], "critical");
    let causes: Vec<&str> = body["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(causes.len(), 2, "{causes:?}");
    assert!(
        causes
            .iter()
            .any(|c| c.starts_with("smtp unreachable at 127.0.0.1:"))
    );
    assert_eq!(body["measurements"]["redis"]["reachable"], false);
    assert!(body["measurements"]["redis"]["error"].is_string());
}

#[tokio::test]
async fn token_refreshes_are_counted_per_hour() {
    let app = spawn_app().await;
    let user = app.create_user_id("counted@example.com").await;
    let session = app.create_session(&user).await;
    let sid = session["id"].as_str().unwrap();
    for _ in 0..3 {
        app.session_jwt(sid).await;
    }
    let state = &app.running.state;
    let now = state.now();
    app.running.flush_activity().await.unwrap();
    let counts = state
        .store
        .activity(&state.instance.id, hour_of(now) - HOUR_MS, now + HOUR_MS)
        .await
        .unwrap();
    assert_eq!(total(&counts, ActivityKind::TokenRefresh), 3, "{counts:?}");
    // Nothing is left in memory to count twice.
    assert_eq!(app.running.flush_activity().await.unwrap(), 0);
}
