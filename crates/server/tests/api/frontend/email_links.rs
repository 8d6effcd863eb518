//! Email links (`email_link`) in a sign-in: off until the instance enables them; the link read
//! from the captured email, opened on another device (the asking tab finds its sign-in
//! complete) or in the same browser (the landing page is handed the session); refused when
//! replayed, expired, opened elsewhere while the same client is required, or prepared with a
//! `redirect_url` on an origin not allowed; an unknown address answered like a known one. A
//! sign-up's address verified by link, the user created on the client that asked.

use super::*;

const DONE: &str = "http://localhost:3000/sign-in/verify";

async fn enable(env: &Env, settings: Value) {
    env.bapi(
        reqwest::Method::PATCH,
        "/v1/instance/settings",
        Some(settings),
    )
    .await
    .ok();
}

async fn prepare_link(b: &mut Browser, id: &str, redirect_url: &str) -> Res {
    prepare_email_link(
        b,
        &format!("/v1/client/sign_ins/{id}/prepare_first_factor"),
        redirect_url,
    )
    .await
}

/// The newest sign-in link emailed to `email`, as a Frontend API path.
async fn link_for(env: &Env, email: &str) -> String {
    emailed_link(env, email, "magic_link_sign_in").await
}

/// Opens `link` in `b` as a navigation: where it redirects to.
async fn open(b: &mut Browser, link: &str) -> String {
    let r = b.get(link).await;
    assert_eq!(r.status, 303, "{}", r.raw);
    r.header("location").unwrap().to_owned()
}

fn status_of(location: &str) -> (String, Option<String>) {
    let url = url::Url::parse(location).unwrap();
    let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert!(location.starts_with(DONE), "{location}");
    (
        q.get("__clerk_status").cloned().unwrap_or_default(),
        q.get("__clerk_created_session").cloned(),
    )
}

async fn sign_in_of(b: &mut Browser, id: &str) -> Value {
    b.get(&format!("/v1/client/sign_ins/{id}")).await.ok()["response"].clone()
}

#[tokio::test]
async fn a_link_opened_on_another_device_completes_the_sign_in_that_asked() {
    let env = spawn(Kind::Production).await;
    let email = "ada@example.com";
    let user_id = env.new_user(email).await;
    let mut b = env.browser();

    // Off by default: not offered, and refused like any strategy the account cannot use.
    let environment = env.environment().await;
    assert_eq!(
        environment["user_settings"]["attributes"]["email_address"]["verifications"],
        json!(["email_code"])
    );
    let id = b.start_sign_in(email).await;
    prepare_link(&mut b, &id, DONE)
        .await
        .err(422, "strategy_for_user_invalid");

    enable(&env, json!({"email_link_enabled": true})).await;
    let environment = env.environment().await;
    let settings = &environment["user_settings"];
    // Offered to sign in, and addresses (a sign-up's, a profile's) are verified by link.
    assert_eq!(
        settings["attributes"]["email_address"]["verifications"],
        json!(["email_code", "email_link"])
    );
    assert!(
        settings["attributes"]["email_address"]["first_factors"]
            .as_array()
            .unwrap()
            .contains(&json!("email_link"))
    );
    assert_eq!(
        settings["attack_protection"]["email_link"]["require_same_client"],
        false
    );
    let id = b.start_sign_in(email).await;
    let si = sign_in_of(&mut b, &id).await;
    let link_factor = si["supported_first_factors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["strategy"] == "email_link")
        .cloned()
        .unwrap_or_else(|| panic!("no email_link factor: {si}"));
    assert_eq!(link_factor["safe_identifier"], email);

    // A redirect_url on an origin not allowed, or none: refused, nothing written or sent.
    let before = env.snapshot().await;
    let r = prepare_link(&mut b, &id, &format!("{EVIL}/x")).await;
    assert_eq!(r.status, 422, "{}", r.raw);
    assert_eq!(r.param(), "redirect_url");
    b.prepare_first_factor(&id, "email_link")
        .await
        .err(422, "form_param_missing");
    assert_eq!(env.snapshot().await, before);

    let r = prepare_link(&mut b, &id, DONE).await;
    let v = &r.ok()["response"]["first_factor_verification"];
    assert_eq!(v["object"], "verification_email_link", "{v}");
    assert_eq!(v["strategy"], "email_link");
    assert_eq!(v["status"], "unverified");
    assert_eq!(v["expire_at"], T0 + 10 * MINUTE);
    let link = link_for(&env, email).await;
    assert!(
        !env.snapshot().await.emails.to_string().contains("__clerk"),
        "the link carries no landing parameters"
    );

    // A forged secret is refused (and counted), the sign-in waits.
    let forged = format!("{}x", &link[..link.len() - 1]);
    let forged = if forged == link {
        format!("{}y", &link[..link.len() - 1])
    } else {
        forged
    };
    let mut other = Browser::new(&env.fapi());
    assert_eq!(status_of(&open(&mut other, &forged).await).0, "failed");
    assert_eq!(
        sign_in_of(&mut b, &id).await["status"],
        "needs_first_factor"
    );

    // Opened on another device: verified there without a session; the asking tab's sign-in
    // is complete when it polls, with the session on its own client.
    let (status, created) = status_of(&open(&mut other, &link).await);
    assert_eq!((status.as_str(), created), ("verified", None));
    let si = sign_in_of(&mut b, &id).await;
    assert_eq!(si["status"], "complete", "{si}");
    assert_eq!(si["first_factor_verification"]["status"], "verified");
    let sid = si["created_session_id"].as_str().unwrap().to_owned();
    assert_eq!(env.session(&sid).await["user_id"], user_id.as_str());
    let c = b.client().await;
    assert_eq!(c["response"]["last_active_session_id"], sid.as_str());
    assert_eq!(c["response"]["last_authentication_strategy"], "email_link");

    // Replayed: refused, nothing more started.
    let before = env.snapshot().await;
    assert_eq!(status_of(&open(&mut other, &link).await).0, "failed");
    assert_eq!(env.snapshot().await.sessions, before.sessions);
    // And the link is no code.
    let token = link.split("token=").nth(1).unwrap();
    b.sign_out().await;
    let id = b.start_sign_in(email).await;
    b.attempt_first_factor(&id, "email_link", token)
        .await
        .err(422, "strategy_for_user_invalid");
}

#[tokio::test]
async fn same_browser_expiry_and_the_same_client_rule() {
    let env = spawn(Kind::Production).await;
    let email = "grace@example.com";
    env.new_user(email).await;
    enable(&env, json!({"email_link_enabled": true})).await;
    let mut b = env.browser();

    // Opened in another tab of the same browser: the landing page gets the session.
    let id = b.start_sign_in(email).await;
    prepare_link(&mut b, &id, DONE).await.ok();
    let link = link_for(&env, email).await;
    let mut tab = b.tab();
    let (status, created) = status_of(&open(&mut tab, &link).await);
    assert_eq!(status, "verified");
    let si = sign_in_of(&mut tab, &id).await;
    assert_eq!(created.as_deref(), si["created_session_id"].as_str());
    let client_id = tab.client().await["response"]["id"].clone();
    assert_eq!(
        si["first_factor_verification"]["verified_at_client"],
        client_id
    );
    tab.sign_out().await;

    // Expired after ten minutes.
    let mut b = env.browser();
    let id = b.start_sign_in(email).await;
    prepare_link(&mut b, &id, DONE).await.ok();
    let link = link_for(&env, email).await;
    env.clock.advance(10 * MINUTE);
    let mut other = Browser::new(&env.fapi());
    assert_eq!(status_of(&open(&mut other, &link).await).0, "expired");
    let si = sign_in_of(&mut b, &id).await;
    assert_eq!(si["first_factor_verification"]["status"], "expired");
    assert_eq!(si["status"], "needs_first_factor");

    // Required on the same client: elsewhere it is a mismatch and verifies nothing; the
    // asking browser may still open it.
    enable(&env, json!({"email_link_require_same_client": true})).await;
    let environment = env.environment().await;
    assert_eq!(
        environment["user_settings"]["attack_protection"]["email_link"]["require_same_client"],
        true
    );
    prepare_link(&mut b, &id, DONE).await.ok();
    let link = link_for(&env, email).await;
    let before = env.snapshot().await;
    assert_eq!(
        status_of(&open(&mut other, &link).await).0,
        "client_mismatch"
    );
    assert_eq!(env.snapshot().await, before);
    assert_eq!(
        sign_in_of(&mut b, &id).await["status"],
        "needs_first_factor"
    );
    let mut tab = b.tab();
    assert_eq!(status_of(&open(&mut tab, &link).await).0, "verified");
    assert_eq!(sign_in_of(&mut tab, &id).await["status"], "complete");

    // A token that names nothing: a Clerk-shaped 400, never a redirect.
    let r = other.get("/v1/verify?token=client_x.ver_y.zzz").await;
    assert_eq!(r.status, 400, "{}", r.raw);
    assert_eq!(r.body["errors"][0]["code"], "client_state_invalid");
    other.get("/v1/verify").await.err(422, "form_param_missing");
}

#[tokio::test]
async fn an_unknown_address_is_answered_like_a_known_one() {
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.policy.enumeration_protection = Some(true);
    })
    .await;
    enable(&env, json!({"email_link_enabled": true})).await;
    let known = "known@example.com";
    env.new_user(known).await;
    let shape = |si: &Value| {
        let factors: Vec<Value> = si["supported_first_factors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["strategy"].clone())
            .collect();
        let v = &si["first_factor_verification"];
        json!({
            "factors": factors,
            "status": si["status"],
            "verification": [v["object"], v["status"], v["strategy"], v["expire_at"]],
            "keys": si.as_object().unwrap().keys().cloned().collect::<Vec<_>>(),
        })
    };
    let mut answers = Vec::new();
    for email in [known, "nobody@example.com"] {
        let mut b = env.browser();
        let id = b.start_sign_in(email).await;
        let r = prepare_link(&mut b, &id, DONE).await;
        answers.push(shape(&r.ok()["response"]));
    }
    // The decoy offers no password, as the known account (made without one) does not.
    assert_eq!(answers[0]["verification"], answers[1]["verification"]);
    assert_eq!(answers[0]["keys"], answers[1]["keys"]);
    assert_eq!(answers[0]["status"], answers[1]["status"]);
    assert!(
        answers[1]["factors"]
            .as_array()
            .unwrap()
            .contains(&json!("email_link"))
    );
    // Eventually the known address has its link; the unknown one never gets anything.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while env.emails_to(known).await.is_empty() {
        assert!(std::time::Instant::now() < deadline, "no link emailed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(env.emails_to("nobody@example.com").await.is_empty());
}

#[tokio::test]
async fn a_sign_up_address_verified_by_link_creates_the_user_on_the_asking_client() {
    let env = spawn(Kind::Production).await;
    enable(
        &env,
        json!({"email_link_enabled": true, "password_required": false}),
    )
    .await;
    let email = "linnea@example.com";
    let mut b = env.browser();
    let r = b
        .post("/v1/client/sign_ups", &[("email_address", email)])
        .await;
    let su = &r.ok()["response"];
    assert_eq!(
        su["verifications"]["email_address"]["supported_strategies"],
        json!(["email_code", "email_link"])
    );
    let id = su["id"].as_str().unwrap().to_owned();
    let prepare = format!("/v1/client/sign_ups/{id}/prepare_verification");
    let r = prepare_email_link(&mut b, &prepare, &format!("{EVIL}/x")).await;
    assert_eq!(r.status, 422, "{}", r.raw);
    assert!(env.emails_to(email).await.is_empty());
    let r = prepare_email_link(&mut b, &prepare, DONE).await;
    let v = &r.ok()["response"]["verifications"]["email_address"];
    assert_eq!(v["object"], "verification_email_link", "{v}");
    assert_eq!(v["status"], "unverified");
    assert_eq!(v["next_action"], "needs_attempt");
    let link = emailed_link(&env, email, "magic_link_sign_up").await;

    // Opened on another device: the sign-up completes on the client that asked.
    let mut other = Browser::new(&env.fapi());
    let (status, created) = status_of(&open(&mut other, &link).await);
    assert_eq!((status.as_str(), created), ("verified", None));
    let c = b.client().await;
    let su = &c["response"]["sign_up"];
    assert_eq!(su["status"], "complete", "{su}");
    assert_eq!(su["verifications"]["email_address"]["status"], "verified");
    let user_id = su["created_user_id"].as_str().unwrap();
    let sid = su["created_session_id"].as_str().unwrap();
    assert_eq!(c["response"]["last_active_session_id"], sid);
    assert_eq!(c["response"]["last_authentication_strategy"], "email_link");
    let user = env.user(user_id).await;
    assert_eq!(user["email_addresses"][0]["email_address"], email);
    assert_eq!(
        user["email_addresses"][0]["verification"]["status"],
        "verified"
    );
    // Replayed: refused, no second user.
    let before = env.snapshot().await;
    assert_eq!(status_of(&open(&mut other, &link).await).0, "failed");
    assert_eq!(env.snapshot().await.users, before.users);
}
