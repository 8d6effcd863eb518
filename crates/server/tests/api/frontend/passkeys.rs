//! Passkeys through the real Frontend and Backend APIs, with a software authenticator as the
//! browser's peer: registered from the profile (off until the instance enables them), signed in
//! with (no identifier: the button and autofill), renamed and deleted. Refused: an answer for
//! another origin or RP ID, a spent challenge, a replayed assertion, a deleted passkey.

use super::passkey_steps::*;
use super::*;

#[tokio::test]
async fn passkeys_register_sign_in_and_are_deleted() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let (user_id, _) = b.sign_up(&env, "pia@example.com", None).await;

    // Off by default, as on Clerk: refused, and the environment offers none.
    b.post("/v1/me/passkeys", &[])
        .await
        .err(403, "not_allowed_access");
    let environment = env.environment().await;
    assert_eq!(
        environment["user_settings"]["attributes"]["passkey"]["enabled"],
        false
    );
    enable_passkeys(&env).await;
    let environment = env.environment().await;
    let settings = &environment["user_settings"];
    assert_eq!(settings["attributes"]["passkey"]["enabled"], true);
    assert_eq!(settings["passkey_settings"]["allow_autofill"], true);
    assert_eq!(settings["passkey_settings"]["show_sign_in_button"], true);

    // The creation options name the page's host as the RP and ask for a discoverable,
    // user-verified credential.
    let (id, nonce) = create(&mut b).await;
    let options: Value = serde_json::from_str(&nonce).unwrap();
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "required"
    );

    // An answer made for another origin is refused, and spends the challenge: the right answer
    // afterwards is refused too.
    let evil = Page {
        origin: EVIL.into(),
        ..page()
    };
    let (_, wrong_origin) = register_passkey(&nonce, &evil);
    verify(&mut b, &id, &wrong_origin)
        .await
        .err(422, "verification_failed");
    let (_, late) = register_passkey(&nonce, &page());
    verify(&mut b, &id, &late)
        .await
        .err(422, "verification_expired");
    // Signed for another RP ID: refused.
    let (id, nonce) = create(&mut b).await;
    let other_rp = Page {
        rp_id: "evil.test".into(),
        ..page()
    };
    let (_, wrong_rp) = register_passkey(&nonce, &other_rp);
    verify(&mut b, &id, &wrong_rp)
        .await
        .err(422, "verification_failed");
    // Not JSON: a 422 naming the parameter.
    let (id, _) = create(&mut b).await;
    let r = verify(&mut b, &id, "{not json").await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.param(), "public_key_credential");

    // Registered, with a new challenge (any answer spends one).
    let (id, nonce) = create(&mut b).await;
    let (mut cred, answer) = register_passkey(&nonce, &page());
    let r = verify(&mut b, &id, &answer).await;
    let p = &r.ok()["response"];
    assert_eq!(p["verification"]["status"], "verified", "{}", r.raw);
    assert_eq!(p["name"], "Passkey");
    let user = env.user(&user_id).await;
    assert_eq!(user["passkeys"].as_array().unwrap().len(), 1, "{user}");
    assert_eq!(user["passkeys"][0]["id"], id);
    assert_eq!(user["passkeys"][0]["object"], "passkey");
    assert_eq!(user["passkeys"][0]["last_used_at"], Value::Null);
    // Renamed (an empty name is refused).
    let path = format!("/v1/me/passkeys/{id}");
    b.patch(&path, &[("name", " ")])
        .await
        .err(422, "form_param_value_invalid");
    let r = b.patch(&path, &[("name", "Work laptop")]).await;
    assert_eq!(r.ok()["response"]["name"], "Work laptop");
    assert_eq!(
        env.user(&user_id).await["passkeys"][0]["name"],
        "Work laptop"
    );

    // Signed in with it, from a fresh browser and no identifier.
    let mut other = env.browser();
    let (sign_in, options) = start_sign_in(&mut other).await;
    let assertion = cred.assert(&options, &page());
    let r = attempt(&mut other, &sign_in, &assertion).await;
    let si = &r.ok()["response"];
    assert_eq!(si["status"], "complete", "{}", r.raw);
    assert!(si["created_session_id"].as_str().is_some());
    let user = env.user(&user_id).await;
    assert_eq!(user["passkeys"][0]["last_used_at"], T0, "{user}");
    // The same assertion again, on a new sign-in, is refused (another challenge).
    let mut third = env.browser();
    let (sign_in, _) = start_sign_in(&mut third).await;
    attempt(&mut third, &sign_in, &assertion)
        .await
        .err(422, "verification_failed");
    // The challenge is spent by that refusal: a good answer to it is refused too.
    let (sign_in, options) = start_sign_in(&mut third).await;
    let good = cred.assert(&options, &page());
    let wrong = cred.assert(&options, &other_rp);
    attempt(&mut third, &sign_in, &wrong)
        .await
        .err(422, "verification_failed");
    attempt(&mut third, &sign_in, &good)
        .await
        .err(422, "verification_failed");

    // Deleted over the Backend API: gone from the user, and it signs nobody in.
    let r = env
        .bapi(
            reqwest::Method::DELETE,
            &format!("/v1/users/{user_id}/passkeys/{id}"),
            None,
        )
        .await;
    assert_eq!(r.ok()["object"], "passkey");
    assert_eq!(r.ok()["deleted"], true);
    assert_eq!(env.user(&user_id).await["passkeys"], json!([]));
    env.bapi(
        reqwest::Method::DELETE,
        &format!("/v1/users/{user_id}/passkeys/{id}"),
        None,
    )
    .await
    .err(404, "resource_not_found");
    let (sign_in, options) = start_sign_in(&mut third).await;
    let after = cred.assert(&options, &page());
    attempt(&mut third, &sign_in, &after)
        .await
        .err(422, "verification_failed");
}

#[tokio::test]
async fn a_user_deletes_a_passkey_from_the_profile() {
    let env = spawn(Kind::Production).await;
    enable_passkeys(&env).await;
    let mut b = env.browser();
    let (user_id, _) = b.sign_up(&env, "paul@example.com", None).await;
    let (id, nonce) = create(&mut b).await;
    let (_, answer) = register_passkey(&nonce, &page());
    verify(&mut b, &id, &answer).await.ok();
    // Someone else's browser does not find it.
    let mut stranger = env.browser();
    stranger
        .delete(&format!("/v1/me/passkeys/{id}"))
        .await
        .err(401, "signed_out");
    let r = b.delete(&format!("/v1/me/passkeys/{id}")).await;
    assert_eq!(r.ok()["response"]["deleted"], true, "{}", r.raw);
    assert_eq!(env.user(&user_id).await["passkeys"], json!([]));
    b.delete(&format!("/v1/me/passkeys/{id}"))
        .await
        .err(404, "resource_not_found");
}
