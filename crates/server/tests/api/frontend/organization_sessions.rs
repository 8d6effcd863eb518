//! The session's active organization: set by a touch (members only), shown on the session, and
//! carried by every token as the `o` claim with the member's current role.

use super::*;

fn org_claim(jwt: &str) -> Value {
    decode_jwt(jwt).1.get("o").cloned().unwrap_or(Value::Null)
}

async fn bapi(env: &Env, method: &str, path: &str, body: Value) -> Value {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let body = (!body.is_null()).then_some(body);
    env.bapi(method, path, body).await.ok().clone()
}

/// A token of session `sid` from the Frontend API, asked for with `form` (an
/// `organization_id`, or nothing).
async fn fapi_token(b: &mut Browser, sid: &str, form: &[(&str, &str)]) -> String {
    let r = b
        .post(&format!("/v1/client/sessions/{sid}/tokens"), form)
        .await;
    r.ok()["jwt"].as_str().unwrap().to_owned()
}

/// A token of session `sid` minted over the Backend API.
async fn bapi_token(env: &Env, sid: &str) -> String {
    let path = format!("/v1/sessions/{sid}/tokens");
    bapi(env, "POST", &path, json!({})).await["jwt"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A token of session `sid` for organization `org`, which its user is not a member of: refused.
async fn assert_token_refused(b: &mut Browser, sid: &str, org: &str) {
    b.post(
        &format!("/v1/client/sessions/{sid}/tokens"),
        &[("organization_id", org)],
    )
    .await
    .err(404, "organization_not_found_or_unauthorized");
}

#[tokio::test]
async fn active_organization_is_set_by_touch_and_carried_by_tokens() {
    let env = spawn(Kind::Production).await;
    let mut a = env.browser();
    let (uid, sid) = a.sign_up(&env, "alice@example.com", None).await;
    let owner = env.new_user("owner@example.com").await;
    let acme = env.new_org("Acme", Some("acme"), &owner).await;
    let other = env.new_org("Other", Some("other"), &owner).await;
    env.add_member(&acme, &uid, "org:member").await;

    // Not a member (by id or slug), or no such organization: refused, nothing set.
    for bad in [other.as_str(), "other", "org_missing", "nope"] {
        a.post(
            &format!("/v1/client/sessions/{sid}/touch"),
            &[("active_organization_id", bad), ("intent", "select_org")],
        )
        .await
        .err(404, "organization_not_found_or_unauthorized");
    }
    assert_eq!(
        env.session(&sid).await["last_active_organization_id"],
        Value::Null
    );

    // A member: set, and shown on the session (Frontend and Backend API).
    let r = a
        .post(
            &format!("/v1/client/sessions/{sid}/touch"),
            &[("active_organization_id", &acme), ("intent", "select_org")],
        )
        .await;
    assert_eq!(
        r.ok()["response"]["last_active_organization_id"],
        acme.as_str()
    );
    assert_eq!(
        env.session(&sid).await["last_active_organization_id"],
        acme.as_str()
    );

    let want_member = json!({"id": acme, "rol": "member", "slg": "acme"});
    let jwt = fapi_token(&mut a, &sid, &[("organization_id", &acme)]).await;
    assert_eq!(org_claim(&jwt), want_member);
    // Absent: the session's active organization.
    let jwt = fapi_token(&mut a, &sid, &[]).await;
    assert_eq!(org_claim(&jwt), want_member);
    // Empty: the personal account.
    let jwt = fapi_token(&mut a, &sid, &[("organization_id", "")]).await;
    assert_eq!(org_claim(&jwt), Value::Null);
    // Another organization the user is not in: refused.
    assert_token_refused(&mut a, &sid, &other).await;
    assert_eq!(org_claim(&bapi_token(&env, &sid).await), want_member);

    // A role change shows in the next token.
    bapi(
        &env,
        "PATCH",
        &format!("/v1/organizations/{acme}/memberships/{uid}"),
        json!({"role": "org:admin"}),
    )
    .await;
    let want_admin = json!({"id": acme, "rol": "admin", "slg": "acme"});
    assert_eq!(org_claim(&bapi_token(&env, &sid).await), want_admin);
    let jwt = fapi_token(&mut a, &sid, &[("organization_id", &acme)]).await;
    assert_eq!(org_claim(&jwt), want_admin);

    // Removed: the next token has no `o`.
    bapi(
        &env,
        "DELETE",
        &format!("/v1/organizations/{acme}/memberships/{uid}"),
        json!(null),
    )
    .await;
    assert_eq!(org_claim(&bapi_token(&env, &sid).await), Value::Null);
    let jwt = fapi_token(&mut a, &sid, &[]).await;
    assert_eq!(org_claim(&jwt), Value::Null);
    assert_token_refused(&mut a, &sid, &acme).await;

    // Clearing with an empty value.
    let r = a
        .post(
            &format!("/v1/client/sessions/{sid}/touch"),
            &[("active_organization_id", ""), ("intent", "select_org")],
        )
        .await;
    assert_eq!(
        r.ok()["response"]["last_active_organization_id"],
        Value::Null
    );
}

/// A custom role is a role like the system ones: a member holds it, their membership shows its
/// name and permissions, its system permissions open the organization's routes, and tokens carry
/// its custom permissions.
#[tokio::test]
async fn a_member_with_a_custom_role_holds_its_permissions_everywhere() {
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.policy.organizations_enabled = Some(true);
    })
    .await;
    let mut a = env.browser();
    let (uid, sid) = a.sign_up(&env, "alice@example.com", None).await;
    let mut perms = Vec::new();
    for key in ["org:invoices:read", "org:invoices:create"] {
        let p = bapi(
            &env,
            "POST",
            "/v1/organization_permissions",
            json!({"name": key, "key": key, "description": "d"}),
        )
        .await;
        perms.push(p["id"].as_str().unwrap().to_owned());
    }
    let system = bapi(
        &env,
        "GET",
        "/v1/organization_permissions?query=sys_memberships",
        Value::Null,
    )
    .await;
    for p in system["data"].as_array().unwrap() {
        perms.push(p["id"].as_str().unwrap().to_owned());
    }
    bapi(
        &env,
        "POST",
        "/v1/organization_roles",
        json!({"name": "Billing", "key": "org:billing", "permissions": perms}),
    )
    .await;
    let owner = env.new_user("owner@example.com").await;
    let acme = env.new_org("Acme", Some("acme"), &owner).await;
    let m = env.add_member(&acme, &uid, "org:billing").await;
    assert_eq!(m["role"], "org:billing");
    assert_eq!(m["role_name"], "Billing");
    let held: Vec<&str> = m["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for p in [
        "org:invoices:read",
        "org:invoices:create",
        "org:sys_memberships:manage",
    ] {
        assert!(held.contains(&p), "{p} in {held:?}");
    }

    // clerk-js reads the role's permissions from the client's user.
    let r = a
        .get("/v1/me/organization_memberships?limit=10&offset=0")
        .await;
    let mine = &r.ok()["response"]["data"][0];
    assert_eq!(mine["role_name"], "Billing", "{}", r.raw);
    assert_eq!(mine["permissions"], m["permissions"]);
    // The role's system permissions open the members' routes.
    let members = a
        .get(&format!(
            "/v1/organizations/{acme}/memberships?limit=10&offset=0"
        ))
        .await;
    assert_eq!(members.ok()["response"]["total_count"], 2);
    let roles = a
        .get(&format!("/v1/organizations/{acme}/roles?limit=20&offset=0"))
        .await;
    let keys = role_keys(&roles);
    assert!(keys.contains(&"org:billing"), "{keys:?}");

    // The token carries the role and its custom permissions, not the system ones.
    a.post(
        &format!("/v1/client/sessions/{sid}/touch"),
        &[("active_organization_id", acme.as_str())],
    )
    .await
    .ok();
    let r = a.request_token(&sid).await;
    let claims = decode_jwt(r.ok()["jwt"].as_str().unwrap()).1;
    assert_eq!(claims["o"]["rol"], "billing");
    assert_eq!(claims["o"]["id"], acme.as_str());
    assert_eq!(claims["fea"], "o:invoices");
    let per = claims["o"]["per"].as_str().unwrap();
    assert!(per.contains("read") && per.contains("create"), "{per}");
    assert!(!per.contains("sys_"), "{per}");
}

/// The Backend API's test-only session creation takes the active organization, for members only.
#[tokio::test]
async fn a_backend_session_starts_in_a_members_organization() {
    let env = spawn(Kind::Development).await;
    let user = |email: &'static str| {
        let env = &env;
        async move {
            bapi(
                env,
                "POST",
                "/v1/users",
                json!({"email_address": [email], "skip_password_requirement": true}),
            )
            .await["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let ann = user("ann@example.com").await;
    let bob = user("bob@example.com").await;
    let acme = env.new_org("Acme", Some("acme"), &ann).await;
    let s = bapi(
        &env,
        "POST",
        "/v1/sessions",
        json!({"user_id": ann, "active_organization_id": acme}),
    )
    .await;
    assert_eq!(s["last_active_organization_id"], acme.as_str());
    let sid = s["id"].as_str().unwrap();
    let jwt = bapi_token(&env, sid).await;
    assert_eq!(
        org_claim(&jwt),
        json!({"id": acme, "rol": "admin", "slg": "acme"})
    );
    let before = env.snapshot().await;
    for org in [acme.as_str(), "org_missing", "acme"] {
        env.bapi(
            reqwest::Method::POST,
            "/v1/sessions",
            Some(json!({"user_id": bob, "active_organization_id": org})),
        )
        .await
        .err(422, "form_param_value_invalid");
    }
    assert_eq!(env.snapshot().await, before);
}
