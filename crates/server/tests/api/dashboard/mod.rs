//! The operators' dashboard on the Backend API listener: sign-in with password and TOTP (codes
//! computed from the secret the enrolment gave), sessions that expire, CSRF and role refusals,
//! escaping, search, and the actions on a user taking effect and landing in the audit log with
//! the operator's identity. A manual clock moves time (TOTP steps, idle timeout, lockout).

mod attacks;
mod ops;
mod security;
mod sign_in;
mod templates;
mod test_event;
mod users;
mod users_edit;

use std::sync::Arc;

use serde_json::{Value, json};
use usher_core::clock::{Clock, ManualClock};
use usher_core::mfa::totp;
use usher_core::operators::Role;
use usher_server::app::context::RequestContext;

use crate::common::{App, Browser, PASSWORD, WebPage, spawn_with};

const OPERATOR_PASSWORD: &str = "long-operator-password-42";
/// On a 30-second TOTP step boundary.
const T0: i64 = 1_800_000_000_000;

struct Desk {
    app: App,
    clock: Arc<ManualClock>,
}

async fn spawn() -> Desk {
    let clock = Arc::new(ManualClock::new(T0));
    // New devices sign in with the password alone (no Client Trust code) in these tests.
    let app = spawn_with(clock.clone(), |cfg| cfg.policy.client_trust = Some(false)).await;
    Desk { app, clock }
}

impl Desk {
    /// An operator as `usher operators add` makes one; returns its TOTP secret.
    async fn operator(&self, email: &str, role: Role) -> String {
        usher_server::app::operators::add(
            &self.app.running.state,
            &RequestContext::system("cli"),
            email,
            role,
            Some(OPERATOR_PASSWORD.into()),
        )
        .await
        .unwrap()
        .totp_secret
    }

    /// The code an authenticator app shows now.
    fn code(&self, secret: &str) -> String {
        totp::code_at_step(secret, self.clock.now_ms() / 1000 / totp::STEP_SECS).unwrap()
    }

    /// A browser on the Backend API listener.
    fn browser(&self) -> Browser {
        Browser::new(&self.app.base)
    }

    /// Signs `email` in (password, then the current code, in a step of its own so no code is
    /// used twice); the browser ends on the users page.
    async fn sign_in(&self, email: &str, secret: &str) -> Browser {
        self.clock.advance(totp::STEP_SECS * 1000);
        let mut b = self.browser();
        b.open("/dashboard/sign-in").await.expect(200);
        post_password(&mut b, email, OPERATOR_PASSWORD)
            .await
            .redirects_to("/dashboard/sign-in/code");
        let code = self.code(secret);
        b.post_form("/dashboard/sign-in/code", &[("code", &code)])
            .await
            .redirects_to("/dashboard/users");
        b.open("/dashboard/users").await.expect(200);
        b
    }

    /// The actions of the newest `limit` audit entries that operator `email` wrote, newest
    /// first.
    async fn operator_actions(&self, email: &str, limit: i64) -> Vec<String> {
        let state = &self.app.running.state;
        let actor = format!("operator:{email}");
        state
            .store
            .audit_log(&state.instance.id, limit)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.actor == actor)
            .map(|e| e.action)
            .collect()
    }

    /// A user created through the Backend API; returns it.
    async fn user(&self, body: Value) -> Value {
        self.app.post("/v1/users", body).await.ok().clone()
    }

    /// A user with a password who signed in through the Frontend API in `n` browsers; returns
    /// the user id and each browser with its session id.
    async fn signed_in_user(&self, email: &str, n: usize) -> (String, Vec<(Browser, String)>) {
        let u = self
            .user(json!({"email_address": [email], "password": PASSWORD, "first_name": "Grace"}))
            .await;
        let mut browsers = Vec::new();
        for i in 0..n {
            let mut b = self.app.web(&format!("Device {i}"));
            let si = b.sign_in_password(email).await;
            assert_eq!(si["status"], "complete", "{si}");
            let sid = si["created_session_id"].as_str().unwrap().to_owned();
            b.token(&sid).await;
            browsers.push((b, sid));
        }
        (u["id"].as_str().unwrap().to_owned(), browsers)
    }
}

/// The sign-in form's first step: `email` and `password` posted to `/dashboard/sign-in`.
async fn post_password(b: &mut Browser, email: &str, password: &str) -> WebPage {
    b.post_form(
        "/dashboard/sign-in",
        &[("email", email), ("password", password)],
    )
    .await
}

/// The headers every dashboard response carries.
#[track_caller]
fn assert_secure_headers(page: &WebPage) {
    assert_eq!(
        page.header("content-security-policy"),
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    assert_eq!(page.header("x-frame-options"), "DENY");
    assert_eq!(page.header("referrer-policy"), "no-referrer");
    assert_eq!(page.header("cache-control"), "no-store");
    assert_eq!(page.header("x-content-type-options"), "nosniff");
}
