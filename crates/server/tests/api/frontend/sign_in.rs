//! Sign-in: refusals of unknown identifiers, wrong passwords and codes, single-use and
//! spent codes; test-mode codes on development instances only.

use super::*;

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
    let r = b.attempt_password(&id, "Not-the-password-1").await;
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
    let id = b.start_sign_up("olga2@example.com").await;
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
    other.prepare_sign_up(&id, "email_code").await.ok();
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
    b.prepare_first_factor(&id, "email_code").await.ok();
    assert!(dev.emails_to(email).await.is_empty());
    let r = b.attempt_email_code(&id, "424242").await;
    assert_eq!(r.ok()["response"]["status"], "complete");

    // Production: 424242 is just a wrong code, and a real email is sent.
    let prod = spawn(Kind::Production).await;
    let mut b = prod.browser();
    let id = b.start_sign_up(email).await;
    let emails = prod.emails_to(email).await;
    assert_eq!(emails.len(), 1);
    let code = prod.code_for(email).await;
    if code != "424242" {
        let before = prod.snapshot().await;
        b.attempt_sign_up_code(&id, "424242")
            .await
            .err(422, "form_code_incorrect");
        let after = prod.snapshot().await;
        assert_eq!(after.users, before.users);
        assert_eq!(after.sessions, before.sessions);
        assert_eq!(after.users, json!([]));
    }
    let r = b.attempt_sign_up_code(&id, &code).await;
    assert_eq!(r.ok()["response"]["status"], "complete");
}
