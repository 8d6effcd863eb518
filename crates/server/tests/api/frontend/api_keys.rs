//! API keys as clerk-js's `<APIKeys/>` calls them: `/api_keys` on the Frontend API host with the
//! session token as the bearer and JSON bodies, answered in bare JSON. A user manages their own
//! keys; an organization's by role; everything else is refused and changes nothing.

use reqwest::Method;

use super::*;

/// A request as clerk-js's `apiKeys` sends it: from the app's origin, `Authorization: Bearer`.
async fn call(
    env: &Env,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Res {
    let mut req = env
        .http
        .request(method, format!("{}{path}", env.fapi()))
        .header("Origin", APP);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    Res::read(req.send().await.unwrap()).await
}

/// `POST /api_keys` with `body`, as the holder of `token`.
async fn create(env: &Env, token: &str, body: Value) -> Res {
    call(env, Method::POST, "/api_keys", Some(token), Some(body)).await
}

/// `GET path`, as the holder of `token`.
async fn get(env: &Env, token: &str, path: &str) -> Res {
    call(env, Method::GET, path, Some(token), None).await
}

/// `POST /api_keys/{id}/revoke` of `key` with `body`, as the holder of `token`.
async fn revoke(env: &Env, token: &str, key: &Value, body: Value) -> Res {
    let path = format!("/api_keys/{}/revoke", key["id"].as_str().unwrap());
    call(env, Method::POST, &path, Some(token), Some(body)).await
}

/// A create's answer: 201, as the Frontend API's spec has it.
#[track_caller]
fn made(r: &Res) -> Value {
    assert_eq!(r.status, 201, "{}", r.raw);
    r.body.clone()
}

async fn signed_in(env: &Env, email: &str) -> (Browser, String, String, String) {
    let mut b = env.browser();
    let (user, sid) = b.sign_up(env, email, None).await;
    let token = b.token(&sid).await;
    (b, user, sid, token)
}

async fn verify_secret(env: &Env, secret: &str) -> Res {
    env.bapi(
        Method::POST,
        "/api_keys/verify",
        Some(json!({ "secret": secret })),
    )
    .await
}

#[tokio::test]
async fn a_user_creates_lists_and_revokes_their_own_keys() {
    let env = spawn(Kind::Production).await;
    let settings = &env.environment().await["api_keys_settings"];
    assert_eq!(settings["user_api_keys_enabled"], true);
    assert_eq!(settings["orgs_api_keys_enabled"], false);
    let (_, user, _, token) = signed_in(&env, "owner@keys.test").await;

    // clerk-js sends `subject: ""` when it has no organization: the user's own keys.
    let created = call(
        &env,
        Method::POST,
        "/api_keys?_clerk_js_version=5.0.0",
        Some(&token),
        Some(json!({"type": "api_key", "name": "laptop", "subject": "", "description": "cli", "seconds_until_expiration": 86400})),
    )
    .await;
    let key = made(&created);
    assert_eq!(key["object"], "api_key");
    assert_eq!(key["subject"], user.as_str());
    assert_eq!(key["created_by"], user.as_str());
    assert_eq!(key["expiration"], T0 + 86_400_000);
    let secret = key["secret"].as_str().unwrap().to_owned();
    verify_secret(&env, &secret).await.ok();

    env.clock.advance(1_000);
    let second = create(&env, &token, json!({"name": "second", "subject": user})).await;
    made(&second);
    let list = get(
        &env,
        &token,
        &format!("/api_keys?subject={user}&query=&limit=10&offset=0"),
    )
    .await;
    let list = list.ok();
    assert_eq!(list["total_count"], 2);
    // Through the proxy prefix, as clerk-js builds it (its empty version prefix doubles a slash).
    let proxied = get(
        &env,
        &token,
        &format!("/__clerk//api_keys?subject={user}&limit=10&offset=0"),
    )
    .await;
    assert_eq!(proxied.ok()["total_count"], 2);
    assert_eq!(list["data"][1]["id"], key["id"]);
    assert!(
        list["data"][0].get("secret").is_none(),
        "the secret is shown once"
    );

    let revoked = revoke(
        &env,
        &token,
        &key,
        json!({"revocation_reason": "lost laptop"}),
    )
    .await;
    assert_eq!(revoked.ok()["revoked"], true);
    verify_secret(&env, &secret)
        .await
        .err(404, "resource_not_found");
    // Audited as the user.
    let s = &env.app.running.state;
    let audit = s.store.audit_log(&s.instance.id, 50).await.unwrap();
    let revoke = audit.iter().find(|a| a.action == "api_key.revoke").unwrap();
    assert_eq!(revoke.actor, format!("user:{user}"));
}

#[tokio::test]
async fn only_a_valid_session_token_of_the_instance_gets_in() {
    let env = spawn(Kind::Production).await;
    let (_, user, sid, token) = signed_in(&env, "who@keys.test").await;
    let body = json!({"name": "nope", "subject": user});
    for bad in [None, Some("not-a-jwt"), Some("ak_secret")] {
        call(&env, Method::POST, "/api_keys", bad, Some(body.clone()))
            .await
            .err(401, "authentication_invalid");
    }
    // Another instance's token, however well formed, is not this instance's.
    let other = spawn(Kind::Production).await;
    let (_, _, _, foreign) = signed_in(&other, "who@keys.test").await;
    get(&env, &foreign, &format!("/api_keys?subject={user}"))
        .await
        .err(401, "authentication_invalid");
    // An expired token, and a token of a session that ended.
    env.clock.advance(2 * MINUTE);
    get(&env, &token, &format!("/api_keys?subject={user}"))
        .await
        .err(401, "authentication_invalid");
    // A live session's token works until the session is revoked.
    let (_, user2, sid2, fresh) = signed_in(&env, "second@keys.test").await;
    assert_ne!(sid2, sid);
    let list = format!("/api_keys?subject={user2}");
    get(&env, &fresh, &list).await.ok();
    env.bapi(Method::POST, &format!("/v1/sessions/{sid2}/revoke"), None)
        .await
        .ok();
    get(&env, &fresh, &list)
        .await
        .err(401, "authentication_invalid");
    let listed = env
        .bapi_get(&format!("/api_keys?subject={user}&include_invalid=true"))
        .await;
    assert_eq!(listed.ok()["total_count"], 0, "nothing was created");
}

#[tokio::test]
async fn other_users_keys_are_out_of_reach_and_organizations_go_by_role() {
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.policy.organizations_enabled = Some(true);
    })
    .await;
    let (mut admin_b, admin, _, admin_token) = signed_in(&env, "admin@keys.test").await;
    let (_, member, _, member_token) = signed_in(&env, "member@keys.test").await;

    // Another user's subject: refused, and their key cannot be revoked (it is not found).
    let theirs = env
        .bapi(
            Method::POST,
            "/api_keys",
            Some(json!({"name": "admin's", "subject": admin})),
        )
        .await
        .ok()
        .clone();
    get(&env, &member_token, &format!("/api_keys?subject={admin}"))
        .await
        .err(403, "not_allowed_access");
    create(
        &env,
        &member_token,
        json!({"name": "sneaky", "subject": admin}),
    )
    .await
    .err(403, "not_allowed_access");
    revoke(&env, &member_token, &theirs, json!({}))
        .await
        .err(404, "resource_not_found");
    verify_secret(&env, theirs["secret"].as_str().unwrap())
        .await
        .ok();

    // An organization: its admin manages keys, a plain member reads them, a stranger neither.
    let org = admin_b
        .post("/v1/organizations", &[("name", "Keyholders")])
        .await;
    let org = org.ok()["response"]["id"].as_str().unwrap().to_owned();
    let org_key = create(
        &env,
        &admin_token,
        json!({"name": "org bot", "subject": org}),
    )
    .await;
    let org_key = made(&org_key);
    assert_eq!(org_key["subject"], org.as_str());
    let list_path = format!("/api_keys?subject={org}");
    get(&env, &member_token, &list_path)
        .await
        .err(404, "organization_not_found_or_unauthorized");
    env.add_member(&org, &member, "org:member").await;
    let seen = get(&env, &member_token, &list_path).await;
    assert_eq!(seen.ok()["total_count"], 1);
    create(
        &env,
        &member_token,
        json!({"name": "member bot", "subject": org}),
    )
    .await
    .err(403, "not_allowed_access");
    revoke(&env, &member_token, &org_key, json!({}))
        .await
        .err(404, "resource_not_found");
    // Bad input is Clerk's 400 here too, and claims cannot be smuggled in from a browser.
    let r = create(&env, &admin_token, json!({"name": "x", "subject": admin})).await;
    assert_eq!((r.status, r.param()), (400, "name"), "{}", r.raw);
    let k = create(
        &env,
        &admin_token,
        json!({"name": "plain", "subject": admin, "claims": {"role": "root"}, "scopes": ["all"]}),
    )
    .await;
    let k = made(&k);
    assert_eq!((&k["claims"], &k["scopes"]), (&Value::Null, &json!([])));
}
