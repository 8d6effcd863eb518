//! Organizations as clerk-js drives them for a signed-in user: created by a user (its admin),
//! read and changed by members as their role permits, and closed to everyone else: a member of
//! one organization gets nothing of another and changes nothing in it.

use super::*;

async fn create_org(b: &mut Browser, name: &str) -> String {
    let r = b.post("/v1/organizations", &[("name", name)]).await;
    let org = &r.ok()["response"];
    assert_eq!(org["object"], "organization", "{}", r.raw);
    assert_eq!(org["name"], name);
    assert!(org.get("private_metadata").is_none(), "{}", r.raw);
    assert!(r.body["client"].is_object());
    org["id"].as_str().unwrap().to_owned()
}

fn page_of(path: &str) -> String {
    format!("{path}?limit=10&offset=0&paginated=true")
}

#[tokio::test]
async fn organizations_are_off_by_default() {
    let env = spawn(Kind::Production).await;
    let settings = &env.environment().await["organization_settings"];
    assert_eq!(settings["enabled"], false);
    assert_eq!(settings["max_allowed_memberships"], 5);
    assert_eq!(settings["actions"]["admin_delete"], true);
    let mut a = env.browser();
    a.sign_up(&env, "alice@example.com", None).await;
    let before = env.snapshot().await;
    a.post("/v1/organizations", &[("name", "Acme")])
        .await
        .err(403, "not_allowed_access");
    a.get(&page_of("/v1/me/organization_memberships"))
        .await
        .err(403, "not_allowed_access");
    assert_eq!(env.snapshot().await, before);
}

#[tokio::test]
async fn a_member_of_one_organization_reaches_nothing_of_another() {
    // Domains on too, so that their routes are served and must refuse as the others do.
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.policy.organizations_enabled = Some(true);
        cfg.policy.organization_domains_enabled = Some(true);
    })
    .await;
    assert_eq!(
        env.environment().await["organization_settings"]["enabled"],
        true
    );
    let mut a = env.browser();
    let mut b = env.browser();
    let (alice, _) = a.sign_up(&env, "alice@example.com", None).await;
    let (bob, _) = b.sign_up(&env, "bob@example.com", None).await;
    let org_a = create_org(&mut a, "Acme").await;
    let org_b = create_org(&mut b, "Bobco").await;

    // Each sees their own membership only, as its admin.
    let r = a.get(&page_of("/v1/me/organization_memberships")).await;
    let list = &r.ok()["response"];
    assert_eq!(list["total_count"], 1, "{}", r.raw);
    assert_eq!(list["data"][0]["organization"]["id"], org_a.as_str());
    assert_eq!(list["data"][0]["role"], "org:admin");
    assert_eq!(
        list["data"][0]["public_user_data"]["user_id"],
        alice.as_str()
    );
    assert!(list["data"][0].get("private_metadata").is_none());

    // Bob's organization has an invitation and a domain for Alice to aim at.
    let ob = format!("/v1/organizations/{org_b}");
    let r = b
        .post(
            &format!("{ob}/invitations"),
            &[
                ("email_address", "carol@example.com"),
                ("role", "org:member"),
            ],
        )
        .await;
    let inv_b = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    let r = b
        .post(&format!("{ob}/domains"), &[("name", "bobco.example.com")])
        .await;
    let dom_b = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    let dom = format!("{ob}/domains/{dom_b}");

    // Alice on every organization-scoped route of Bob's organization: not found, and nothing
    // written. (Membership requests with a well-formed id: real ones of another organization
    // are refused the same way in domain_enrollment.rs.)
    let before = env.snapshot().await;
    let refused = [
        a.get(&ob).await,
        a.patch(&ob, &[("name", "Taken")]).await,
        a.delete(&ob).await,
        a.get(&page_of(&format!("{ob}/memberships"))).await,
        a.post(
            &format!("{ob}/memberships"),
            &[("user_id", &alice), ("role", "org:admin")],
        )
        .await,
        a.patch(
            &format!("{ob}/memberships/{bob}"),
            &[("role", "org:member")],
        )
        .await,
        a.delete(&format!("{ob}/memberships/{bob}")).await,
        a.patch(
            &format!("{ob}/memberships/{alice}"),
            &[("role", "org:admin")],
        )
        .await,
        a.get(&format!("{ob}/roles?limit=20&offset=0")).await,
        a.delete(&format!("/v1/me/organization_memberships/{org_b}"))
            .await,
        a.get(&format!(
            "{ob}/invitations?limit=10&offset=0&status=pending"
        ))
        .await,
        a.post(
            &format!("{ob}/invitations"),
            &[
                ("email_address", "alice@example.com"),
                ("role", "org:admin"),
            ],
        )
        .await,
        a.post(
            &format!("{ob}/invitations/bulk"),
            &[
                ("email_address", "alice@example.com"),
                ("email_address", "dave@example.com"),
                ("role", "org:admin"),
            ],
        )
        .await,
        a.post(&format!("{ob}/invitations/{inv_b}/revoke"), &[])
            .await,
        a.get(&page_of(&format!("{ob}/domains"))).await,
        a.post(&format!("{ob}/domains"), &[("name", "example.com")])
            .await,
        a.get(&dom).await,
        a.delete(&dom).await,
        a.post(
            &format!("{dom}/update_enrollment_mode"),
            &[("enrollment_mode", "automatic_invitation")],
        )
        .await,
        a.post(
            &format!("{dom}/prepare_affiliation_verification"),
            &[("affiliation_email_address", "alice@bobco.example.com")],
        )
        .await,
        a.post(
            &format!("{dom}/attempt_affiliation_verification"),
            &[("code", "424242")],
        )
        .await,
        a.get(&format!("{ob}/membership_requests?limit=10&offset=0"))
            .await,
        a.post(
            &format!("{ob}/membership_requests/orgmbrreq_2none/accept"),
            &[],
        )
        .await,
        a.post(
            &format!("{ob}/membership_requests/orgmbrreq_2none/reject"),
            &[],
        )
        .await,
    ];
    for r in &refused {
        r.err(404, "organization_not_found_or_unauthorized");
    }
    // An organization that does not exist answers the same.
    a.get("/v1/organizations/org_doesnotexist")
        .await
        .err(404, "organization_not_found_or_unauthorized");
    assert_eq!(env.snapshot().await, before);
    let r = b.get(&ob).await;
    assert_eq!(r.ok()["response"]["name"], "Bobco");
    assert_eq!(r.ok()["response"]["members_count"], 1);
    let r = b.get(&page_of(&format!("{ob}/memberships"))).await;
    assert_eq!(r.ok()["response"]["total_count"], 1);
    assert_eq!(
        r.ok()["response"]["data"][0]["public_user_data"]["user_id"],
        bob.as_str()
    );
    let r = b
        .get(&format!(
            "{ob}/invitations?limit=10&offset=0&status=pending"
        ))
        .await;
    assert_eq!(r.ok()["response"]["total_count"], 1, "{}", r.raw);
    assert_eq!(r.ok()["response"]["data"][0]["id"], inv_b.as_str());
    let r = b.get(&dom).await;
    assert_eq!(r.ok()["response"]["name"], "bobco.example.com", "{}", r.raw);

    // Through her own organization's path, Bob's invitation and domain do not exist either.
    let oa = format!("/v1/organizations/{org_a}");
    let before = env.snapshot().await;
    let r = a
        .post(&format!("{oa}/invitations/{inv_b}/revoke"), &[])
        .await;
    assert_eq!(r.status, 404, "{}", r.raw);
    for r in [
        a.get(&format!("{oa}/domains/{dom_b}")).await,
        a.delete(&format!("{oa}/domains/{dom_b}")).await,
        a.post(
            &format!("{oa}/domains/{dom_b}/update_enrollment_mode"),
            &[("enrollment_mode", "automatic_invitation")],
        )
        .await,
    ] {
        assert_eq!(r.status, 404, "{}", r.raw);
    }
    assert_eq!(env.snapshot().await, before);
}

#[tokio::test]
async fn members_act_as_their_role_permits() {
    let env = spawn_with_organizations().await;
    let mut a = env.browser();
    let mut c = env.browser();
    a.sign_up(&env, "alice@example.com", None).await;
    let (carol, _) = c.sign_up(&env, "carol@example.com", None).await;
    let org = create_org(&mut a, "Acme").await;
    let o = format!("/v1/organizations/{org}");
    let events = env.events().await.len();

    // The admin adds Carol as a member.
    let r = a
        .post(
            &format!("{o}/memberships"),
            &[("user_id", &carol), ("role", "org:member")],
        )
        .await;
    let m = &r.ok()["response"];
    assert_eq!(m["object"], "organization_membership", "{}", r.raw);
    assert_eq!(m["role"], "org:member");
    assert_eq!(
        m["permissions"],
        json!(["org:sys_memberships:read", "org:sys_billing:read"])
    );
    assert_eq!(env.events().await.len(), events + 1);

    // Carol reads, and may change nothing.
    assert_eq!(c.get(&o).await.ok()["response"]["members_count"], 2);
    let r = c.get(&page_of(&format!("{o}/memberships"))).await;
    assert_eq!(r.ok()["response"]["total_count"], 2);
    let r = c
        .get(&page_of(&format!("{o}/memberships")).replace("paginated=true", "role=org:admin"))
        .await;
    assert_eq!(r.ok()["response"]["total_count"], 1, "{}", r.raw);
    let roles = c.get(&format!("{o}/roles?limit=20&offset=0")).await;
    let keys = role_keys(&roles);
    assert_eq!(keys, ["org:admin", "org:member"]);
    let before = env.snapshot().await;
    c.patch(&o, &[("name", "Mine")])
        .await
        .err(403, "not_allowed_access");
    c.delete(&o).await.err(403, "not_allowed_access");
    c.patch(
        &format!("{o}/memberships/{carol}"),
        &[("role", "org:admin")],
    )
    .await
    .err(403, "not_allowed_access");
    let (alice, _) = (
        a.get("/v1/me").await.ok()["response"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        (),
    );
    c.delete(&format!("{o}/memberships/{alice}"))
        .await
        .err(403, "not_allowed_access");
    assert_eq!(env.snapshot().await, before);

    // The admin renames, promotes, and the last admin cannot leave.
    let r = a.patch(&o, &[("name", "Acme Inc")]).await;
    assert_eq!(r.ok()["response"]["name"], "Acme Inc");
    let r = a
        .patch(
            &format!("{o}/memberships/{carol}"),
            &[("role", "org:admin")],
        )
        .await;
    assert_eq!(r.ok()["response"]["role"], "org:admin");
    let r = a
        .patch(
            &format!("{o}/memberships/{carol}"),
            &[("role", "org:member")],
        )
        .await;
    assert_eq!(r.ok()["response"]["role"], "org:member");
    a.delete(&format!("/v1/me/organization_memberships/{org}"))
        .await
        .err(403, "organization_minimum_permissions_needed");

    // Carol leaves; the admin deletes the organization.
    let r = c
        .delete(&format!("/v1/me/organization_memberships/{org}"))
        .await;
    assert_eq!(r.ok()["response"]["object"], "organization_membership");
    assert_eq!(r.ok()["response"]["deleted"], true);
    c.get(&o)
        .await
        .err(404, "organization_not_found_or_unauthorized");
    let r = a.delete(&o).await;
    assert_eq!(
        r.ok()["response"],
        json!({"object": "organization", "id": org, "deleted": true})
    );
    env.bapi_get(&format!("/v1/organizations/{org}"))
        .await
        .err(404, "resource_not_found");
}

#[tokio::test]
async fn users_not_allowed_to_create_organizations_are_refused() {
    let env = spawn_with_organizations().await;
    let mut a = env.browser();
    let (alice, _) = a.sign_up(&env, "alice@example.com", None).await;
    env.bapi(
        reqwest::Method::PATCH,
        &format!("/v1/users/{alice}"),
        Some(json!({"create_organization_enabled": false})),
    )
    .await
    .ok();
    let before = env.snapshot().await;
    a.post("/v1/organizations", &[("name", "Acme")])
        .await
        .err(403, "not_allowed_access");
    assert_eq!(env.snapshot().await, before);
    let r = a.get("/v1/me/organization_creation_defaults").await;
    assert_eq!(r.ok()["response"]["advisory"], Value::Null);
}

/// clerk-js's role picker offers the organization's role set, and the Frontend API gives no role
/// outside it.
#[tokio::test]
async fn an_organizations_role_set_limits_the_roles_offered_and_given() {
    let env = spawn_with_organizations().await;
    let post = reqwest::Method::POST;
    env.bapi(
        post.clone(),
        "/v1/organization_roles",
        Some(json!({"name": "Support", "key": "org:support"})),
    )
    .await
    .ok();
    env.bapi(
        post,
        "/v1/role_sets",
        Some(
            json!({"name": "Support", "type": "initial", "default_role_key": "org:support",
                    "creator_role_key": "org:admin", "roles": ["org:admin", "org:support"]}),
        ),
    )
    .await
    .ok();
    let mut a = env.browser();
    let mut c = env.browser();
    a.sign_up(&env, "alice@example.com", None).await;
    let (carol, _) = c.sign_up(&env, "carol@example.com", None).await;
    let o = format!("/v1/organizations/{}", create_org(&mut a, "Acme").await);
    let roles = a.get(&format!("{o}/roles?limit=20&offset=0")).await;
    let keys = role_keys(&roles);
    assert_eq!(keys, ["org:admin", "org:support"]);
    assert_eq!(roles.body["response"]["total_count"], 2);
    a.post(
        &format!("{o}/memberships"),
        &[("user_id", &carol), ("role", "org:member")],
    )
    .await
    .err(422, "form_param_value_invalid");
    let r = a
        .post(
            &format!("{o}/memberships"),
            &[("user_id", &carol), ("role", "org:support")],
        )
        .await;
    assert_eq!(r.ok()["response"]["role"], "org:support");
}
