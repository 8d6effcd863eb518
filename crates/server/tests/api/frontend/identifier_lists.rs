//! The allowlist and blocklist (`/v1/allowlist_identifiers`, `/v1/blocklist_identifiers`) and
//! the email restrictions (`PATCH /v1/instance/restrictions`), enforced at Frontend API sign-up
//! and when a signed-in user adds an address, with one enumeration-safe refusal
//! (`not_allowed_access`); the allowlist opens a restricted instance's sign-up.

use reqwest::Method;

use super::*;

async fn restrict(env: &Env, body: Value) -> Value {
    env.bapi(Method::PATCH, "/v1/instance/restrictions", Some(body))
        .await
        .ok()
        .clone()
}

async fn add(env: &Env, list: &str, identifier: &str) -> Res {
    env.bapi(
        Method::POST,
        &format!("/v1/{list}_identifiers"),
        Some(json!({ "identifier": identifier })),
    )
    .await
}

async fn start(env: &Env, email: &str) -> Res {
    env.browser()
        .post("/v1/client/sign_ups", &[("email_address", email)])
        .await
}

#[tokio::test]
async fn the_lists_and_restrictions_decide_who_signs_up_and_adds_an_address() {
    let env = spawn(Kind::Production).await;
    // Entries are normalized, once per list, and deleted by id.
    let r = add(&env, "blocklist", "*@Evil.test").await;
    assert_eq!(r.ok()["object"], "blocklist_identifier");
    assert_eq!(r.ok()["identifier"], "*@evil.test");
    assert_eq!(r.ok()["identifier_type"], "email_address");
    add(&env, "blocklist", "*@evil.test")
        .await
        .err(400, "duplicate_record");
    add(&env, "blocklist", "nobody")
        .await
        .err(422, "form_param_value_invalid");
    let spare = add(&env, "blocklist", "spare@example.com").await;
    let spare_id = spare.ok()["id"].as_str().unwrap().to_owned();
    assert!(spare_id.starts_with("blid_"));
    let r = env
        .bapi(
            Method::DELETE,
            &format!("/v1/blocklist_identifiers/{spare_id}"),
            None,
        )
        .await;
    assert_eq!(r.ok()["deleted"], true);
    env.bapi(
        Method::DELETE,
        &format!("/v1/blocklist_identifiers/{spare_id}"),
        None,
    )
    .await
    .err(404, "resource_not_found");
    let listed = env.bapi_get("/v1/blocklist_identifiers").await;
    assert_eq!(listed.ok()["total_count"], 1);
    let vip = add(&env, "allowlist", "vip@ok.test").await;
    assert_eq!(vip.ok()["object"], "allowlist_identifier");
    let allowed = env.bapi_get("/v1/allowlist_identifiers").await;
    assert_eq!(allowed.ok().as_array().map(Vec::len), Some(1));

    // Off until turned on.
    start(&env, "ann@evil.test").await.ok();
    let r = restrict(
        &env,
        json!({"blocklist": true, "block_email_subaddresses": true,
                                 "block_disposable_email_domains": true}),
    )
    .await;
    assert_eq!(r["object"], "instance_restrictions");
    assert_eq!(r["blocklist"], true);
    assert_eq!(
        env.environment().await["user_settings"]["restrictions"]["blocklist"]["enabled"],
        true
    );
    for refused in ["ann@EVIL.test", "ann+x@ok.test", "ann@yopmail.com"] {
        start(&env, refused).await.err(403, "not_allowed_access");
    }
    start(&env, "ann@ok.test").await.ok();

    // Adding an address to an account is held to the same rules.
    let mut b = env.browser();
    let (user, _) = b.sign_up(&env, "member@ok.test", None).await;
    assert!(user.starts_with("user_"), "{user}");
    b.post(
        "/v1/me/email_addresses",
        &[("email_address", "me@evil.test")],
    )
    .await
    .err(403, "not_allowed_access");
    b.post(
        "/v1/me/email_addresses",
        &[("email_address", "second@ok.test")],
    )
    .await
    .ok();

    // The allowlist: only what it names; in a restricted instance it opens sign-up.
    restrict(&env, json!({"allowlist": true})).await;
    start(&env, "other@ok.test")
        .await
        .err(403, "not_allowed_access");
    start(&env, "vip@ok.test").await.ok();
    env.bapi(
        Method::PATCH,
        "/v1/instance/settings",
        Some(json!({"sign_up_mode": "restricted"})),
    )
    .await
    .ok();
    start(&env, "other@ok.test")
        .await
        .err(403, "sign_up_mode_restricted");
    start(&env, "VIP@ok.test").await.ok();
}
