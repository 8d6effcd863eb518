//! Enrollment by verified domain, as clerk-js drives it: a user who signs up (or is created
//! over the Backend API) with an address at an organization's verified domain gets what the
//! domain's enrollment mode gives — a pending invitation (`automatic_invitation`), a suggestion
//! (`automatic_suggestion`) or nothing (`manual_invitation`, or an unverified domain). Accepting
//! a suggestion makes a membership request; the organization's admins list, accept or reject
//! it. Nobody reaches another user's suggestion or another organization's requests.

use reqwest::Method;

use super::*;

/// A signed-in admin (an address elsewhere) and the organization they created.
async fn admin_and_org(env: &Env, name: &str) -> (Browser, String) {
    let mut b = env.browser();
    b.sign_up(
        env,
        &format!("admin@{}.example.com", name.to_lowercase()),
        None,
    )
    .await;
    let r = b.post("/v1/organizations", &[("name", name)]).await;
    let org = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    (b, org)
}

/// Adds `name` to `org` over the Backend API; returns the domain's id.
async fn domain(env: &Env, org: &str, name: &str, mode: &str, verified: bool) -> String {
    let r = env
        .bapi(
            Method::POST,
            &format!("/v1/organizations/{org}/domains"),
            Some(json!({"name": name, "enrollment_mode": mode, "verified": verified})),
        )
        .await;
    r.ok()["id"].as_str().unwrap().to_owned()
}

/// An admin's organization whose verified domain `name` suggests membership
/// (`automatic_suggestion`): the admin's browser, the organization's id and the domain's.
async fn suggesting_org(env: &Env, org_name: &str, name: &str) -> (Browser, String, String) {
    let (admin, org) = admin_and_org(env, org_name).await;
    let dom = domain(env, &org, name, "automatic_suggestion", true).await;
    (admin, org, dom)
}

async fn domain_json(env: &Env, org: &str, id: &str) -> Value {
    let r = env
        .bapi_get(&format!("/v1/organizations/{org}/domains?limit=100"))
        .await;
    r.ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .cloned()
        .unwrap()
}

const INVITATIONS: &str = "/v1/me/organization_invitations?limit=10&offset=0&status=pending";
const SUGGESTIONS: &str = "/v1/me/organization_suggestions";

fn suggestions(status: &str) -> String {
    format!("{SUGGESTIONS}?limit=10&offset=0{status}")
}

fn requests_of(org: &str, status: &str) -> String {
    format!("/v1/organizations/{org}/membership_requests?limit=10&offset=0{status}")
}

/// Bob, signed up with an address at `domain`: his browser and his id.
async fn bob_at(env: &Env, domain: &str) -> (Browser, String) {
    let mut bob = env.browser();
    let (bob_id, _) = bob.sign_up(env, &format!("bob@{domain}"), None).await;
    (bob, bob_id)
}

/// The id of the first organization suggestion `b`'s user has.
async fn first_suggestion(b: &mut Browser) -> String {
    b.get(&suggestions("")).await.first_id()
}

/// Accepts the first suggestion `b`'s user has (a membership request for its organization).
async fn accept_first_suggestion(b: &mut Browser) {
    let sid = first_suggestion(b).await;
    b.post(&format!("{SUGGESTIONS}/{sid}/accept"), &[])
        .await
        .ok();
}

/// `user` is a member of `org` with the default role, and exactly one
/// `organizationMembership.created` was written since the instance held `before` events.
async fn assert_joined_once(env: &Env, org: &str, user: &str, before: usize) {
    assert_eq!(
        memberships_of(env, user).await,
        vec![(org.to_owned(), "org:member".to_owned())]
    );
    let events = env.events().await;
    assert_eq!(
        events_of(&events[before..], "organizationMembership.created"),
        1
    );
}

/// The route that acts (`accept`, `reject`) on membership request `req` of `org`.
fn request_route(org: &str, req: &str, action: &str) -> String {
    format!("/v1/organizations/{org}/membership_requests/{req}/{action}")
}

/// An admin's `action` (`accept`, `reject`) on membership request `req` of `org`.
async fn decide(admin: &mut Browser, org: &str, req: &str, action: &str) -> Res {
    admin.post(&request_route(org, req, action), &[]).await
}

#[tokio::test]
async fn signing_up_at_a_verified_domain_enrolls_by_its_mode() {
    let env = spawn_with_organizations().await;
    let (_, inviting) = admin_and_org(&env, "Inviting").await;
    let (_, suggesting) = admin_and_org(&env, "Suggesting").await;
    let (_, manual) = admin_and_org(&env, "Manual").await;
    let (_, unverified) = admin_and_org(&env, "Unverified").await;
    let inv_domain = domain(
        &env,
        &inviting,
        "inviting.test",
        "automatic_invitation",
        true,
    )
    .await;
    let sug_domain = domain(
        &env,
        &suggesting,
        "suggesting.test",
        "automatic_suggestion",
        true,
    )
    .await;
    domain(&env, &manual, "manual.test", "manual_invitation", true).await;
    domain(
        &env,
        &unverified,
        "unverified.test",
        "automatic_invitation",
        false,
    )
    .await;
    assert_eq!(
        domain_json(&env, &inviting, &inv_domain).await["total_pending_invitations"],
        0
    );

    // automatic_invitation: a pending invitation to the new address, with the default role.
    let before = env.events().await.len();
    let mut ann = env.browser();
    let (ann_id, _) = ann.sign_up(&env, "Ann@Inviting.test", None).await;
    let events = env.events().await;
    assert_eq!(
        events_of(&events[before..], "organizationInvitation.created"),
        1
    );
    let r = ann.get(INVITATIONS).await;
    let page = &r.ok()["response"];
    assert_eq!(page["total_count"], 1, "{}", r.raw);
    let inv = &page["data"][0];
    assert_eq!(inv["email_address"], "ann@inviting.test");
    assert_eq!(inv["role"], "org:member");
    assert_eq!(inv["public_organization_data"]["id"], inviting.as_str());
    assert_eq!(
        ann.get(&suggestions("")).await.ok()["response"]["total_count"],
        0
    );
    let d = domain_json(&env, &inviting, &inv_domain).await;
    assert_eq!(d["total_pending_invitations"], 1, "{d}");
    assert_eq!(d["total_pending_suggestions"], 0);
    // It is accepted the way any invitation is.
    let inv_id = inv["id"].as_str().unwrap().to_owned();
    let r = ann
        .post(
            &format!("/v1/me/organization_invitations/{inv_id}/accept"),
            &[],
        )
        .await;
    assert_eq!(r.ok()["response"]["status"], "accepted", "{}", r.raw);
    assert_eq!(
        memberships_of(&env, &ann_id).await,
        vec![(inviting.clone(), "org:member".to_owned())]
    );
    assert_eq!(
        domain_json(&env, &inviting, &inv_domain).await["total_pending_invitations"],
        0
    );

    // automatic_suggestion: a suggestion, no invitation.
    let mut bob = env.browser();
    bob.sign_up(&env, "bob@suggesting.test", None).await;
    assert_eq!(
        bob.get(INVITATIONS).await.ok()["response"]["total_count"],
        0
    );
    let r = bob
        .get(&suggestions("&status=pending&status=accepted"))
        .await;
    let page = &r.ok()["response"];
    assert_eq!(page["total_count"], 1, "{}", r.raw);
    let s = &page["data"][0];
    assert_eq!(s["object"], "organization_suggestion");
    assert!(s["id"].as_str().unwrap().starts_with("orgsugg_"));
    assert_eq!(s["status"], "pending");
    assert_eq!(s["public_organization_data"]["id"], suggesting.as_str());
    assert_eq!(s["public_organization_data"]["name"], "Suggesting");
    assert_eq!(s["public_organization_data"]["has_image"], false);
    assert!(s["created_at"].as_i64().unwrap() > 0);
    assert!(r.body["client"].is_object());
    let d = domain_json(&env, &suggesting, &sug_domain).await;
    assert_eq!(d["total_pending_suggestions"], 1, "{d}");

    // manual_invitation, or a domain not verified: nothing.
    for email in ["carol@manual.test", "dan@unverified.test"] {
        let before = env.events().await.len();
        let mut b = env.browser();
        b.sign_up(&env, email, None).await;
        assert_eq!(b.get(INVITATIONS).await.ok()["response"]["total_count"], 0);
        assert_eq!(
            b.get(&suggestions("")).await.ok()["response"]["total_count"],
            0
        );
        let events = env.events().await;
        assert_eq!(
            events_of(&events[before..], "organizationInvitation.created"),
            0
        );
    }

    // A user created over the Backend API with such an address is enrolled too.
    let r = env
        .bapi(
            Method::POST,
            "/v1/users",
            Some(
                json!({"email_address": ["eve@inviting.test"], "skip_password_requirement": true}),
            ),
        )
        .await;
    r.ok();
    let r = env
        .bapi_get(&format!(
            "/v1/organizations/{inviting}/invitations?status=pending"
        ))
        .await;
    let list = r.ok();
    assert_eq!(list["total_count"], 1, "{list}");
    assert_eq!(list["data"][0]["email_address"], "eve@inviting.test");

    // Bad status filters are the caller's mistake.
    bob.get(&format!("{SUGGESTIONS}?status=rejected"))
        .await
        .err(400, "form_param_value_invalid");
}

#[tokio::test]
async fn a_suggestion_becomes_a_request_an_admin_accepts_or_rejects() {
    let env = spawn_with_organizations().await;
    let (mut admin, org, dom) = suggesting_org(&env, "Acme", "acme.test").await;
    let (mut bob, bob_id) = bob_at(&env, "acme.test").await;
    let mut carol = env.browser();
    let (carol_id, _) = carol.sign_up(&env, "carol@acme.test", None).await;
    assert_eq!(
        domain_json(&env, &org, &dom).await["total_pending_suggestions"],
        2
    );

    // No request before a suggestion is accepted.
    let r = admin.get(&requests_of(&org, "&status=pending")).await;
    assert_eq!(r.ok()["response"]["total_count"], 0, "{}", r.raw);

    let sid = first_suggestion(&mut bob).await;
    let r = bob.post(&format!("{SUGGESTIONS}/{sid}/accept"), &[]).await;
    let accepted = &r.ok()["response"];
    assert_eq!(accepted["status"], "accepted", "{}", r.raw);
    assert_eq!(accepted["id"], sid.as_str());
    assert!(r.body["client"].is_object());
    // Not a member yet: the admins decide.
    assert!(memberships_of(&env, &bob_id).await.is_empty());
    assert_eq!(
        domain_json(&env, &org, &dom).await["total_pending_suggestions"],
        1
    );
    let before = env.snapshot().await;
    bob.post(&format!("{SUGGESTIONS}/{sid}/accept"), &[])
        .await
        .err(400, "organization_suggestion_not_pending");
    assert_eq!(env.snapshot().await, before);
    let r = bob.get(&suggestions("&status=accepted")).await;
    assert_eq!(r.ok()["response"]["total_count"], 1);

    accept_first_suggestion(&mut carol).await;

    let r = admin.get(&requests_of(&org, "&status=pending")).await;
    let page = &r.ok()["response"];
    assert_eq!(page["total_count"], 2, "{}", r.raw);
    let by = |user: &str| {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["public_user_data"]["user_id"] == user)
            .cloned()
            .unwrap()
    };
    let bob_req = by(&bob_id);
    assert_eq!(bob_req["object"], "organization_membership_request");
    assert!(bob_req["id"].as_str().unwrap().starts_with("orgmbrreq_"));
    assert_eq!(bob_req["organization_id"], org.as_str());
    assert_eq!(bob_req["status"], "pending");
    assert_eq!(bob_req["public_user_data"]["identifier"], "bob@acme.test");
    let bob_req = bob_req["id"].as_str().unwrap().to_owned();
    let carol_req = by(&carol_id)["id"].as_str().unwrap().to_owned();

    // Accept: the membership with the default role, one organizationMembership.created.
    let before = env.events().await.len();
    let r = decide(&mut admin, &org, &bob_req, "accept").await;
    let got = &r.ok()["response"];
    assert_eq!(got["status"], "accepted", "{}", r.raw);
    assert_eq!(got["public_user_data"]["user_id"], bob_id.as_str());
    assert_joined_once(&env, &org, &bob_id, before).await;
    let before = env.snapshot().await;
    decide(&mut admin, &org, &bob_req, "reject")
        .await
        .err(400, "organization_membership_request_not_pending");
    assert_eq!(env.snapshot().await, before);

    // Reject: no membership.
    let r = decide(&mut admin, &org, &carol_req, "reject").await;
    assert_eq!(r.ok()["response"]["status"], "rejected", "{}", r.raw);
    assert!(memberships_of(&env, &carol_id).await.is_empty());
    let r = admin.get(&requests_of(&org, "&status=rejected")).await;
    assert_eq!(r.ok()["response"]["total_count"], 1);
    let r = admin.get(&requests_of(&org, "")).await;
    assert_eq!(r.ok()["response"]["total_count"], 2);
    admin
        .get(&requests_of(&org, "&status=bogus"))
        .await
        .err(400, "form_param_value_invalid");
}

#[tokio::test]
async fn nobody_reaches_another_users_suggestion_or_another_organizations_requests() {
    let env = spawn_with_organizations().await;
    let (mut a_admin, org_a) = admin_and_org(&env, "Alpha").await;
    let (mut b_admin, org_b, _) = suggesting_org(&env, "Beta", "beta.test").await;
    let (mut bob, bob_id) = bob_at(&env, "beta.test").await;
    let sid = first_suggestion(&mut bob).await;

    // Another user cannot see or accept Bob's suggestion.
    let mut eve = env.browser();
    eve.sign_up(&env, "eve@elsewhere.test", None).await;
    assert_eq!(
        eve.get(&suggestions("")).await.ok()["response"]["total_count"],
        0
    );
    let before = env.snapshot().await;
    eve.post(&format!("{SUGGESTIONS}/{sid}/accept"), &[])
        .await
        .err(404, "resource_not_found");
    eve.post(&format!("{SUGGESTIONS}/orgsugg_notanid/accept"), &[])
        .await
        .err(404, "resource_not_found");
    assert_eq!(env.snapshot().await, before);

    bob.post(&format!("{SUGGESTIONS}/{sid}/accept"), &[])
        .await
        .ok();
    let r = b_admin.get(&requests_of(&org_b, "")).await;
    let req = r.first_id();

    // Alpha's admin on Beta's requests: every route answers as for an organization they are
    // not in, and nothing is written. Through Alpha's own path, Beta's request does not exist.
    let before = env.snapshot().await;
    let on_b = format!("/v1/organizations/{org_b}/membership_requests");
    let on_a = format!("/v1/organizations/{org_a}/membership_requests");
    a_admin
        .get(&requests_of(&org_b, ""))
        .await
        .err(404, "organization_not_found_or_unauthorized");
    for action in ["accept", "reject"] {
        a_admin
            .post(&format!("{on_b}/{req}/{action}"), &[])
            .await
            .err(404, "organization_not_found_or_unauthorized");
        a_admin
            .post(&format!("{on_a}/{req}/{action}"), &[])
            .await
            .err(404, "resource_not_found");
        // The requester is no member either.
        bob.post(&format!("{on_b}/{req}/{action}"), &[])
            .await
            .err(404, "organization_not_found_or_unauthorized");
    }
    bob.get(&requests_of(&org_b, ""))
        .await
        .err(404, "organization_not_found_or_unauthorized");
    assert_eq!(env.snapshot().await, before);
    assert!(memberships_of(&env, &bob_id).await.is_empty());

    // A plain member of Beta may not manage its memberships.
    let mut mia = env.browser();
    let (mia_id, _) = mia.sign_up(&env, "mia@elsewhere.test", None).await;
    env.add_member(&org_b, &mia_id, "org:member").await;
    let before = env.snapshot().await;
    mia.get(&requests_of(&org_b, ""))
        .await
        .err(403, "not_allowed_access");
    mia.post(&format!("{on_b}/{req}/accept"), &[])
        .await
        .err(403, "not_allowed_access");
    mia.post(&format!("{on_b}/{req}/reject"), &[])
        .await
        .err(403, "not_allowed_access");
    assert_eq!(env.snapshot().await, before);

    // Signed out: nothing.
    let mut anon = env.browser();
    anon.get(&suggestions("")).await.err(401, "signed_out");
}

#[tokio::test]
async fn accepting_a_request_keeps_the_membership_limit() {
    let env = spawn_with_organizations().await;
    let (mut admin, org, _) = suggesting_org(&env, "Tiny", "tiny.test").await;
    env.bapi(
        Method::PATCH,
        &format!("/v1/organizations/{org}"),
        Some(json!({"max_allowed_memberships": 1})),
    )
    .await
    .ok();
    let (mut bob, bob_id) = bob_at(&env, "tiny.test").await;
    accept_first_suggestion(&mut bob).await;
    let r = admin.get(&requests_of(&org, "")).await;
    let req = r.first_id();
    let before = env.snapshot().await;
    decide(&mut admin, &org, &req, "accept")
        .await
        .err(403, "organization_membership_quota_exceeded");
    assert_eq!(env.snapshot().await, before);
    assert!(memberships_of(&env, &bob_id).await.is_empty());
    let r = admin.get(&requests_of(&org, "&status=pending")).await;
    assert_eq!(r.ok()["response"]["total_count"], 1);
}

#[tokio::test]
async fn two_admins_accepting_one_request_at_once_make_one_membership() {
    let env = spawn_with_organizations().await;
    let (admin, org, _) = suggesting_org(&env, "Racy", "racy.test").await;
    let (mut bob, bob_id) = bob_at(&env, "racy.test").await;
    let sid = first_suggestion(&mut bob).await;
    // Two tabs accepting the suggestion at once make one request.
    let path = format!("{SUGGESTIONS}/{sid}/accept");
    let (mut t1, mut t2) = (bob.tab(), bob.tab());
    let (r1, r2) = tokio::join!(t1.post(&path, &[]), t2.post(&path, &[]));
    let mut statuses = [r1.status, r2.status];
    statuses.sort();
    assert_eq!(statuses, [200, 400], "{} / {}", r1.raw, r2.raw);
    let mut a = admin.tab();
    let r = a.get(&requests_of(&org, "")).await;
    assert_eq!(r.ok()["response"]["total_count"], 1, "{}", r.raw);
    let req = r.first_id();

    let before = env.events().await.len();
    let path = request_route(&org, &req, "accept");
    let (mut t1, mut t2) = (admin.tab(), admin.tab());
    let (r1, r2) = tokio::join!(t1.post(&path, &[]), t2.post(&path, &[]));
    let mut statuses = [r1.status, r2.status];
    statuses.sort();
    assert_eq!(statuses, [200, 400], "{} / {}", r1.raw, r2.raw);
    let refused = if r1.status == 400 { &r1 } else { &r2 };
    refused.err(400, "organization_membership_request_not_pending");
    assert_joined_once(&env, &org, &bob_id, before).await;
}

/// What the Frontend API's `update_enrollment_mode` with `delete_pending` is to do, through the
/// use case it calls: the domain's pending invitations revoked and its pending suggestions gone,
/// those of another domain and those already acted on kept.
#[tokio::test]
async fn withdrawing_a_domains_pending_enrollments() {
    use usher_core::organizations::domains::OrganizationDomain;
    use usher_server::app::Change;
    use usher_server::app::context::RequestContext;
    use usher_server::app::organization_enrollment::withdraw_pending;

    let env = spawn_with_organizations().await;
    let (_, org) = admin_and_org(&env, "Withdraw").await;
    let invites = domain(&env, &org, "invites.test", "automatic_invitation", true).await;
    let suggests = domain(&env, &org, "suggests.test", "automatic_suggestion", true).await;
    domain(&env, &org, "other.test", "automatic_suggestion", true).await;
    let mut users = Vec::new();
    for email in [
        "a@invites.test",
        "b@suggests.test",
        "c@suggests.test",
        "d@other.test",
    ] {
        let mut b = env.browser();
        b.sign_up(&env, email, None).await;
        users.push(b);
    }
    // c acts on the suggestion first: it is no longer pending.
    accept_first_suggestion(&mut users[2]).await;

    let state = &env.running.state;
    let org_id = usher_core::ids::OrganizationId::parse(&org).unwrap();
    let ctx = RequestContext::system("test");
    let before = env.events().await.len();
    for id in [invites.clone(), suggests.clone()] {
        let id = usher_core::ids::OrganizationDomainId::parse(&id).unwrap();
        let d: OrganizationDomain = state
            .store
            .get_organization_domain(&state.instance.id, &org_id, &id)
            .await
            .unwrap()
            .unwrap();
        let mut change = Change::new(state, &ctx);
        let counts = withdraw_pending(&mut change, &d).await.unwrap();
        change.commit_audited().await.unwrap();
        let expected = if d.name == "invites.test" {
            (1, 0)
        } else {
            (0, 1)
        };
        assert_eq!(counts, expected, "{}", d.name);
    }
    let events = env.events().await;
    assert_eq!(
        events_of(&events[before..], "organizationInvitation.revoked"),
        1
    );
    assert_eq!(
        users[0].get(INVITATIONS).await.ok()["response"]["total_count"],
        0
    );
    assert_eq!(
        users[1].get(&suggestions("")).await.ok()["response"]["total_count"],
        0
    );
    // Already accepted, or at another domain: kept.
    assert_eq!(
        users[2].get(&suggestions("")).await.ok()["response"]["total_count"],
        1
    );
    assert_eq!(
        users[3].get(&suggestions("")).await.ok()["response"]["total_count"],
        1
    );
    for id in [&invites, &suggests] {
        let d = domain_json(&env, &org, id).await;
        assert_eq!(d["total_pending_invitations"], 0, "{d}");
        assert_eq!(d["total_pending_suggestions"], 0, "{d}");
    }
}
