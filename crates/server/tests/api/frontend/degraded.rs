//! Degraded mode on one node: the node is put in degraded mode as its probe would put it (the
//! SQLite file stays reachable, so nothing here waits for a real outage: compat/degraded stops
//! PostgreSQL for that). Tokens come from what the node last read, revocations learnt by the
//! poll are honoured, everything else is Clerk's 503 at once, and recovery writes the activity
//! recorded meanwhile.

use super::*;
use usher_server::workers::degraded::{Probe, check_once};

const HOUR: i64 = 60 * MINUTE;

#[tokio::test]
async fn tokens_come_from_memory_while_degraded_and_revocations_hold() {
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.degraded.run_worker = false;
        cfg.policy.degraded_mode_window_secs = Some(3 * 3600);
    })
    .await;
    let state = &env.app.running.state;
    let mut probe = Probe::default();
    let mut a = env.browser();
    let mut b = env.browser();
    let mut c = env.browser();
    let (user_a, sid_a) = a.sign_up(&env, "alice@example.com", None).await;
    let (_, sid_b) = b.sign_up(&env, "bob@example.com", None).await;
    let (_, sid_c) = c.sign_up(&env, "carol@example.com", None).await;
    // A and B refresh while the database answers: the node holds them. C never does.
    a.token(&sid_a).await;
    b.token(&sid_b).await;
    assert_eq!(state.degraded.cache.len(), 2);
    // B is revoked; the node learns it from the events, as it would from another node's.
    env.bapi(
        reqwest::Method::POST,
        &format!("/v1/sessions/{sid_b}/revoke"),
        None,
    )
    .await
    .ok();
    assert!(check_once(state, &mut probe).await);
    assert_eq!(state.degraded.cache.len(), 1);

    // The database goes away.
    assert!(state.degraded.enter("test: the database is away"));
    env.clock.advance(2 * HOUR);
    let jwks = env.jwks().await;
    let r = a.request_token(&sid_a).await;
    let jwt = r.ok()["jwt"].as_str().unwrap().to_owned();
    assert!(verify_with_jwk(&jwt, &jwks));
    let (_, claims) = decode_jwt(&jwt);
    assert_eq!(claims["sid"], sid_a.as_str());
    assert_eq!(claims["sub"], user_a.as_str());
    assert_eq!(int(&claims["iat"]), (T0 + 2 * HOUR) / 1000);
    // The revoked session and the one never held: 503, never a sign-out.
    b.request_token(&sid_b)
        .await
        .err(503, "service_unavailable");
    c.request_token(&sid_c)
        .await
        .err(503, "service_unavailable");
    // A's cookie does not reach B's session.
    a.request_token(&sid_c)
        .await
        .err(503, "service_unavailable");
    // Sign-ins, the client, writes and template tokens: 503 at once.
    let mut d = env.browser();
    d.post(
        "/v1/client/sign_ins",
        &[("identifier", "alice@example.com")],
    )
    .await
    .err(503, "service_unavailable");
    a.get("/v1/client").await.err(503, "service_unavailable");
    let r = env
        .bapi(
            reqwest::Method::POST,
            "/v1/users",
            Some(json!({"email_address": ["dan@example.com"], "skip_password_requirement": true})),
        )
        .await;
    r.err(503, "service_unavailable");
    assert_eq!(r.header("retry-after"), Some("1"));
    // The Backend API's token endpoint serves from memory too.
    let r = env
        .bapi(
            reqwest::Method::POST,
            &format!("/v1/sessions/{sid_a}/tokens"),
            None,
        )
        .await;
    assert!(verify_with_jwk(r.ok()["jwt"].as_str().unwrap(), &jwks));
    let ready = env
        .http
        .get(format!("{}/readyz", env.app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "degraded");
    let metrics = env
        .http
        .get(format!("{}/metrics", env.app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("usher_degraded_tokens_total 2"),
        "{metrics}"
    );

    // The database is back: the activity recorded meanwhile is written, and the node leaves.
    assert!(check_once(state, &mut probe).await);
    assert!(!state.degraded.is_active());
    let s = env.session(&sid_a).await;
    assert_eq!(int(&s["last_active_at"]), T0 + 2 * HOUR);
    assert_eq!(env.session(&sid_b).await["status"], "revoked");
    b.request_token(&sid_b).await.err(422, "session_not_active");

    // Past the window since the database last confirmed it, A gets no token from memory.
    assert!(state.degraded.enter("test: away again"));
    env.clock.advance(3 * HOUR + MINUTE);
    a.request_token(&sid_a)
        .await
        .err(503, "service_unavailable");
    assert!(check_once(state, &mut probe).await);
    a.token(&sid_a).await;
}

#[tokio::test]
async fn the_settings_are_instance_settings_with_bounds() {
    let env = spawn(Kind::Production).await;
    let r = env.bapi_get("/v1/instance/settings").await;
    let body = r.ok().to_string();
    for key in [
        "degraded_mode_enabled",
        "degraded_mode_window_secs",
        "degraded_mode_db_timeout_ms",
    ] {
        assert!(body.contains(key), "{body}");
    }
    env.bapi(
        reqwest::Method::PATCH,
        "/v1/instance/settings",
        Some(json!({"degraded_mode_window_secs": 30})),
    )
    .await
    .err(422, "form_param_value_invalid");
    env.bapi(
        reqwest::Method::PATCH,
        "/v1/instance/settings",
        Some(json!({"degraded_mode_enabled": false, "degraded_mode_window_secs": 600})),
    )
    .await
    .ok();
    let settings = env.app.running.state.settings();
    assert!(!settings.degraded_mode_enabled);
    assert_eq!(settings.degraded_mode_window_secs, 600);
}
