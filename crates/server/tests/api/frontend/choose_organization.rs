//! Forced organization selection: on such an instance a session without an active organization
//! is `pending` with Clerk's `choose-organization` task, mints `sts: pending` tokens without `o`,
//! and becomes active when a touch names an organization the user belongs to.

use reqwest::Method;

use super::*;

async fn spawn_forced(kind: Kind) -> Env {
    spawn_tweaked(kind, |cfg| {
        cfg.policy.organizations_enabled = Some(true);
        cfg.policy.force_organization_selection = Some(true);
        cfg.policy.client_trust = Some(false);
    })
    .await
}

async fn create_org(env: &Env, name: &str, slug: &str, admin: &str) -> String {
    env.new_org(name, Some(slug), admin).await
}

/// The client's session `sid` as clerk-js reads it.
async fn fapi_session(b: &mut Browser, sid: &str) -> Value {
    let c = b.client().await;
    c["response"]["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == sid)
        .cloned()
        .unwrap_or_else(|| panic!("no session {sid} in {c}"))
}

async fn touch(b: &mut Browser, sid: &str, org: &str, intent: &str) -> Res {
    b.post(
        &format!("/v1/client/sessions/{sid}/touch"),
        &[("active_organization_id", org), ("intent", intent)],
    )
    .await
}

async fn token_with(b: &mut Browser, sid: &str, form: &[(&str, &str)]) -> Value {
    let r = b
        .post(&format!("/v1/client/sessions/{sid}/tokens"), form)
        .await;
    decode_jwt(r.ok()["jwt"].as_str().unwrap()).1
}

#[track_caller]
fn assert_pending(s: &Value) {
    assert_eq!(s["status"], "pending", "{s}");
    assert_eq!(s["tasks"], json!([{"key": "choose-organization"}]), "{s}");
    assert_eq!(s["last_active_organization_id"], Value::Null, "{s}");
}

fn count(types: &[String], t: &str) -> usize {
    types.iter().filter(|x| *x == t).count()
}

#[tokio::test]
async fn a_sign_up_is_pending_until_the_user_chooses_an_organization_they_belong_to() {
    let env = spawn_forced(Kind::Production).await;
    let env_json = env.environment().await;
    assert_eq!(
        env_json["organization_settings"]["force_organization_selection"],
        true
    );

    let mut a = env.browser();
    let (uid, sid) = a.sign_up(&env, "alice@example.com", None).await;
    assert_pending(&fapi_session(&mut a, &sid).await);
    assert_eq!(env.session(&sid).await["status"], "pending");
    let types = env.event_types().await;
    assert_eq!(count(&types, "session.pending"), 1, "{types:?}");
    assert_eq!(count(&types, "session.created"), 0, "{types:?}");
    // Its token: pending, no organization.
    let claims = token_with(&mut a, &sid, &[("organization_id", "")]).await;
    assert_eq!(claims["sts"], "pending");
    assert!(claims.get("o").is_none(), "{claims}");

    let owner = env
        .bapi(
            Method::POST,
            "/v1/users",
            Some(
                json!({"email_address": ["owner@example.com"], "skip_password_requirement": true}),
            ),
        )
        .await
        .ok()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let acme = create_org(&env, "Acme", "acme", &owner).await;
    let other = create_org(&env, "Other", "other", &owner).await;
    env.add_member(&acme, &uid, "org:member").await;
    // Even a token asked for a membership's organization names none while pending.
    let claims = token_with(&mut a, &sid, &[("organization_id", &acme)]).await;
    assert_eq!(claims["sts"], "pending");
    assert!(claims.get("o").is_none(), "{claims}");

    // What the task screen lists while pending: the membership, and no suggestions (they come
    // from verified domains, which are off).
    let r = a
        .get("/v1/me/organization_suggestions?status=pending&status=accepted&limit=10&offset=0")
        .await;
    assert_eq!(r.ok()["response"], json!({"data": [], "total_count": 0}));
    let r = a
        .get("/v1/me/organization_memberships?limit=10&offset=0&paginated=true")
        .await;
    assert_eq!(
        r.ok()["response"]["data"][0]["organization"]["id"],
        acme.as_str()
    );
    a.get("/v1/me/organization_suggestions?limit=-1")
        .await
        .err(400, "form_param_value_invalid");

    // Another organization's id or slug: refused, nothing written.
    let before = env.snapshot().await;
    for bad in [other.as_str(), "other"] {
        touch(&mut a, &sid, bad, "select_org")
            .await
            .err(404, "organization_not_found_or_unauthorized");
    }
    before.assert_same_data(&env.snapshot().await);
    assert_pending(&fapi_session(&mut a, &sid).await);

    // No organization (clerk-js's focus touch of a pending session): the personal account is
    // no choice, the session stays pending.
    let r = touch(&mut a, &sid, "", "focus").await;
    assert_pending(&r.ok()["response"]);
    assert_eq!(env.session(&sid).await["status"], "pending");

    // A membership: active, no tasks, one `session.created`.
    let r = touch(&mut a, &sid, &acme, "select_org").await;
    let s = &r.ok()["response"];
    assert_eq!(s["status"], "active", "{s}");
    assert_eq!(s["tasks"], Value::Null, "{s}");
    assert_eq!(s["last_active_organization_id"], acme.as_str());
    let bapi_session = env.session(&sid).await;
    assert_eq!(bapi_session["status"], "active");
    assert_eq!(bapi_session["last_active_organization_id"], acme.as_str());
    let types = env.event_types().await;
    assert_eq!(count(&types, "session.created"), 1, "{types:?}");
    let claims = token_with(&mut a, &sid, &[("organization_id", &acme)]).await;
    assert_eq!(
        (claims["sts"].as_str(), claims["o"]["id"].as_str()),
        (Some("active"), Some(acme.as_str()))
    );
    // Asking for the personal account keeps the organization on a forced instance.
    let claims = token_with(&mut a, &sid, &[("organization_id", "")]).await;
    assert_eq!(claims["o"]["id"], acme.as_str());
    let r = touch(&mut a, &sid, "", "select_org").await;
    assert_eq!(
        r.ok()["response"]["last_active_organization_id"],
        acme.as_str()
    );
    assert_eq!(r.ok()["response"]["status"], "active");
    assert_eq!(count(&env.event_types().await, "session.created"), 1);

    // Removed from the organization: the task is back and the next token names no organization.
    env.bapi(
        Method::DELETE,
        &format!("/v1/organizations/{acme}/memberships/{uid}"),
        None,
    )
    .await
    .ok();
    assert_pending(&fapi_session(&mut a, &sid).await);
    let claims = token_with(&mut a, &sid, &[]).await;
    assert_eq!(claims["sts"], "pending");
    assert!(claims.get("o").is_none(), "{claims}");
    // Choosing again resolves it.
    env.add_member(&other, &uid, "org:member").await;
    let r = touch(&mut a, &sid, "other", "select_org").await;
    assert_eq!(r.ok()["response"]["status"], "active");
    assert_eq!(
        token_with(&mut a, &sid, &[]).await["o"]["id"],
        other.as_str()
    );
}

#[tokio::test]
async fn a_sign_in_on_a_forced_instance_is_pending_and_a_backend_session_too() {
    let env = spawn_forced(Kind::Development).await;
    let uid = env
        .create_user_from(json!({"email_address": ["bob@example.com"], "password": PASSWORD}))
        .await;
    let mut b = env.browser();
    b.dev_browser().await;
    let si = b.sign_in_password("bob@example.com").await;
    assert_eq!(si["status"], "complete", "{si}");
    let sid = si["created_session_id"].as_str().unwrap().to_owned();
    assert_pending(&fapi_session(&mut b, &sid).await);
    assert_eq!(token_with(&mut b, &sid, &[]).await["sts"], "pending");

    // The Backend API's sessions follow the same rule: pending without an organization.
    let s = env.create_session(&uid).await;
    assert_eq!(s["status"], "pending", "{s}");
    let owner = env.create_user_id("owner@example.com").await;
    let acme = create_org(&env, "Acme", "acme", &owner).await;
    // Not a member (yet): refused.
    env.post(
        "/v1/sessions",
        json!({"user_id": uid, "active_organization_id": acme}),
    )
    .await
    .err(422, "form_param_value_invalid");
    env.add_member(&acme, &uid, "org:member").await;
    let s = env
        .post(
            "/v1/sessions",
            json!({"user_id": uid, "active_organization_id": acme}),
        )
        .await;
    assert_eq!(s.ok()["status"], "active", "{:?}", s.ok());
}

#[tokio::test]
async fn without_forcing_sessions_are_active_and_the_setting_is_not_sent() {
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.policy.organizations_enabled = Some(true);
    })
    .await;
    let settings = &env.environment().await["organization_settings"];
    assert!(
        settings.get("force_organization_selection").is_none(),
        "{settings}"
    );
    let mut a = env.browser();
    let (_, sid) = a.sign_up(&env, "carol@example.com", None).await;
    let s = fapi_session(&mut a, &sid).await;
    assert_eq!(
        (s["status"].as_str(), &s["tasks"]),
        (Some("active"), &Value::Null)
    );
    let types = env.event_types().await;
    assert_eq!(
        (
            count(&types, "session.created"),
            count(&types, "session.pending")
        ),
        (1, 0)
    );
}
