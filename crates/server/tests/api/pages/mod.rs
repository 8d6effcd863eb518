//! The hosted Account Portal without JavaScript: pages and their headers, every flow with a
//! cookie jar and plain form posts (codes read back through `GET /v1/emails`), the client shared
//! with the Frontend API, CSRF refusals, open redirects, and a production instance's origins.

mod account;
mod forms;
mod invitations;
mod mfa;
mod organizations;
mod sign_up_in;

use std::sync::Arc;

use serde_json::Value;
use usher_core::clock::{ManualClock, SystemClock};
use usher_core::mfa::totp;

use crate::common::{App, Browser, WebPage, spawn_with};

const PASSWORD: &str = "Quiet-harbor-lantern-4821";
const NEW_PASSWORD: &str = "Amber-meadow-compass-7310";
/// On a 30-second TOTP step boundary.
const T0: i64 = 1_800_000_000_000;
const LIVE: &str = "sk_live_0123456789abcdefghijKLMNOPQRST0123456789";

async fn spawn() -> App {
    spawn_with(Arc::new(SystemClock), |_| {}).await
}

/// Signs a new user up through `/sign-up` and the emailed code; the browser ends on `/user`.
async fn sign_up(app: &App, web: &mut Browser, email: &str) {
    web.open("/sign-up").await.expect(200);
    web.submit(
        "/sign-up",
        &[
            ("email_address", email),
            ("password", PASSWORD),
            ("first_name", "Ada"),
            ("last_name", ""),
        ],
    )
    .await
    .redirects_to("/sign-up/verify-email-address");
    let page = web.open("/sign-up/verify-email-address").await;
    page.expect(200);
    assert!(page.body.contains(email), "{}", page.body);
    let code = app.code_for(email).await;
    web.submit("/sign-up/verify-email-address", &[("code", &code)])
        .await
        .redirects_to("/user");
}

/// Signs in with a password from `/sign-in`; returns the answer to the password step.
async fn password_step(web: &mut Browser, email: &str, password: &str) -> WebPage {
    web.open("/sign-in").await.expect(200);
    web.submit("/sign-in", &[("identifier", email), ("password", password)])
        .await
}

/// Answers the second step of a sign-in from `/sign-in/factor-two`.
async fn second_factor(web: &mut Browser, strategy: &str, code: &str) -> WebPage {
    web.submit(
        "/sign-in/factor-two",
        &[("strategy", strategy), ("code", code)],
    )
    .await
}

async fn sign_out(web: &mut Browser) {
    web.open("/user").await.expect(200);
    web.submit("/sign-out", &[])
        .await
        .redirects_to("/sign-in?notice=signed_out");
    assert_eq!(web.cookie("__client_uat"), Some("0"));
}

async fn user_id(app: &App, email: &str) -> String {
    let q: String = form_urlencoded::byte_serialize(email.as_bytes()).collect();
    let users = app.get(&format!("/v1/users?email_address={q}")).await;
    users.ok()[0]["id"].as_str().unwrap().to_owned()
}

async fn sessions_of(app: &App, user_id: &str) -> Vec<Value> {
    app.get(&format!("/v1/sessions?user_id={user_id}"))
        .await
        .ok()
        .as_array()
        .unwrap()
        .clone()
}
