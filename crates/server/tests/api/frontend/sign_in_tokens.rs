//! Sign-in tokens: made by the Backend API, spent by the Frontend API's `strategy=ticket`
//! sign-in once, before they expire, unless revoked; a spent or revoked one changes nothing.

use super::*;

/// Zoe, signed up in a browser of her own: her id.
async fn zoe(env: &Env) -> String {
    let mut owner = env.browser();
    owner.sign_up(env, "zoe@example.com", None).await.0
}

async fn token_for(env: &Env, user_id: &str, body: Value) -> Value {
    let mut body = body;
    body["user_id"] = json!(user_id);
    env.bapi(reqwest::Method::POST, "/v1/sign_in_tokens", Some(body))
        .await
        .ok()
        .clone()
}

/// `POST /v1/sign_in_tokens/{id}/revoke`.
async fn revoke(env: &Env, id: &str) -> Res {
    env.bapi(
        reqwest::Method::POST,
        &format!("/v1/sign_in_tokens/{id}/revoke"),
        None,
    )
    .await
}

#[tokio::test]
async fn a_ticket_signs_its_user_in_once() {
    let env = spawn(Kind::Development).await;
    let user_id = zoe(&env).await;
    let t = token_for(&env, &user_id, json!({})).await;
    assert_eq!(t["object"], "sign_in_token");
    assert!(t["id"].as_str().unwrap().starts_with("sit_"));
    assert_eq!(t["status"], "pending");
    assert_eq!(t["user_id"], user_id.as_str());
    let ticket = t["token"].as_str().unwrap().to_owned();

    let mut b = env.browser();
    let r = b.sign_in_with_ticket(&ticket).await;
    let si = &r.ok()["response"];
    assert_eq!(si["status"], "complete", "{}", r.raw);
    let sid = si["created_session_id"].as_str().unwrap().to_owned();
    assert_eq!(env.session(&sid).await["user_id"], user_id.as_str());

    assert_ticket_refused(&env, &ticket).await;
    let id = t["id"].as_str().unwrap();
    revoke(&env, id).await.err(400, "sign_in_token_not_pending");
}

#[tokio::test]
async fn a_revoked_or_expired_ticket_is_refused() {
    let env = spawn(Kind::Development).await;
    let user_id = zoe(&env).await;
    let t = token_for(&env, &user_id, json!({})).await;
    let id = t["id"].as_str().unwrap();
    let revoked = revoke(&env, id).await;
    assert_eq!(revoked.ok()["status"], "revoked");
    assert!(
        revoked.body.get("token").is_none(),
        "the ticket is shown once"
    );
    assert_ticket_refused(&env, t["token"].as_str().unwrap()).await;

    let mut b = env.browser();
    let short = token_for(&env, &user_id, json!({"expires_in_seconds": 60})).await;
    env.clock.advance(61_000);
    b.sign_in_with_ticket(short["token"].as_str().unwrap())
        .await
        .err(400, "ticket_expired");
    b.sign_in_with_ticket("not-a-ticket")
        .await
        .err(400, "ticket_invalid");
}

#[tokio::test]
async fn bad_requests_get_clerks_errors() {
    let env = spawn(Kind::Development).await;
    let post = reqwest::Method::POST;
    env.bapi(
        post.clone(),
        "/v1/sign_in_tokens",
        Some(json!({"user_id": "user_2zzzzzzzzzzzzzzzzzzzzzzzzzz"})),
    )
    .await
    .err(404, "resource_not_found");
    let user_id = zoe(&env).await;
    env.bapi(
        post.clone(),
        "/v1/sign_in_tokens",
        Some(json!({"user_id": user_id, "expires_in_seconds": 0})),
    )
    .await
    .err(422, "form_param_value_invalid");
    env.bapi(post, "/v1/sign_in_tokens", Some(json!({})))
        .await
        .err(422, "form_param_missing");
    revoke(&env, "sit_2zzzzzzzzzzzzzzzzzzzzzzzzzz")
        .await
        .err(404, "resource_not_found");
}
