//! Endpoints managed through the Backend API, and Clerk-shaped errors for bad requests.

use super::*;

#[tokio::test]
async fn endpoints_are_managed_through_the_backend_api() {
    let (app, _) = spawn_manual(|_| {}).await;
    let r = app
        .post(
            "/v1/webhooks/endpoints",
            json!({"url": "http://127.0.0.1:9/hook", "events": ["user.created", "session.created"], "description": "billing"}),
        )
        .await;
    let ep = r.ok().clone();
    assert_eq!(r.content_type.as_deref(), Some("application/json"));
    assert_eq!(ep["object"], "webhook_endpoint");
    assert!(ep["id"].as_str().unwrap().starts_with("ep_"));
    assert_eq!(ep["url"], "http://127.0.0.1:9/hook");
    assert_eq!(ep["events"], json!(["user.created", "session.created"]));
    assert_eq!(ep["status"], "active");
    assert_eq!(ep["description"], "billing");
    assert_eq!(ep["rate_limit"], Value::Null);
    let secret = ep["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_") && Secret::parse(secret).is_ok());
    let id = ep["id"].as_str().unwrap();

    // The secret is shown once: never in reads.
    let got = app.get(&format!("/v1/webhooks/endpoints/{id}")).await;
    assert_eq!(got.ok()["secret"], Value::Null);
    assert!(!got.raw.contains(secret));
    let list = app.get("/v1/webhooks/endpoints").await;
    assert_eq!(list.ok()["total_count"], 1);
    assert_eq!(list.ok()["data"][0]["id"], id);
    assert!(!list.raw.contains(secret));

    let r = app
        .patch(
            &format!("/v1/webhooks/endpoints/{id}"),
            json!({"events": [], "rate_limit": 50, "url": "http://localhost:9/other"}),
        )
        .await;
    assert_eq!(r.ok()["events"], json!([]));
    assert_eq!(r.ok()["rate_limit"], 50);
    assert_eq!(r.ok()["url"], "http://localhost:9/other");
    assert_eq!(r.ok()["secret"], Value::Null);

    let paused = app
        .post_empty(&format!("/v1/webhooks/endpoints/{id}/pause"))
        .await;
    assert_eq!(paused.ok()["status"], "paused");
    let resumed = app
        .post_empty(&format!("/v1/webhooks/endpoints/{id}/resume"))
        .await;
    assert_eq!(resumed.ok()["status"], "active");

    let rotated = app
        .post_empty(&format!("/v1/webhooks/endpoints/{id}/rotate_secret"))
        .await;
    let new_secret = rotated.ok()["secret"].as_str().unwrap();
    assert!(new_secret.starts_with("whsec_") && new_secret != secret);

    app.delete_gone(
        &format!("/v1/webhooks/endpoints/{id}"),
        "webhook_endpoint",
        id,
    )
    .await;

    // Every change is an audit entry and an usher.security event.
    let types = app.event_types().await;
    assert_eq!(
        types,
        [
            "usher.security.webhook_endpoint.created",
            "usher.security.webhook_endpoint.updated",
            "usher.security.webhook_endpoint.updated",
            "usher.security.webhook_endpoint.updated",
            "usher.security.webhook_endpoint.secret_rotated",
            "usher.security.webhook_endpoint.deleted",
        ]
    );
    let s = &app.running.state;
    let log = s.store.audit_log(&s.instance.id, 10).await.unwrap();
    assert_eq!(log[0].action, "webhook_endpoint.delete");
    assert!(
        app.events()
            .await
            .iter()
            .all(|e| !e.data.to_string().contains("whsec_"))
    );
}

#[tokio::test]
async fn bad_endpoint_requests_get_clerk_shaped_errors() {
    let (app, _) = spawn_manual(|_| {}).await;
    let p = "/v1/webhooks/endpoints";
    for (body, code, param) in [
        (json!({}), "form_param_missing", "url"),
        (json!({"url": 5}), "form_param_format_invalid", "url"),
        (
            json!({"url": "not a url"}),
            "form_param_format_invalid",
            "url",
        ),
        (
            json!({"url": "ftp://example.com/"}),
            "form_param_format_invalid",
            "url",
        ),
        (
            json!({"url": "http://u:p@example.com/"}),
            "form_param_value_invalid",
            "url",
        ),
        (
            json!({"url": "http://10.0.0.1/"}),
            "form_param_value_invalid",
            "url",
        ),
        (
            json!({"url": "http://127.0.0.1/", "events": ["user.exploded"]}),
            "form_param_value_invalid",
            "events",
        ),
        (
            json!({"url": "http://127.0.0.1/", "events": "user.created"}),
            "form_param_format_invalid",
            "events",
        ),
        (
            json!({"url": "http://127.0.0.1/", "events": [1]}),
            "form_param_format_invalid",
            "events",
        ),
        (
            json!({"url": "http://127.0.0.1/", "rate_limit": 0}),
            "form_param_value_invalid",
            "rate_limit",
        ),
        (
            json!({"url": "http://127.0.0.1/", "rate_limit": -1}),
            "form_param_value_invalid",
            "rate_limit",
        ),
        (
            json!({"url": "http://127.0.0.1/", "secret": "whsec_x"}),
            "form_param_unknown",
            "secret",
        ),
    ] {
        let r = app.post(p, body.clone()).await;
        r.err(422, code);
        assert_eq!(r.param(), param, "{body}");
    }
    app.get("/v1/webhooks/endpoints/ep_missing")
        .await
        .err(404, "resource_not_found");
    app.get("/v1/webhooks/endpoints/nope")
        .await
        .err(404, "resource_not_found");
    app.patch("/v1/webhooks/endpoints/ep_missing", json!({}))
        .await
        .err(404, "resource_not_found");
    app.post_empty("/v1/webhooks/endpoints/ep_missing/pause")
        .await
        .err(404, "resource_not_found");
    app.post_empty("/v1/webhooks/messages/msg_missing/retry")
        .await
        .err(404, "resource_not_found");
    app.post_empty("/v1/webhooks/messages/bad/retry")
        .await
        .err(404, "resource_not_found");
    let (id, _) = app.endpoint("http://127.0.0.1:9/", &[]).await;
    app.get(&format!(
        "/v1/webhooks/endpoints/{id}/deliveries?status=lost"
    ))
    .await
    .err(400, "form_param_value_invalid");
    app.get(&format!("/v1/webhooks/endpoints/{id}/deliveries?limit=0"))
        .await
        .err(400, "form_param_value_invalid");
    app.post_empty(&format!("/v1/webhooks/endpoints/{id}/replay"))
        .await
        .err(422, "form_param_missing");
    app.post(
        &format!("/v1/webhooks/endpoints/{id}/replay"),
        json!({"since": "yesterday"}),
    )
    .await
    .err(422, "form_param_format_invalid");
    app.send_raw(
        Method::POST,
        "/v1/webhooks/endpoints",
        Some(b"{".to_vec()),
        Some(SECRET),
    )
    .await
    .err(400, "request_body_invalid");
    app.send_raw(Method::GET, "/v1/webhooks/endpoints", None, None)
        .await
        .err(401, "authentication_invalid");
    app.send(Method::PUT, "/v1/webhooks/endpoints", None)
        .await
        .err(405, "method_not_allowed");
}
