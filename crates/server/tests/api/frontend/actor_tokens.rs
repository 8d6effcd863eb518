//! Actor tokens (impersonation): made by the Backend API, spent once by the Frontend API's
//! `strategy=ticket` sign-in into a session whose tokens carry the actor as `act` and whose
//! lifetime is capped; revoking a pending token spoils its ticket, revoking an accepted one
//! ends its session on every node.

use super::*;

const ADMIN: &str = "user_2admin000000000000000000000";

async fn actor_token(env: &Env, user_id: &str, body: Value) -> Res {
    let mut body = body;
    body["user_id"] = json!(user_id);
    env.bapi(reqwest::Method::POST, "/v1/actor_tokens", Some(body))
        .await
}

/// The token `actor_token` makes from `body` (the request must succeed).
async fn new_token(env: &Env, user_id: &str, body: Value) -> Value {
    actor_token(env, user_id, body).await.ok().clone()
}

async fn revoke(app: &App, id: &str) -> Reply {
    app.post_empty(&format!("/v1/actor_tokens/{id}/revoke"))
        .await
}

/// Signs in with the ticket and returns the new session's id.
async fn impersonate(b: &mut Browser, ticket: &str) -> String {
    let r = b.sign_in_with_ticket(ticket).await;
    let si = &r.ok()["response"];
    assert_eq!(si["status"], "complete", "{}", r.raw);
    si["created_session_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_actor_token_starts_one_impersonation_session_whose_tokens_carry_act() {
    let env = spawn(Kind::Development).await;
    let user_id = env.create_user_id("zoe@example.com").await;
    let actor = json!({"sub": ADMIN, "reason": "support ticket 42"});
    let t = new_token(&env, &user_id, json!({"actor": actor})).await;
    assert_eq!(t["object"], "actor_token");
    assert!(t["id"].as_str().unwrap().starts_with("act_"));
    assert_eq!(t["status"], "pending");
    assert_eq!(t["user_id"], user_id.as_str());
    assert_eq!(t["actor"], actor);
    assert!(t["url"].is_null());
    let ticket = t["token"].as_str().unwrap().to_owned();

    let mut b = env.browser();
    let sid = impersonate(&mut b, &ticket).await;
    let session = env.session(&sid).await;
    assert_eq!(session["user_id"], user_id.as_str());
    assert_eq!(session["actor"], actor);
    // Clerk's default: an impersonation lasts 30 minutes at most.
    assert_eq!(
        session["expire_at"].as_i64().unwrap(),
        session["created_at"].as_i64().unwrap() + 1_800_000
    );
    let client = b.client().await;
    assert_eq!(client["response"]["sessions"][0]["actor"], actor);

    let jwt = b.token(&sid).await;
    let (_, claims) = decode_jwt(&jwt);
    assert_eq!(claims["act"], actor);
    assert_eq!(claims["sub"], user_id.as_str());
    // The Backend API's tokens for the session carry it too.
    let (_, claims) = decode_jwt(&env.session_jwt(&sid).await);
    assert_eq!(claims["act"], actor);

    let events = env.events().await;
    let started = events
        .iter()
        .find(|e| e.event_type == "usher.security.impersonation.started")
        .expect("an impersonation event");
    assert_eq!(started.data["actor"], actor);
    assert_eq!(started.data["user_id"], user_id.as_str());
    assert_eq!(started.data["session_id"], sid.as_str());
    assert!(
        events
            .iter()
            .any(|e| e.event_type == "session.created" && e.data["id"] == sid.as_str())
    );
    let s = &env.running.state;
    let audit = s.store.audit_log(&s.instance.id, 100).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    for a in [
        "actor_token.create",
        "actor_token.accept",
        "impersonation.start",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }

    // Spent: a second sign-in with it changes nothing.
    assert_ticket_refused(&env, &ticket).await;
}

#[tokio::test]
async fn a_session_max_duration_caps_the_session_and_an_expired_ticket_is_refused() {
    let env = spawn(Kind::Development).await;
    let user_id = env.create_user_id("zoe@example.com").await;
    let t = new_token(
        &env,
        &user_id,
        json!({"actor": {"sub": ADMIN}, "session_max_duration_in_seconds": 120}),
    )
    .await;
    let mut b = env.browser();
    let sid = impersonate(&mut b, t["token"].as_str().unwrap()).await;
    b.token(&sid).await;
    env.clock.advance(121_000);
    assert_eq!(env.session(&sid).await["status"], "expired");
    let r = b.request_token(&sid).await;
    r.err(422, "session_not_active");
    assert_eq!(r.body["errors"][0]["meta"]["session_status"], "expired");

    let short = new_token(
        &env,
        &user_id,
        json!({"actor": {"sub": ADMIN}, "expires_in_seconds": 60}),
    )
    .await;
    env.clock.advance(61_000);
    let mut late = env.browser();
    late.sign_in_with_ticket(short["token"].as_str().unwrap())
        .await
        .err(400, "ticket_expired");
}

#[tokio::test]
async fn revoking_a_pending_token_spoils_it_and_an_accepted_one_ends_its_session_on_every_node() {
    let env = spawn(Kind::Development).await;
    let user_id = env.create_user_id("zoe@example.com").await;
    let pending = new_token(&env, &user_id, json!({"actor": {"sub": ADMIN}})).await;
    let r = revoke(&env, pending["id"].as_str().unwrap()).await;
    assert_eq!(r.ok()["status"], "revoked");
    assert!(r.body.get("token").is_none(), "the ticket is shown once");
    assert_ticket_refused(&env, pending["token"].as_str().unwrap()).await;
    revoke(&env, pending["id"].as_str().unwrap())
        .await
        .err(400, "actor_token_already_revoked");

    // A second node on the same database revokes what the first one started.
    let other = spawn_node_of(&env, env.clock.clone(), |cfg| {
        cfg.frontend.allowed_origins = vec![APP.into()];
        cfg.mail.run_worker = false;
        cfg.webhooks.run_worker = false;
    })
    .await;
    let t = new_token(&env, &user_id, json!({"actor": {"sub": ADMIN}})).await;
    let mut b = env.browser();
    let sid = impersonate(&mut b, t["token"].as_str().unwrap()).await;
    b.token(&sid).await;
    let r = revoke(&other, t["id"].as_str().unwrap()).await;
    assert_eq!(r.ok()["status"], "revoked");
    assert_eq!(env.session(&sid).await["status"], "revoked");
    let r = b.request_token(&sid).await;
    r.err(422, "session_not_active");
    assert_eq!(r.body["errors"][0]["meta"]["session_status"], "revoked");
    assert!(
        env.events()
            .await
            .iter()
            .any(|e| e.event_type == "session.revoked" && e.data["id"] == sid.as_str())
    );
    let s = &env.running.state;
    let audit = s.store.audit_log(&s.instance.id, 100).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "actor_token.revoke" && a.target_id.as_deref() == t["id"].as_str())
    );
}

#[tokio::test]
async fn racing_sign_ins_with_one_ticket_start_one_session() {
    let env = spawn(Kind::Development).await;
    let user_id = env.create_user_id("zoe@example.com").await;
    let t = new_token(&env, &user_id, json!({"actor": {"sub": ADMIN}})).await;
    let ticket = t["token"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let mut b = env.browser();
        let ticket = ticket.clone();
        tasks.push(tokio::spawn(async move {
            b.sign_in_with_ticket(&ticket).await.status
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            200 => ok += 1,
            400 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(ok, 1);
    let started = env
        .events()
        .await
        .iter()
        .filter(|e| e.event_type == "usher.security.impersonation.started")
        .count();
    assert_eq!(started, 1);
}

#[tokio::test]
async fn bad_requests_get_clerks_errors() {
    let env = spawn(Kind::Development).await;
    let post = reqwest::Method::POST;
    env.bapi(
        post.clone(),
        "/v1/actor_tokens",
        Some(json!({"user_id": "user_2zzzzzzzzzzzzzzzzzzzzzzzzzz", "actor": {"sub": ADMIN}})),
    )
    .await
    .err(404, "resource_not_found");
    let user_id = env.create_user_id("zoe@example.com").await;
    let before = env.snapshot().await;
    for (body, status, code, param) in [
        (json!({}), 422, "form_param_missing", "user_id"),
        (
            json!({"actor": {"sub": ADMIN}}),
            422,
            "form_param_missing",
            "user_id",
        ),
        (
            json!({"user_id": user_id}),
            422,
            "form_param_missing",
            "actor",
        ),
        (
            json!({"user_id": user_id, "actor": {"role": "x"}}),
            422,
            "form_param_missing",
            "actor.sub",
        ),
        (
            json!({"user_id": user_id, "actor": "user_x"}),
            422,
            "form_param_value_invalid",
            "actor",
        ),
        (
            json!({"user_id": user_id, "actor": {"sub": 7}}),
            422,
            "form_param_value_invalid",
            "actor.sub",
        ),
        (
            json!({"user_id": user_id, "actor": {"sub": user_id}}),
            422,
            "form_param_value_invalid",
            "actor.sub",
        ),
        (
            json!({"user_id": user_id, "actor": {"sub": ADMIN}, "expires_in_seconds": 0}),
            422,
            "form_param_value_invalid",
            "expires_in_seconds",
        ),
        (
            json!({"user_id": user_id, "actor": {"sub": ADMIN}, "session_max_duration_in_seconds": -5}),
            422,
            "form_param_value_invalid",
            "session_max_duration_in_seconds",
        ),
        (
            json!({"user_id": user_id, "actor": {"sub": ADMIN}, "nope": 1}),
            422,
            "form_param_unknown",
            "nope",
        ),
    ] {
        let r = env
            .bapi(post.clone(), "/v1/actor_tokens", Some(body.clone()))
            .await;
        r.err(status, code);
        assert_eq!(r.param(), param, "{body}");
    }
    assert_eq!(
        env.snapshot().await,
        before,
        "refused requests change nothing"
    );
    for unknown in [
        "act_2zzzzzzzzzzzzzzzzzzzzzzzzzz",
        "sit_2zzzzzzzzzzzzzzzzzzzzzzzzzz",
    ] {
        revoke(&env, unknown).await.err(404, "resource_not_found");
    }
}

#[tokio::test]
async fn a_user_with_a_second_factor_is_impersonated_without_it() {
    let env = spawn(Kind::Development).await;
    let mut owner = env.browser();
    let (user_id, _) = owner.sign_up(&env, "kate@example.com", None).await;
    let secret = owner.post("/v1/me/totp", &[]).await.ok()["response"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = totp_code(&secret, T0);
    owner
        .post("/v1/me/totp/attempt_verification", &[("code", &code)])
        .await
        .ok();
    assert_eq!(env.user(&user_id).await["totp_enabled"], true);

    let t = new_token(&env, &user_id, json!({"actor": {"sub": ADMIN}})).await;
    let mut b = env.browser();
    // Waiting for the user's second factor would end in a session without the actor.
    let sid = impersonate(&mut b, t["token"].as_str().unwrap()).await;
    assert_eq!(env.session(&sid).await["actor"]["sub"], ADMIN);
}
