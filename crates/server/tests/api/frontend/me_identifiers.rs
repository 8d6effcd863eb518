//! `/v1/me/email_addresses…` and `/v1/me/phone_numbers…` as `<UserProfile/>` drives them: an
//! identifier added, verified with the code that was really sent (read back from `/v1/emails`
//! and `/v1/sms_messages`), wrong and expired codes, primary switching, removal, the other
//! sessions signed out after a primary email change, and test numbers on development only.

use super::*;

/// The code in the newest text message to `number`.
async fn texted_code(env: &Env, number: &str) -> String {
    let r = env
        .bapi_get(&format!("/v1/sms_messages?phone_number={}", pct(number)))
        .await;
    let list = r.ok().clone();
    let first = &list["data"][0];
    assert_eq!(first["object"], "sms_message", "{list}");
    assert_eq!(first["to_phone_number"], number);
    assert_eq!(first["delivered_by_clerk"], false);
    let code = first["data"]["otp_code"].as_str().unwrap().to_owned();
    assert!(first["message"].as_str().unwrap().contains(&code));
    code
}

async fn sms_count(env: &Env, number: &str) -> u64 {
    let r = env
        .bapi_get(&format!("/v1/sms_messages?phone_number={}", pct(number)))
        .await;
    r.ok()["total_count"].as_u64().unwrap()
}

/// Adds `number` in the profile and asks for its code: the phone number's id.
async fn add_number_and_send_code(b: &mut Browser, number: &str) -> String {
    let r = b
        .post("/v1/me/phone_numbers", &[("phone_number", number)])
        .await;
    let id = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    b.post(
        &format!("/v1/me/phone_numbers/{id}/prepare_verification"),
        &[("strategy", "phone_code")],
    )
    .await
    .ok();
    id
}

#[tokio::test]
async fn an_email_is_added_verified_made_primary_and_other_sessions_end() {
    // Development: the Backend API opens the second session.
    let env = spawn(Kind::Development).await;
    let (mut b, user_id, sid, other_sid) = env.signed_in_twice("nadia@example.com").await;

    let r = b
        .post(
            "/v1/me/email_addresses",
            &[("email_address", "nadia@work.example")],
        )
        .await;
    let e = r.ok()["response"].clone();
    assert_eq!(e["object"], "email_address");
    assert_eq!(
        e["verification"],
        serde_json::Value::Null,
        "none until a code is sent"
    );
    assert_eq!(r.body["client"]["object"], "client");
    let id = e["id"].as_str().unwrap().to_owned();

    // Unverified: it cannot become primary.
    b.patch("/v1/me", &[("primary_email_address_id", &id)])
        .await
        .err(422, "form_param_value_invalid");

    let r = b
        .post(
            &format!("/v1/me/email_addresses/{id}/prepare_verification"),
            &[("strategy", "phone_code")],
        )
        .await;
    r.err(422, "strategy_for_user_invalid");
    let r = b
        .post(
            &format!("/v1/me/email_addresses/{id}/prepare_verification"),
            &[("strategy", "email_code")],
        )
        .await;
    let v = &r.ok()["response"]["verification"];
    assert_eq!(v["status"], "unverified");
    assert_eq!(v["strategy"], "email_code");
    assert_eq!(v["attempts"], 0);
    let code = env.code_for("nadia@work.example").await;

    let r = b
        .post(
            &format!("/v1/me/email_addresses/{id}/attempt_verification"),
            &[("code", &wrong(&code))],
        )
        .await;
    r.err(422, "form_code_incorrect");
    let r = b.get(&format!("/v1/me/email_addresses/{id}")).await;
    assert_eq!(r.ok()["response"]["verification"]["attempts"], 1);

    let r = b
        .post(
            &format!("/v1/me/email_addresses/{id}/attempt_verification"),
            &[("code", &code)],
        )
        .await;
    let v = &r.ok()["response"]["verification"];
    assert_eq!(v["status"], "verified", "{}", r.raw);
    assert_eq!(v["strategy"], "email_code");

    let r = b.get("/v1/me/email_addresses").await;
    assert_eq!(r.ok()["response"].as_array().unwrap().len(), 2);

    // Made primary: the other session ends, this one stays.
    make_primary(&env, &mut b, &id, &sid, &other_sid).await;
    assert_eq!(
        env.user(&user_id).await["primary_email_address_id"],
        id.as_str()
    );

    // Another user's address id is not the user's.
    let mut stranger = env.browser();
    stranger.sign_up(&env, "omar@example.com", None).await;
    stranger
        .get(&format!("/v1/me/email_addresses/{id}"))
        .await
        .err(404, "resource_not_found");
    stranger
        .post(
            "/v1/me/email_addresses",
            &[("email_address", "NADIA@work.example")],
        )
        .await
        .err(422, "form_identifier_exists");

    // The old address is removed; the primary one cannot be the last.
    let old = env.user(&user_id).await["email_addresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] != id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = b.delete(&format!("/v1/me/email_addresses/{old}")).await;
    assert_eq!(r.ok()["response"]["deleted"], true);
    b.delete(&format!("/v1/me/email_addresses/{id}"))
        .await
        .err(400, "identification_deletion_failed");
    let types = env.event_types().await;
    assert!(types.iter().any(|t| t == "email.created"));
    assert!(types.iter().any(|t| t == "session.revoked"));
}

#[tokio::test]
async fn codes_expire_and_wrong_ones_spend_them() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    b.sign_up(&env, "pia@example.com", None).await;
    let r = b
        .post(
            "/v1/me/email_addresses",
            &[("email_address", "pia@work.example")],
        )
        .await;
    let id = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    let prepare = format!("/v1/me/email_addresses/{id}/prepare_verification");
    let attempt = format!("/v1/me/email_addresses/{id}/attempt_verification");
    b.post(&prepare, &[("strategy", "email_code")]).await.ok();
    let code = env.code_for("pia@work.example").await;
    env.clock.advance(11 * MINUTE);
    b.post(&attempt, &[("code", &code)])
        .await
        .err(422, "verification_expired");

    b.post(&prepare, &[("strategy", "email_code")]).await.ok();
    let code = env.code_for("pia@work.example").await;
    for _ in 0..3 {
        b.post(&attempt, &[("code", &wrong(&code))])
            .await
            .err(422, "form_code_incorrect");
    }
    b.post(&attempt, &[("code", &code)])
        .await
        .err(422, "verification_failed");
    let r = b.get(&format!("/v1/me/email_addresses/{id}")).await;
    assert_eq!(r.ok()["response"]["verification"]["status"], "failed");
}

#[tokio::test]
async fn a_phone_is_verified_with_the_texted_code_and_codes_are_limited() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let (user_id, _) = b.sign_up(&env, "quinn@example.com", None).await;
    let number = "+14155550142";
    let r = b
        .post(
            "/v1/me/phone_numbers",
            &[("phone_number", "+1 415 555 0142")],
        )
        .await;
    let p = r.ok()["response"].clone();
    assert_eq!(p["object"], "phone_number");
    assert_eq!(p["phone_number"], number);
    let id = p["id"].as_str().unwrap().to_owned();
    let prepare = format!("/v1/me/phone_numbers/{id}/prepare_verification");

    let r = b.post(&prepare, &[("strategy", "phone_code")]).await;
    assert_eq!(r.ok()["response"]["verification"]["strategy"], "phone_code");
    let code = texted_code(&env, number).await;
    let events = env.events().await;
    let sms = events
        .iter()
        .find(|e| e.event_type == "sms.created")
        .expect("sms.created");
    assert_eq!(sms.data["object"], "sms_message");
    assert_eq!(sms.data["to_phone_number"], number);
    assert_eq!(sms.data["phone_number_id"], id.as_str());
    assert_eq!(sms.data["user_id"], user_id.as_str());

    let r = b
        .post(
            &format!("/v1/me/phone_numbers/{id}/attempt_verification"),
            &[("code", &code)],
        )
        .await;
    assert_eq!(r.ok()["response"]["verification"]["status"], "verified");
    assert_eq!(r.ok()["response"]["verification"]["strategy"], "phone_code");

    let r = b
        .patch(
            &format!("/v1/me/phone_numbers/{id}"),
            &[("reserved_for_second_factor", "true")],
        )
        .await;
    assert_eq!(r.ok()["response"]["reserved_for_second_factor"], true);
    assert_eq!(r.ok()["response"]["default_second_factor"], true);
    let r = b.patch("/v1/me", &[("primary_phone_number_id", &id)]).await;
    assert_eq!(r.ok()["response"]["primary_phone_number_id"], id.as_str());

    // Five codes an hour to one number.
    let r = b
        .post("/v1/me/phone_numbers", &[("phone_number", "+14155550143")])
        .await;
    let id2 = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    let prepare = format!("/v1/me/phone_numbers/{id2}/prepare_verification");
    for _ in 0..5 {
        b.post(&prepare, &[("strategy", "phone_code")]).await.ok();
    }
    let r = b.post(&prepare, &[("strategy", "phone_code")]).await;
    r.err(429, "too_many_requests");
    assert_eq!(sms_count(&env, "+14155550143").await, 5);
    env.clock.advance(61 * MINUTE);
    b.post(&prepare, &[("strategy", "phone_code")]).await.ok();
    assert_eq!(sms_count(&env, "+14155550143").await, 6);

    let r = b.delete(&format!("/v1/me/phone_numbers/{id2}")).await;
    assert_eq!(r.ok()["response"]["object"], "phone_number");
    b.get(&format!("/v1/me/phone_numbers/{id2}"))
        .await
        .err(404, "resource_not_found");
}

#[tokio::test]
async fn test_numbers_take_424242_on_development_instances_only() {
    let env = spawn(Kind::Development).await;
    let mut b = env.browser();
    b.sign_up(&env, "rosa@example.com", None).await;
    let number = "+12015550177";
    let id = add_number_and_send_code(&mut b, number).await;
    assert_eq!(sms_count(&env, number).await, 0, "nothing is sent");
    let r = b
        .post(
            &format!("/v1/me/phone_numbers/{id}/attempt_verification"),
            &[("code", "424242")],
        )
        .await;
    assert_eq!(r.ok()["response"]["verification"]["status"], "verified");

    // On a production instance the same number gets a real code.
    let prod = spawn(Kind::Production).await;
    let mut b = prod.browser();
    b.sign_up(&prod, "rosa@example.com", None).await;
    let id = add_number_and_send_code(&mut b, number).await;
    assert_eq!(sms_count(&prod, number).await, 1);
    let code = texted_code(&prod, number).await;
    if code != "424242" {
        b.post(
            &format!("/v1/me/phone_numbers/{id}/attempt_verification"),
            &[("code", "424242")],
        )
        .await
        .err(422, "form_code_incorrect");
    }
}
