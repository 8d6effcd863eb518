//! Webhooks end to end: the real server delivers to a local receiver (axum on port 0) that
//! records every request and checks its Svix signature. The delivery worker is off in these
//! tests; `drain_outbox()` delivers what is due, and a manual clock makes retries come due.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use reqwest::Method;
use serde_json::{Value, json};
use usher_core::clock::{Clock, ManualClock};
use usher_core::webhooks::Secret;
use usher_core::webhooks::signing::verify;
use usher_server::config::ServerConfig;

use crate::common::*;

const T0: i64 = 1_700_000_000_000;
const LIVE: &str = "sk_live_0123456789abcdefghijABCDEFGHIJ0123456789";

// ---- the receiver ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Got {
    headers: HeaderMap,
    body: Vec<u8>,
    json: Value,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    fn id(&self) -> &str {
        self.header("svix-id")
    }
    fn kind(&self) -> &str {
        self.json["type"].as_str().unwrap_or("")
    }
    /// Whether the Svix signature verifies with `secret` at `now_ms`.
    fn verifies(&self, secret: &str, now_ms: i64) -> bool {
        verify(
            &Secret::parse(secret).unwrap(),
            self.id(),
            self.header("svix-timestamp"),
            &self.body,
            self.header("svix-signature"),
            now_ms / 1000,
        )
        .is_ok()
    }
    /// Verifies at the time the message says it was signed (for retries made long ago).
    fn verifies_when_sent(&self, secret: &str) -> bool {
        let ts: i64 = self.header("svix-timestamp").parse().unwrap();
        self.verifies(secret, ts * 1000)
    }
}

enum Answer {
    Status(u16),
    /// Answer after this long (to run into the delivery timeout).
    Slow(Duration),
    Redirect(String),
    /// A 200 with this many bytes of body.
    Big(usize),
}

type Plan = Box<dyn FnMut(usize, &Got) -> Answer + Send>;

#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Got>>>,
    plan: Arc<Mutex<Plan>>,
}

impl Receiver {
    /// A receiver that answers 204 until told otherwise.
    async fn start() -> Self {
        let got: Arc<Mutex<Vec<Got>>> = Arc::default();
        let plan: Arc<Mutex<Plan>> = Arc::new(Mutex::new(Box::new(|_, _| Answer::Status(204))));
        let (g, p) = (got.clone(), plan.clone());
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let (g, p) = (g.clone(), p.clone());
            async move {
                let rec = Got {
                    json: serde_json::from_slice(&body).unwrap_or(Value::Null),
                    headers,
                    body: body.to_vec(),
                };
                let answer = {
                    let mut got = g.lock().unwrap();
                    let n = got.len();
                    got.push(rec.clone());
                    (p.lock().unwrap())(n, &rec)
                };
                let res: Response = match answer {
                    Answer::Status(s) => {
                        (StatusCode::from_u16(s).unwrap(), "receiver says hi").into_response()
                    }
                    Answer::Slow(d) => {
                        tokio::time::sleep(d).await;
                        StatusCode::NO_CONTENT.into_response()
                    }
                    Answer::Redirect(to) => {
                        (StatusCode::FOUND, [("location", to)], "").into_response()
                    }
                    Answer::Big(n) => (StatusCode::OK, "x".repeat(n)).into_response(),
                };
                res
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhooks/clerk", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, got, plan }
    }

    fn answer(&self, plan: impl FnMut(usize, &Got) -> Answer + Send + 'static) {
        *self.plan.lock().unwrap() = Box::new(plan);
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    fn kinds(&self) -> Vec<String> {
        self.got().iter().map(|g| g.kind().to_owned()).collect()
    }
}

// ---- helpers --------------------------------------------------------------------------------

async fn spawn_manual(tweak: impl FnOnce(&mut ServerConfig)) -> (App, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(T0));
    let app = spawn_with(clock.clone(), |cfg| {
        cfg.webhooks.run_worker = false;
        tweak(cfg);
    })
    .await;
    (app, clock)
}

impl App {
    async fn drain(&self) -> usize {
        self.running.drain_outbox().await.unwrap()
    }

    /// Creates an endpoint; returns its id and secret.
    async fn endpoint(&self, url: &str, events: &[&str]) -> (String, String) {
        let r = self
            .post(
                "/v1/webhooks/endpoints",
                json!({"url": url, "events": events}),
            )
            .await;
        let ep = r.ok();
        (
            ep["id"].as_str().unwrap().to_owned(),
            ep["secret"].as_str().unwrap().to_owned(),
        )
    }

    async fn deliveries(&self, ep: &str, query: &str) -> Value {
        self.get(&format!("/v1/webhooks/endpoints/{ep}/deliveries?{query}"))
            .await
            .ok()
            .clone()
    }

    async fn metrics(&self) -> String {
        self.http
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

fn user_body(email: &str) -> Value {
    json!({"email_address": [email], "skip_password_requirement": true})
}

// ---- endpoints ------------------------------------------------------------------------------

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

    let gone = app
        .send(
            Method::DELETE,
            &format!("/v1/webhooks/endpoints/{id}"),
            None,
        )
        .await;
    assert_eq!(
        gone.ok(),
        &json!({"object": "webhook_endpoint", "id": id, "deleted": true})
    );
    app.get(&format!("/v1/webhooks/endpoints/{id}"))
        .await
        .err(404, "resource_not_found");

    // Every change is an audit entry and an usher.security event.
    let types: Vec<String> = app
        .events()
        .await
        .into_iter()
        .map(|e| e.event_type)
        .collect();
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

// ---- delivery -------------------------------------------------------------------------------

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
    app.post_empty(&format!(
        "/v1/sessions/{}/revoke",
        s["id"].as_str().unwrap()
    ))
    .await
    .ok();
    app.send(Method::DELETE, &format!("/v1/users/{uid}"), None)
        .await
        .ok();
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
    assert_eq!(d["data"][0]["message_id"], events[4].id);
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
        .map(|e| e.id)
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
    assert!(
        m.contains(&format!("usher_webhook_queue_depth{{endpoint=\"{ep}\"}} 5")),
        "{m}"
    );
    assert!(
        m.contains(&format!(
            "usher_webhook_oldest_undelivered_age_seconds{{endpoint=\"{ep}\"}} 90"
        )),
        "{m}"
    );
    assert_eq!(
        app.deliveries(&ep, "status=pending").await["total_count"],
        5
    );

    app.post_empty(&format!("/v1/webhooks/endpoints/{ep}/resume"))
        .await
        .ok();
    assert_eq!(app.drain().await, 5);
    let emails: Vec<String> = rx
        .got()
        .iter()
        .map(|g| {
            g.json["data"]["email_addresses"][0]["email_address"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        emails,
        (0..5)
            .map(|i| format!("paused{i}@hooks.test"))
            .collect::<Vec<_>>()
    );
    let m = app.metrics().await;
    assert!(
        m.contains(&format!("usher_webhook_queue_depth{{endpoint=\"{ep}\"}} 0")),
        "{m}"
    );
    assert!(
        m.contains(&format!(
            "usher_webhook_success_ratio{{endpoint=\"{ep}\"}} 1"
        )),
        "{m}"
    );
    assert!(
        m.contains(&format!(
            "usher_webhook_attempts_total{{endpoint=\"{ep}\",result=\"succeeded\"}} 5"
        )),
        "{m}"
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
    let emails: Vec<String> = down.got()[tried..]
        .iter()
        .map(|g| {
            g.json["data"]["email_addresses"][0]["email_address"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        emails,
        ["down1@hooks.test", "down2@hooks.test"],
        "the queue resumes in order"
    );
}

// ---- safety ---------------------------------------------------------------------------------

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
