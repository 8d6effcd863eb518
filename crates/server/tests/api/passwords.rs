//! Password policy: the breached-password list on every way a password is set, and passwords
//! marked compromised through the Backend API, which a Frontend API sign-in must then reset.

use serde_json::{Value, json};

use crate::common::*;

const PWNED_MESSAGE: &str = "Password has been found in an online data breach. For account safety, please use a different password.";

/// A browser on the Frontend API, naming its client with a dev-browser token.
async fn dev_tab(app: &App) -> Browser {
    let mut b = app.browser();
    b.dev_browser().await;
    b
}

/// Sends the emailed code of `strategy` and enters it (test addresses get 424242).
async fn email_code(fapi: &mut Browser, sign_in: &str, strategy: &str) -> Res {
    fapi.prepare_first_factor(sign_in, strategy).await.ok();
    fapi.attempt_first_factor(sign_in, strategy, "424242").await
}

/// A Backend API or a Frontend API answer.
trait Refusal {
    fn refused(&self, status: u16, code: &str) -> &Value;
}

impl Refusal for Reply {
    #[track_caller]
    fn refused(&self, status: u16, code: &str) -> &Value {
        &self.err(status, code).body
    }
}

impl Refusal for Res {
    #[track_caller]
    fn refused(&self, status: u16, code: &str) -> &Value {
        &self.err(status, code).body
    }
}

#[track_caller]
fn assert_pwned(r: &impl Refusal) {
    let body = r.refused(422, "form_password_pwned");
    assert_eq!(
        body["errors"][0]["meta"]["param_name"], "password",
        "{body}"
    );
    assert_eq!(body["errors"][0]["message"], PWNED_MESSAGE);
    assert_eq!(body["errors"][0]["long_message"], PWNED_MESSAGE);
}

async fn stored_user(app: &App, id: &str) -> usher_core::users::User {
    let s = &app.running.state;
    s.store
        .get_user(&s.instance.id, &usher_core::ids::UserId::parse(id).unwrap())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn backend_api_refuses_breached_passwords_unless_checks_are_skipped() {
    let app = spawn_app().await;
    for p in ["password123", "Password123", "QWERTY123"] {
        assert_pwned(
            &app.post(
                "/v1/users",
                json!({"email_address": ["pwned@pw.test"], "password": p}),
            )
            .await,
        );
    }
    let u = app
        .post(
            "/v1/users",
            json!({"email_address": ["pwned@pw.test"], "password": "password123", "skip_password_checks": true}),
        )
        .await
        .ok()
        .clone();
    let id = u["id"].as_str().unwrap();
    assert_eq!(u["password_enabled"], true);

    assert_pwned(&app.set_password(id, "iloveyou1").await);
    app.patch(
        &format!("/v1/users/{id}"),
        json!({"password": "iloveyou1", "skip_password_checks": true}),
    )
    .await
    .ok();
    app.set_password(id, "v9#Tq-ruddy-kestrel-41").await.ok();
    app.verify_password(id, "v9#Tq-ruddy-kestrel-41").await.ok();
}

#[tokio::test]
async fn frontend_api_sign_up_reset_and_change_refuse_breached_passwords() {
    let app = spawn_app().await;
    let mut fapi = dev_tab(&app).await;

    let env = fapi.get("/v1/environment").await;
    assert_eq!(
        env.ok()["user_settings"]["password_settings"]["disable_hibp"],
        false
    );

    assert_pwned(
        &fapi
            .post(
                "/v1/client/sign_ups",
                &[
                    ("email_address", "new+clerk_test@pw.test"),
                    ("password", "Password1"),
                ],
            )
            .await,
    );

    // A password reset and a password change check the new password too.
    let email = "reset+clerk_test@pw.test";
    let u = app.create_user(email).await;
    let si = fapi.start_sign_in(email).await;
    let r = email_code(&mut fapi, &si, "reset_password_email_code").await;
    assert_eq!(r.ok()["response"]["status"], "needs_new_password");
    let reset = format!("/v1/client/sign_ins/{si}/reset_password");
    assert_pwned(&fapi.post(&reset, &[("password", "sunshine1")]).await);
    let r = fapi
        .post(&reset, &[("password", "a-fresh-passphrase-7")])
        .await;
    let done = &r.ok()["response"];
    assert_eq!(done["status"], "complete", "{}", r.raw);
    let session = done["created_session_id"].as_str().unwrap();

    let change = format!("/v1/me/change_password?_clerk_session_id={session}");
    assert_pwned(
        &fapi
            .post(
                &change,
                &[
                    ("current_password", "a-fresh-passphrase-7"),
                    ("new_password", "letmein1"),
                ],
            )
            .await,
    );
    fapi.post(
        &change,
        &[
            ("current_password", "a-fresh-passphrase-7"),
            ("new_password", "another-fresh-one-8"),
        ],
    )
    .await
    .ok();
    let id = u["id"].as_str().unwrap();
    app.verify_password(id, "another-fresh-one-8").await.ok();
}

#[tokio::test]
async fn set_and_unset_compromised_return_the_user_with_event_and_audit() {
    let app = spawn_app().await;
    let u = app.create_user("mark@pw.test").await;
    let id = u["id"].as_str().unwrap();
    let kept = app.create_session(id).await;
    let kept_id = kept["id"].as_str().unwrap();

    // Without revoke_all_sessions the sessions stay.
    let r = app
        .post(
            &format!("/v1/users/{id}/password/set_compromised"),
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["id"], id);
    assert_eq!(r.ok()["object"], "user");
    assert!(stored_user(&app, id).await.password_compromised);
    assert_eq!(
        app.get(&format!("/v1/sessions/{kept_id}")).await.ok()["status"],
        "active"
    );

    let r = app
        .post_empty(&format!("/v1/users/{id}/password/unset_compromised"))
        .await;
    assert_eq!(r.ok()["id"], id);
    assert!(!stored_user(&app, id).await.password_compromised);

    // With it, every session is revoked in the same change.
    app.post(
        &format!("/v1/users/{id}/password/set_compromised"),
        json!({"revoke_all_sessions": true}),
    )
    .await
    .ok();
    assert!(stored_user(&app, id).await.password_compromised);
    assert_eq!(
        app.get(&format!("/v1/sessions/{kept_id}")).await.ok()["status"],
        "revoked"
    );

    let types = app.event_types().await;
    assert_eq!(
        types,
        [
            "user.created",
            "session.created",
            "user.updated",
            "user.updated",
            "session.revoked",
            "user.updated",
        ]
    );
    let s = &app.running.state;
    let log = s.store.audit_log(&s.instance.id, 10).await.unwrap();
    let actions: Vec<&str> = log.iter().rev().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "user.create",
            "session.create",
            "user.password.set_compromised",
            "user.password.unset_compromised",
            "user.password.set_compromised",
        ]
    );
    assert_eq!(log[0].target_id.as_deref(), Some(id));

    // Refusals: unknown fields, unknown users, users without a password.
    app.post(
        &format!("/v1/users/{id}/password/set_compromised"),
        json!({"revoke": true}),
    )
    .await
    .err(422, "form_param_unknown");
    app.post(
        &format!("/v1/users/{id}/password/unset_compromised"),
        json!({"revoke_all_sessions": true}),
    )
    .await
    .err(422, "form_param_unknown");
    app.post(
        "/v1/users/user_2zzzzzzzzzzzzzzzzzzzzzzzzzz/password/set_compromised",
        json!({}),
    )
    .await
    .err(404, "resource_not_found");
    let nopw = app.create_user_without_password("nopw@pw.test").await;
    app.post(
        &format!(
            "/v1/users/{}/password/set_compromised",
            nopw["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await
    .err(400, "no_password_set");

    // Any new password clears the mark.
    app.set_password(id, "v9#Tq-ruddy-kestrel-41").await.ok();
    assert!(!stored_user(&app, id).await.password_compromised);
}

#[tokio::test]
async fn a_compromised_password_cannot_sign_in_until_it_is_reset() {
    let app = spawn_app().await;
    let email = "victim+clerk_test@pw.test";
    let u = app.create_user(email).await;
    let id = u["id"].as_str().unwrap();
    app.post(
        &format!("/v1/users/{id}/password/set_compromised"),
        json!({}),
    )
    .await
    .ok();

    let mut fapi = dev_tab(&app).await;
    let si = fapi.start_sign_in(email).await;
    // A wrong password is still just incorrect.
    fapi.attempt_password(&si, "wrong-horse-9")
        .await
        .err(422, "form_password_incorrect");
    // The right one is refused as compromised, and is not counted as a failed attempt.
    let r = fapi.attempt_password(&si, "correct-horse-9").await;
    r.err(422, "form_password_compromised");
    assert_eq!(r.param(), "password");
    assert!(
        r.body["errors"][0]["long_message"]
            .as_str()
            .unwrap()
            .contains("reset your password")
    );
    assert_eq!(stored_user(&app, id).await.failed_verification_attempts, 1);
    // Nor does signing in with the password in one step create a session.
    fapi.post(
        "/v1/client/sign_ins",
        &[
            ("identifier", email),
            ("strategy", "password"),
            ("password", "correct-horse-9"),
        ],
    )
    .await
    .err(422, "form_password_compromised");
    let s = &app.running.state;
    assert!(
        s.store
            .live_sessions_of_user(&s.instance.id, &usher_core::ids::UserId::parse(id).unwrap())
            .await
            .unwrap()
            .is_empty()
    );

    // An emailed sign-in code proves the user, who must then set a new password.
    let si = fapi.start_sign_in(email).await;
    let r = email_code(&mut fapi, &si, "email_code").await;
    let si_json = &r.ok()["response"];
    assert_eq!(si_json["status"], "needs_new_password", "{}", r.raw);
    assert!(si_json["created_session_id"].is_null());

    // The reset code leads there too; the new password must pass the policy.
    let si = fapi.start_sign_in(email).await;
    let r = email_code(&mut fapi, &si, "reset_password_email_code").await;
    assert_eq!(r.ok()["response"]["status"], "needs_new_password");
    let reset = format!("/v1/client/sign_ins/{si}/reset_password");
    assert_pwned(&fapi.post(&reset, &[("password", "password1")]).await);
    let r = fapi
        .post(&reset, &[("password", "a-fresh-passphrase-7")])
        .await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
    let user = stored_user(&app, id).await;
    assert!(!user.password_compromised);
    assert_eq!(user.failed_verification_attempts, 0);

    // The new password signs in again (on another browser).
    let mut other = dev_tab(&app).await;
    let si = other.start_sign_in(email).await;
    let r = other.attempt_password(&si, "a-fresh-passphrase-7").await;
    assert_ne!(r.ok()["response"]["status"], "needs_first_factor");
}
