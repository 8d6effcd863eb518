//! A new device by API version (Client Trust): a second factor to clerk-js 5, `needs_client_trust`
//! to clerk-js 6, with the same limits.

use super::*;

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
    let r = b.attempt_password(&id, PASSWORD).await;
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
        b.clerk_js = Some(clerk_js);
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
            .attempt_second_factor(&id, "email_code", &wrong(&code))
            .await;
        r.err(422, "form_code_incorrect");
        let c = b.client().await;
        assert_eq!(c["response"]["sign_in"]["status"], expected, "{c}");
        assert_eq!(c["response"]["sessions"], json!([]));

        let r = b.attempt_second_factor(&id, "email_code", &code).await;
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
    old.clerk_js = Some(CLERK_JS_5);
    let (id, _) = password_on_a_new_device(&mut old, email, "needs_second_factor").await;
    // The same client, asked by clerk-js 6: the stored attempt is unchanged, only its shape.
    let mut new = env.browser();
    new.jar = old.jar.clone();
    new.clerk_js = Some(CLERK_JS_6);
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
        b.clerk_js = Some(clerk_js);
        let (id, email_id) = password_on_a_new_device(&mut b, email, expected).await;
        // Attempting before preparing is refused and sends nothing.
        let before = env.emails_to(email).await.len();
        b.attempt_second_factor(&id, "email_code", "123456")
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
            b.attempt_second_factor(&id, "email_code", &wrong(&code))
                .await
                .err(422, "form_code_incorrect");
        }
        let r = b.attempt_second_factor(&id, "email_code", &code).await;
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
