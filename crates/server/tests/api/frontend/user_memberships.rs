//! The signed-in user's `organization_memberships` in every client clerk-js reads: the memberships
//! of that user only, as they are now (a role change or a removal shows on the next fetch), in
//! the Frontend API's shape (the role's permissions, no private metadata); and an organization's
//! `pending_invitations_count`, which counts pending invitations that have not expired.

use reqwest::Method;

use super::*;

async fn spawn_with_organizations() -> Env {
    spawn_tweaked(Kind::Production, |cfg| {
        cfg.policy.organizations_enabled = Some(true);
    })
    .await
}

async fn create_org(env: &Env, name: &str, admin: &str) -> String {
    env.new_org(name, None, admin).await
}

/// The memberships of the client's (only) session user.
async fn client_memberships(b: &mut Browser) -> Vec<Value> {
    let c = b.client().await;
    let sessions = c["response"]["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{c}");
    sessions[0]["user"]["organization_memberships"]
        .as_array()
        .unwrap()
        .clone()
}

fn by_org<'a>(list: &'a [Value], org: &str) -> Option<&'a Value> {
    list.iter().find(|m| m["organization"]["id"] == org)
}

#[tokio::test]
async fn the_client_shows_each_user_their_own_memberships_as_they_are_now() {
    let env = spawn_with_organizations().await;
    let mut a = env.browser();
    let mut b = env.browser();
    let (alice, _) = a.sign_up(&env, "alice@example.com", None).await;
    let (bob, _) = b.sign_up(&env, "bob@example.com", None).await;
    assert!(client_memberships(&mut a).await.is_empty());

    let acme = create_org(&env, "Acme", &alice).await;
    let bobco = create_org(&env, "Bobco", &bob).await;
    env.bapi(
        Method::PATCH,
        &format!("/v1/organizations/{bobco}/metadata"),
        Some(json!({"private_metadata": {"secret": "org"}})),
    )
    .await
    .ok();
    env.add_member(&bobco, &alice, "org:member").await;
    env.bapi(
        Method::PATCH,
        &format!("/v1/organizations/{bobco}/memberships/{alice}/metadata"),
        Some(json!({"public_metadata": {"team": "red"}, "private_metadata": {"secret": "member"}})),
    )
    .await
    .ok();

    let list = client_memberships(&mut a).await;
    assert_eq!(list.len(), 2, "{list:?}");
    let admin = by_org(&list, &acme).unwrap();
    assert_eq!(admin["object"], "organization_membership");
    assert!(admin["id"].as_str().unwrap().starts_with("orgmem_"));
    assert_eq!(admin["role"], "org:admin");
    assert_eq!(admin["role_name"], "Admin");
    let perms = admin["permissions"].as_array().unwrap();
    for p in [
        "org:sys_memberships:manage",
        "org:sys_memberships:read",
        "org:sys_profile:manage",
        "org:sys_profile:delete",
    ] {
        assert!(perms.contains(&json!(p)), "{p} in {admin}");
    }
    assert_eq!(admin["public_user_data"]["user_id"], alice.as_str());
    assert_eq!(admin["public_user_data"]["identifier"], "alice@example.com");
    assert_eq!(admin["organization"]["object"], "organization");
    assert_eq!(admin["organization"]["name"], "Acme");
    assert_eq!(admin["organization"]["members_count"], 1);
    assert_eq!(admin["organization"]["pending_invitations_count"], 0);
    let member = by_org(&list, &bobco).unwrap();
    assert_eq!(member["role"], "org:member");
    assert_eq!(member["role_name"], "Member");
    let perms = member["permissions"].as_array().unwrap();
    assert!(perms.contains(&json!("org:sys_memberships:read")));
    assert!(!perms.contains(&json!("org:sys_memberships:manage")));
    assert_eq!(member["public_metadata"], json!({"team": "red"}));
    assert_eq!(member["organization"]["members_count"], 2);
    // Nothing private reaches the browser, and no one else's membership does.
    let raw = serde_json::to_string(&list).unwrap();
    assert!(!raw.contains("private_metadata"), "{raw}");
    assert!(!raw.contains("secret"), "{raw}");
    assert!(!raw.contains(&bob), "{raw}");

    // Bob sees his own membership only, never Alice's in the same organization.
    let list = client_memberships(&mut b).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["organization"]["id"], bobco.as_str());
    assert_eq!(list[0]["public_user_data"]["user_id"], bob.as_str());
    assert!(by_org(&list, &acme).is_none());

    // `/v1/me` and the envelope's client carry the same list.
    let r = a.get("/v1/me").await;
    let me = &r.ok()["response"]["organization_memberships"];
    assert_eq!(me.as_array().unwrap().len(), 2, "{}", r.raw);
    assert_eq!(
        r.body["client"]["sessions"][0]["user"]["organization_memberships"],
        *me
    );

    // A role change shows on the next fetch.
    env.bapi(
        Method::PATCH,
        &format!("/v1/organizations/{bobco}/memberships/{alice}"),
        Some(json!({"role": "org:admin"})),
    )
    .await
    .ok();
    let list = client_memberships(&mut a).await;
    let member = by_org(&list, &bobco).unwrap();
    assert_eq!(member["role"], "org:admin");
    assert!(
        member["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("org:sys_memberships:manage"))
    );

    // So does a removal: the organization is gone from Alice's list, and still in Bob's.
    env.bapi(
        Method::DELETE,
        &format!("/v1/organizations/{bobco}/memberships/{alice}"),
        None,
    )
    .await
    .ok();
    let list = client_memberships(&mut a).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert!(by_org(&list, &bobco).is_none());
    assert_eq!(client_memberships(&mut b).await.len(), 1);
}

#[tokio::test]
async fn a_membership_change_through_the_frontend_api_answers_the_refreshed_client() {
    let env = spawn_with_organizations().await;
    let mut a = env.browser();
    let mut c = env.browser();
    a.sign_up(&env, "alice@example.com", None).await;
    let (carol, _) = c.sign_up(&env, "carol@example.com", None).await;
    let r = a.post("/v1/organizations", &[("name", "Acme")]).await;
    let org = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    let mine = &r.body["client"]["sessions"][0]["user"]["organization_memberships"];
    assert_eq!(mine.as_array().unwrap().len(), 1, "{}", r.raw);
    assert_eq!(mine[0]["organization"]["id"], org.as_str());
    assert_eq!(mine[0]["role"], "org:admin");

    a.post(
        &format!("/v1/organizations/{org}/memberships"),
        &[("user_id", &carol), ("role", "org:member")],
    )
    .await
    .ok();
    let r = c
        .delete(&format!("/v1/me/organization_memberships/{org}"))
        .await;
    r.ok();
    let left = &r.body["client"]["sessions"][0]["user"]["organization_memberships"];
    assert_eq!(left, &json!([]), "{}", r.raw);
}

#[tokio::test]
async fn without_organizations_the_list_stays_empty() {
    let env = spawn(Kind::Production).await;
    let mut a = env.browser();
    let (alice, _) = a.sign_up(&env, "alice@example.com", None).await;
    create_org(&env, "Acme", &alice).await;
    assert!(client_memberships(&mut a).await.is_empty());
}

#[tokio::test]
async fn pending_invitations_count_counts_pending_unexpired_invitations() {
    let env = spawn_with_organizations().await;
    let mut a = env.browser();
    let (alice, _) = a.sign_up(&env, "alice@example.com", None).await;
    let org = create_org(&env, "Acme", &alice).await;
    let invite = |email: &'static str, days: i64| {
        let path = format!("/v1/organizations/{org}/invitations");
        let env = &env;
        async move {
            env.bapi(
                Method::POST,
                &path,
                Some(
                    json!({"email_address": email, "role": "org:member", "expires_in_days": days}),
                ),
            )
            .await
            .ok()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    invite("one@example.com", 1).await;
    let two = invite("two@example.com", 30).await;
    invite("three@example.com", 30).await;
    let revoked = invite("four@example.com", 30).await;
    env.bapi(
        Method::POST,
        &format!("/v1/organizations/{org}/invitations/{revoked}/revoke"),
        Some(json!({})),
    )
    .await
    .ok();

    let counts = |expected: i64| {
        let org = org.clone();
        let env = &env;
        async move {
            let r = env
                .bapi_get(&format!(
                    "/v1/organizations/{org}?include_members_count=true"
                ))
                .await;
            assert_eq!(r.ok()["pending_invitations_count"], expected, "{}", r.raw);
            let r = env
                .bapi_get("/v1/organizations?include_members_count=true")
                .await;
            assert_eq!(
                r.ok()["data"][0]["pending_invitations_count"],
                expected,
                "{}",
                r.raw
            );
            // Without the flag, Clerk sends no counts.
            let r = env.bapi_get(&format!("/v1/organizations/{org}")).await;
            assert!(r.ok().get("pending_invitations_count").is_none());
        }
    };
    counts(3).await;
    let r = a.get(&format!("/v1/organizations/{org}")).await;
    assert_eq!(
        r.ok()["response"]["pending_invitations_count"],
        3,
        "{}",
        r.raw
    );
    let list = client_memberships(&mut a).await;
    assert_eq!(list[0]["organization"]["pending_invitations_count"], 3);
    let r = a
        .get("/v1/me/organization_memberships?limit=10&offset=0&paginated=true")
        .await;
    assert_eq!(
        r.ok()["response"]["data"][0]["organization"]["pending_invitations_count"],
        3
    );

    // A day and a minute later the one-day invitation has expired, with no write.
    env.clock.advance(24 * 60 * MINUTE + MINUTE);
    counts(2).await;
    let list = client_memberships(&mut a).await;
    assert_eq!(list[0]["organization"]["pending_invitations_count"], 2);

    // Revoking one takes it off the count.
    env.bapi(
        Method::POST,
        &format!("/v1/organizations/{org}/invitations/{two}/revoke"),
        Some(json!({})),
    )
    .await
    .ok();
    counts(1).await;
    let r = a.get(&format!("/v1/organizations/{org}")).await;
    assert_eq!(r.ok()["response"]["pending_invitations_count"], 1);
    // A membership's organization carries it too.
    let r = env
        .bapi(
            Method::PATCH,
            &format!("/v1/organizations/{org}/memberships/{alice}/metadata"),
            Some(json!({"public_metadata": {"seen": true}})),
        )
        .await;
    assert_eq!(
        r.ok()["organization"]["pending_invitations_count"],
        1,
        "{}",
        r.raw
    );
    let r = env
        .bapi_get(&format!(
            "/v1/organizations/{org}/memberships?limit=10&offset=0"
        ))
        .await;
    assert_eq!(
        r.ok()["data"][0]["organization"]["pending_invitations_count"],
        1
    );
}

/// clerk-js files the client's `last_active_token` as the token of the session's active
/// organization and mints no other after `setActive({organization})`: that token names it.
#[tokio::test]
async fn the_clients_token_names_the_sessions_active_organization() {
    let env = spawn_with_organizations().await;
    let mut a = env.browser();
    let (alice, sid) = a.sign_up(&env, "alice@example.com", None).await;
    let acme = create_org(&env, "Acme", &alice).await;
    let touch = |org: &str| {
        let path = format!("/v1/client/sessions/{sid}/touch");
        let form = vec![
            ("active_organization_id", org.to_owned()),
            ("intent", "select_org".to_owned()),
        ];
        (path, form)
    };
    let client_token_claims = |r: &Res| {
        let s = &r.body["client"]["sessions"][0];
        decode_jwt(s["last_active_token"]["jwt"].as_str().unwrap()).1
    };

    let (path, form) = touch(&acme);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = a.post(&path, &pairs).await;
    assert_eq!(
        r.ok()["response"]["last_active_organization_id"],
        acme.as_str()
    );
    let claims = client_token_claims(&r);
    assert_eq!(claims["o"]["id"], acme.as_str(), "{claims}");
    assert_eq!(claims["o"]["rol"], "admin");
    assert_eq!(claims["o"]["slg"], "acme");
    // Every later client read carries it too.
    let r = a.get("/v1/client").await;
    let claims = decode_jwt(
        r.ok()["response"]["sessions"][0]["last_active_token"]["jwt"]
            .as_str()
            .unwrap(),
    )
    .1;
    assert_eq!(claims["o"]["id"], acme.as_str());

    // The personal account: no `o`.
    let (path, form) = touch("");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = a.post(&path, &pairs).await;
    assert_eq!(
        r.ok()["response"]["last_active_organization_id"],
        Value::Null
    );
    let claims = client_token_claims(&r);
    assert!(claims.get("o").is_none(), "{claims}");
}
