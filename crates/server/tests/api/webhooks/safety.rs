//! Safety: internal destinations on production, redirects and capped bodies, crashed workers and the background worker.

use super::*;

#[tokio::test]
async fn production_instances_refuse_internal_destinations() {
    let (app, _) = spawn_manual(|cfg| cfg.secret_key = Some(LIVE.into())).await;
    let create = |url: &str| {
        let body = json!({"url": url}).to_string().into_bytes();
        let app = &app;
        async move {
            app.send_raw(
                Method::POST,
                "/v1/webhooks/endpoints",
                Some(body),
                Some(LIVE),
            )
            .await
        }
    };
    for url in [
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.5/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost/hook",
        "https://0.0.0.0/hook",
        "http://hooks.example.com/plain-http",
    ] {
        let r = create(url).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), "url", "{url}");
    }
    create("https://hooks.example.com/clerk").await.ok();
}

#[tokio::test]
async fn production_delivers_internally_only_when_allowed() {
    let rx = Receiver::start().await;
    let (app, _) = spawn_manual(|cfg| {
        cfg.secret_key = Some(LIVE.into());
        cfg.webhooks.allow_private_networks = true;
    })
    .await;
    let body = json!({"url": rx.url, "events": ["user.created"]})
        .to_string()
        .into_bytes();
    let r = app
        .send_raw(
            Method::POST,
            "/v1/webhooks/endpoints",
            Some(body),
            Some(LIVE),
        )
        .await;
    r.ok();
    let body = user_body("prod@hooks.test").to_string().into_bytes();
    app.send_raw(Method::POST, "/v1/users", Some(body), Some(LIVE))
        .await
        .ok();
    assert_eq!(app.drain().await, 1);
    assert_eq!(rx.kinds(), ["user.created"]);
}

#[tokio::test]
async fn redirects_are_not_followed_and_response_bodies_are_capped() {
    let (app, clock) = spawn_manual(|_| {}).await;
    let elsewhere = Receiver::start().await;
    let rx = Receiver::start().await;
    let to = elsewhere.url.clone();
    rx.answer(move |n, _| match n {
        0 => Answer::Redirect(to.clone()),
        _ => Answer::Big(4 * 1024 * 1024),
    });
    let (ep, _) = app.endpoint(&rx.url, &["user.created"]).await;
    app.post("/v1/users", user_body("redirect@hooks.test"))
        .await
        .ok();
    app.drain().await;
    assert!(elsewhere.got().is_empty(), "the redirect was not followed");
    let d = app.deliveries(&ep, "").await;
    let a = &d["data"][0]["attempt_history"][0];
    assert_eq!(a["response_status_code"], 302);
    assert_eq!(a["status"], "failed");
    assert!(
        a["error"]
            .as_str()
            .unwrap()
            .contains("redirects are not followed")
    );
    clock.advance(6_000);
    assert_eq!(app.drain().await, 1);
    let d = app.deliveries(&ep, "").await;
    let a = &d["data"][0]["attempt_history"][0];
    assert_eq!(a["status"], "succeeded");
    assert_eq!(a["response_body_excerpt"].as_str().unwrap().len(), 1024);
}

// ---- crash safety ---------------------------------------------------------------------------

#[tokio::test]
async fn a_crashed_workers_lease_expires_and_its_in_flight_delivery_is_sent_again() {
    let (app, clock) = spawn_manual(|_| {}).await;
    let rx = Receiver::start().await;
    let (ep, _) = app.endpoint(&rx.url, &["user.created"]).await;
    app.post("/v1/users", user_body("crash@hooks.test"))
        .await
        .ok();
    // Another worker claims the endpoint and dies mid-delivery: nothing is recorded.
    let s = &app.running.state;
    let now = clock.now_ms();
    let claimed = s
        .store
        .claim_webhook_endpoint(&s.instance.id, "dead/1", "other-node", now, now + 30_000)
        .await
        .unwrap();
    assert_eq!(claimed.unwrap().endpoint.id, ep);
    assert_eq!(app.drain().await, 0, "the lease still holds");
    clock.advance(30_001);
    assert_eq!(app.drain().await, 1, "the expired lease is re-claimed");
    assert_eq!(rx.kinds(), ["user.created"]);
    assert_eq!(
        app.deliveries(&ep, "status=succeeded").await["total_count"],
        1
    );
}

#[tokio::test]
async fn the_background_worker_delivers_without_being_asked() {
    let rx = Receiver::start().await;
    let app = spawn_app().await;
    let (_, secret) = app.endpoint(&rx.url, &["user.created"]).await;
    app.post("/v1/users", user_body("background@hooks.test"))
        .await
        .ok();
    // Wait (bounded) for the delivery; no timing is asserted.
    for _ in 0..600 {
        if !rx.got().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(rx.kinds(), ["user.created"]);
    let now = usher_core::clock::SystemClock.now_ms();
    assert!(rx.got()[0].verifies(&secret, now));
}
