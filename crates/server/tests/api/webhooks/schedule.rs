//! The retry schedule run out, paused endpoints, replay, resync, secret rotation, disabling after days of failures.

use super::*;

#[tokio::test]
async fn an_exhausted_schedule_fails_the_delivery_and_retry_sends_it_again() {
    let (app, clock) = spawn_manual(|_| {}).await;
    let rx = Receiver::start().await;
    let poison: Arc<Mutex<Option<String>>> = Arc::default();
    let p = poison.clone();
    // The receiver refuses the first message it sees until told to accept it.
    rx.answer(move |_, g| {
        let mut p = p.lock().unwrap();
        let first = p.get_or_insert_with(|| g.id().to_owned());
        if first == g.id() {
            Answer::Status(500)
        } else {
            Answer::Status(200)
        }
    });
    let (ep, _) = app.endpoint(&rx.url, &["user.created"]).await;
    app.post("/v1/users", user_body("poison@hooks.test"))
        .await
        .ok();
    app.post("/v1/users", user_body("after@hooks.test"))
        .await
        .ok();
    let mut attempts = 0;
    for _ in 0..10 {
        attempts += app.drain().await;
        clock.advance(11 * 3600 * 1000);
    }
    // Eight attempts for the poison message, then the one behind it goes out.
    assert_eq!(attempts, 9);
    let msg = poison.lock().unwrap().clone().unwrap();
    let failed = app.deliveries(&ep, "status=failed").await;
    assert_eq!(failed["total_count"], 1);
    assert_eq!(failed["data"][0]["message_id"], msg);
    assert_eq!(failed["data"][0]["attempts"], 8);
    assert_eq!(
        failed["data"][0]["attempt_history"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert_eq!(
        app.deliveries(&ep, "status=succeeded").await["total_count"],
        1
    );

    rx.answer(|_, _| Answer::Status(200));
    let r = app
        .post_empty(&format!("/v1/webhooks/messages/{msg}/retry"))
        .await;
    assert_eq!(r.ok()["endpoint_ids"], json!([ep]));
    assert_eq!(
        app.deliveries(&ep, "status=pending").await["total_count"],
        1
    );
    assert_eq!(app.drain().await, 1);
    let d = app.deliveries(&ep, &format!("message_id={msg}")).await;
    assert_eq!(d["data"][0]["status"], "succeeded");
    assert_eq!(
        d["data"][0]["attempts"], 1,
        "a retry starts a fresh schedule"
    );
    assert_eq!(d["data"][0]["attempt_history"].as_array().unwrap().len(), 9);
    let s = &app.running.state;
    let log = s.store.audit_log(&s.instance.id, 5).await.unwrap();
    assert_eq!(log[0].action, "webhook_message.retry");
    assert_eq!(log[0].target_id.as_deref(), Some(msg.as_str()));
}

#[tokio::test]
async fn a_paused_endpoint_queues_everything_and_delivers_it_after_resume() {
    let (app, clock) = spawn_manual(|_| {}).await;
    let rx = Receiver::start().await;
    let (ep, _) = app.endpoint(&rx.url, &["user.created"]).await;
    app.post_empty(&format!("/v1/webhooks/endpoints/{ep}/pause"))
        .await
        .ok();
    for i in 0..5 {
        app.post("/v1/users", user_body(&format!("paused{i}@hooks.test")))
            .await
            .ok();
    }
    assert_eq!(app.drain().await, 0);
    assert!(rx.got().is_empty());
    clock.advance(90_000);
    let m = app.metrics().await;
    assert_endpoint_metric(&m, "usher_webhook_queue_depth", &ep, "", "5");
    assert_endpoint_metric(
        &m,
        "usher_webhook_oldest_undelivered_age_seconds",
        &ep,
        "",
        "90",
    );
    assert_eq!(
        app.deliveries(&ep, "status=pending").await["total_count"],
        5
    );

    app.post_empty(&format!("/v1/webhooks/endpoints/{ep}/resume"))
        .await
        .ok();
    assert_eq!(app.drain().await, 5);
    let emails = emails_of(&rx.got());
    assert_eq!(
        emails,
        (0..5)
            .map(|i| format!("paused{i}@hooks.test"))
            .collect::<Vec<_>>()
    );
    let m = app.metrics().await;
    assert_endpoint_metric(&m, "usher_webhook_queue_depth", &ep, "", "0");
    assert_endpoint_metric(&m, "usher_webhook_success_ratio", &ep, "", "1");
    assert_endpoint_metric(
        &m,
        "usher_webhook_attempts_total",
        &ep,
        r#",result="succeeded""#,
        "5",
    );
    assert!(
        m.contains("usher_webhook_delivery_latency_seconds_count"),
        "{m}"
    );
}

#[tokio::test]
async fn replay_resends_an_endpoints_events_since_a_time_in_commit_order() {
    let (app, clock) = spawn_manual(|_| {}).await;
    let rx = Receiver::start().await;
    let (ep, _) = app.endpoint(&rx.url, &["user.created"]).await;
    app.post("/v1/users", user_body("r0@hooks.test")).await.ok();
    clock.advance(1_000);
    let since = clock.now_ms();
    app.post("/v1/users", user_body("r1@hooks.test")).await.ok();
    app.post("/v1/users", user_body("r2@hooks.test")).await.ok();
    app.drain().await;
    let first: Vec<String> = rx.got().iter().map(|g| g.id().to_owned()).collect();
    assert_eq!(first.len(), 3);
    let r = app
        .post(
            &format!("/v1/webhooks/endpoints/{ep}/replay"),
            json!({"since": since}),
        )
        .await;
    assert_eq!(r.ok()["object"], "webhook_replay");
    assert_eq!(r.ok()["queued"], 2);
    assert_eq!(app.drain().await, 2);
    let again: Vec<String> = rx.got()[3..].iter().map(|g| g.id().to_owned()).collect();
    assert_eq!(again, first[1..], "the same svix-ids, in commit order");
}

#[tokio::test]
async fn resync_sends_a_snapshot_of_every_user_to_one_endpoint() {
    let (app, clock) = spawn_manual(|_| {}).await;
    let mut users = Vec::new();
    for i in 0..3 {
        clock.advance(1);
        users.push(
            app.post("/v1/users", user_body(&format!("sync{i}@hooks.test")))
                .await
                .ok()["id"]
                .clone(),
        );
    }
    let target = Receiver::start().await;
    let other = Receiver::start().await;
    let (ep, secret) = app.endpoint(&target.url, &["user.updated"]).await;
    let (other_ep, _) = app.endpoint(&other.url, &[]).await;
    let r = app
        .post_empty(&format!("/v1/webhooks/endpoints/{ep}/resync"))
        .await;
    assert_eq!(r.ok()["queued"], 3);
    app.drain().await;
    assert_eq!(target.kinds(), ["user.updated"; 3]);
    let ids: Vec<Value> = target
        .got()
        .iter()
        .map(|g| g.json["data"]["id"].clone())
        .collect();
    assert_eq!(ids, users);
    assert!(target.got().iter().all(|g| g.verifies(&secret, T0)));
    assert!(
        other.kinds().iter().all(|k| k.starts_with("usher.")),
        "snapshots go to the resynced endpoint only: {:?}",
        other.kinds()
    );
    // Nor does a replay on another endpoint pick them up.
    app.post(
        &format!("/v1/webhooks/endpoints/{other_ep}/replay"),
        json!({"since": 0}),
    )
    .await
    .ok();
    app.drain().await;
    assert!(!other.kinds().contains(&"user.updated".to_owned()));

    let (sessions_only, _) = app.endpoint(&target.url, &["session.created"]).await;
    let r = app
        .post_empty(&format!("/v1/webhooks/endpoints/{sessions_only}/resync"))
        .await;
    r.err(422, "form_param_value_invalid");
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_for_a_day() {
    let (app, clock) = spawn_manual(|_| {}).await;
    let rx = Receiver::start().await;
    let (ep, old) = app.endpoint(&rx.url, &["user.created"]).await;
    let new = app
        .post_empty(&format!("/v1/webhooks/endpoints/{ep}/rotate_secret"))
        .await
        .ok()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post("/v1/users", user_body("rot1@hooks.test"))
        .await
        .ok();
    app.drain().await;
    let g = &rx.got()[0];
    assert_eq!(g.header("svix-signature").split(' ').count(), 2);
    assert!(g.verifies(&old, clock.now_ms()) && g.verifies(&new, clock.now_ms()));
    clock.advance(24 * 3600 * 1000 + 1);
    app.post("/v1/users", user_body("rot2@hooks.test"))
        .await
        .ok();
    app.drain().await;
    let g = &rx.got()[1];
    assert_eq!(g.header("svix-signature").split(' ').count(), 1);
    assert!(g.verifies(&new, clock.now_ms()) && !g.verifies(&old, clock.now_ms()));
}

#[tokio::test]
async fn five_days_of_failures_disable_an_endpoint_and_resume_recovers_it() {
    let (app, clock) = spawn_manual(|_| {}).await;
    let down = Receiver::start().await;
    down.answer(|_, _| Answer::Status(502));
    let watcher = Receiver::start().await;
    let (ep, _) = app.endpoint(&down.url, &["user.created"]).await;
    app.endpoint(&watcher.url, &["usher.security.webhook_endpoint.disabled"])
        .await;
    for i in 0..3 {
        app.post("/v1/users", user_body(&format!("down{i}@hooks.test")))
            .await
            .ok();
    }
    let mut rounds = 0;
    while app.get(&format!("/v1/webhooks/endpoints/{ep}")).await.ok()["status"] == "active" {
        app.drain().await;
        clock.advance(10 * 3600 * 1000);
        rounds += 1;
        assert!(rounds < 40, "still active after {rounds} rounds");
    }
    let e = app
        .get(&format!("/v1/webhooks/endpoints/{ep}"))
        .await
        .ok()
        .clone();
    assert_eq!(e["status"], "disabled");
    assert!(
        e["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("status 502"),
        "{e}"
    );
    app.drain().await;
    assert_eq!(
        watcher.kinds(),
        ["usher.security.webhook_endpoint.disabled"]
    );
    assert_eq!(watcher.got()[0].json["data"]["id"], ep);
    let tried = down.got().len();
    clock.advance(24 * 3600 * 1000);
    assert_eq!(app.drain().await, 0, "a disabled endpoint gets nothing");
    assert_eq!(down.got().len(), tried);
    let s = &app.running.state;
    let log = s.store.audit_log(&s.instance.id, 5).await.unwrap();
    assert!(
        log.iter()
            .any(|a| a.action == "webhook_endpoint.disable" && a.actor == "system:webhooks")
    );

    // Resuming sends what queued up, from the oldest.
    down.answer(|_, _| Answer::Status(204));
    app.post_empty(&format!("/v1/webhooks/endpoints/{ep}/resume"))
        .await
        .ok();
    app.drain().await;
    let pending = app.deliveries(&ep, "status=pending").await;
    assert_eq!(pending["total_count"], 0);
    let emails = emails_of(&down.got()[tried..]);
    assert_eq!(
        emails,
        ["down1@hooks.test", "down2@hooks.test"],
        "the queue resumes in order"
    );
}
