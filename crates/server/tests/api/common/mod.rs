//! `spawn_app()`: the real server on port 0 with a fresh SQLite file, a small Backend API
//! client, and [`Browser`], the one client for the Frontend API and the hosted pages.

mod authenticator;
mod browser;
mod json;
mod tickets;
mod uploads;

pub use authenticator::Page;
pub use authenticator::register as register_passkey;
pub use browser::*;
pub use json::each_str;
pub use tickets::ticket_in;
pub use uploads::*;

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use usher_core::clock::{Clock, ManualClock, SystemClock};
use usher_server::config::ServerConfig;
use usher_server::{Running, start_with_clock};

pub const SECRET: &str = "sk_test_0123456789abcdefghijABCDEFGHIJ0123456789";

pub struct App {
    pub running: Running,
    /// The PostgreSQL database when the suite runs on PostgreSQL (`USHER_TEST_BACKEND=postgres`).
    pub database_url: Option<String>,
    pub http: reqwest::Client,
    pub base: String,
    /// The secret key the instance runs with (`sk_live_…` on production instances).
    pub secret: String,
    pub dir: tempfile::TempDir,
}

pub async fn spawn_app() -> App {
    spawn_with(Arc::new(SystemClock), |_| {}).await
}

pub async fn spawn_with_clock(clock: Arc<ManualClock>) -> App {
    spawn_with(clock, |_| {}).await
}

pub async fn spawn_with(clock: Arc<dyn Clock>, tweak: impl FnOnce(&mut ServerConfig)) -> App {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = ServerConfig::with_data_dir(dir.path());
    cfg.api_addr = "127.0.0.1:0".parse().unwrap();
    cfg.frontend_addr = "127.0.0.1:0".parse().unwrap();
    cfg.secret_key = Some(SECRET.into());
    cfg.hasher_workers = Some(2);
    if usher_store::testing::postgres_selected() {
        cfg.database_url = usher_store::testing::fresh_postgres_database()
            .await
            .unwrap();
    }
    let database_url = cfg.database_url.clone();
    tweak(&mut cfg);
    let secret = cfg.secret_key.clone().unwrap_or_else(|| SECRET.into());
    let running = start_with_clock(cfg, clock).await.unwrap();
    let base = format!("http://{}", running.api_addr);
    App {
        running,
        database_url,
        http: reqwest::Client::new(),
        base,
        secret,
        dir,
    }
}

/// Another node of `first`'s deployment, sharing its database and data directory, on `clock`;
/// `tweak` changes its configuration as [`spawn_with`]'s does.
pub async fn spawn_node_of(
    first: &App,
    clock: Arc<dyn Clock>,
    tweak: impl FnOnce(&mut ServerConfig),
) -> App {
    let database_url = first.database_url.clone();
    let data_dir = first.dir.path().to_owned();
    spawn_with(clock, move |cfg| {
        cfg.data_dir = data_dir;
        cfg.database_url = database_url;
        tweak(cfg);
    })
    .await
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub body: Value,
    pub raw: String,
}

impl Reply {
    /// The reply `res` carries; a 5xx fails the test.
    pub async fn read(res: reqwest::Response) -> Self {
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let raw = res.text().await.unwrap();
        let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
        assert!(status.as_u16() < 500, "server error {status}: {raw}");
        Reply {
            status,
            content_type,
            body,
            raw,
        }
    }

    pub fn code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or("")
    }
    pub fn param(&self) -> &str {
        error_param(&self.body)
    }
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.raw);
        &self.body
    }
    /// How many items the list answered holds (a plain JSON array; the request must succeed).
    #[track_caller]
    pub fn list_len(&self) -> usize {
        self.ok().as_array().unwrap().len()
    }
    /// The request succeeded with Clerk's answer to a deletion of `object` `id`:
    /// `{"object": object, "id": id, "deleted": true}`.
    #[track_caller]
    pub fn deleted(&self, object: &str, id: &str) {
        assert_eq!(
            self.ok(),
            &json!({"object": object, "id": id, "deleted": true})
        );
    }
    #[track_caller]
    pub fn err(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status.as_u16(), status, "{}", self.raw);
        assert_eq!(self.code(), code, "{}", self.raw);
        assert!(
            self.body["clerk_trace_id"]
                .as_str()
                .is_some_and(|t| t.len() == 32),
            "{}",
            self.raw
        );
        assert!(
            self.body["errors"][0]["message"].is_string()
                && self.body["errors"][0]["long_message"].is_string()
        );
        self
    }
}

impl App {
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send_raw(
            method,
            path,
            body.map(|b| b.to_string().into_bytes()),
            Some(SECRET),
        )
        .await
    }

    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        key: Option<&str>,
    ) -> Reply {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header("Content-Type", "application/json");
        if let Some(k) = key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        Reply::read(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn post_empty(&self, path: &str) -> Reply {
        self.send(Method::POST, path, None).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    /// `DELETE path` answers Clerk's deleted object for `object` `id`, and `GET path` is then a
    /// 404 `resource_not_found`.
    pub async fn delete_gone(&self, path: &str, object: &str, id: &str) {
        self.delete(path).await.deleted(object, id);
        self.get(path).await.err(404, "resource_not_found");
    }

    pub async fn create_user(&self, email: &str) -> Value {
        self.post(
            "/v1/users",
            json!({"email_address": [email], "password": "correct-horse-9"}),
        )
        .await
        .ok()
        .clone()
    }

    pub async fn create_session(&self, user_id: &str) -> Value {
        self.post("/v1/sessions", json!({"user_id": user_id}))
            .await
            .ok()
            .clone()
    }

    /// The id of a new user with an email address and the usual password.
    pub async fn create_user_id(&self, email: &str) -> String {
        self.create_user(email).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The id of a user created from the `POST /v1/users` body `body`.
    pub async fn create_user_from(&self, body: Value) -> String {
        self.create_id("/v1/users", body).await
    }

    /// The id of the object `POST path` with `body` creates (the request must succeed).
    pub async fn create_id(&self, path: &str, body: Value) -> String {
        self.post(path, body).await.ok()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The id of organization `name`, created over the Backend API with `created_by` as its
    /// admin.
    pub async fn create_org(&self, name: &str, created_by: &str) -> String {
        self.create_id(
            "/v1/organizations",
            json!({"name": name, "created_by": created_by}),
        )
        .await
    }

    /// Makes `user` a member of organization `org` with `role` over the Backend API, on the
    /// instance's own secret key; the membership.
    pub async fn add_member(&self, org: &str, user: &str, role: &str) -> Value {
        let body = json!({"user_id": user, "role": role});
        self.send_raw(
            Method::POST,
            &format!("/v1/organizations/{org}/memberships"),
            Some(body.to_string().into_bytes()),
            Some(&self.secret),
        )
        .await
        .ok()
        .clone()
    }

    /// A user with an email address and no password.
    pub async fn create_user_without_password(&self, email: &str) -> Value {
        self.post(
            "/v1/users",
            json!({"email_address": [email], "skip_password_requirement": true}),
        )
        .await
        .ok()
        .clone()
    }

    /// The types of every event written so far, oldest first.
    pub async fn event_types(&self) -> Vec<String> {
        self.events()
            .await
            .into_iter()
            .map(|e| e.event_type)
            .collect()
    }

    /// A fresh session token (JWT) for session `sid`.
    pub async fn session_jwt(&self, sid: &str) -> String {
        self.post_empty(&format!("/v1/sessions/{sid}/tokens"))
            .await
            .ok()["jwt"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// `POST /v1/sessions/{id}/revoke`.
    pub async fn revoke_session(&self, sid: &str) -> Reply {
        self.post_empty(&format!("/v1/sessions/{sid}/revoke")).await
    }

    /// `POST /v1/users/{id}/verify_password`.
    pub async fn verify_password(&self, user_id: &str, password: &str) -> Reply {
        self.post(
            &format!("/v1/users/{user_id}/verify_password"),
            json!({ "password": password }),
        )
        .await
    }

    /// `PATCH /v1/users/{id}` with a new password.
    pub async fn set_password(&self, user_id: &str, password: &str) -> Reply {
        self.patch(
            &format!("/v1/users/{user_id}"),
            json!({ "password": password }),
        )
        .await
    }

    /// Rotates the signing key in the database, as another process (the CLI, another node)
    /// would: the new key is named `kid`.
    pub async fn rotate_key(&self, kid: &str) {
        let state = &self.running.state;
        let (_, record) =
            usher_core::signing_keys::SigningKey::generate(kid, &state.instance.id, state.now())
                .unwrap();
        state
            .store
            .rotate_signing_key(&state.instance.id, &record)
            .await
            .unwrap();
    }

    /// The Prometheus text of `GET /metrics`.
    pub async fn metrics(&self) -> String {
        self.http
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn events(&self) -> Vec<usher_core::events::OutboxEvent> {
        let s = &self.running.state;
        s.store
            .events_after(&s.instance.id, 0, 10_000)
            .await
            .unwrap()
    }
}

/// Every audit entry so far (up to 500) as `(action, target id)`.
pub async fn audit_actions(app: &App) -> Vec<(String, String)> {
    let s = &app.running.state;
    s.store
        .audit_log(&s.instance.id, 500)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.action, a.target_id.unwrap_or_default()))
        .collect()
}

/// Fails unless the audit log holds an entry of each of `actions` on `target`.
pub async fn assert_audited(app: &App, target: &str, actions: &[&str]) {
    let audit = audit_actions(app).await;
    for action in actions {
        assert!(
            audit.contains(&((*action).to_owned(), target.to_owned())),
            "{action}: {audit:?}"
        );
    }
}

/// `(organization id, role)` of each membership on a page of a user's organization memberships
/// (`GET /v1/users/{id}/organization_memberships`).
pub fn membership_pairs(page: &Value) -> Vec<(String, String)> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["organization"]["id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The types of `events`, in their order.
pub fn event_types(events: &[usher_core::events::OutboxEvent]) -> Vec<&str> {
    events.iter().map(|e| e.event_type.as_str()).collect()
}

/// The body of a `201 Created`.
#[track_caller]
pub fn created(r: &Reply) -> Value {
    assert_eq!(r.status.as_u16(), 201, "{}", r.raw);
    r.body.clone()
}

/// The parameter a Clerk error body's first error names, or "".
pub fn error_param(body: &Value) -> &str {
    body["errors"][0]["meta"]["param_name"]
        .as_str()
        .unwrap_or("")
}

/// Decodes a JWT's header and payload (no verification).
pub fn decode_jwt(jwt: &str) -> (Value, Value) {
    use base64::Engine;
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let d = |s: &str| {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .unwrap(),
        )
        .unwrap()
    };
    (d(parts[0]), d(parts[1]))
}

/// Verifies a JWT's RS256 signature against a JWKS entry (`n`, `e`).
pub fn verify_with_jwk(jwt: &str, jwk: &Value) -> bool {
    use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let n = b64.decode(jwk["n"].as_str().unwrap()).unwrap();
    let e = b64.decode(jwk["e"].as_str().unwrap()).unwrap();
    let (signed, sig) = jwt.rsplit_once('.').unwrap();
    let sig = b64.decode(sig).unwrap();
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(&RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &sig)
        .is_ok()
}
