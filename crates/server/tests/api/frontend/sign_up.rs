//! Sign-up on a production instance: the email verified by code, then a session.

use super::*;

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
    let r = b.prepare_sign_up(id, "email_code").await;
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
    let r = b.attempt_sign_up(id, "email_code", &code).await;
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
    let r = b.attempt_sign_up(id, "email_code", &code).await;
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
    b.request_token(&sid).await.ok();
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
