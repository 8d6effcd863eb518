//! Webhooks end to end: the real server delivers to a local receiver (axum on port 0) that
//! records every request and checks its Svix signature. The delivery worker is off in these
//! tests; `drain_outbox()` delivers what is due, and a manual clock makes retries come due.

mod delivery;
mod endpoints;
mod safety;
mod schedule;

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
}

/// Asserts that the metrics text `m` gives endpoint `ep`'s `series` (with `labels` after the
/// endpoint's) the value `value`.
#[track_caller]
fn assert_endpoint_metric(m: &str, series: &str, ep: &str, labels: &str, value: &str) {
    let line = format!("{series}{{endpoint=\"{ep}\"{labels}}} {value}");
    assert!(m.contains(&line), "no `{line}` in:\n{m}");
}

/// The first email address of the user in each message, in the order they came.
fn emails_of(got: &[Got]) -> Vec<String> {
    got.iter()
        .map(|g| {
            g.json["data"]["email_addresses"][0]["email_address"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn user_body(email: &str) -> Value {
    json!({"email_address": [email], "skip_password_requirement": true})
}
