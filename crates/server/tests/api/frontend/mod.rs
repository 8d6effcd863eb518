//! The Frontend API as clerk-js drives it: form-urlencoded bodies, `POST ?_method=…` for PATCH
//! and DELETE, an `Origin` on every call, the client named by the `__client` cookie (or by a
//! dev-browser token), codes read back through the Backend API's `/v1/emails`. After every
//! refusal the state is checked through the Backend API (users, sessions, emails, audit log,
//! events) and the client through `GET /v1/client`: a refused request changes nothing.

mod actor_tokens;
mod api_keys;
mod choose_organization;
mod clerk_js_bundle;
mod client_trust;
mod degraded;
mod dev_browser;
mod domain_enrollment;
mod email_links;
mod handshake;
mod identifier_lists;
mod images;
mod jwt_templates;
mod me_identifiers;
mod mfa;
mod oauth;
mod oauth_connect;
mod organization_domains;
mod organization_invitations;
mod organization_sessions;
mod organizations;
mod origins;
mod passkey_refusals;
mod passkey_steps;
mod passkeys;
mod phone_caps;
mod phone_sign_in;
mod phone_sign_up;
mod profile_email_links;
mod redirects;
mod robustness;
mod session_claims;
mod sessions;
mod sign_in;
mod sign_in_tokens;
mod sign_up;
mod sign_up_fields;
mod sign_up_rules;
mod sms_provider;
mod testing_tokens;
mod user_factors;
mod user_memberships;
mod waitlist;

use std::collections::BTreeMap;
use std::ops::Deref;
use std::sync::Arc;

use serde_json::{Value, json};
use usher_core::clock::ManualClock;
use usher_core::mfa::totp;
use usher_server::config::ServerConfig;

pub use crate::common::*;

const LIVE_SECRET: &str = "sk_live_0123456789abcdefghijKLMNOPQRST0123456789";
/// The app's origin, allowed on every instance these tests start.
const APP: &str = APP_ORIGIN;
const EVIL: &str = "http://evil.test";
/// On a 30-second TOTP step boundary.
const T0: i64 = 1_800_000_000_000;
const MINUTE: i64 = 60_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Production,
    Development,
}

/// An instance on a stopped clock that allows [`APP`], without mail or webhook workers.
struct Env {
    app: App,
    clock: Arc<ManualClock>,
    http: reqwest::Client,
}

/// The Backend API helpers of [`App`] ([`App::code_for`], …) on the instance's own secret.
impl Deref for Env {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
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
    Env { app, clock, http }
}

/// A production instance with organizations on.
async fn spawn_with_organizations() -> Env {
    spawn_tweaked(Kind::Production, |cfg| {
        cfg.policy.organizations_enabled = Some(true);
    })
    .await
}

/// The user's memberships over the Backend API: (organization id, role) pairs.
async fn memberships_of(env: &Env, user: &str) -> Vec<(String, String)> {
    let r = env
        .bapi_get(&format!("/v1/users/{user}/organization_memberships"))
        .await;
    membership_pairs(r.ok())
}

/// How many of `events` are of type `kind`.
fn events_of(events: &[usher_core::events::OutboxEvent], kind: &str) -> usize {
    events.iter().filter(|e| e.event_type == kind).count()
}

impl Env {
    fn fapi(&self) -> String {
        self.app.frontend_url()
    }

    /// A clerk-js 5 tab on [`APP`].
    fn browser(&self) -> Browser {
        self.browser_at(Some(APP))
    }

    fn browser_at(&self, origin: Option<&str>) -> Browser {
        let mut b = Browser::new(&self.fapi());
        b.origin = origin.map(str::to_owned);
        b.clerk_js = Some(CLERK_JS_5);
        b
    }

    async fn bapi(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Res {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.app.base, path))
            .bearer_auth(&self.app.secret);
        if let Some(b) = body {
            req = req.json(&b);
        }
        Res::read(req.send().await.unwrap()).await
    }

    async fn bapi_get(&self, path: &str) -> Res {
        self.bapi(reqwest::Method::GET, path, None).await
    }

    /// A user made over the Backend API with one email address and no password: its id.
    async fn new_user(&self, email: &str) -> String {
        let body = json!({"email_address": [email], "skip_password_requirement": true});
        let r = self
            .bapi(reqwest::Method::POST, "/v1/users", Some(body))
            .await;
        r.ok()["id"].as_str().unwrap().to_owned()
    }

    /// A session of `user_id` opened over the Backend API, as another device would have it:
    /// its id.
    async fn new_session(&self, user_id: &str) -> String {
        let body = json!({ "user_id": user_id });
        let r = self
            .bapi(reqwest::Method::POST, "/v1/sessions", Some(body))
            .await;
        r.ok()["id"].as_str().unwrap().to_owned()
    }

    /// `email` signed up in a browser and signed in on another device too (the second session
    /// opened over the Backend API): the browser, the user's id, its session's id and the other
    /// device's.
    async fn signed_in_twice(&self, email: &str) -> (Browser, String, String, String) {
        let mut b = self.browser();
        let (user_id, sid) = b.sign_up(self, email, None).await;
        let other_sid = self.new_session(&user_id).await;
        (b, user_id, sid, other_sid)
    }

    /// An organization made over the Backend API with `created_by` as its admin: its id.
    async fn new_org(&self, name: &str, slug: Option<&str>, created_by: &str) -> String {
        let mut body = json!({"name": name, "created_by": created_by});
        if let Some(slug) = slug {
            body["slug"] = json!(slug);
        }
        let r = self
            .bapi(reqwest::Method::POST, "/v1/organizations", Some(body))
            .await;
        r.ok()["id"].as_str().unwrap().to_owned()
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

/// The `magic_link` of the newest email to `email`, whose template is `slug`, as a Frontend API
/// path; the email's text carries the same link.
async fn emailed_link(env: &Env, email: &str, slug: &str) -> String {
    let emails = env.emails_to(email).await;
    let mail = emails.first().expect("an email");
    assert_eq!(mail["slug"], slug, "{mail}");
    let url = mail["data"]["magic_link"].as_str().unwrap();
    assert!(mail["body_plain"].as_str().unwrap().contains(url), "{mail}");
    url.strip_prefix(&env.fapi()).unwrap().to_owned()
}

/// Makes the email address `id` primary from `b`, the device of session `sid` (as
/// [`Env::signed_in_twice`] signs in): the other device's session `other_sid` ends, this one
/// stays.
async fn make_primary(env: &Env, b: &mut Browser, id: &str, sid: &str, other_sid: &str) {
    let r = b.patch("/v1/me", &[("primary_email_address_id", id)]).await;
    assert_eq!(r.ok()["response"]["primary_email_address_id"], id);
    assert_eq!(env.session(other_sid).await["status"], "revoked");
    assert_eq!(env.session(sid).await["status"], "active");
}

/// A sign-in with a spent or revoked `ticket`, in a browser of its own: refused as
/// `ticket_invalid`, and nothing written.
async fn assert_ticket_refused(env: &Env, ticket: &str) {
    let before = env.snapshot().await;
    let mut b = env.browser();
    b.sign_in_with_ticket(ticket)
        .await
        .err(400, "ticket_invalid");
    assert_eq!(
        env.snapshot().await,
        before,
        "a refused ticket changes nothing"
    );
}

/// `strategy=email_link` with `redirect_url` posted to `prepare`, a route that prepares a
/// verification: a link emailed that lands on `redirect_url`.
async fn prepare_email_link(b: &mut Browser, prepare: &str, redirect_url: &str) -> Res {
    b.post(
        prepare,
        &[("strategy", "email_link"), ("redirect_url", redirect_url)],
    )
    .await
}

/// The `key` of each role on the page of an organization's roles (`GET …/roles`) `roles`
/// answered.
fn role_keys(roles: &Res) -> Vec<&str> {
    each_str(&roles.ok()["response"]["data"], "key")
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
