//! The Frontend API as clerk-js drives it: form-urlencoded bodies, `POST ?_method=…` for PATCH
//! and DELETE, an `Origin` on every call, the client named by the `__client` cookie (or by a
//! dev-browser token), codes read back through the Backend API's `/v1/emails`. After every
//! refusal the state is checked through the Backend API (users, sessions, emails, audit log,
//! events) and the client through `GET /v1/client`: a refused request changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use usher_core::clock::ManualClock;
use usher_core::mfa::totp;
use usher_server::config::ServerConfig;

use crate::common::{App, SECRET, decode_jwt, spawn_with, verify_with_jwk};

const LIVE_SECRET: &str = "sk_live_0123456789abcdefghijKLMNOPQRST0123456789";
/// The app's origin, allowed on every instance these tests start.
const APP: &str = "http://localhost:3000";
const EVIL: &str = "http://evil.test";
/// On a 30-second TOTP step boundary.
const T0: i64 = 1_800_000_000_000;
const PASSWORD: &str = "Vivid-quartz-lantern-2931";
const MINUTE: i64 = 60_000;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Production,
    Development,
}

struct Env {
    app: App,
    clock: Arc<ManualClock>,
    secret: &'static str,
    http: reqwest::Client,
}

async fn spawn(kind: Kind) -> Env {
    spawn_tweaked(kind, |_| {}).await
}

async fn spawn_tweaked(kind: Kind, tweak: impl FnOnce(&mut ServerConfig)) -> Env {
    let clock = Arc::new(ManualClock::new(T0));
    let secret = match kind {
        Kind::Production => LIVE_SECRET,
        Kind::Development => SECRET,
    };
    let app = spawn_with(clock.clone(), |cfg| {
        cfg.secret_key = Some(secret.into());
        cfg.frontend.allowed_origins = vec![APP.into()];
        cfg.mail.run_worker = false;
        cfg.webhooks.run_worker = false;
        tweak(cfg);
    })
    .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Env {
        app,
        clock,
        secret,
        http,
    }
}

/// One HTTP answer, checked on arrival: never a 5xx, and every error is Clerk-shaped.
struct Res {
    status: u16,
    headers: HeaderMap,
    body: Value,
    raw: String,
}

impl Res {
    async fn read(res: reqwest::Response) -> Self {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let raw = res.text().await.unwrap();
        let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
        let r = Self {
            status,
            headers,
            body,
            raw,
        };
        r.check_shape();
        r
    }

    #[track_caller]
    fn check_shape(&self) {
        assert!(
            self.status < 500,
            "server error {}: {}",
            self.status,
            self.raw
        );
        if self.status >= 400 {
            let code = self.body["errors"][0]["code"].as_str().unwrap_or("");
            assert!(!code.is_empty(), "error without a code: {}", self.raw);
            assert!(
                self.body["errors"][0]["message"].is_string()
                    && self.body["errors"][0]["long_message"].is_string(),
                "{}",
                self.raw
            );
            let trace = self.body["clerk_trace_id"].as_str().unwrap_or("");
            assert_eq!(
                trace.len(),
                32,
                "error without clerk_trace_id: {}",
                self.raw
            );
            assert_eq!(self.header("x-clerk-trace-id"), Some(trace), "{}", self.raw);
        }
    }

    #[track_caller]
    fn ok(&self) -> &Value {
        assert_eq!(self.status, 200, "{}", self.raw);
        &self.body
    }

    #[track_caller]
    fn err(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status, status, "{}", self.raw);
        assert_eq!(self.body["errors"][0]["code"], code, "{}", self.raw);
        self
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The whole `Set-Cookie` line for cookie `name`.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.split_once('=').is_some_and(|(n, _)| n == name))
    }

    #[track_caller]
    fn no_cors(&self) {
        assert!(
            self.header("access-control-allow-origin").is_none()
                && self.header("access-control-allow-credentials").is_none(),
            "{:?}",
            self.headers
        );
    }
}

/// `name=value; attrs…` → (name, value, lower-cased attributes).
fn parse_cookie(line: &str) -> (String, String, Vec<String>) {
    let mut parts = line.split(';').map(str::trim);
    let (name, value) = parts.next().unwrap().split_once('=').unwrap();
    let attrs = parts.map(str::to_ascii_lowercase).collect();
    (name.to_owned(), value.to_owned(), attrs)
}

fn has_attr(line: &str, attr: &str) -> bool {
    parse_cookie(line).2.iter().any(|a| a == attr)
}

/// One form-urlencoded name or value, as a browser's URLSearchParams writes it.
fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// application/x-www-form-urlencoded.
fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// What a major version of clerk-js names itself with on every request.
#[derive(Clone, Copy)]
struct ClerkJs {
    api_version: &'static str,
    js_version: &'static str,
}

/// clerk-js 5: knows no `needs_client_trust`; a new device is a second factor to it.
const CLERK_JS_5: ClerkJs = ClerkJs {
    api_version: "2025-11-10",
    js_version: "5.128.0",
};
/// clerk-js 6 (with @clerk/ui): handles `needs_client_trust`.
const CLERK_JS_6: ClerkJs = ClerkJs {
    api_version: "2026-08-20",
    js_version: "6.40.0",
};

/// A browser tab running clerk-js: its cookie jar (the Frontend API's host), its origin, and
/// optionally a dev-browser token.
struct Browser {
    fapi: String,
    http: reqwest::Client,
    origin: Option<String>,
    /// `/__clerk` when the app proxies the Frontend API under its own origin.
    prefix: String,
    jar: BTreeMap<String, String>,
    dev_token: Option<String>,
    /// `_clerk_session_id`, sent on `/v1/me…` as clerk-js does.
    session_id: Option<String>,
    /// Every body the Frontend API returned to this browser.
    seen: Vec<String>,
    /// Sent as `User-Agent` when set.
    user_agent: Option<String>,
    /// The clerk-js it runs (`__clerk_api_version`, `_clerk_js_version`).
    clerk_js: ClerkJs,
}

impl Env {
    fn fapi(&self) -> String {
        format!("http://{}", self.app.running.frontend_addr)
    }

    fn browser(&self) -> Browser {
        self.browser_at(Some(APP))
    }

    fn browser_at(&self, origin: Option<&str>) -> Browser {
        Browser {
            fapi: self.fapi(),
            http: self.http.clone(),
            origin: origin.map(str::to_owned),
            prefix: String::new(),
            jar: BTreeMap::new(),
            dev_token: None,
            session_id: None,
            seen: Vec::new(),
            user_agent: None,
            clerk_js: CLERK_JS_5,
        }
    }

    async fn bapi(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Res {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.app.base, path))
            .bearer_auth(self.secret);
        if let Some(b) = body {
            req = req.json(&b);
        }
        Res::read(req.send().await.unwrap()).await
    }

    async fn bapi_get(&self, path: &str) -> Res {
        self.bapi(reqwest::Method::GET, path, None).await
    }

    async fn user(&self, id: &str) -> Value {
        self.bapi_get(&format!("/v1/users/{id}")).await.ok().clone()
    }

    async fn session(&self, id: &str) -> Value {
        self.bapi_get(&format!("/v1/sessions/{id}"))
            .await
            .ok()
            .clone()
    }

    /// Emails sent to `address`, newest first.
    async fn emails_to(&self, address: &str) -> Vec<Value> {
        let r = self
            .bapi_get(&format!(
                "/v1/emails?limit=500&email_address={}",
                pct(address)
            ))
            .await;
        r.ok()["data"].as_array().unwrap().clone()
    }

    /// The code in the newest email to `address`.
    async fn code_for(&self, address: &str) -> String {
        let emails = self.emails_to(address).await;
        let code = emails[0]["data"]["otp_code"].as_str().unwrap().to_owned();
        assert_eq!(code.len(), 6, "{code}");
        assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        code
    }

    async fn snapshot(&self) -> Snapshot {
        let s = &self.app.running.state;
        Snapshot {
            users: self.bapi_get("/v1/users?limit=500").await.ok().clone(),
            sessions: self.bapi_get("/v1/sessions?limit=500").await.ok().clone(),
            emails: self.bapi_get("/v1/emails?limit=500").await.ok().clone(),
            audit_entries: s
                .store
                .audit_log(&s.instance.id, 100_000)
                .await
                .unwrap()
                .len(),
            events: self.app.events().await.len(),
        }
    }

    async fn jwks(&self) -> Value {
        let r = self
            .http
            .get(format!("{}/.well-known/jwks.json", self.fapi()))
            .send()
            .await
            .unwrap();
        Res::read(r).await.ok()["keys"][0].clone()
    }
}

/// Everything the Backend API can see, plus every commit (each writes an audit entry): equal
/// snapshots mean nothing at all was written in between.
#[derive(Debug, PartialEq)]
struct Snapshot {
    users: Value,
    sessions: Value,
    emails: Value,
    audit_entries: usize,
    events: usize,
}

impl Snapshot {
    /// The same users, sessions, emails and events; a refused attempt may still have been
    /// recorded (the attempt counter of a code, the audit log).
    #[track_caller]
    fn assert_same_data(&self, other: &Self) {
        assert_eq!(self.users, other.users);
        assert_eq!(self.sessions, other.sessions);
        assert_eq!(self.emails, other.emails);
        assert_eq!(self.events, other.events);
    }
}

/// A client as `GET /v1/client` shows it, without the freshly minted token.
fn stable_client(mut v: Value) -> Value {
    for key in ["response", "client"] {
        if let Some(sessions) = v[key]["sessions"].as_array_mut() {
            for s in sessions {
                s["last_active_token"] = Value::Null;
            }
        }
    }
    v
}

impl Browser {
    fn url(&self, path: &str, method_override: Option<&str>) -> String {
        let mut params: Vec<(String, String)> = Vec::new();
        if let Some(m) = method_override {
            params.push(("_method".into(), m.into()));
        }
        // An empty version stands for a caller that names none.
        if !self.clerk_js.api_version.is_empty() {
            params.push((
                "__clerk_api_version".into(),
                self.clerk_js.api_version.into(),
            ));
        }
        params.push(("_clerk_js_version".into(), self.clerk_js.js_version.into()));
        if path.starts_with("/v1/me")
            && let Some(sid) = &self.session_id
        {
            params.push(("_clerk_session_id".into(), sid.clone()));
        }
        if let Some(t) = &self.dev_token {
            params.push(("__clerk_db_jwt".into(), t.clone()));
        }
        let refs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{}{}{path}{sep}{}", self.fapi, self.prefix, encode(&refs))
    }

    fn cookie_header(&self) -> Option<String> {
        (!self.jar.is_empty()).then(|| {
            self.jar
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Sends a request as clerk-js does: GET, or POST with a form body (PATCH and DELETE
    /// tunnelled as `POST ?_method=`).
    async fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Res {
        let (http_method, tunnel) = match method {
            "GET" => (reqwest::Method::GET, None),
            "POST" => (reqwest::Method::POST, None),
            other => (reqwest::Method::POST, Some(other)),
        };
        let url = self.url(path, tunnel);
        let mut req = self.http.request(http_method.clone(), url);
        if http_method == reqwest::Method::POST {
            req = req
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(encode(form.unwrap_or(&[])));
        }
        self.finish(req).await
    }

    async fn finish(&mut self, mut req: reqwest::RequestBuilder) -> Res {
        if let Some(o) = &self.origin {
            req = req.header("Origin", o);
        }
        if let Some(c) = self.cookie_header() {
            req = req.header("Cookie", c);
        }
        if let Some(ua) = &self.user_agent {
            req = req.header("User-Agent", ua);
        }
        let res = Res::read(req.send().await.unwrap()).await;
        for line in res.set_cookies() {
            let (name, value, attrs) = parse_cookie(&line);
            if attrs.iter().any(|a| a == "max-age=0") {
                self.jar.remove(&name);
            } else {
                self.jar.insert(name, value);
            }
        }
        self.seen.push(res.raw.clone());
        res
    }

    async fn raw_post(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Res {
        let url = self.url(path, None);
        let req = self
            .http
            .post(url)
            .header("Content-Type", content_type)
            .body(body);
        self.finish(req).await
    }

    async fn get(&mut self, path: &str) -> Res {
        self.send("GET", path, None).await
    }
    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Res {
        self.send("POST", path, Some(form)).await
    }
    async fn patch(&mut self, path: &str, form: &[(&str, &str)]) -> Res {
        self.send("PATCH", path, Some(form)).await
    }
    async fn delete(&mut self, path: &str) -> Res {
        self.send("DELETE", path, Some(&[])).await
    }

    /// `GET /v1/client`, without the freshly minted token.
    async fn client(&mut self) -> Value {
        stable_client(self.get("/v1/client").await.ok().clone())
    }

    /// Signs up with email and password, verifying the email with `code` (or the code the
    /// Backend API shows). Returns (user id, session id).
    async fn sign_up(&mut self, env: &Env, email: &str, code: Option<&str>) -> (String, String) {
        let r = self
            .post(
                "/v1/client/sign_ups",
                &[("email_address", email), ("password", PASSWORD)],
            )
            .await;
        let id = r.ok()["response"]["id"].as_str().unwrap().to_owned();
        self.post(
            &format!("/v1/client/sign_ups/{id}/prepare_verification"),
            &[("strategy", "email_code")],
        )
        .await
        .ok();
        let code = match code {
            Some(c) => c.to_owned(),
            None => env.code_for(email).await,
        };
        let r = self
            .post(
                &format!("/v1/client/sign_ups/{id}/attempt_verification"),
                &[("strategy", "email_code"), ("code", &code)],
            )
            .await;
        let su = &r.ok()["response"];
        assert_eq!(su["status"], "complete", "{}", r.raw);
        let sid = su["created_session_id"].as_str().unwrap().to_owned();
        self.session_id = Some(sid.clone());
        (su["created_user_id"].as_str().unwrap().to_owned(), sid)
    }

    /// Starts a sign-in for `identifier`; returns its id.
    async fn start_sign_in(&mut self, identifier: &str) -> String {
        let r = self
            .post("/v1/client/sign_ins", &[("identifier", identifier)])
            .await;
        let si = &r.ok()["response"];
        assert_eq!(si["status"], "needs_first_factor", "{}", r.raw);
        si["id"].as_str().unwrap().to_owned()
    }

    /// Signs in with identifier, then the password; returns the sign-in as answered.
    async fn sign_in_password(&mut self, identifier: &str) -> Value {
        let id = self.start_sign_in(identifier).await;
        let r = self
            .post(
                &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
                &[("strategy", "password"), ("password", PASSWORD)],
            )
            .await;
        let si = r.ok()["response"].clone();
        if let Some(sid) = si["created_session_id"].as_str() {
            self.session_id = Some(sid.to_owned());
        }
        si
    }

    /// Prepares an emailed code on sign-in `id` and returns the code sent.
    async fn prepare_email_code(&mut self, env: &Env, id: &str, email: &str) -> String {
        let before = env.emails_to(email).await.len();
        self.post(
            &format!("/v1/client/sign_ins/{id}/prepare_first_factor"),
            &[("strategy", "email_code")],
        )
        .await
        .ok();
        assert_eq!(env.emails_to(email).await.len(), before + 1);
        env.code_for(email).await
    }

    async fn attempt_email_code(&mut self, id: &str, code: &str) -> Res {
        self.post(
            &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
            &[("strategy", "email_code"), ("code", code)],
        )
        .await
    }

    async fn sign_out(&mut self) {
        let r = self.delete("/v1/client/sessions").await;
        let c = &r.ok()["response"];
        assert_eq!(c["object"], "client", "{}", r.raw);
        assert_eq!(c["last_active_session_id"], Value::Null);
        assert_eq!(self.jar.get("__client_uat").map(String::as_str), Some("0"));
        self.session_id = None;
    }
}

/// A 6-digit code that is not `code`.
fn wrong(code: &str) -> String {
    if code == "000000" {
        "111111".into()
    } else {
        "000000".into()
    }
}

fn totp_code(secret: &str, now_ms: i64) -> String {
    totp::code_at_step(secret, now_ms / 1000 / totp::STEP_SECS).unwrap()
}

fn int(c: &Value) -> i64 {
    c.as_i64().unwrap()
}

/// An object's keys, sorted.
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

// ---------------------------------------------------------------------------------------------
// 1. Sign-up on a production instance
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn production_sign_up_verifies_the_email_and_starts_a_session() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let email = "ada@example.com";

    // A new visitor has no client, and asking does not make one.
    let r = b.get("/v1/client").await;
    assert_eq!(r.ok(), &json!({"response": null, "client": null}));
    assert!(r.set_cookie("__client").is_none());

    let r = b
        .post(
            "/v1/client/sign_ups",
            &[
                ("email_address", email),
                ("password", PASSWORD),
                ("first_name", "Ada"),
                ("locale", "en-GB"),
                ("unsafe_metadata", r#"{"theme":"dark"}"#),
            ],
        )
        .await;
    let su = r.ok()["response"].clone();
    // Object names and fields as Clerk's Frontend API spec has them.
    assert_eq!(su["object"], "sign_up_attempt");
    assert_eq!(su["external_id"], Value::Null);
    assert_eq!(su["status"], "missing_requirements");
    assert_eq!(su["unverified_fields"], json!(["email_address"]));
    assert_eq!(
        su["verifications"]["email_address"]["next_action"],
        "needs_prepare"
    );
    assert_eq!(su["password_enabled"], true);
    let v = &su["verifications"]["email_address"];
    assert_eq!(v["object"], "verification_otp");
    // No strategy before the code is sent: @clerk/ui sends it only then.
    assert_eq!(v["strategy"], Value::Null);
    assert_eq!(su["unsafe_metadata"], json!({"theme": "dark"}));
    assert!(!r.raw.contains(PASSWORD));
    assert_eq!(r.body["client"]["sign_up"]["id"], su["id"]);
    // The browser's client secret: HttpOnly, Secure, SameSite=Lax, long-lived.
    let client_cookie = r.set_cookie("__client").expect("__client is set");
    for attr in ["httponly", "secure", "samesite=lax", "path=/"] {
        assert!(has_attr(&client_cookie, attr), "{attr}: {client_cookie}");
    }
    let token = b.jar["__client"].clone();
    assert!(token.len() >= 32, "{token}");
    assert!(!r.raw.contains(&token));
    let uat = r.set_cookie("__client_uat").expect("__client_uat is set");
    assert!(uat.starts_with("__client_uat=0;"), "{uat}");
    assert!(!has_attr(&uat, "httponly"), "{uat}");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    // No user until the email is verified.
    assert_eq!(env.bapi_get("/v1/users").await.ok(), &json!([]));

    let id = su["id"].as_str().unwrap();
    let r = b
        .post(
            &format!("/v1/client/sign_ups/{id}/prepare_verification"),
            &[("strategy", "email_code")],
        )
        .await;
    let v = &r.ok()["response"]["verifications"]["email_address"];
    assert_eq!(v["next_action"], "needs_attempt");
    assert_eq!(v["strategy"], "email_code");
    assert_eq!(v["status"], "unverified");
    assert_eq!(int(&v["expire_at"]), T0 + 10 * MINUTE);
    // Only an existing client is named by the cookie from now on: no second cookie.
    assert!(r.set_cookie("__client").is_none());
    let emails = env.emails_to(email).await;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0]["to_email_address"], email);
    let code = env.code_for(email).await;
    assert!(
        !b.seen
            .iter()
            .any(|body| body.contains(&format!("\"{code}\"")))
    );

    env.clock.advance(MINUTE);
    let r = b
        .post(
            &format!("/v1/client/sign_ups/{id}/attempt_verification"),
            &[("strategy", "email_code"), ("code", &code)],
        )
        .await;
    let body = r.ok().clone();
    let su = &body["response"];
    assert_eq!(su["status"], "complete", "{}", r.raw);
    assert_eq!(su["verifications"]["email_address"]["status"], "verified");
    let user_id = su["created_user_id"].as_str().unwrap().to_owned();
    let sid = su["created_session_id"].as_str().unwrap().to_owned();
    let client = &body["client"];
    assert_eq!(client["last_active_session_id"], sid.as_str());
    assert_eq!(client["sessions"][0]["id"], sid.as_str());
    assert_eq!(client["sessions"][0]["status"], "active");
    assert_eq!(client["sessions"][0]["user"]["id"], user_id.as_str());
    assert_eq!(client["last_authentication_strategy"], "email_code");
    let jwt = client["sessions"][0]["last_active_token"]["jwt"]
        .as_str()
        .unwrap();
    let (_, claims) = decode_jwt(jwt);
    assert_eq!(claims["sid"], sid.as_str());
    assert_eq!(claims["sub"], user_id.as_str());
    assert_eq!(claims["azp"], APP);
    assert!(verify_with_jwk(jwt, &env.jwks().await));
    // Signed in: __client_uat is the session's start, readable by the app's scripts.
    let uat = r.set_cookie("__client_uat").unwrap();
    assert_eq!(
        parse_cookie(&uat).1,
        ((T0 + MINUTE) / 1000).to_string(),
        "{uat}"
    );
    assert!(!has_attr(&uat, "httponly"), "{uat}");
    assert!(
        r.set_cookies()
            .iter()
            .any(|c| c.starts_with("__client_uat_") && !has_attr(c, "httponly")),
        "{:?}",
        r.set_cookies()
    );

    // The Backend API sees the user, its email verified by code, and the session.
    let user = env.user(&user_id).await;
    assert_eq!(user["email_addresses"][0]["email_address"], email);
    assert_eq!(
        user["email_addresses"][0]["verification"]["status"],
        "verified"
    );
    assert_eq!(
        user["email_addresses"][0]["verification"]["strategy"],
        "email_code"
    );
    assert_eq!(user["password_enabled"], true);
    assert_eq!(user["first_name"], "Ada");
    assert_eq!(user["unsafe_metadata"], json!({"theme": "dark"}));
    assert_eq!(env.session(&sid).await["status"], "active");
    assert_eq!(env.session(&sid).await["user_id"], user_id.as_str());

    // The code was spent: replaying it on the completed sign-up changes nothing.
    let before = env.snapshot().await;
    let r = b
        .post(
            &format!("/v1/client/sign_ups/{id}/attempt_verification"),
            &[("strategy", "email_code"), ("code", &code)],
        )
        .await;
    assert!(r.status >= 400, "{}", r.raw);
    env.snapshot().await.assert_same_data(&before);

    // Private metadata never reaches the browser.
    env.bapi(
        reqwest::Method::PATCH,
        &format!("/v1/users/{user_id}/metadata"),
        Some(json!({"private_metadata": {"plan": "gold-7731"}, "public_metadata": {"tier": "pub-1"}})),
    )
    .await
    .ok();
    let me = b.get("/v1/me").await;
    assert_eq!(me.ok()["response"]["id"], user_id.as_str());
    assert_eq!(
        me.body["response"]["public_metadata"],
        json!({"tier": "pub-1"})
    );
    b.get("/v1/client").await.ok();
    b.get(&format!("/v1/client/sessions/{sid}")).await.ok();
    b.post(&format!("/v1/client/sessions/{sid}/touch"), &[])
        .await
        .ok();
    b.post(&format!("/v1/client/sessions/{sid}/tokens"), &[])
        .await
        .ok();
    b.patch("/v1/me", &[("last_name", "Lovelace")]).await.ok();
    b.get("/v1/me/sessions/active").await.ok();
    for body in &b.seen {
        assert!(!body.contains("private_metadata"), "{body}");
        assert!(!body.contains("gold-7731"), "{body}");
        assert!(!body.contains(&token), "the client secret leaked: {body}");
        assert!(!body.contains("$argon2"), "{body}");
    }
    assert!(env.user(&user_id).await.to_string().contains("gold-7731"));
}

// ---------------------------------------------------------------------------------------------
// 2. Sign-in refusals
// ---------------------------------------------------------------------------------------------

/// NUL in a form field or a query parameter is refused naming it, before anything is written
/// (PostgreSQL cannot store it; SQLite would).
#[tokio::test]
async fn nul_in_forms_and_queries_is_refused_by_name() {
    let env = spawn(Kind::Production).await;
    let before = env.snapshot().await;
    let mut b = env.browser();
    for (form, param) in [
        (
            vec![
                ("email_address", "nul@example.com"),
                ("password", PASSWORD),
                ("first_name", "Ada\0"),
            ],
            "first_name",
        ),
        (
            vec![
                ("email_address", "nul\0@example.com"),
                ("password", PASSWORD),
            ],
            "email_address",
        ),
        (
            vec![
                ("email_address", "nul@example.com"),
                ("password", "pass\0word-9-long"),
            ],
            "password",
        ),
    ] {
        let r = b.post("/v1/client/sign_ups", &form).await;
        r.err(422, "form_param_format_invalid");
        assert_eq!(
            r.body["errors"][0]["meta"]["param_name"], param,
            "{}",
            r.raw
        );
    }
    let r = b
        .post("/v1/client/sign_ins", &[("identifier", "a\0b")])
        .await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.body["errors"][0]["meta"]["param_name"], "identifier");
    let r = b
        .get("/v1/client?redirect_url=https%3A%2F%2Fa.test%2F%00")
        .await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.body["errors"][0]["meta"]["param_name"], "redirect_url");
    assert_eq!(env.snapshot().await, before);
    assert!(b.jar.is_empty(), "no client was made");
    // The same sign-up without the NUL goes through.
    let r = b
        .post(
            "/v1/client/sign_ups",
            &[
                ("email_address", "nul@example.com"),
                ("password", PASSWORD),
                ("first_name", "Ada"),
            ],
        )
        .await;
    assert_eq!(r.ok()["response"]["first_name"], "Ada");
}

#[tokio::test]
async fn sign_in_refuses_unknown_identifiers_and_wrong_passwords() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let email = "grace@example.com";
    let (user_id, first_session) = b.sign_up(&env, email, None).await;
    b.sign_out().await;
    assert_eq!(env.session(&first_session).await["status"], "ended");

    // Unknown identifier: 422 form_identifier_not_found, and nothing at all is written.
    let before = env.snapshot().await;
    let client_before = b.client().await;
    let mut stranger = env.browser();
    for br in [&mut b, &mut stranger] {
        let r = br
            .post(
                "/v1/client/sign_ins",
                &[("identifier", "nobody@example.com")],
            )
            .await;
        r.err(422, "form_identifier_not_found");
        assert_eq!(r.body["errors"][0]["meta"]["param_name"], "identifier");
    }
    assert_eq!(env.snapshot().await, before);
    assert_eq!(b.client().await, client_before);
    assert!(stranger.jar.is_empty(), "no client for a refused stranger");

    // Wrong password: 422 form_password_incorrect; the user's failed attempts are counted,
    // and nothing else happens (no session, no email).
    let remaining = int(&env.user(&user_id).await["verification_attempts_remaining"]);
    let id = b.start_sign_in(email).await;
    let before = env.snapshot().await;
    let r = b
        .post(
            &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
            &[("strategy", "password"), ("password", "Not-the-password-1")],
        )
        .await;
    r.err(422, "form_password_incorrect");
    assert_eq!(r.body["errors"][0]["meta"]["param_name"], "password");
    let user = env.user(&user_id).await;
    assert_eq!(int(&user["verification_attempts_remaining"]), remaining - 1);
    let after = env.snapshot().await;
    assert_eq!(after.sessions, before.sessions);
    assert_eq!(after.emails, before.emails);
    let c = b.client().await;
    assert_eq!(c["response"]["sign_in"]["status"], "needs_first_factor");
    assert_eq!(c["response"]["sign_in"]["created_session_id"], Value::Null);
    assert_eq!(c["response"]["sessions"], json!([]));

    // Creating the sign-in with the wrong password in one request is refused the same way.
    let r = b
        .post(
            "/v1/client/sign_ins",
            &[
                ("identifier", email),
                ("strategy", "password"),
                ("password", "Not-the-password-2"),
            ],
        )
        .await;
    r.err(422, "form_password_incorrect");
    assert_eq!(
        int(&env.user(&user_id).await["verification_attempts_remaining"]),
        remaining - 2
    );
    assert_eq!(env.snapshot().await.sessions, before.sessions);

    // The right password completes the sign-in and resets the counter.
    let si = b.sign_in_password(email).await;
    assert_eq!(si["status"], "complete", "{si}");
    let sid = si["created_session_id"].as_str().unwrap();
    assert_eq!(env.session(sid).await["status"], "active");
    assert_eq!(
        int(&env.user(&user_id).await["verification_attempts_remaining"]),
        remaining
    );
    // Signed in: a new sign-in is refused, and changes nothing.
    let before = env.snapshot().await;
    let client_before = b.client().await;
    b.post("/v1/client/sign_ins", &[("identifier", email)])
        .await
        .err(400, "session_exists");
    // So is a sign-up (single-session mode): it would start a second session on the client.
    b.post(
        "/v1/client/sign_ups",
        &[
            ("email_address", "second@example.com"),
            ("password", PASSWORD),
        ],
    )
    .await
    .err(400, "session_exists");
    assert_eq!(env.snapshot().await, before);
    assert_eq!(b.client().await, client_before);
}

#[tokio::test]
async fn a_sign_up_cannot_complete_on_a_client_that_signed_in_meanwhile() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    b.sign_up(&env, "olga@example.com", None).await;
    b.sign_out().await;
    // A sign-up started while signed out…
    let r = b
        .post(
            "/v1/client/sign_ups",
            &[
                ("email_address", "olga2@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let id = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    b.post(
        &format!("/v1/client/sign_ups/{id}/prepare_verification"),
        &[("strategy", "email_code")],
    )
    .await
    .ok();
    let code = env.code_for("olga2@example.com").await;
    // …then a sign-in on the same client (another tab)…
    let si = b.sign_in_password("olga@example.com").await;
    assert_eq!(si["status"], "complete", "{si}");
    // …cannot add a second session: the code is refused and stays unspent.
    let before = env.snapshot().await;
    let attempt = format!("/v1/client/sign_ups/{id}/attempt_verification");
    b.post(&attempt, &[("strategy", "email_code"), ("code", &code)])
        .await
        .err(400, "session_exists");
    assert_eq!(env.snapshot().await, before);
    let c = b.client().await;
    assert_eq!(c["response"]["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(
        c["response"]["sign_up"]["verifications"]["email_address"]["attempts"],
        0
    );
    // After signing out, the same code completes the sign-up.
    b.sign_out().await;
    let r = b
        .post(&attempt, &[("strategy", "email_code"), ("code", &code)])
        .await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
}

#[tokio::test]
async fn email_codes_are_checked_and_single_use() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let email = "linus@example.com";
    let (user_id, _) = b.sign_up(&env, email, None).await;
    b.sign_out().await;

    // A wrong code: 422 form_code_incorrect; the attempt is counted on the sign-in only.
    let id = b.start_sign_in(email).await;
    let code = b.prepare_email_code(&env, &id, email).await;
    let before = env.snapshot().await;
    let r = b.attempt_email_code(&id, &wrong(&code)).await;
    r.err(422, "form_code_incorrect");
    assert_eq!(r.body["errors"][0]["meta"]["param_name"], "code");
    let after = env.snapshot().await;
    assert_eq!(after.users, before.users);
    assert_eq!(after.sessions, before.sessions);
    assert_eq!(after.emails, before.emails);
    let c = b.client().await;
    let si = &c["response"]["sign_in"];
    assert_eq!(si["object"], "sign_in_attempt");
    assert_eq!(si["status"], "needs_first_factor");
    assert_eq!(
        si["first_factor_verification"]["object"],
        "verification_otp"
    );
    assert_eq!(si["first_factor_verification"]["status"], "unverified");
    assert_eq!(si["first_factor_verification"]["attempts"], 1);
    assert_eq!(c["response"]["sessions"], json!([]));
    // The right code still works after one wrong attempt.
    let r = b.attempt_email_code(&id, &code).await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
    let first = r.body["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(env.session(&first).await["user_id"], user_id.as_str());
    assert_eq!(
        r.body["client"]["last_authentication_strategy"],
        "email_code"
    );
    b.sign_out().await;

    // Replaying the code that completed that sign-in, in a new one: refused.
    let id = b.start_sign_in(email).await;
    let fresh = b.prepare_email_code(&env, &id, email).await;
    if fresh != code {
        let before = env.snapshot().await;
        b.attempt_email_code(&id, &code)
            .await
            .err(422, "form_code_incorrect");
        let after = env.snapshot().await;
        assert_eq!(after.sessions, before.sessions);
        assert_eq!(b.client().await["response"]["sessions"], json!([]));
    }

    // Expired: 10 minutes after it was sent the right code is refused, and stays refused.
    let id = b.start_sign_in(email).await;
    let code = b.prepare_email_code(&env, &id, email).await;
    env.clock.advance(10 * MINUTE);
    let before = env.snapshot().await;
    b.attempt_email_code(&id, &code)
        .await
        .err(422, "verification_expired");
    b.attempt_email_code(&id, &code)
        .await
        .err(422, "verification_expired");
    let after = env.snapshot().await;
    assert_eq!(after.sessions, before.sessions);
    assert_eq!(after.users, before.users);
    let c = b.client().await;
    assert_eq!(
        c["response"]["sign_in"]["first_factor_verification"]["status"],
        "expired"
    );
    assert_eq!(c["response"]["sessions"], json!([]));
}

#[tokio::test]
async fn three_wrong_codes_spend_the_code() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let email = "barbara@example.com";
    b.sign_up(&env, email, None).await;
    b.sign_out().await;

    let id = b.start_sign_in(email).await;
    let code = b.prepare_email_code(&env, &id, email).await;
    let before = env.snapshot().await;
    for _ in 0..3 {
        b.attempt_email_code(&id, &wrong(&code))
            .await
            .err(422, "form_code_incorrect");
    }
    // Spent: even the right code is refused now.
    b.attempt_email_code(&id, &code)
        .await
        .err(422, "verification_failed");
    let after = env.snapshot().await;
    assert_eq!(after.sessions, before.sessions);
    assert_eq!(after.users, before.users);
    assert_eq!(after.emails, before.emails);
    let c = b.client().await;
    let si = &c["response"]["sign_in"];
    assert_eq!(si["status"], "needs_first_factor");
    assert_eq!(si["first_factor_verification"]["status"], "failed");
    assert_eq!(si["created_session_id"], Value::Null);

    // The same holds for a sign-up's email code.
    let mut other = env.browser();
    let r = other
        .post(
            "/v1/client/sign_ups",
            &[("email_address", "new@example.com"), ("password", PASSWORD)],
        )
        .await;
    let id = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    other
        .post(
            &format!("/v1/client/sign_ups/{id}/prepare_verification"),
            &[("strategy", "email_code")],
        )
        .await
        .ok();
    let code = env.code_for("new@example.com").await;
    let path = format!("/v1/client/sign_ups/{id}/attempt_verification");
    let before = env.snapshot().await;
    for _ in 0..3 {
        other
            .post(
                &path,
                &[("strategy", "email_code"), ("code", &wrong(&code))],
            )
            .await
            .err(422, "form_code_incorrect");
    }
    other
        .post(&path, &[("strategy", "email_code"), ("code", &code)])
        .await
        .err(422, "verification_failed");
    env.snapshot().await.assert_same_data(&before);
    let c = other.client().await;
    assert_eq!(c["response"]["sign_up"]["status"], "missing_requirements");
    assert_eq!(c["response"]["sessions"], json!([]));
}

// ---------------------------------------------------------------------------------------------
// 3. Test mode
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn test_mode_codes_only_on_development_instances() {
    let email = "x+clerk_test@example.com";

    // Development: 424242 verifies, and no email is recorded.
    let dev = spawn(Kind::Development).await;
    let mut b = dev.browser();
    let (user_id, sid) = b.sign_up(&dev, email, Some("424242")).await;
    assert!(dev.emails_to(email).await.is_empty());
    assert_eq!(dev.bapi_get("/v1/emails").await.ok()["total_count"], 0);
    assert_eq!(dev.session(&sid).await["status"], "active");
    let user = dev.user(&user_id).await;
    assert_eq!(
        user["email_addresses"][0]["verification"]["status"],
        "verified"
    );
    // Sign-in by code too.
    b.sign_out().await;
    let id = b.start_sign_in(email).await;
    b.post(
        &format!("/v1/client/sign_ins/{id}/prepare_first_factor"),
        &[("strategy", "email_code")],
    )
    .await
    .ok();
    assert!(dev.emails_to(email).await.is_empty());
    let r = b.attempt_email_code(&id, "424242").await;
    assert_eq!(r.ok()["response"]["status"], "complete");

    // Production: 424242 is just a wrong code, and a real email is sent.
    let prod = spawn(Kind::Production).await;
    let mut b = prod.browser();
    let r = b
        .post(
            "/v1/client/sign_ups",
            &[("email_address", email), ("password", PASSWORD)],
        )
        .await;
    let id = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    b.post(
        &format!("/v1/client/sign_ups/{id}/prepare_verification"),
        &[("strategy", "email_code")],
    )
    .await
    .ok();
    let emails = prod.emails_to(email).await;
    assert_eq!(emails.len(), 1);
    let code = prod.code_for(email).await;
    if code != "424242" {
        let before = prod.snapshot().await;
        b.post(
            &format!("/v1/client/sign_ups/{id}/attempt_verification"),
            &[("strategy", "email_code"), ("code", "424242")],
        )
        .await
        .err(422, "form_code_incorrect");
        let after = prod.snapshot().await;
        assert_eq!(after.users, before.users);
        assert_eq!(after.sessions, before.sessions);
        assert_eq!(after.users, json!([]));
    }
    let r = b
        .post(
            &format!("/v1/client/sign_ups/{id}/attempt_verification"),
            &[("strategy", "email_code"), ("code", &code)],
        )
        .await;
    assert_eq!(r.ok()["response"]["status"], "complete");
}

// ---------------------------------------------------------------------------------------------
// 4. TOTP and backup codes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn totp_and_backup_codes_through_me_and_sign_in() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let email = "katherine@example.com";
    let (user_id, _) = b.sign_up(&env, email, None).await;

    // /v1/me needs a session.
    let mut stranger = env.browser();
    stranger
        .post("/v1/me/totp", &[])
        .await
        .err(401, "signed_out");

    let r = b.post("/v1/me/totp", &[]).await;
    let t = r.ok()["response"].clone();
    assert_eq!(t["object"], "totp");
    assert_eq!(t["verified"], false);
    assert_eq!(r.body["client"]["object"], "client");
    let secret = t["secret"].as_str().unwrap().to_owned();
    assert!(t["uri"].as_str().unwrap().starts_with("otpauth://totp/"));
    assert!(t["uri"].as_str().unwrap().contains(&secret));
    // Not enabled until verified.
    assert_eq!(env.user(&user_id).await["totp_enabled"], false);

    // A wrong code does not verify it.
    let now = T0 + 2 * MINUTE;
    env.clock.advance(2 * MINUTE);
    let code = totp_code(&secret, now);
    b.post(
        "/v1/me/totp/attempt_verification",
        &[("code", &wrong(&code))],
    )
    .await
    .err(422, "form_code_incorrect");
    assert_eq!(env.user(&user_id).await["totp_enabled"], false);

    let r = b
        .post("/v1/me/totp/attempt_verification", &[("code", &code)])
        .await;
    let t = r.ok()["response"].clone();
    assert_eq!(t["verified"], true);
    assert_eq!(t["secret"], Value::Null);
    let backup: Vec<String> = t["backup_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert!(backup.len() >= 2, "{backup:?}");
    // Backup codes are shown once: verifying again is refused and shows none.
    let before = env.snapshot().await;
    let r = b
        .post("/v1/me/totp/attempt_verification", &[("code", &code)])
        .await;
    r.err(400, "verification_already_verified");
    assert_eq!(env.snapshot().await, before);
    let me = b.get("/v1/me").await;
    let u = &me.ok()["response"];
    assert_eq!(u["totp_enabled"], true);
    assert_eq!(u["backup_code_enabled"], true);
    assert_eq!(u["two_factor_enabled"], true);
    let bapi_user = env.user(&user_id).await;
    assert_eq!(bapi_user["totp_enabled"], true);
    let bapi_raw = bapi_user.to_string();
    for body in b.seen[b.seen.len() - 2..].iter().chain([&bapi_raw]) {
        assert!(!body.contains(&secret), "{body}");
        for c in &backup {
            assert!(!body.contains(c.as_str()), "{body}");
        }
    }

    b.sign_out().await;

    // Password first, then the second factor.
    let si = b.sign_in_password(email).await;
    assert_eq!(si["status"], "needs_second_factor", "{si}");
    assert_eq!(
        si["supported_second_factors"],
        json!([{"strategy": "totp"}, {"strategy": "backup_code"}])
    );
    let id = si["id"].as_str().unwrap().to_owned();
    b.post(
        &format!("/v1/client/sign_ins/{id}/prepare_second_factor"),
        &[("strategy", "totp")],
    )
    .await
    .ok();
    let attempt2 = format!("/v1/client/sign_ins/{id}/attempt_second_factor");
    // The step used to enrol cannot be used again.
    let before = env.snapshot().await;
    b.post(&attempt2, &[("strategy", "totp"), ("code", &code)])
        .await
        .err(422, "form_code_incorrect");
    let after = env.snapshot().await;
    assert_eq!(after.sessions, before.sessions);
    assert_eq!(after.emails, before.emails);
    let c = b.client().await;
    assert_eq!(c["response"]["sign_in"]["status"], "needs_second_factor");
    assert_eq!(c["response"]["sessions"], json!([]));
    // The next step's code is accepted.
    env.clock.advance(totp::STEP_SECS * 1000);
    let next = totp_code(&secret, now + totp::STEP_SECS * 1000);
    let r = b
        .post(&attempt2, &[("strategy", "totp"), ("code", &next)])
        .await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
    let sid = r.body["response"]["created_session_id"].as_str().unwrap();
    assert_eq!(env.session(sid).await["status"], "active");
    b.session_id = Some(sid.to_owned());
    b.sign_out().await;

    // A backup code works once.
    let si = b.sign_in_password(email).await;
    assert_eq!(si["status"], "needs_second_factor");
    let id = si["id"].as_str().unwrap();
    let r = b
        .post(
            &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
            &[("strategy", "backup_code"), ("code", &backup[0])],
        )
        .await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
    b.session_id = r.body["response"]["created_session_id"]
        .as_str()
        .map(str::to_owned);
    b.sign_out().await;

    let si = b.sign_in_password(email).await;
    let id = si["id"].as_str().unwrap();
    let before = env.snapshot().await;
    b.post(
        &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
        &[("strategy", "backup_code"), ("code", &backup[0])],
    )
    .await
    .err(422, "form_code_incorrect");
    assert_eq!(env.snapshot().await.sessions, before.sessions);
    // The TOTP code just used cannot complete this sign-in either.
    b.post(
        &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
        &[("strategy", "totp"), ("code", &next)],
    )
    .await
    .err(422, "form_code_incorrect");
    assert_eq!(env.snapshot().await.sessions, before.sessions);
    let r = b
        .post(
            &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
            &[("strategy", "backup_code"), ("code", &backup[1])],
        )
        .await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
}

// ---------------------------------------------------------------------------------------------
// 5. Sessions and tokens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn session_tokens_belong_to_their_client_and_end_with_sign_out() {
    let env = spawn(Kind::Production).await;
    let mut a = env.browser();
    let mut b = env.browser();
    let (user_a, sid_a) = a.sign_up(&env, "alice@example.com", None).await;
    let (_, sid_b) = b.sign_up(&env, "bob@example.com", None).await;

    // The token, unwrapped, authorized for the calling origin.
    let r = a
        .post(&format!("/v1/client/sessions/{sid_a}/tokens"), &[])
        .await;
    let body = r.ok();
    assert_eq!(keys(body), ["jwt", "object"], "{}", r.raw);
    assert_eq!(body["object"], "token");
    let jwt = body["jwt"].as_str().unwrap();
    let (_, claims) = decode_jwt(jwt);
    assert_eq!(claims["azp"], APP);
    assert_eq!(claims["sid"], sid_a.as_str());
    assert_eq!(claims["sub"], user_a.as_str());
    assert_eq!(int(&claims["iat"]), T0 / 1000);
    assert!(verify_with_jwk(jwt, &env.jwks().await));
    assert_eq!(r.header("access-control-allow-origin"), Some(APP));

    // Another client's session: 404, whatever is asked of it, and nothing changes.
    let before = env.snapshot().await;
    let a_before = a.client().await;
    let b_before = b.client().await;
    a.post(&format!("/v1/client/sessions/{sid_b}/tokens"), &[])
        .await
        .err(404, "resource_not_found");
    a.get(&format!("/v1/client/sessions/{sid_b}"))
        .await
        .err(404, "resource_not_found");
    for action in ["touch", "end", "remove"] {
        a.post(&format!("/v1/client/sessions/{sid_b}/{action}"), &[])
            .await
            .err(404, "resource_not_found");
    }
    // Nor can /v1/me act for it.
    a.session_id = Some(sid_b.clone());
    a.get("/v1/me").await.err(401, "signed_out");
    a.session_id = Some(sid_a.clone());
    assert_eq!(env.snapshot().await, before);
    assert_eq!(a.client().await, a_before);
    assert_eq!(b.client().await, b_before);
    assert_eq!(env.session(&sid_b).await["status"], "active");

    // Sign-out ends the session; its tokens are no longer minted.
    env.clock.advance(MINUTE);
    let r = a.delete("/v1/client/sessions").await;
    assert_eq!(r.ok()["response"]["sessions"], json!([]));
    assert_eq!(r.body["client"], r.body["response"]);
    assert_eq!(env.session(&sid_a).await["status"], "ended");
    assert_eq!(env.session(&sid_b).await["status"], "active");
    let r = a
        .post(&format!("/v1/client/sessions/{sid_a}/tokens"), &[])
        .await;
    r.err(422, "session_not_active");
    assert_eq!(r.body["errors"][0]["meta"]["session_status"], "ended");
    a.get("/v1/me").await.err(401, "signed_out");
    // Signing out again ends nothing more.
    let before = env.snapshot().await;
    let r = a.delete("/v1/client/sessions").await;
    assert_eq!(r.ok()["response"]["sessions"], json!([]));
    env.snapshot().await.assert_same_data(&before);
    // B is untouched.
    let r = b
        .post(&format!("/v1/client/sessions/{sid_b}/tokens"), &[])
        .await;
    assert!(r.ok()["jwt"].is_string());

    // Ending a session explicitly works the same way.
    let r = b
        .post(&format!("/v1/client/sessions/{sid_b}/end"), &[])
        .await;
    assert_eq!(r.ok()["response"]["status"], "ended", "{}", r.raw);
    assert_eq!(env.session(&sid_b).await["status"], "ended");
    b.post(&format!("/v1/client/sessions/{sid_b}/tokens"), &[])
        .await
        .err(422, "session_not_active");

    // A server-side call (no Origin) gets a token without azp.
    let mut server = env.browser_at(None);
    server.sign_up(&env, "carol@example.com", None).await;
    let sid = server.session_id.clone().unwrap();
    let r = server
        .post(&format!("/v1/client/sessions/{sid}/tokens"), &[])
        .await;
    let (_, claims) = decode_jwt(r.ok()["jwt"].as_str().unwrap());
    assert!(claims.get("azp").is_none(), "{claims}");
    r.no_cors();

    // `DELETE /v1/client`: signed out everywhere on the client, its cookie forgotten.
    let r = server.delete("/v1/client").await;
    assert_eq!(r.ok(), &json!({"response": null, "client": null}));
    let cleared = r.set_cookie("__client").unwrap();
    assert!(has_attr(&cleared, "max-age=0"), "{cleared}");
    assert_eq!(parse_cookie(&r.set_cookie("__client_uat").unwrap()).1, "0");
    assert_eq!(env.session(&sid).await["status"], "ended");
    assert!(!server.jar.contains_key("__client"));
    assert_eq!(
        server.get("/v1/client").await.ok(),
        &json!({"response": null, "client": null})
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Origins
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_user_sees_their_devices_and_signs_one_out() {
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.policy.client_trust = Some(false);
    })
    .await;
    let mut laptop = env.browser();
    laptop.user_agent = Some(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36".into(),
    );
    let (user_id, sid_laptop) = laptop.sign_up(&env, "devices@example.com", None).await;
    let mut phone = env.browser();
    phone.user_agent = Some(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1".into(),
    );
    env.clock.advance(MINUTE);
    let si = phone.sign_in_password("devices@example.com").await;
    assert_eq!(si["status"], "complete", "{si}");
    let sid_phone = si["created_session_id"].as_str().unwrap().to_owned();
    let mut other = env.browser();
    let (_, sid_other) = other.sign_up(&env, "someone.else@example.com", None).await;

    // Both devices are listed, each as its user agent and address describe it: a bare array,
    // as Clerk answers it (clerk-js maps over the payload; an envelope would list nothing).
    let r = laptop.get("/v1/me/sessions/active").await;
    let listed = r.ok().as_array().expect("a bare array").clone();
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let ids: Vec<&str> = listed.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2, "{}", r.raw);
    assert!(ids.contains(&sid_laptop.as_str()) && ids.contains(&sid_phone.as_str()));
    let phone_entry = listed
        .iter()
        .find(|s| s["id"] == sid_phone.as_str())
        .unwrap();
    let activity = &phone_entry["latest_activity"];
    assert_eq!(activity["object"], "session_activity");
    assert_eq!(activity["browser_name"], "Safari");
    assert_eq!(activity["device_type"], "iOS");
    assert_eq!(activity["is_mobile"], true);
    assert_eq!(activity["ip_address"], "127.0.0.1");
    // Unknown details (browser version, city, country) are left out, never null.
    assert!(
        activity.as_object().unwrap().values().all(|v| !v.is_null()),
        "{activity}"
    );
    let laptop_entry = listed
        .iter()
        .find(|s| s["id"] == sid_laptop.as_str())
        .unwrap();
    assert_eq!(laptop_entry["latest_activity"]["browser_name"], "Chrome");
    assert_eq!(laptop_entry["latest_activity"]["is_mobile"], false);

    // Someone else's session cannot be signed out from here; nothing changes.
    let before = env.snapshot().await;
    laptop
        .post(&format!("/v1/me/sessions/{sid_other}/revoke"), &[])
        .await
        .err(404, "resource_not_found");
    laptop
        .post("/v1/me/sessions/sess_doesnotexist/revoke", &[])
        .await
        .err(404, "resource_not_found");
    assert_eq!(env.snapshot().await, before);
    assert_eq!(env.session(&sid_other).await["status"], "active");

    // The phone is signed out from the laptop: revoked, announced, and its tokens refused.
    let r = laptop
        .post(&format!("/v1/me/sessions/{sid_phone}/revoke"), &[])
        .await;
    let revoked = &r.ok()["response"];
    assert_eq!(revoked["id"], sid_phone.as_str(), "{}", r.raw);
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(
        r.body["client"]["last_active_session_id"],
        sid_laptop.as_str()
    );
    assert_eq!(env.session(&sid_phone).await["status"], "revoked");
    assert_eq!(env.session(&sid_laptop).await["status"], "active");
    let events = env.app.events().await;
    assert!(
        events.iter().any(|e| e.event_type == "session.revoked"
            && e.data["id"] == sid_phone.as_str()
            && e.data["user_id"] == user_id.as_str()),
        "no session.revoked event for the phone"
    );
    let r = phone
        .post(&format!("/v1/client/sessions/{sid_phone}/tokens"), &[])
        .await;
    assert!(r.status >= 400, "{}", r.raw);
    assert!(!r.raw.contains("\"jwt\""), "{}", r.raw);
    let r = laptop.get("/v1/me/sessions/active").await;
    let ids: Vec<&str> = r
        .ok()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [sid_laptop.as_str()]);
}

#[tokio::test]
async fn disallowed_origins_are_refused_before_anything_happens() {
    let env = spawn(Kind::Production).await;
    let mut good = env.browser();
    good.sign_up(&env, "dora@example.com", None).await;
    let before = env.snapshot().await;
    let good_before = good.client().await;

    // A stranger's page, even with the signed-in browser's cookie.
    let mut evil = env.browser_at(Some(EVIL));
    evil.jar = good.jar.clone();
    let attempts = [
        evil.get("/v1/client").await,
        evil.get("/v1/environment").await,
        evil.post(
            "/v1/client/sign_ups",
            &[("email_address", "eve@example.com"), ("password", PASSWORD)],
        )
        .await,
        evil.post("/v1/client/sign_ins", &[("identifier", "dora@example.com")])
            .await,
        evil.delete("/v1/client/sessions").await,
        evil.delete("/v1/client").await,
        evil.post(
            &format!(
                "/v1/client/sessions/{}/tokens",
                good.session_id.clone().unwrap()
            ),
            &[],
        )
        .await,
        evil.post("/v1/dev_browser", &[]).await,
        evil.get("/v1/me").await,
    ];
    for r in &attempts {
        r.err(403, "origin_invalid");
        r.no_cors();
        assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
    }
    let pre = env
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/client/sign_ins", env.fapi()),
        )
        .header("Origin", EVIL)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    let pre = Res::read(pre).await;
    pre.err(403, "origin_invalid");
    pre.no_cors();
    // Look-alikes and other ports are other origins; production allows no localhost by default.
    for origin in [
        "http://localhost:3001",
        "https://localhost:3000",
        "http://localhost:3000.evil.test",
        "http://localhost.evil.test",
        "null",
        "http://localhost:5173",
    ] {
        let mut o = env.browser_at(Some(origin));
        o.post("/v1/client/sign_ins", &[("identifier", "dora@example.com")])
            .await
            .err(403, "origin_invalid")
            .no_cors();
    }
    assert_eq!(env.snapshot().await, before);
    assert_eq!(good.client().await, good_before);

    // The allowed origin: credentialed CORS for exactly that origin.
    let r = good.get("/v1/client").await;
    r.ok();
    assert_eq!(r.header("access-control-allow-origin"), Some(APP));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert!(
        r.headers
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap().contains("Origin"))
    );
    let pre = env
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/client/sign_ins", env.fapi()),
        )
        .header("Origin", APP)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success(), "{}", pre.status());
    assert_eq!(
        pre.headers()["access-control-allow-origin"]
            .to_str()
            .unwrap(),
        APP
    );
    assert_eq!(
        pre.headers()["access-control-allow-credentials"]
            .to_str()
            .unwrap(),
        "true"
    );
    // Errors for an allowed origin carry CORS too, so the page can read them.
    let r = good.get("/v1/client/sign_ins/sia_unknown").await;
    r.err(404, "resource_not_found");
    assert_eq!(r.header("access-control-allow-origin"), Some(APP));
    // No Origin (a server or a navigation): served, without CORS headers.
    let mut server = env.browser_at(None);
    let r = server.get("/v1/environment").await;
    r.ok();
    r.no_cors();
}

#[tokio::test]
async fn development_instances_allow_any_localhost_origin() {
    let env = spawn(Kind::Development).await;
    for (i, origin) in [
        "http://localhost:5173",
        "http://127.0.0.1:8080",
        "http://app.localhost:3000",
        "http://localhost",
    ]
    .into_iter()
    .enumerate()
    {
        let mut b = env.browser_at(Some(origin));
        let r = b.get("/v1/environment").await;
        r.ok();
        assert_eq!(r.header("access-control-allow-origin"), Some(origin));
        assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
        let email = format!("dev{i}+clerk_test@example.com");
        let (_, sid) = b.sign_up(&env, &email, Some("424242")).await;
        let r = b
            .post(&format!("/v1/client/sessions/{sid}/tokens"), &[])
            .await;
        let (_, claims) = decode_jwt(r.ok()["jwt"].as_str().unwrap());
        assert_eq!(claims["azp"], origin);
    }
    let before = env.snapshot().await;
    for origin in [EVIL, "http://localhost.evil.test", "https://example.com"] {
        let mut b = env.browser_at(Some(origin));
        b.post(
            "/v1/client/sign_ups",
            &[("email_address", "eve@example.com"), ("password", PASSWORD)],
        )
        .await
        .err(403, "origin_invalid")
        .no_cors();
    }
    assert_eq!(env.snapshot().await, before);
}

#[tokio::test]
async fn the_proxy_prefix_serves_the_same_routes() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    b.prefix = "/__clerk".into();
    let r = b.get("/v1/environment").await;
    r.ok();
    assert_eq!(r.header("access-control-allow-origin"), Some(APP));
    let r = b.get("/v1/jwks").await;
    assert!(r.ok()["keys"][0]["kid"].is_string());
    let (user_id, sid) = b.sign_up(&env, "proxy@example.com", None).await;
    let r = b
        .post(&format!("/v1/client/sessions/{sid}/tokens"), &[])
        .await;
    assert_eq!(r.ok()["object"], "token");
    assert_eq!(
        b.get("/v1/me").await.ok()["response"]["id"],
        user_id.as_str()
    );
    b.sign_out().await;
    let si = b.sign_in_password("proxy@example.com").await;
    assert_eq!(si["status"], "complete", "{si}");
    // The cookie from the proxied path names the client on the direct path too.
    let mut direct = env.browser();
    direct.jar = b.jar.clone();
    assert_eq!(
        direct.client().await["response"]["id"],
        b.client().await["response"]["id"]
    );
    // The origin policy applies under the prefix as well.
    let before = env.snapshot().await;
    let mut evil = env.browser_at(Some(EVIL));
    evil.prefix = "/__clerk".into();
    evil.post(
        "/v1/client/sign_ins",
        &[("identifier", "proxy@example.com")],
    )
    .await
    .err(403, "origin_invalid")
    .no_cors();
    assert_eq!(env.snapshot().await, before);
    b.get("/v1/nope").await.err(404, "resource_not_found");
}

// ---------------------------------------------------------------------------------------------
// 7. Dev browsers
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn dev_browsers_name_the_client_on_development_only() {
    let env = spawn(Kind::Development).await;
    let mut b = env.browser();
    // clerk-js's plain fetch: no credentials, no body.
    let r = b.post("/v1/dev_browser", &[]).await;
    let id = r.ok()["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["object"], "dev_browser");
    assert!(r.set_cookies().is_empty());
    b.dev_token = Some(id.clone());

    // Same client across requests, no cookies ever set.
    let c = b.get("/v1/client").await;
    let client_id = c.ok()["response"]["id"].as_str().unwrap().to_owned();
    let r = b
        .post(
            "/v1/client/sign_ups",
            &[
                ("email_address", "devon+clerk_test@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.ok()["client"]["id"], client_id.as_str());
    assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
    let su_id = r.body["response"]["id"].as_str().unwrap().to_owned();
    let c = b.client().await;
    assert_eq!(c["response"]["id"], client_id.as_str());
    assert_eq!(c["response"]["sign_up"]["id"], su_id.as_str());
    b.post(
        &format!("/v1/client/sign_ups/{su_id}/prepare_verification"),
        &[("strategy", "email_code")],
    )
    .await
    .ok();
    let r = b
        .post(
            &format!("/v1/client/sign_ups/{su_id}/attempt_verification"),
            &[("strategy", "email_code"), ("code", "424242")],
        )
        .await;
    assert_eq!(r.ok()["response"]["status"], "complete");
    assert!(r.set_cookies().is_empty());
    let sid = r.body["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = b
        .post(&format!("/v1/client/sessions/{sid}/tokens"), &[])
        .await;
    assert!(r.ok()["jwt"].is_string());
    // A second tab of the same browser, with the token alone, sees the same client.
    let mut tab = env.browser();
    tab.dev_token = Some(id.clone());
    assert_eq!(
        tab.client().await["response"]["last_active_session_id"],
        sid.as_str()
    );
    assert!(b.jar.is_empty());

    // The handshake of a development instance hands its directives over in the URL.
    let url = format!(
        "{}/v1/client/handshake?{}",
        env.fapi(),
        encode(&[
            ("redirect_url", "http://localhost:3000/app"),
            ("__clerk_db_jwt", &id),
        ])
    );
    let r = Res::read(env.http.get(url).send().await.unwrap()).await;
    assert_eq!(r.status, 307, "{}", r.raw);
    assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
    let location = reqwest::Url::parse(r.header("location").unwrap()).unwrap();
    assert_eq!(location.path(), "/app");
    let params: BTreeMap<String, String> = location.query_pairs().into_owned().collect();
    let d: Vec<String> = if let Some(nonce) = params.get("__clerk_handshake_nonce") {
        env.bapi_get(&format!("/v1/clients/handshake_payload?nonce={nonce}"))
            .await
            .ok()["directives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect()
    } else {
        let jwt = &params["__clerk_handshake"];
        assert!(verify_with_jwk(jwt, &env.jwks().await));
        decode_jwt(jwt).1["handshake"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(directive(&d, "__clerk_db_jwt"), Some(id.as_str()), "{d:?}");
    let jwt = directive(&d, "__session").expect("a session token");
    assert_eq!(decode_jwt(jwt).1["sid"], sid.as_str());

    // Unknown or malformed tokens: 401 dev_browser_unauthenticated, nothing created.
    let before = env.snapshot().await;
    for token in [
        "A".repeat(48),
        "short".into(),
        String::new(),
        format!("{id}x"),
    ] {
        let mut stale = env.browser();
        stale.dev_token = Some(token.clone());
        stale
            .get("/v1/client")
            .await
            .err(401, "dev_browser_unauthenticated");
        stale
            .post(
                "/v1/client/sign_ups",
                &[("email_address", "eve@example.com"), ("password", PASSWORD)],
            )
            .await
            .err(401, "dev_browser_unauthenticated");
        assert!(stale.jar.is_empty(), "{token}");
    }
    assert_eq!(env.snapshot().await, before);

    // Production refuses to create dev browsers.
    let prod = spawn(Kind::Production).await;
    let before = prod.snapshot().await;
    let mut p = prod.browser();
    p.post("/v1/dev_browser", &[])
        .await
        .err(403, "production_instance_forbidden");
    // A dev-browser token names nothing on production: the browser simply has no client.
    let mut stale = prod.browser();
    stale.dev_token = Some("B".repeat(48));
    assert_eq!(stale.get("/v1/client").await.ok()["response"], Value::Null);
    assert_eq!(prod.snapshot().await, before);
}

/// A development handshake as a backend SDK sends the browser there: the browser's cookies on
/// the Frontend API's host, and `__clerk_db_jwt` when the app has one. Returns the directives
/// the answer carries in its `Location` (development instances hand them over in the URL).
async fn dev_handshake(env: &Env, b: &Browser, db_jwt: Option<&str>) -> Vec<String> {
    let mut pairs = vec![
        ("redirect_url", "http://localhost:3000/app"),
        ("format", "nonce"),
    ];
    if let Some(t) = db_jwt {
        pairs.push(("__clerk_db_jwt", t));
    }
    let mut req = env.http.get(format!(
        "{}/v1/client/handshake?{}",
        env.fapi(),
        encode(&pairs)
    ));
    if let Some(c) = b.cookie_header() {
        req = req.header("Cookie", c);
    }
    let r = Res::read(req.send().await.unwrap()).await;
    assert_eq!(r.status, 307, "{}", r.raw);
    assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
    let location = reqwest::Url::parse(r.header("location").unwrap()).unwrap();
    assert_eq!(location.path(), "/app");
    let params: BTreeMap<String, String> = location.query_pairs().into_owned().collect();
    let list = if let Some(nonce) = params.get("__clerk_handshake_nonce") {
        env.bapi_get(&format!("/v1/clients/handshake_payload?nonce={nonce}"))
            .await
            .ok()["directives"]
            .clone()
    } else {
        let jwt = &params["__clerk_handshake"];
        assert!(verify_with_jwk(jwt, &env.jwks().await));
        decode_jwt(jwt).1["handshake"].clone()
    };
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect()
}

/// A development instance whose publishable key names an ordinary host (`127.0.0.1:4001`,
/// `clerk.localhost:3000`): clerk-js keeps its client in the `__client` cookie, yet the backend
/// SDKs demand a dev-browser token for any `pk_test_` key. The handshake hands one over even to
/// a browser with a `__client` cookie, and reads the session from that cookie whatever token
/// the app sends along.
#[tokio::test]
async fn development_handshake_serves_cookie_mode_browsers() {
    let env = spawn(Kind::Development).await;
    let mut b = env.browser();
    let (_, sid) = b
        .sign_up(&env, "cora+clerk_test@example.com", Some("424242"))
        .await;
    assert!(b.jar.contains_key("__client"), "{:?}", b.jar);
    env.clock.advance(5 * MINUTE);

    // No dev-browser token yet (dev-browser-missing): one comes back with the session.
    let d = dev_handshake(&env, &b, None).await;
    let token = directive(&d, "__clerk_db_jwt")
        .expect("a __clerk_db_jwt directive for a cookie-mode browser")
        .to_owned();
    assert!(token.len() >= 32 && token.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(
        Some(&token),
        b.jar.get("__client"),
        "the __client secret stays HttpOnly"
    );
    assert!(d.iter().any(|x| x.starts_with("__clerk_db_jwt_")), "{d:?}");
    let jwt = directive(&d, "__session").expect("a session token");
    assert_eq!(decode_jwt(jwt).1["sid"], sid.as_str());

    // The token the app now sends along keeps its value, and the cookie still names the client.
    let d = dev_handshake(&env, &b, Some(&token)).await;
    assert_eq!(directive(&d, "__clerk_db_jwt"), Some(token.as_str()));
    assert_eq!(
        decode_jwt(directive(&d, "__session").unwrap()).1["sid"],
        sid.as_str()
    );

    // A token naming another, empty dev browser (one an older server made for the first,
    // signed-out handshake) does not hide the browser's own client.
    let mut other = env.browser();
    let empty = other.post("/v1/dev_browser", &[]).await.ok()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let d = dev_handshake(&env, &b, Some(&empty)).await;
    let jwt = directive(&d, "__session").expect("signed in through the __client cookie");
    assert_eq!(decode_jwt(jwt).1["sid"], sid.as_str());

    // Signed out through clerk-js: the handshake says so.
    b.sign_out().await;
    let d = dev_handshake(&env, &b, Some(&token)).await;
    assert_eq!(directive(&d, "__client_uat"), Some("0"), "{d:?}");
    assert!(!d.iter().any(|x| x.starts_with("__session=ey")), "{d:?}");
    assert_eq!(directive(&d, "__clerk_db_jwt"), Some(token.as_str()));
}

/// Unauthenticated handshakes on a development instance store nothing: before, each one made a
/// dev-browser client (and its audit entry), so anyone could fill the database with GETs.
#[tokio::test]
async fn development_handshakes_without_a_client_write_nothing() {
    let env = spawn(Kind::Development).await;
    let before = env.snapshot().await;
    let mut tokens = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let d = dev_handshake(&env, &env.browser(), None).await;
        assert_eq!(directive(&d, "__client_uat"), Some("0"), "{d:?}");
        tokens.insert(directive(&d, "__clerk_db_jwt").unwrap().to_owned());
    }
    assert_eq!(tokens.len(), 20, "a fresh token each time");
    // A well-formed token the app sends back is kept; a malformed one is replaced.
    let kept = tokens.first().unwrap().clone();
    let d = dev_handshake(&env, &env.browser(), Some(&kept)).await;
    assert_eq!(directive(&d, "__clerk_db_jwt"), Some(kept.as_str()));
    let d = dev_handshake(&env, &env.browser(), Some("bad")).await;
    assert!(directive(&d, "__clerk_db_jwt").is_some_and(|t| t != "bad" && t.len() >= 32));
    // A browser with a stale `__client` cookie is signed out, and nothing is written either.
    let mut stale = env.browser();
    stale.jar.insert("__client".into(), "C".repeat(48));
    let d = dev_handshake(&env, &stale, None).await;
    assert_eq!(directive(&d, "__client_uat"), Some("0"), "{d:?}");
    assert_eq!(env.snapshot().await, before);

    // Such a token names no client: clerk-js in dev-browser mode is told so and makes its own.
    let mut b = env.browser();
    b.dev_token = Some(kept);
    b.get("/v1/client")
        .await
        .err(401, "dev_browser_unauthenticated");
    assert_eq!(env.snapshot().await, before);
}

// ---------------------------------------------------------------------------------------------
// 8. Handshake
// ---------------------------------------------------------------------------------------------

/// The directives a handshake answer carries: by nonce through the Backend API, or in the
/// signed `__clerk_handshake` JWT.
async fn directives(env: &Env, res: &Res) -> Vec<String> {
    if let Some(c) = res.set_cookie("__clerk_handshake_nonce") {
        assert!(has_attr(&c, "httponly"), "{c}");
        let nonce = parse_cookie(&c).1;
        let r = env
            .bapi_get(&format!("/v1/clients/handshake_payload?nonce={nonce}"))
            .await;
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(keys(r.ok()), ["directives"], "{}", r.raw);
        return r.body["directives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect();
    }
    let c = res
        .set_cookie("__clerk_handshake")
        .expect("a handshake cookie");
    assert!(has_attr(&c, "httponly"), "{c}");
    let jwt = parse_cookie(&c).1;
    assert!(verify_with_jwk(&jwt, &env.jwks().await));
    let (_, claims) = decode_jwt(&jwt);
    claims["handshake"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect()
}

/// The value a directive sets for cookie `name`, if one does.
fn directive<'a>(directives: &'a [String], name: &str) -> Option<&'a str> {
    directives
        .iter()
        .rev()
        .find_map(|d| d.split(';').next()?.strip_prefix(&format!("{name}=")))
}

async fn handshake(env: &Env, b: &Browser, redirect_url: &str) -> Res {
    let url = format!(
        "{}/v1/client/handshake?{}",
        env.fapi(),
        encode(&[
            ("redirect_url", redirect_url),
            ("format", "nonce"),
            ("__clerk_api_version", "2025-11-10"),
        ])
    );
    // A top-level navigation: cookies, no Origin.
    let mut req = env.http.get(url);
    if let Some(c) = b.cookie_header() {
        req = req.header("Cookie", c);
    }
    Res::read(req.send().await.unwrap()).await
}

#[tokio::test]
async fn handshake_refreshes_the_session_or_signs_out() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let (_, sid) = b.sign_up(&env, "hal@example.com", None).await;
    env.clock.advance(5 * MINUTE);

    let r = handshake(
        &env,
        &b,
        "http://localhost:3000/p?x=1&__clerk_handshake=stale",
    )
    .await;
    assert_eq!(r.status, 307, "{}", r.raw);
    assert_eq!(r.header("location"), Some("http://localhost:3000/p?x=1"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let d = directives(&env, &r).await;
    let jwt = directive(&d, "__session").expect("a __session directive");
    let (_, claims) = decode_jwt(jwt);
    assert_eq!(claims["sid"], sid.as_str());
    assert_eq!(claims["azp"], APP);
    assert!(verify_with_jwk(jwt, &env.jwks().await));
    let uat: i64 = directive(&d, "__client_uat").unwrap().parse().unwrap();
    assert!(uat > 0 && uat <= int(&claims["iat"]), "{uat} {claims}");
    assert_eq!(int(&claims["iat"]), (T0 + 5 * MINUTE) / 1000);
    assert!(d.iter().any(|x| x.starts_with("__session_")), "{d:?}");
    // The app may fetch the payload again (a reload), but not forever.
    if let Some(c) = r.set_cookie("__clerk_handshake_nonce") {
        let nonce = parse_cookie(&c).1;
        let path = format!("/v1/clients/handshake_payload?nonce={nonce}");
        env.bapi_get(&path).await.ok();
        env.clock.advance(10 * MINUTE);
        env.bapi_get(&path).await.err(404, "resource_not_found");
        env.bapi_get("/v1/clients/handshake_payload?nonce=unknown")
            .await
            .err(404, "resource_not_found");
        let r = env.bapi_get("/v1/clients/handshake_payload").await;
        assert_eq!(r.status, 400, "{}", r.raw);
        let anon = env
            .http
            .get(format!("{}{path}", env.app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(Res::read(anon).await.status, 401);
    }

    // Signed out: __session cleared, __client_uat=0.
    b.sign_out().await;
    let r = handshake(&env, &b, "http://localhost:3000/after").await;
    assert_eq!(r.status, 307, "{}", r.raw);
    assert_eq!(r.header("location"), Some("http://localhost:3000/after"));
    let d = directives(&env, &r).await;
    assert_eq!(directive(&d, "__client_uat"), Some("0"), "{d:?}");
    let clear = d
        .iter()
        .find(|x| x.starts_with("__session="))
        .expect("__session cleared");
    assert!(
        clear.starts_with("__session=;") && has_attr(clear, "max-age=0"),
        "{clear}"
    );
    assert!(!d.iter().any(|x| x.starts_with("__session=ey")), "{d:?}");
    // A browser that never had a client: signed out too.
    let r = handshake(&env, &env.browser(), "http://localhost:3000/").await;
    assert_eq!(r.status, 307);
    assert_eq!(
        directive(&directives(&env, &r).await, "__client_uat"),
        Some("0")
    );

    // A redirect to anywhere but an allowed origin: 422, no redirect, no cookie.
    for target in [
        "http://evil.test/p",
        "https://localhost:3000/p",
        "javascript:alert(1)",
        "/relative",
        "http://localhost:3000@evil.test/",
    ] {
        let r = handshake(&env, &b, target).await;
        assert_eq!(r.status, 422, "{target}: {}", r.raw);
        assert!(r.header("location").is_none(), "{target}");
        assert!(r.set_cookies().is_empty(), "{target}");
    }
    let r = Res::read(
        env.http
            .get(format!("{}/v1/client/handshake", env.fapi()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    r.err(422, "form_param_missing");
    assert!(r.header("location").is_none());
}

// ---------------------------------------------------------------------------------------------
// 9. Robustness
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_and_oversized_requests_are_refused_cleanly() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let (_, sid) = b.sign_up(&env, "ivy@example.com", None).await;
    let before = env.snapshot().await;
    let client_before = b.client().await;

    // Malformed bodies.
    let form = "application/x-www-form-urlencoded";
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "/v1/client/sign_ups",
            "application/json",
            b"{\"email_address\":".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            "application/json",
            b"[1,2,3]".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            "application/json",
            b"\"str\"".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=%FF%FE%00&password=x".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=not-an-email&password=Vivid-quartz-lantern-2931".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=a%40b.co&unsafe_metadata=%7Bnope".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=a%40b.co&unsafe_metadata=%5B1%5D".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=a%40b.co&legal_accepted=maybe".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=a%40b.co&password=short".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"phone_number=%2B15555550100".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"strategy=oauth_google".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=ivy%40example.com&password=Vivid-quartz-lantern-2931".to_vec(),
        ),
        (
            "/v1/client/sessions/x/touch",
            form,
            b"\xff\xfe\x00%%%&&==".to_vec(),
        ),
        ("/v1/me", form, b"%%%".to_vec()),
        (
            "/v1/client/sign_ins/sia_x/attempt_first_factor",
            form,
            b"strategy=password".to_vec(),
        ),
    ];
    for (path, ct, body) in cases {
        let r = b.raw_post(path, ct, body.clone()).await;
        assert!(
            (400..500).contains(&r.status),
            "{path} {:?}: {} {}",
            String::from_utf8_lossy(&body),
            r.status,
            r.raw
        );
    }
    // While signed in, a sign-in is refused whatever the body.
    let r = b
        .raw_post("/v1/client/sign_ins", form, b"identifier=%zz%".to_vec())
        .await;
    assert!((400..500).contains(&r.status), "{}", r.raw);
    b.raw_post(
        "/v1/client/sign_ins",
        form,
        b"identifier=ivy%40example.com&strategy=password&password=%FF".to_vec(),
    )
    .await
    .err(400, "session_exists");
    assert_eq!(env.snapshot().await, before);
    assert_eq!(b.client().await, client_before);

    // Over 1 MiB: 413, nothing read further, nothing written.
    let mut huge = b"email_address=big%40example.com&password=".to_vec();
    huge.resize(1024 * 1024 + 1, b'a');
    for path in [
        "/v1/client/sign_ups",
        "/v1/client/sign_ins",
        "/__clerk/v1/client/sign_ups",
    ] {
        let url = format!("{}{path}", env.fapi());
        let r = env
            .http
            .post(url)
            .header("Origin", APP)
            .header("Content-Type", form)
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        let r = Res::read(r).await;
        r.err(413, "request_body_too_large");
    }
    let r = b
        .raw_post("/v1/client/sign_ups", "application/json", {
            let mut j = b"{\"email_address\":\"".to_vec();
            j.resize(1024 * 1024 + 10, b'a');
            j
        })
        .await;
    r.err(413, "request_body_too_large");
    assert_eq!(env.snapshot().await, before);

    // Unknown attempts and routes: Clerk-shaped 404s.
    let mut fresh = env.browser();
    for path in [
        "/v1/client/sign_ins/sia_2abcdefghijklmnopqrstuvwxyz",
        "/v1/client/sign_ups/sua_2abcdefghijklmnopqrstuvwxyz",
    ] {
        b.get(path).await.err(404, "resource_not_found");
        fresh.get(path).await.err(404, "resource_not_found");
    }
    for path in [
        "/v1/client/sign_ins/sia_unknown/attempt_first_factor",
        "/v1/client/sign_ins/sia_unknown/prepare_first_factor",
        "/v1/client/sign_ins/sia_unknown/attempt_second_factor",
        "/v1/client/sign_ups/sua_unknown/prepare_verification",
        "/v1/client/sign_ups/sua_unknown/attempt_verification",
    ] {
        let r = b
            .post(path, &[("strategy", "email_code"), ("code", "123456")])
            .await;
        r.err(404, "resource_not_found");
    }
    b.get("/v1/nothing/here")
        .await
        .err(404, "resource_not_found");
    b.get("/v1/client/sign_ins/..%2F..%2Fv1%2Fclient")
        .await
        .err(404, "resource_not_found");
    // A method the route does not have.
    b.send("PUT", "/v1/client", Some(&[]))
        .await
        .err(405, "method_not_allowed");
    assert!(fresh.jar.is_empty());

    // `_method` is only honoured on POST: a GET asking for DELETE is a GET.
    let url = format!(
        "{}/v1/client?_method=DELETE&__clerk_api_version=2025-11-10",
        env.fapi()
    );
    let r = Res::read(
        env.http
            .get(url)
            .header("Origin", APP)
            .header("Cookie", b.cookie_header().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.ok()["response"]["last_active_session_id"], sid.as_str());
    let url = format!("{}/v1/client/sessions?_method=DELETE", env.fapi());
    let r = Res::read(
        env.http
            .get(url)
            .header("Origin", APP)
            .header("Cookie", b.cookie_header().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(r.status == 404 || r.status == 405, "{}", r.raw);
    // Nor does an unknown `_method` change the POST into anything.
    b.send("POST", "/v1/client/sessions?_method=TRACE", Some(&[]))
        .await
        .err(405, "method_not_allowed");
    assert_eq!(env.snapshot().await, before);
    assert_eq!(env.session(&sid).await["status"], "active");

    // Garbage cookies are no client at all.
    let long = "z".repeat(4000);
    for junk in ["../../etc/passwd", "%00", long.as_str(), "a;b", ""] {
        let mut j = env.browser();
        j.jar.insert("__client".into(), junk.into());
        assert_eq!(
            j.get("/v1/client").await.ok(),
            &json!({"response": null, "client": null})
        );
        j.get("/v1/me").await.err(401, "signed_out");
        j.post(&format!("/v1/client/sessions/{sid}/tokens"), &[])
            .await
            .err(401, "signed_out");
    }
    assert_eq!(env.snapshot().await, before);
}

// ---------------------------------------------------------------------------------------------
// 10. Clerk's browser SDK under /npm
// ---------------------------------------------------------------------------------------------

/// A raw HTTP/1.1 request, so that `..` segments reach the server as written.
async fn raw_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn clerk_js_is_served_from_the_configured_folder_only() {
    // Without --clerk-js-dir: a Clerk-shaped 404.
    let env = spawn(Kind::Production).await;
    let mut b = env.browser_at(None);
    b.get("/npm/@clerk/clerk-js@6/dist/clerk.browser.js")
        .await
        .err(404, "resource_not_found");
    b.get("/__clerk/npm/@clerk/ui@1/dist/ui.browser.js")
        .await
        .err(404, "resource_not_found");

    let dir = tempfile::tempdir().unwrap();
    let js = "window.__usher_test_clerk = 'clerk-js';";
    let dist = dir.path().join("@clerk/clerk-js/dist");
    std::fs::create_dir_all(dist.join("chunks")).unwrap();
    std::fs::write(dist.join("clerk.browser.js"), js).unwrap();
    std::fs::write(dist.join("chunks/a-1.js"), "chunk").unwrap();
    std::fs::write(
        dir.path().join("@clerk/clerk-js/package.json"),
        "{\"name\":\"PACKAGE-JSON-SECRET\"}",
    )
    .unwrap();
    std::fs::write(dir.path().join("secret.txt"), "TOP-SECRET-FILE").unwrap();
    let folder = dir.path().to_path_buf();
    let env = spawn_tweaked(Kind::Production, move |cfg| {
        cfg.frontend.clerk_js_dir = Some(folder);
    })
    .await;
    let mut b = env.browser_at(None);
    for version in [
        "6",
        "6.40.0",
        "5.128.0",
        "latest",
        "6.0.0-snapshot.v20261120",
    ] {
        for prefix in ["", "/__clerk"] {
            let r = b
                .get(&format!(
                    "{prefix}/npm/@clerk/clerk-js@{version}/dist/clerk.browser.js"
                ))
                .await;
            assert_eq!(r.status, 200, "{version}: {}", r.raw);
            assert_eq!(r.raw, js);
            let ct = r.header("content-type").unwrap();
            assert!(
                ct.starts_with("application/javascript") || ct.starts_with("text/javascript"),
                "{ct}"
            );
        }
    }
    let r = b
        .get("/npm/@clerk/clerk-js@6.40.0/dist/chunks/a-1.js")
        .await;
    assert_eq!((r.status, r.raw.as_str()), (200, "chunk"));
    // Missing files and other packages: 404.
    b.get("/npm/@clerk/clerk-js@6/dist/missing.js")
        .await
        .err(404, "resource_not_found");
    b.get("/npm/@clerk/ui@1/dist/ui.browser.js")
        .await
        .err(404, "resource_not_found");
    b.get("/npm/@clerk/other@1/dist/clerk.browser.js")
        .await
        .err(404, "resource_not_found");
    b.get("/npm/lodash@4/dist/clerk.browser.js")
        .await
        .err(404, "resource_not_found");

    // Escapes, sent byte for byte.
    let addr = env.app.running.frontend_addr;
    for path in [
        "/npm/@clerk/clerk-js@6/dist/../package.json",
        "/npm/@clerk/clerk-js@6/dist/../../../secret.txt",
        "/npm/@clerk/clerk-js@6/dist/chunks/../../package.json",
        "/npm/@clerk/clerk-js@6/dist/..%2Fpackage.json",
        "/npm/@clerk/clerk-js@6/dist/%2e%2e/package.json",
        "/npm/@clerk/clerk-js@6/dist/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt",
        "/npm/@clerk/clerk-js@6/dist/%5c..%5c..%5csecret.txt",
        "/npm/@clerk/clerk-js@6/package.json",
        "/npm/@clerk/../../secret.txt",
        "/npm/@clerk/clerk-js@6/dist//etc/passwd",
        "/npm/@clerk/clerk-js@6/dist/%2Fetc%2Fpasswd",
        "/__clerk/npm/@clerk/clerk-js@6/dist/../package.json",
        "/npm/../secret.txt",
    ] {
        let (status, text) = raw_get(addr, path).await;
        assert!((400..500).contains(&status), "{path}: {status}\n{text}");
        assert!(!text.contains("PACKAGE-JSON-SECRET"), "{path}");
        assert!(!text.contains("TOP-SECRET-FILE"), "{path}");
        assert!(!text.contains("root:"), "{path}");
        assert!(text.contains("clerk_trace_id"), "{path}: {text}");
    }
}

// ---------------------------------------------------------------------------------------------
// 11. A new device by API version (Client Trust)
// ---------------------------------------------------------------------------------------------

/// The one factor that confirms a new device of `email`'s user, as both shapes list it.
#[track_caller]
fn assert_device_code_factor(si: &Value, email: &str) -> String {
    let factors = si["supported_second_factors"].as_array().unwrap();
    assert_eq!(factors.len(), 1, "{si}");
    assert_eq!(factors[0]["strategy"], "email_code", "{si}");
    assert_eq!(factors[0]["safe_identifier"], email, "{si}");
    assert_eq!(factors[0]["primary"], true, "{si}");
    let id = factors[0]["email_address_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("idn_"), "{si}");
    id
}

/// Signs `email` in with the password from `b` (a device new to the user) and checks the
/// sign-in is rendered the way `b`'s clerk-js understands: `needs_client_trust` for clerk-js 6,
/// `needs_second_factor` with the device's email code for clerk-js 5 — in the response, in the
/// piggybacked client, in `GET /v1/client` and in `GET /v1/client/sign_ins/{id}`.
async fn password_on_a_new_device(
    b: &mut Browser,
    email: &str,
    expected: &str,
) -> (String, String) {
    let id = b.start_sign_in(email).await;
    let r = b
        .post(
            &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
            &[("strategy", "password"), ("password", PASSWORD)],
        )
        .await;
    let si = r.ok()["response"].clone();
    assert_eq!(si["status"], expected, "{}", r.raw);
    assert_eq!(si["client_trust_state"], "new", "{si}");
    assert_eq!(si["created_session_id"], Value::Null, "{si}");
    assert_eq!(
        si["first_factor_verification"]["status"], "verified",
        "{si}"
    );
    assert_eq!(
        r.body["client"]["sign_in"], si,
        "the piggybacked client disagrees"
    );
    let email_id = assert_device_code_factor(&si, email);
    let c = b.client().await;
    assert_eq!(c["response"]["sign_in"]["status"], expected, "{c}");
    assert_eq!(c["response"]["sign_in"]["client_trust_state"], "new");
    let r = b.get(&format!("/v1/client/sign_ins/{id}")).await;
    assert_eq!(r.ok()["response"]["status"], expected, "{}", r.raw);
    assert_eq!(r.body["client"]["sign_in"]["status"], expected);
    (id, email_id)
}

#[tokio::test]
async fn a_new_device_is_a_second_factor_to_clerk_js_5_and_needs_client_trust_to_clerk_js_6() {
    let env = spawn(Kind::Production).await;
    let email = "trust@example.com";
    let mut home = env.browser();
    let (user_id, _) = home.sign_up(&env, email, None).await;

    for (clerk_js, expected) in [
        (CLERK_JS_6, "needs_client_trust"),
        (CLERK_JS_5, "needs_second_factor"),
        // A caller naming no version, or no date, gets the shape every client knows.
        (
            ClerkJs {
                api_version: "",
                js_version: "5.0.0",
            },
            "needs_second_factor",
        ),
        (
            ClerkJs {
                api_version: "v1",
                js_version: "5.0.0",
            },
            "needs_second_factor",
        ),
    ] {
        let mut b = env.browser();
        b.clerk_js = clerk_js;
        let (id, email_id) = password_on_a_new_device(&mut b, email, expected).await;

        // clerk-js 5 prepares and attempts the device's code as a second factor; clerk-js 6
        // calls the same routes for `needs_client_trust`.
        let before = env.emails_to(email).await.len();
        let r = b
            .post(
                &format!("/v1/client/sign_ins/{id}/prepare_second_factor"),
                &[("strategy", "email_code"), ("email_address_id", &email_id)],
            )
            .await;
        let si = &r.ok()["response"];
        assert_eq!(si["status"], expected, "{}", r.raw);
        assert_eq!(si["second_factor_verification"]["strategy"], "email_code");
        assert_eq!(si["second_factor_verification"]["status"], "unverified");
        assert_eq!(env.emails_to(email).await.len(), before + 1);
        let code = env.code_for(email).await;

        let r = b
            .post(
                &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
                &[("strategy", "email_code"), ("code", &wrong(&code))],
            )
            .await;
        r.err(422, "form_code_incorrect");
        let c = b.client().await;
        assert_eq!(c["response"]["sign_in"]["status"], expected, "{c}");
        assert_eq!(c["response"]["sessions"], json!([]));

        let r = b
            .post(
                &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
                &[("strategy", "email_code"), ("code", &code)],
            )
            .await;
        let si = &r.ok()["response"];
        assert_eq!(si["status"], "complete", "{}", r.raw);
        assert_eq!(si["client_trust_state"], Value::Null, "{}", r.raw);
        let sid = si["created_session_id"].as_str().unwrap();
        assert_eq!(r.body["client"]["last_active_session_id"], sid);
        let session = env.session(sid).await;
        assert_eq!(session["status"], "active");
        assert_eq!(session["user_id"], user_id.as_str());
        // The device is now known: the next password sign-in on it completes at once.
        b.session_id = Some(sid.to_owned());
        b.sign_out().await;
        let si = b.sign_in_password(email).await;
        assert_eq!(si["status"], "complete", "{si}");
        b.sign_out().await;
    }
}

#[tokio::test]
async fn one_sign_in_is_rendered_for_whichever_clerk_js_asks() {
    let env = spawn(Kind::Production).await;
    let email = "tabs@example.com";
    let mut home = env.browser();
    home.sign_up(&env, email, None).await;

    let mut old = env.browser();
    old.clerk_js = CLERK_JS_5;
    let (id, _) = password_on_a_new_device(&mut old, email, "needs_second_factor").await;
    // The same client, asked by clerk-js 6: the stored attempt is unchanged, only its shape.
    let mut new = env.browser();
    new.jar = old.jar.clone();
    new.clerk_js = CLERK_JS_6;
    let c = new.client().await;
    assert_eq!(c["response"]["sign_in"]["id"], id.as_str());
    assert_eq!(
        c["response"]["sign_in"]["status"], "needs_client_trust",
        "{c}"
    );
    let c = old.client().await;
    assert_eq!(
        c["response"]["sign_in"]["status"], "needs_second_factor",
        "{c}"
    );
}

#[tokio::test]
async fn the_device_code_has_the_same_limits_for_clerk_js_5_and_6() {
    let env = spawn(Kind::Production).await;
    let email = "limits@example.com";
    let mut home = env.browser();
    home.sign_up(&env, email, None).await;

    for (clerk_js, expected) in [
        (CLERK_JS_5, "needs_second_factor"),
        (CLERK_JS_6, "needs_client_trust"),
    ] {
        let mut b = env.browser();
        b.clerk_js = clerk_js;
        let (id, email_id) = password_on_a_new_device(&mut b, email, expected).await;
        // Attempting before preparing is refused and sends nothing.
        let before = env.emails_to(email).await.len();
        b.post(
            &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
            &[("strategy", "email_code"), ("code", "123456")],
        )
        .await
        .err(400, "client_state_invalid");
        assert_eq!(env.emails_to(email).await.len(), before);

        b.post(
            &format!("/v1/client/sign_ins/{id}/prepare_second_factor"),
            &[("strategy", "email_code"), ("email_address_id", &email_id)],
        )
        .await
        .ok();
        let code = env.code_for(email).await;
        // Three wrong codes spend it; the right one is then refused too.
        for _ in 0..3 {
            b.post(
                &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
                &[("strategy", "email_code"), ("code", &wrong(&code))],
            )
            .await
            .err(422, "form_code_incorrect");
        }
        let r = b
            .post(
                &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
                &[("strategy", "email_code"), ("code", &code)],
            )
            .await;
        r.err(422, "verification_failed");
        let c = b.client().await;
        assert_eq!(c["response"]["sign_in"]["status"], expected, "{c}");
        assert_eq!(
            c["response"]["sign_in"]["second_factor_verification"]["status"], "failed",
            "{c}"
        );
        assert_eq!(c["response"]["sessions"], json!([]));
    }
}
