//! `spawn_app()`: the real server on port 0 with a fresh SQLite file, and a small HTTP client.

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
    let running = start_with_clock(cfg, clock).await.unwrap();
    let base = format!("http://{}", running.api_addr);
    App {
        running,
        database_url,
        http: reqwest::Client::new(),
        base,
        dir,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub body: Value,
    pub raw: String,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or("")
    }
    pub fn param(&self) -> &str {
        self.body["errors"][0]["meta"]["param_name"]
            .as_str()
            .unwrap_or("")
    }
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.raw);
        &self.body
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
        let res = req.send().await.unwrap();
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

    pub async fn events(&self) -> Vec<usher_core::events::OutboxEvent> {
        let s = &self.running.state;
        s.store
            .events_after(&s.instance.id, 0, 10_000)
            .await
            .unwrap()
    }
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

/// A browser without JavaScript for the hosted pages: keeps cookies, sends forms
/// (`application/x-www-form-urlencoded`) with the CSRF token of the last page it read, and does
/// not follow redirects unless asked.
pub struct WebClient {
    http: reqwest::Client,
    pub base: String,
    pub cookies: std::collections::BTreeMap<String, String>,
    pub user_agent: String,
    /// Sent as `Origin` with every POST, as browsers do.
    pub origin: Option<String>,
    /// The CSRF token of the last page read.
    pub csrf: Option<String>,
}

/// One answer to a [`WebClient`].
pub struct WebPage {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl WebPage {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of the first `<input name="{name}" … value="…">` (attributes as the pages
    /// write them: name before value).
    pub fn input_value(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\""))?;
        let rest = &self.body[at..];
        let end = rest.find('>')?;
        let tag = &rest[..end];
        let v = tag.split_once("value=\"")?.1;
        Some(v[..v.find('"')?].to_owned())
    }

    /// The text of the element with this `id` (no nested markup).
    pub fn text_of(&self, id: &str) -> Option<String> {
        let at = self.body.find(&format!("id=\"{id}\""))?;
        let rest = &self.body[at..];
        let start = rest.find('>')? + 1;
        let end = rest[start..].find('<')?;
        Some(rest[start..start + end].to_owned())
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        self
    }

    /// A 303 to exactly `to`.
    #[track_caller]
    pub fn redirects_to(&self, to: &str) -> &Self {
        assert_eq!(self.status.as_u16(), 303, "{}", self.body);
        assert_eq!(self.location(), to);
        self
    }
}

impl WebClient {
    pub fn new(base: &str, user_agent: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_owned(),
            cookies: Default::default(),
            user_agent: user_agent.to_owned(),
            origin: Some(base.to_owned()),
            csrf: None,
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    async fn send(&mut self, method: Method, path: &str, body: Option<String>) -> WebPage {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = self
            .http
            .request(method.clone(), url)
            .header("User-Agent", &self.user_agent);
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("Cookie", c.join("; "));
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(b);
            if let Some(o) = &self.origin {
                req = req.header("Origin", o);
            }
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.to_owned());
            }
        }
        let body = res.text().await.unwrap();
        assert!(status.as_u16() < 500, "server error {status}: {body}");
        let page = WebPage {
            status,
            headers,
            body,
        };
        if let Some(t) = page.input_value("csrf_token") {
            self.csrf = Some(t);
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> WebPage {
        self.send(Method::GET, path, None).await
    }

    /// POSTs exactly these fields.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> WebPage {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(Method::POST, path, Some(body)).await
    }

    /// POSTs a form as the page that showed it would: with its CSRF token.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> WebPage {
        let token = self
            .csrf
            .clone()
            .expect("read a page before submitting a form");
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }
}

impl App {
    pub fn frontend_url(&self) -> String {
        format!("http://{}", self.running.frontend_addr)
    }

    pub fn web(&self, user_agent: &str) -> WebClient {
        WebClient::new(&self.frontend_url(), user_agent)
    }

    /// The code in the newest email to `address` (read through `GET /v1/emails`).
    pub async fn latest_code(&self, address: &str) -> String {
        let q: String = form_urlencoded::byte_serialize(address.as_bytes()).collect();
        let listed = self.get(&format!("/v1/emails?email_address={q}")).await;
        listed.ok()["data"][0]["data"]["otp_code"]
            .as_str()
            .unwrap_or_else(|| panic!("no code emailed to {address}: {}", listed.raw))
            .to_owned()
    }
}
