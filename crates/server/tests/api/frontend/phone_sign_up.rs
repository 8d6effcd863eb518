//! Sign-up with a phone number, as the instance's identifier settings allow: off by default
//! (refused), optional or required once enabled (the environment tells clerk-js), verified by
//! the texted code before the user exists; a number that has an account is refused, or with
//! enumeration protection texted nothing and never verified.

use super::*;

async fn enable_phones(env: &Env, required: bool) {
    env.bapi(
        reqwest::Method::PATCH,
        "/v1/instance/settings",
        Some(json!({"phone_numbers_enabled": true, "phone_number_required": required})),
    )
    .await
    .ok();
}

async fn texted_code(env: &Env, number: &str) -> Option<String> {
    let r = env
        .bapi_get(&format!("/v1/sms_messages?phone_number={}", pct(number)))
        .await;
    r.ok()["data"][0]["data"]["otp_code"]
        .as_str()
        .map(str::to_owned)
}

async fn verify(b: &mut Browser, id: &str, strategy: &str, code: &str) -> Res {
    b.attempt_sign_up(id, strategy, code).await
}

#[tokio::test]
async fn a_required_phone_number_is_verified_by_its_code_before_the_user_exists() {
    let env = spawn(Kind::Production).await;
    let number = "+447700900555";
    let mut b = env.browser();
    // Off by default: refused, and the environment shows no phone field.
    let env_json = env.environment().await;
    assert_eq!(
        env_json["user_settings"]["attributes"]["phone_number"]["enabled"],
        false
    );
    b.post(
        "/v1/client/sign_ups",
        &[
            ("email_address", "sam@example.com"),
            ("phone_number", number),
        ],
    )
    .await
    .err(422, "form_param_value_invalid");

    enable_phones(&env, true).await;
    let env_json = env.environment().await;
    let attr = &env_json["user_settings"]["attributes"]["phone_number"];
    assert_eq!(attr["enabled"], true);
    assert_eq!(attr["required"], true);
    assert_eq!(attr["first_factors"], json!(["phone_code"]));
    assert_eq!(attr["second_factors"], json!(["phone_code"]));

    let r = b
        .post(
            "/v1/client/sign_ups",
            &[("email_address", "sam@example.com"), ("password", PASSWORD)],
        )
        .await;
    let su = r.ok()["response"].clone();
    assert_eq!(su["missing_fields"], json!(["phone_number"]), "{su}");
    let id = su["id"].as_str().unwrap().to_owned();
    b.patch(
        &format!("/v1/client/sign_ups/{id}"),
        &[("phone_number", "not a number")],
    )
    .await
    .err(422, "form_param_format_invalid");
    let r = b
        .patch(
            &format!("/v1/client/sign_ups/{id}"),
            &[("phone_number", "+44 7700 900555")],
        )
        .await;
    let su = r.ok()["response"].clone();
    assert_eq!(su["phone_number"], number);
    assert_eq!(su["missing_fields"], json!([]));
    assert_eq!(
        su["unverified_fields"],
        json!(["email_address", "phone_number"])
    );
    assert_eq!(
        su["verifications"]["phone_number"]["next_action"],
        "needs_prepare"
    );

    let r = b.prepare_sign_up(&id, "phone_code").await;
    let v = &r.ok()["response"]["verifications"]["phone_number"];
    assert_eq!(v["strategy"], "phone_code");
    assert_eq!(v["next_action"], "needs_attempt");
    let code = texted_code(&env, number).await.unwrap();
    verify(&mut b, &id, "phone_code", &wrong(&code))
        .await
        .err(422, "form_code_incorrect");
    let r = verify(&mut b, &id, "phone_code", &code).await;
    let su = r.ok()["response"].clone();
    assert_eq!(su["status"], "missing_requirements");
    assert_eq!(su["unverified_fields"], json!(["email_address"]));

    b.prepare_sign_up(&id, "email_code").await.ok();
    let email_code = env.code_for("sam@example.com").await;
    let r = b.attempt_sign_up_code(&id, &email_code).await;
    let su = r.ok()["response"].clone();
    assert_eq!(su["status"], "complete", "{su}");
    let user = env.user(su["created_user_id"].as_str().unwrap()).await;
    assert_eq!(user["phone_numbers"][0]["phone_number"], number);
    assert_eq!(
        user["phone_numbers"][0]["verification"]["status"],
        "verified"
    );
    assert_eq!(
        user["primary_phone_number_id"],
        user["phone_numbers"][0]["id"]
    );

    // The new account signs in with its number.
    let mut later = env.browser();
    let sign_in = later.start_sign_in(number).await;
    later
        .prepare_first_factor(&sign_in, "phone_code")
        .await
        .ok();
    let code = texted_code(&env, number).await.unwrap();
    let r = later
        .attempt_first_factor(&sign_in, "phone_code", &code)
        .await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
}

#[tokio::test]
async fn a_number_with_an_account_is_refused_or_texted_nothing() {
    let env = spawn(Kind::Production).await;
    enable_phones(&env, false).await;
    let number = "+14155550190";
    env.bapi(
        reqwest::Method::POST,
        "/v1/users",
        Some(
            json!({"email_address": ["owner@example.com"], "phone_number": [number],
            "skip_password_requirement": true}),
        ),
    )
    .await
    .ok();
    let mut b = env.browser();
    b.post(
        "/v1/client/sign_ups",
        &[("email_address", "x@example.com"), ("phone_number", number)],
    )
    .await
    .err(422, "form_identifier_exists");

    env.bapi(
        reqwest::Method::PATCH,
        "/v1/instance/settings",
        Some(json!({"enumeration_protection": true})),
    )
    .await
    .ok();
    let r = b
        .post(
            "/v1/client/sign_ups",
            &[
                ("email_address", "x@example.com"),
                ("password", PASSWORD),
                ("phone_number", number),
            ],
        )
        .await;
    let id = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["response"]["optional_fields"][3], "phone_number");
    b.prepare_sign_up(&id, "phone_code").await.ok();
    assert_eq!(texted_code(&env, number).await, None, "nothing texted");
    verify(&mut b, &id, "phone_code", "123456")
        .await
        .err(422, "form_code_incorrect");
}
