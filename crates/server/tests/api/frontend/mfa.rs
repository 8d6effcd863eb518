//! TOTP and backup codes, enrolled through `/v1/me` and used at sign-in.

use super::*;

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
    b.prepare_second_factor(&id, "totp").await.ok();
    // The step used to enrol cannot be used again.
    let before = env.snapshot().await;
    b.attempt_second_factor(&id, "totp", &code)
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
    let r = b.attempt_second_factor(&id, "totp", &next).await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
    let sid = r.body["response"]["created_session_id"].as_str().unwrap();
    assert_eq!(env.session(sid).await["status"], "active");
    b.session_id = Some(sid.to_owned());
    b.sign_out().await;

    // A backup code works once.
    let si = b.sign_in_password(email).await;
    assert_eq!(si["status"], "needs_second_factor");
    let id = si["id"].as_str().unwrap();
    let r = b.attempt_second_factor(id, "backup_code", &backup[0]).await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
    b.session_id = r.body["response"]["created_session_id"]
        .as_str()
        .map(str::to_owned);
    b.sign_out().await;

    let si = b.sign_in_password(email).await;
    let id = si["id"].as_str().unwrap();
    let before = env.snapshot().await;
    b.attempt_second_factor(id, "backup_code", &backup[0])
        .await
        .err(422, "form_code_incorrect");
    assert_eq!(env.snapshot().await.sessions, before.sessions);
    // The TOTP code just used cannot complete this sign-in either.
    b.attempt_second_factor(id, "totp", &next)
        .await
        .err(422, "form_code_incorrect");
    assert_eq!(env.snapshot().await.sessions, before.sessions);
    let r = b.attempt_second_factor(id, "backup_code", &backup[1]).await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
}
