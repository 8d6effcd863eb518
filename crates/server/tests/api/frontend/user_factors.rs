//! The Backend API's operations on a user's second factors and password: `verify_totp`,
//! `DELETE …/totp`, `…/backup_code`, `…/mfa` and `remove_password`, on a user who enrolled TOTP
//! through `/v1/me`.

use reqwest::Method;
use usher_core::clock::Clock;

use super::*;

async fn user_updates(env: &Env, user_id: &str) -> usize {
    env.events()
        .await
        .iter()
        .filter(|e| e.event_type == "user.updated" && e.data["id"] == user_id)
        .count()
}

async fn audit_actions(env: &Env) -> Vec<String> {
    let s = &env.app.running.state;
    let audit = s.store.audit_log(&s.instance.id, 200).await.unwrap();
    audit.into_iter().map(|a| a.action).collect()
}

#[tokio::test]
async fn second_factors_and_password_through_the_backend_api() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let email = "grace@example.com";
    let (user_id, sid) = b.sign_up(&env, email, None).await;
    let base = format!("/v1/users/{user_id}");

    // Without TOTP or backup codes there is nothing to check against.
    env.bapi(
        Method::POST,
        &format!("{base}/verify_totp"),
        Some(json!({"code": "123456"})),
    )
    .await
    .err(400, "totp_not_enabled");
    // Removing what is not there changes nothing and tells no one.
    for path in ["mfa", "totp", "backup_code"] {
        let r = env
            .bapi(Method::DELETE, &format!("{base}/{path}"), None)
            .await;
        assert_eq!(r.ok(), &json!({"user_id": user_id}));
    }
    let actions = audit_actions(&env).await;
    assert!(
        !actions.iter().any(|a| a.starts_with("user.")),
        "{actions:?}"
    );
    assert_eq!(env.session(&sid).await["status"], "active");

    // Enrol TOTP (with backup codes) through /v1/me.
    let secret = b.post("/v1/me/totp", &[]).await.ok()["response"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    env.clock.advance(MINUTE);
    let enrol = totp_code(&secret, T0 + MINUTE);
    let r = b
        .post("/v1/me/totp/attempt_verification", &[("code", &enrol)])
        .await;
    let backup: Vec<String> = r.ok()["response"]["backup_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();

    let verify = format!("{base}/verify_totp");
    let check = |code: String| {
        let env = &env;
        let verify = verify.clone();
        async move {
            env.bapi(Method::POST, &verify, Some(json!({"code": code})))
                .await
        }
    };
    check(wrong(&enrol)).await.err(422, "form_code_incorrect");
    // The step spent enrolling is not accepted again; the next one is, once.
    check(enrol.clone()).await.err(422, "form_code_incorrect");
    env.clock.advance(totp::STEP_SECS * 1000);
    let next = totp_code(&secret, T0 + MINUTE + totp::STEP_SECS * 1000);
    let r = check(next.clone()).await;
    assert_eq!(r.ok(), &json!({"verified": true, "code_type": "totp"}));
    check(next).await.err(422, "form_code_incorrect");
    // A backup code is consumed.
    let r = check(backup[0].clone()).await;
    assert_eq!(
        r.ok(),
        &json!({"verified": true, "code_type": "backup_code"})
    );
    check(backup[0].clone())
        .await
        .err(422, "form_code_incorrect");
    env.bapi(Method::POST, &verify, Some(json!({})))
        .await
        .err(422, "form_param_missing");

    // Deleting the TOTP keeps the backup codes; the user's sessions end with it (the instance
    // signs users out on a security change by default).
    let before = user_updates(&env, &user_id).await;
    let r = env
        .bapi(Method::DELETE, &format!("{base}/totp"), None)
        .await;
    assert_eq!(r.ok(), &json!({"user_id": user_id}));
    let u = env.user(&user_id).await;
    assert_eq!(u["totp_enabled"], false);
    assert_eq!(u["backup_code_enabled"], true);
    assert_eq!(u["two_factor_enabled"], true);
    assert!(user_updates(&env, &user_id).await > before);
    assert_eq!(env.session(&sid).await["status"], "revoked");
    // The remaining backup codes still verify.
    let r = check(backup[1].clone()).await;
    assert_eq!(r.ok()["code_type"], "backup_code");

    let r = env
        .bapi(Method::DELETE, &format!("{base}/backup_code"), None)
        .await;
    assert_eq!(r.ok(), &json!({"user_id": user_id}));
    let u = env.user(&user_id).await;
    assert_eq!(u["backup_code_enabled"], false);
    assert_eq!(u["two_factor_enabled"], false);
    check(backup[2].clone()).await.err(400, "totp_not_enabled");

    // Disabling MFA takes TOTP and backup codes at once.
    b.sign_out().await;
    let mut b = env.browser();
    let si = b.start_sign_in(email).await;
    let code = b.prepare_email_code(&env, &si, email).await;
    let r = b.attempt_email_code(&si, &code).await;
    b.session_id = r.ok()["response"]["created_session_id"]
        .as_str()
        .map(str::to_owned);
    let secret = b.post("/v1/me/totp", &[]).await.ok()["response"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = env.clock.now_ms();
    b.post(
        "/v1/me/totp/attempt_verification",
        &[("code", &totp_code(&secret, now))],
    )
    .await
    .ok();
    // …and a phone number kept for a second factor, which stays an identifier of the user.
    let body = json!({"user_id": user_id, "phone_number": "+14155550123", "verified": true,
        "reserved_for_second_factor": true});
    let r = env
        .bapi(Method::POST, "/v1/phone_numbers", Some(body))
        .await;
    assert_eq!(r.ok()["reserved_for_second_factor"], true, "{}", r.raw);
    let r = env.bapi(Method::DELETE, &format!("{base}/mfa"), None).await;
    assert_eq!(r.ok(), &json!({"user_id": user_id}));
    let u = env.user(&user_id).await;
    assert_eq!(u["totp_enabled"], false);
    assert_eq!(u["backup_code_enabled"], false);
    assert_eq!(u["two_factor_enabled"], false);
    assert_eq!(u["phone_numbers"][0]["phone_number"], "+14155550123");
    assert_eq!(u["phone_numbers"][0]["reserved_for_second_factor"], false);
    assert_eq!(u["phone_numbers"][0]["default_second_factor"], false);

    // Removing the password (set at sign-up), signing the user out.
    let remove = format!("{base}/remove_password");
    let mut b = env.browser();
    let si = b.start_sign_in(email).await;
    let code = b.prepare_email_code(&env, &si, email).await;
    let r = b.attempt_email_code(&si, &code).await;
    let sid = r.ok()["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(env.session(&sid).await["status"], "active");
    let r = env
        .bapi(
            Method::POST,
            &remove,
            Some(json!({"sign_out_of_other_sessions": true})),
        )
        .await;
    assert_eq!(r.ok()["object"], "user");
    assert_eq!(r.body["password_enabled"], false);
    assert_eq!(env.session(&sid).await["status"], "revoked");
    // A user without one is returned unchanged, and nothing is written.
    let r = env.bapi(Method::POST, &remove, None).await;
    assert_eq!(r.ok()["password_enabled"], false);
    let actions = audit_actions(&env).await;
    let removals = actions.iter().filter(|a| *a == "user.password.remove");
    assert_eq!(removals.count(), 1, "{actions:?}");
    env.bapi(
        Method::POST,
        &format!("{base}/verify_password"),
        Some(json!({"password": "correct horse battery staple"})),
    )
    .await
    .err(400, "no_password_set");
    env.bapi(Method::POST, &remove, Some(json!({"sign_out": true})))
        .await
        .err(422, "form_param_unknown");

    // Unknown users.
    for (method, path) in [
        (Method::DELETE, "mfa"),
        (Method::DELETE, "totp"),
        (Method::DELETE, "backup_code"),
        (Method::POST, "remove_password"),
    ] {
        env.bapi(method, &format!("/v1/users/user_nope/{path}"), None)
            .await
            .err(404, "resource_not_found");
    }

    let actions = audit_actions(&env).await;
    for a in [
        "user.totp.delete",
        "user.backup_codes.delete",
        "user.mfa.disable",
        "user.totp.verify",
        "user.backup_code.consume",
        "user.password.remove",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a}: {actions:?}");
    }
}
