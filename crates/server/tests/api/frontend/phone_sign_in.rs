//! Phone numbers as a way in: `phone_code` as a first factor (a test number with 424242, a
//! real-format number with the code read back from `/v1/sms_messages`), as a second factor
//! after a password, wrong codes and their limit, and a number nobody has under enumeration
//! protection.

use super::*;

/// The code in the newest text to `number`, and how many texts it has had.
async fn texted(env: &Env, number: &str) -> (String, u64) {
    let r = env
        .bapi_get(&format!("/v1/sms_messages?phone_number={}", pct(number)))
        .await;
    let list = r.ok().clone();
    let total = list["total_count"].as_u64().unwrap();
    let code = list["data"][0]["data"]["otp_code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (code, total)
}

/// A user made over the Backend API with an email address, `phone` and the test password.
async fn user_with_phone(env: &Env, email: &str, phone: &str) -> Value {
    let body = json!({
        "email_address": [email],
        "phone_number": [phone],
        "password": PASSWORD,
    });
    env.bapi(reqwest::Method::POST, "/v1/users", Some(body))
        .await
        .ok()
        .clone()
}

fn factor<'a>(factors: &'a Value, strategy: &str) -> &'a Value {
    factors
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["strategy"] == strategy)
        .unwrap_or(&Value::Null)
}

async fn prepare(b: &mut Browser, id: &str, step: &str, fields: &[(&str, &str)]) -> Res {
    b.post(
        &format!("/v1/client/sign_ins/{id}/prepare_{step}_factor"),
        fields,
    )
    .await
}

async fn attempt(b: &mut Browser, id: &str, step: &str, code: &str) -> Res {
    b.post(
        &format!("/v1/client/sign_ins/{id}/attempt_{step}_factor"),
        &[("strategy", "phone_code"), ("code", code)],
    )
    .await
}

#[tokio::test]
async fn a_real_number_signs_in_with_the_texted_code() {
    let env = spawn(Kind::Production).await;
    let number = "+447700900123";
    let user = user_with_phone(&env, "pia@example.com", number).await;
    let phone_id = user["phone_numbers"][0]["id"].as_str().unwrap().to_owned();
    let mut b = env.browser();
    // Typed as people type it: the stored E.164 number is found.
    let r = b
        .post("/v1/client/sign_ins", &[("identifier", "+44 7700 900123")])
        .await;
    let si = r.ok()["response"].clone();
    assert_eq!(si["status"], "needs_first_factor");
    let f = factor(&si["supported_first_factors"], "phone_code");
    assert_eq!(f["phone_number_id"], phone_id.as_str(), "{si}");
    assert_eq!(f["safe_identifier"], number);
    assert_eq!(f["primary"], true);
    let id = si["id"].as_str().unwrap().to_owned();

    let r = prepare(
        &mut b,
        &id,
        "first",
        &[("strategy", "phone_code"), ("phone_number_id", &phone_id)],
    )
    .await;
    let v = &r.ok()["response"]["first_factor_verification"];
    assert_eq!(v["strategy"], "phone_code");
    assert_eq!(v["status"], "unverified");
    let (code, sent) = texted(&env, number).await;
    assert_eq!((code.len(), sent), (6, 1));
    let sms = env.bapi_get("/v1/sms_messages").await.ok()["data"][0].clone();
    assert_eq!(sms["phone_number_id"], phone_id.as_str());
    assert_eq!(sms["user_id"], user["id"]);

    attempt(&mut b, &id, "first", &wrong(&code))
        .await
        .err(422, "form_code_incorrect");
    let r = attempt(&mut b, &id, "first", &code).await;
    let si = &r.ok()["response"];
    assert_eq!(si["status"], "complete", "{}", r.raw);
    assert_eq!(si["first_factor_verification"]["status"], "verified");
    let sid = si["created_session_id"].as_str().unwrap();
    assert_eq!(env.session(sid).await["user_id"], user["id"]);
    assert_eq!(
        r.body["client"]["last_authentication_strategy"], "phone_code",
        "{}",
        r.raw
    );
}

#[tokio::test]
async fn a_test_number_takes_424242_and_nothing_is_texted() {
    let env = spawn(Kind::Development).await;
    let number = "+12015550123";
    user_with_phone(&env, "tess@example.com", number).await;
    let mut b = env.browser();
    let id = b.start_sign_in(number).await;
    prepare(&mut b, &id, "first", &[("strategy", "phone_code")])
        .await
        .ok();
    assert_eq!(texted(&env, number).await.1, 0, "nothing is texted");
    let r = attempt(&mut b, &id, "first", "424242").await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
}

#[tokio::test]
async fn wrong_codes_spend_the_code_and_count_against_the_address() {
    let env = spawn(Kind::Production).await;
    let number = "+14155550142";
    user_with_phone(&env, "walt@example.com", number).await;
    let mut b = env.browser();
    let id = b.start_sign_in(number).await;
    prepare(&mut b, &id, "first", &[("strategy", "phone_code")])
        .await
        .ok();
    let (code, _) = texted(&env, number).await;
    let bad = wrong(&code);
    let mut refusals = Vec::new();
    for _ in 0..6 {
        let r = attempt(&mut b, &id, "first", &bad).await;
        refusals.push(r.body["errors"][0]["code"].as_str().unwrap().to_owned());
    }
    assert!(
        refusals.contains(&"verification_failed".to_owned()),
        "{refusals:?}"
    );
    assert_eq!(refusals[0], "form_code_incorrect");
    // Spent: even the right code no longer works.
    let r = attempt(&mut b, &id, "first", &code).await;
    assert_eq!(r.status, 422, "{}", r.raw);
    // A number the user does not have is refused.
    prepare(
        &mut b,
        &id,
        "first",
        &[("strategy", "phone_code"), ("phone_number_id", "idn_nope")],
    )
    .await
    .err(422, "strategy_for_user_invalid");
}

#[tokio::test]
async fn a_reserved_number_is_a_second_factor_after_the_password() {
    let env = spawn(Kind::Production).await;
    let number = "+33612345678";
    let user = user_with_phone(&env, "remy@example.com", number).await;
    let phone_id = user["phone_numbers"][0]["id"].as_str().unwrap().to_owned();
    env.bapi(
        reqwest::Method::PATCH,
        &format!("/v1/phone_numbers/{phone_id}"),
        Some(json!({"reserved_for_second_factor": true})),
    )
    .await
    .ok();
    let u = env.user(user["id"].as_str().unwrap()).await;
    assert_eq!(u["two_factor_enabled"], true, "{u}");

    let mut b = env.browser();
    // Kept for a second factor: no longer a way in by itself.
    let id = b.start_sign_in("remy@example.com").await;
    let si = b.get(&format!("/v1/client/sign_ins/{id}")).await.ok()["response"].clone();
    assert_eq!(
        factor(&si["supported_first_factors"], "phone_code"),
        &Value::Null
    );
    let r = b.attempt_password(&id, PASSWORD).await;
    let si = r.ok()["response"].clone();
    assert_eq!(si["status"], "needs_second_factor", "{}", r.raw);
    let f = factor(&si["supported_second_factors"], "phone_code");
    assert_eq!(f["phone_number_id"], phone_id.as_str(), "{si}");
    assert_eq!(f["safe_identifier"], "+3********78");
    assert_eq!(f["default"], true);

    // Attempting before preparing is refused; then the texted code completes the sign-in.
    attempt(&mut b, &id, "second", "000000")
        .await
        .err(400, "client_state_invalid");
    prepare(&mut b, &id, "second", &[("strategy", "phone_code")])
        .await
        .ok();
    let (code, sent) = texted(&env, number).await;
    assert_eq!(sent, 1);
    attempt(&mut b, &id, "second", &wrong(&code))
        .await
        .err(422, "form_code_incorrect");
    let r = attempt(&mut b, &id, "second", &code).await;
    let si = &r.ok()["response"];
    assert_eq!(si["status"], "complete", "{}", r.raw);
    assert_eq!(si["second_factor_verification"]["strategy"], "phone_code");
    let sid = si["created_session_id"].as_str().unwrap();
    let token = b.token(sid).await;
    let (_, claims) = decode_jwt(&token);
    assert_eq!(
        claims["fva"][1], 0,
        "a second factor was verified: {claims}"
    );
}

#[tokio::test]
async fn an_unknown_number_looks_like_a_real_one_under_enumeration_protection() {
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.policy.enumeration_protection = Some(true);
    })
    .await;
    user_with_phone(&env, "real@example.com", "+14155550177").await;
    let mut b = env.browser();
    let real = b.start_sign_in("+14155550177").await;
    let real_si = b.get(&format!("/v1/client/sign_ins/{real}")).await.ok()["response"].clone();
    let mut ghost_b = env.browser();
    let ghost = ghost_b.start_sign_in("+14155550178").await;
    let ghost_si = ghost_b
        .get(&format!("/v1/client/sign_ins/{ghost}"))
        .await
        .ok()["response"]
        .clone();
    let f = factor(&ghost_si["supported_first_factors"], "phone_code");
    assert_eq!(f["safe_identifier"], "+14155550178", "{ghost_si}");
    assert!(f["phone_number_id"].as_str().unwrap().starts_with("idn_"));
    // The real account's number shows as typed, as the decoy's does.
    assert_eq!(
        factor(&real_si["supported_first_factors"], "phone_code")["safe_identifier"],
        "+14155550177"
    );
    let r = prepare(&mut ghost_b, &ghost, "first", &[("strategy", "phone_code")]).await;
    assert_eq!(
        r.ok()["response"]["first_factor_verification"]["strategy"],
        "phone_code"
    );
    attempt(&mut ghost_b, &ghost, "first", "123456")
        .await
        .err(422, "form_code_incorrect");
    assert_eq!(texted(&env, "+14155550178").await.1, 0, "nothing is texted");
}
