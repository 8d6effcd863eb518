//! Required and optional sign-up fields: the instance's rules for first name, last name and
//! username (off, optional, required) and legal consent, as the environment shows them and a
//! sign-up follows them: `required_fields`, `optional_fields`, `missing_fields`, an off field
//! refused, `missing_requirements` after the address is verified until an update gives the
//! rest, and the acceptance stored on the user as `legal_accepted_at`.

use reqwest::Method;

use super::*;

async fn set(env: &Env, body: Value) -> Res {
    env.bapi(Method::PATCH, "/v1/instance/settings", Some(body))
        .await
}

#[tokio::test]
async fn required_fields_hold_a_sign_up_until_given() {
    let env = spawn(Kind::Production).await;

    // Usher's defaults: names and username optional, no consent asked.
    let e = env.environment().await;
    let attrs = &e["user_settings"]["attributes"];
    assert_eq!(attrs["first_name"]["enabled"], true);
    assert_eq!(attrs["first_name"]["required"], false);
    assert_eq!(attrs["username"]["enabled"], true);
    assert_eq!(
        e["user_settings"]["sign_up"]["legal_consent_enabled"],
        false
    );

    // A rule is off, optional or required: anything else is refused.
    let r = set(&env, json!({"first_name_field": "mandatory"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "first_name_field");
    set(
        &env,
        json!({
            "first_name_field": "required",
            "last_name_field": "off",
            "username_field": "required",
            "legal_consent_enabled": true,
        }),
    )
    .await
    .ok();
    let e = env.environment().await;
    let attrs = &e["user_settings"]["attributes"];
    assert_eq!(attrs["first_name"]["enabled"], true);
    assert_eq!(attrs["first_name"]["required"], true);
    assert_eq!(attrs["last_name"]["enabled"], false);
    assert_eq!(attrs["username"]["required"], true);
    assert_eq!(e["user_settings"]["sign_up"]["legal_consent_enabled"], true);
    assert_eq!(e["auth_config"]["first_name"], "required");
    assert_eq!(e["auth_config"]["last_name"], "off");
    assert_eq!(e["auth_config"]["username"], "required");

    // An off field is not taken.
    let mut b = env.browser();
    let email = "hedy@example.com";
    let r = b
        .post(
            "/v1/client/sign_ups",
            &[
                ("email_address", email),
                ("password", PASSWORD),
                ("last_name", "Lamarr"),
            ],
        )
        .await;
    r.err(422, "form_param_unknown");
    assert_eq!(r.param(), "last_name");

    let r = b
        .post(
            "/v1/client/sign_ups",
            &[("email_address", email), ("password", PASSWORD)],
        )
        .await;
    let su = r.ok()["response"].clone();
    let id = su["id"].as_str().unwrap().to_owned();
    assert_eq!(su["status"], "missing_requirements");
    assert_eq!(
        su["required_fields"],
        json!([
            "email_address",
            "password",
            "first_name",
            "username",
            "legal_accepted"
        ])
    );
    assert_eq!(su["optional_fields"], json!([]));
    assert_eq!(
        su["missing_fields"],
        json!(["first_name", "username", "legal_accepted"])
    );
    assert_eq!(su["unverified_fields"], json!(["email_address"]));

    // Verified, the sign-up still waits for what is missing: no user yet.
    let path = format!("/v1/client/sign_ups/{id}");
    b.post(
        &format!("{path}/prepare_verification"),
        &[("strategy", "email_code")],
    )
    .await
    .ok();
    let code = env.code_for(email).await;
    let r = b.attempt_sign_up_code(&id, &code).await;
    let su = r.ok()["response"].clone();
    assert_eq!(su["status"], "missing_requirements", "{su}");
    assert_eq!(su["unverified_fields"], json!([]));
    assert_eq!(su["created_user_id"], Value::Null);
    let users = env
        .bapi_get("/v1/users?email_address=hedy@example.com")
        .await;
    assert_eq!(users.ok().as_array().unwrap().len(), 0);

    // A blank name is no name; then the rest, and the sign-up completes.
    let r = b.patch(&path, &[("first_name", "  ")]).await;
    let su = r.ok()["response"].clone();
    assert_eq!(
        su["missing_fields"],
        json!(["first_name", "username", "legal_accepted"])
    );
    let r = b.patch(&path, &[("first_name", "Hedy")]).await;
    let su = r.ok()["response"].clone();
    assert_eq!(su["missing_fields"], json!(["username", "legal_accepted"]));
    assert_eq!(su["status"], "missing_requirements");
    let r = b
        .patch(&path, &[("username", "hedy"), ("legal_accepted", "true")])
        .await;
    let su = r.ok()["response"].clone();
    assert_eq!(su["status"], "complete", "{su}");
    assert_eq!(su["missing_fields"], json!([]));
    assert!(su["legal_accepted_at"].is_i64(), "{su}");
    let user_id = su["created_user_id"].as_str().unwrap().to_owned();

    // The acceptance is the user's, in both APIs.
    let user = env.user(&user_id).await;
    assert_eq!(user["legal_accepted_at"], su["legal_accepted_at"]);
    assert_eq!(user["first_name"], "Hedy");
    assert_eq!(user["username"], "hedy");
    let c = b.client().await;
    let me = &c["response"]["sessions"][0]["user"];
    assert_eq!(me["legal_accepted_at"], su["legal_accepted_at"], "{me}");

    // Username off: not offered as an identifier, not taken at sign-up.
    set(&env, json!({"username_field": "off"})).await.ok();
    let e = env.environment().await;
    assert_eq!(
        e["user_settings"]["attributes"]["username"]["enabled"],
        false
    );
    assert_eq!(
        e["auth_config"]["identification_strategies"],
        json!(["email_address"])
    );
    let mut b = env.browser();
    b.post(
        "/v1/client/sign_ups",
        &[
            ("email_address", "ada@example.com"),
            ("username", "adalove"),
        ],
    )
    .await
    .err(422, "form_param_unknown");
}
