//! Delivery: signed Clerk envelopes in commit order, filters, retries of flaky and slow receivers, what is stuck.

use super::*;

#[tokio::test]
async fn deliveries_are_signed_clerk_envelopes_in_commit_order() {
    let (app, clock) = spawn_manual(|_| {}).await;
    let rx = Receiver::start().await;
    let (ep, secret) = app.endpoint(&rx.url, &[]).await;
    let u = app
        .post("/v1/users", user_body("order@hooks.test"))
        .await
        .ok()
        .clone();
    let uid = u["id"].as_str().unwrap();
    app.patch(&format!("/v1/users/{uid}"), json!({"first_name": "Ada"}))
        .await
        .ok();
    let s = app.create_session(uid).await;
    app.revoke_session(s["id"].as_str().unwrap()).await.ok();
    app.delete(&format!("/v1/users/{uid}")).await.ok();
    assert_eq!(app.drain().await, 5);

    let got = rx.got();
    assert_eq!(
        rx.kinds(),
        [
            "user.created",
            "user.updated",
            "session.created",
            "session.revoked",
            "user.deleted"
        ]
    );
    let events: Vec<_> = app
        .events()
        .await
        .into_iter()
        .filter(|e| !e.event_type.starts_with("usher."))
        .collect();
    for (g, e) in got.iter().zip(&events) {
        assert_eq!(g.header("content-type"), "application/json");
        assert_eq!(g.id(), e.id);
        assert_eq!(
            g.header("svix-timestamp"),
            (clock.now_ms() / 1000).to_string()
        );
        assert!(g.header("svix-signature").starts_with("v1,"));
        assert!(
            g.verifies(&secret, clock.now_ms()),
            "signature of {}",
            g.id()
        );
        assert!(!g.verifies(&Secret::generate().expose(), clock.now_ms()));
        // Exactly Clerk's envelope.
        assert_eq!(
            g.json,
            json!({
                "data": e.data,
                "event_attributes": {"http_request": {"client_ip": "127.0.0.1", "user_agent": ""}},
                "instance_id": app.running.state.instance.id,
                "object": "event",
                "timestamp": e.created_at,
                "type": e.event_type,
            })
        );
    }
    assert_eq!(got[0].json["data"]["object"], "user");
    assert_eq!(got[0].json["data"]["id"], uid);
    // Session events embed the user, as Clerk's do.
    assert_eq!(got[2].json["data"]["object"], "session");
    assert_eq!(got[2].json["data"]["user"]["id"], uid);
    assert_eq!(got[3].json["data"]["status"], "revoked");
    assert_eq!(
        got[4].json["data"],
        json!({"object": "user", "id": uid, "deleted": true})
    );

    let d = app.deliveries(&ep, "status=succeeded&limit=500").await;
    assert_eq!(d["total_count"], 5);
    assert_eq!(d["data"][0]["message_id"], events[4].id.as_str());
    assert_eq!(d["data"][0]["attempts"], 1);
    assert_eq!(d["data"][0]["attempt_history"][0]["status"], "succeeded");
    assert_eq!(
        d["data"][0]["attempt_history"][0]["response_status_code"],
        204
    );
    assert_eq!(app.drain().await, 0, "nothing is delivered twice");
}

#[tokio::test]
async fn filters_choose_event_types_and_new_endpoints_start_now() {
    let (app, _) = spawn_manual(|_| {}).await;
    let before = app
        .post("/v1/users", user_body("before@hooks.test"))
        .await
        .ok()
        .clone();
    let all = Receiver::start().await;
    let only = Receiver::start().await;
    app.endpoint(&all.url, &[]).await;
    let (only_id, _) = app.endpoint(&only.url, &["user.created"]).await;
    let u = app
        .post("/v1/users", user_body("filter@hooks.test"))
        .await
        .ok()
        .clone();
    app.create_session(u["id"].as_str().unwrap()).await;
    app.drain().await;
    assert_eq!(
        all.kinds(),
        [
            "usher.security.webhook_endpoint.created",
            "user.created",
            "session.created"
        ],
        "the first endpoint hears of the second; neither gets events from before it existed"
    );
    assert_eq!(only.kinds(), ["user.created"]);
    assert!(!all.got()[0].body.windows(6).any(|w| w == b"whsec_"));
    assert_ne!(only.got()[0].json["data"]["id"], before["id"]);

    app.patch(
        &format!("/v1/webhooks/endpoints/{only_id}"),
        json!({"events": ["session.created"]}),
    )
    .await
    .ok();
    app.create_session(u["id"].as_str().unwrap()).await;
    app.drain().await;
    assert_eq!(only.kinds(), ["user.created", "session.created"]);
}

#[tokio::test]
async fn a_flaky_receiver_gets_every_event_on_svixs_schedule_in_order() {
    let (app, clock) = spawn_manual(|_| {}).await;
    let rx = Receiver::start().await;
    rx.answer(|n, _| {
        if n < 3 {
            Answer::Status(503)
        } else {
            Answer::Status(200)
        }
    });
    let (ep, secret) = app.endpoint(&rx.url, &["user.created"]).await;
    for i in 0..3 {
        app.post("/v1/users", user_body(&format!("flaky{i}@hooks.test")))
            .await
            .ok();
    }
    assert_eq!(
        app.drain().await,
        1,
        "the first attempt fails and the queue waits behind it"
    );
    clock.advance(4_000);
    assert_eq!(app.drain().await, 0, "the retry is not due before ~5 s");
    clock.advance(2_000);
    assert_eq!(app.drain().await, 1);
    clock.advance(6 * 60_000);
    assert_eq!(app.drain().await, 1);
    clock.advance(34 * 60_000);
    assert_eq!(
        app.drain().await,
        3,
        "the fourth attempt succeeds and the rest follow"
    );

    let got = rx.got();
    assert_eq!(got.len(), 6);
    let first = got[0].id().to_owned();
    assert!(
        got[..4].iter().all(|g| g.id() == first),
        "the same message until it succeeds"
    );
    let mut ids: Vec<&str> = got[3..].iter().map(Got::id).collect();
    let events: Vec<String> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "user.created")
        .map(|e| e.id.into_string())
        .collect();
    assert_eq!(ids, events, "commit order");
    ids.dedup();
    assert_eq!(ids.len(), 3);
    // Each retry is signed at its own time.
    assert!(got.iter().all(|g| g.verifies_when_sent(&secret)));
    assert!(!got[0].verifies(&secret, clock.now_ms()), "too old by now");
    assert_ne!(
        got[0].header("svix-timestamp"),
        got[3].header("svix-timestamp")
    );

    let d = app.deliveries(&ep, &format!("message_id={first}")).await;
    let d = &d["data"][0];
    assert_eq!(d["status"], "succeeded");
    assert_eq!(d["attempts"], 4);
    let history = d["attempt_history"].as_array().unwrap();
    let statuses: Vec<&str> = history
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["succeeded", "failed", "failed", "failed"]);
    assert_eq!(history[1]["response_status_code"], 503);
    assert_eq!(history[1]["response_body_excerpt"], "receiver says hi");
    assert_eq!(history[1]["error"], "status 503");
}

#[tokio::test]
async fn a_receiver_that_times_out_is_retried() {
    // Generous, so that a loaded machine answering slowly does not count as a timeout.
    let (app, clock) = spawn_manual(|cfg| cfg.webhooks.timeout = Duration::from_millis(1500)).await;
    let rx = Receiver::start().await;
    rx.answer(|n, _| {
        if n == 0 {
            Answer::Slow(Duration::from_secs(30))
        } else {
            Answer::Status(204)
        }
    });
    let (ep, _) = app.endpoint(&rx.url, &[]).await;
    app.post("/v1/users", user_body("slow@hooks.test"))
        .await
        .ok();
    assert_eq!(app.drain().await, 1);
    let d = app.deliveries(&ep, "status=pending").await;
    let attempt = &d["data"][0]["attempt_history"][0];
    assert_eq!(attempt["status"], "failed");
    assert_eq!(attempt["response_status_code"], Value::Null);
    assert!(
        attempt["error"].as_str().unwrap().contains("timed out"),
        "{attempt}"
    );
    clock.advance(6_000);
    assert_eq!(app.drain().await, 1);
    assert_eq!(
        app.deliveries(&ep, "status=succeeded").await["total_count"],
        1
    );
    assert_eq!(rx.got().len(), 2);
}

#[tokio::test]
async fn failing_lists_what_is_stuck_and_retry_attempts_it_now_with_a_fresh_schedule() {
    let (app, clock) = spawn_manual(|_| {}).await;
    let rx = Receiver::start().await;
    rx.answer(|_, _| Answer::Status(503));
    let (ep, _) = app.endpoint(&rx.url, &["user.created"]).await;
    app.post("/v1/users", user_body("stuck@hooks.test"))
        .await
        .ok();
    assert_eq!(
        app.deliveries(&ep, "status=failing").await["total_count"],
        0,
        "not attempted yet: pending, not failing"
    );
    assert_eq!(app.drain().await, 1);
    clock.advance(6_000);
    assert_eq!(app.drain().await, 1);
    clock.advance(331_000);
    assert_eq!(app.drain().await, 1);
    let failing = app.deliveries(&ep, "status=failing").await;
    assert_eq!(failing["total_count"], 1, "{failing}");
    assert_eq!(failing["data"][0]["attempts"], 3);
    let msg = failing["data"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.drain().await,
        0,
        "the next attempt is half an hour away"
    );

    rx.answer(|_, _| Answer::Status(204));
    app.post_empty(&format!("/v1/webhooks/messages/{msg}/retry"))
        .await
        .ok();
    assert_eq!(app.drain().await, 1, "a retried delivery is attempted now");
    let d = app.deliveries(&ep, &format!("message_id={msg}")).await;
    assert_eq!(d["data"][0]["status"], "succeeded");
    assert_eq!(
        d["data"][0]["attempts"], 1,
        "the retry restarted the schedule of a pending delivery"
    );
    assert_eq!(
        app.deliveries(&ep, "status=failing").await["total_count"],
        0
    );
}
