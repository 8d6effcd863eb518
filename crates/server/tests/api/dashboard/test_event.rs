//! The webhook endpoint page's "Send test event": an example `user.created` delivered to that
//! endpoint only (whatever its filter), through the signed delivery path, verified by the
//! receiver with the endpoint's secret, and kept in the endpoint's history. No user is made.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use usher_core::clock::{Clock, ManualClock};
use usher_core::operators::Role;
use usher_core::webhooks::Secret;
use usher_core::webhooks::signing::verify;

use super::{Desk, T0};
use crate::common::spawn_with;

/// What a receiver got: the headers and the raw body.
type Got = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A loopback receiver answering 204 that keeps every request.
async fn receiver() -> (String, Got) {
    let got: Got = Arc::default();
    let g = got.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
        let g = g.clone();
        async move {
            g.lock().unwrap().push((headers, body));
            StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn a_test_event_reaches_one_endpoint_signed_and_stays_in_its_history() {
    let clock = Arc::new(ManualClock::new(T0));
    let app = spawn_with(clock.clone(), |cfg| {
        cfg.policy.client_trust = Some(false);
        cfg.webhooks.run_worker = false;
    })
    .await;
    let d = Desk { app, clock };
    let (url, got) = receiver().await;
    let (other_url, other_got) = receiver().await;
    // Subscribed to another event type: the example goes whatever the filter.
    let created = d
        .app
        .post(
            "/v1/webhooks/endpoints",
            json!({"url": url, "events": ["session.created"]}),
        )
        .await;
    let ep = created.ok()["id"].as_str().unwrap().to_owned();
    let secret = created.ok()["secret"].as_str().unwrap().to_owned();
    d.app
        .post("/v1/webhooks/endpoints", json!({"url": other_url}))
        .await
        .ok();
    d.app.running.drain_outbox().await.unwrap();
    let users_before = d.app.get("/v1/users/count").await.ok()["total_count"].clone();

    let admin_secret = d.operator("ada@example.com", Role::Admin).await;
    let support_secret = d.operator("sam@example.com", Role::Support).await;
    let mut admin = d.sign_in("ada@example.com", &admin_secret).await;
    let mut support = d.sign_in("sam@example.com", &support_secret).await;
    let act = format!("/dashboard/webhooks/{ep}/act");

    let page = admin.open(&format!("/dashboard/webhooks/{ep}")).await;
    page.expect(200);
    assert!(page.body.contains(">Send test event<"), "{}", page.body);
    admin
        .post_form(&act, &[("action", "test")])
        .await
        .expect(403);
    support.open(&format!("/dashboard/webhooks/{ep}")).await;
    support
        .submit(&act, &[("action", "test")])
        .await
        .expect(403);
    admin.open(&format!("/dashboard/webhooks/{ep}")).await;
    admin
        .submit(&act, &[("action", "test")])
        .await
        .redirects_to(&format!("/dashboard/webhooks/{ep}?done=test"));
    d.app.running.drain_outbox().await.unwrap();

    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one delivery to the endpoint");
    let (headers, body) = &got[0];
    assert!(
        verify(
            &Secret::parse(&secret).unwrap(),
            header(headers, "svix-id"),
            header(headers, "svix-timestamp"),
            body,
            header(headers, "svix-signature"),
            d.clock.now_ms() / 1000,
        )
        .is_ok(),
        "the signature verifies with the endpoint's secret"
    );
    let payload: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(payload["type"], "user.created");
    assert_eq!(payload["object"], "event");
    assert_eq!(payload["data"]["object"], "user");
    assert_eq!(
        payload["data"]["email_addresses"][0]["email_address"],
        "example@example.org"
    );
    let uid = payload["data"]["id"].as_str().unwrap();
    assert!(uid.starts_with("user_"), "{uid}");
    assert!(
        other_got.lock().unwrap().is_empty(),
        "other endpoints get nothing"
    );
    d.app
        .get(&format!("/v1/users/{uid}"))
        .await
        .err(404, "resource_not_found");
    assert_eq!(
        d.app.get("/v1/users/count").await.ok()["total_count"],
        users_before,
        "no user is made"
    );

    let history = d
        .app
        .get(&format!("/v1/webhooks/endpoints/{ep}/deliveries"))
        .await;
    let rows = history.ok()["data"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["event_type"], "user.created");
    assert_eq!(rows[0]["status"], "succeeded");
    assert_eq!(rows[0]["message_id"], header(headers, "svix-id"));
    let shown = admin.open(&format!("/dashboard/webhooks/{ep}")).await;
    assert!(
        shown.body.contains(header(headers, "svix-id")),
        "in the history"
    );
}
