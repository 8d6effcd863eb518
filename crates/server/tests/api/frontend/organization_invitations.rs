//! Organization invitations accepted through the Frontend API: the signed-in user's own list
//! and accepting one (`/v1/me/organization_invitations…`), and the ticket the invitation email
//! carries, redeemed by a sign-up (a new account) or a sign-in (an existing one). Each accepts
//! once: a used, revoked, expired or unknown ticket, or an invitation no longer pending, is
//! refused with Clerk's error, even when two requests race.

use reqwest::Method;

use super::*;

/// An organization made over the Backend API, with `admin` (a user made there) as its admin.
async fn organization(env: &Env, name: &str) -> String {
    let admin = env
        .new_user(&format!("admin-{}@example.com", name.to_lowercase()))
        .await;
    env.new_org(name, None, &admin).await
}

/// Invites `email` as `role` over the Backend API (as `clerk.organizations.
/// createOrganizationInvitation` does); returns the invitation's id and the ticket its email's
/// link carries.
async fn invite(env: &Env, org: &str, email: &str, role: &str) -> (String, String) {
    let r = env
        .bapi(
            Method::POST,
            &format!("/v1/organizations/{org}/invitations"),
            Some(json!({"email_address": email, "role": role,
                        "public_metadata": {"team": "red"}, "private_metadata": {"crm": 1}})),
        )
        .await;
    let id = r.ok()["id"].as_str().unwrap().to_owned();
    (id, ticket_for(env, email).await)
}

/// The ticket in the newest email to `email`.
async fn ticket_for(env: &Env, email: &str) -> String {
    ticket_in(&env.emails_to(email).await[0])
}

/// Revokes invitation `id` over the Backend API.
async fn revoke(env: &Env, org: &str, id: &str) {
    env.bapi(
        Method::POST,
        &format!("/v1/organizations/{org}/invitations/{id}/revoke"),
        Some(json!({})),
    )
    .await
    .ok();
}

async fn invitation_status(env: &Env, org: &str, id: &str) -> String {
    env.bapi_get(&format!("/v1/organizations/{org}/invitations/{id}"))
        .await
        .ok()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

const MINE: &str = "/v1/me/organization_invitations";

#[tokio::test]
async fn a_user_lists_and_accepts_their_own_invitations_only() {
    let env = spawn_with_organizations().await;
    let org = organization(&env, "Acme").await;
    let other = organization(&env, "Bobco").await;
    let (inv, _) = invite(&env, &org, "Bob@Example.com", "org:admin").await;
    let (carols, _) = invite(&env, &other, "carol@example.com", "org:member").await;
    let mut b = env.browser();
    let (bob, _) = b.sign_up(&env, "bob@example.com", None).await;

    let r = b
        .get(&format!("{MINE}?limit=10&offset=0&status=pending"))
        .await;
    let page = &r.ok()["response"];
    assert_eq!(page["total_count"], 1, "{}", r.raw);
    let got = &page["data"][0];
    assert_eq!(got["object"], "organization_invitation");
    assert_eq!(got["id"], inv.as_str());
    assert_eq!(got["email_address"], "bob@example.com");
    assert_eq!(got["role"], "org:admin");
    assert_eq!(got["status"], "pending");
    assert_eq!(got["public_metadata"], json!({"team": "red"}));
    assert_eq!(got["public_organization_data"]["id"], org.as_str());
    assert_eq!(got["public_organization_data"]["name"], "Acme");
    assert_eq!(got["public_organization_data"]["has_image"], false);
    assert!(got.get("private_metadata").is_none(), "{}", r.raw);
    assert!(r.body["client"].is_object());
    // No accepted ones yet.
    let r = b
        .get(&format!("{MINE}?limit=10&offset=0&status=accepted"))
        .await;
    assert_eq!(r.ok()["response"]["total_count"], 0);
    b.get(&format!("{MINE}?status=bogus"))
        .await
        .err(400, "form_param_value_invalid");

    // Carol's invitation is not Bob's to see or accept: not found, nothing written.
    let before = env.snapshot().await;
    b.post(&format!("{MINE}/{carols}/accept"), &[])
        .await
        .err(404, "resource_not_found");
    b.post(&format!("{MINE}/orginv_notanid/accept"), &[])
        .await
        .err(404, "resource_not_found");
    assert_eq!(env.snapshot().await, before);
    assert_eq!(invitation_status(&env, &other, &carols).await, "pending");

    let events_before = env.events().await;
    let r = b.post(&format!("{MINE}/{inv}/accept"), &[]).await;
    let accepted = &r.ok()["response"];
    assert_eq!(accepted["status"], "accepted", "{}", r.raw);
    assert_eq!(accepted["public_organization_data"]["name"], "Acme");
    // The client comes along, as on every mutation clerk-js applies.
    assert_eq!(r.body["client"]["sessions"][0]["user"]["id"], bob.as_str());
    let r = b
        .get("/v1/me/organization_memberships?limit=10&offset=0&paginated=true")
        .await;
    let ms = &r.ok()["response"];
    assert_eq!(ms["total_count"], 1, "{}", r.raw);
    assert_eq!(ms["data"][0]["organization"]["id"], org.as_str());
    assert_eq!(ms["data"][0]["role"], "org:admin");
    assert_eq!(
        memberships_of(&env, &bob).await,
        vec![(org.clone(), "org:admin".to_owned())]
    );
    assert_eq!(invitation_status(&env, &org, &inv).await, "accepted");
    let events = env.events().await;
    let new = &events[events_before.len()..];
    assert_eq!(events_of(new, "organizationInvitation.accepted"), 1);
    assert_eq!(events_of(new, "organizationMembership.created"), 1);
    let s = &env.running.state;
    let audit = s.store.audit_log(&s.instance.id, 100).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "organization.invitation.accept"
                && a.target_id.as_deref() == Some(&inv))
    );

    // Accepted once: a second time is Clerk's error, and changes nothing.
    let before = env.snapshot().await;
    b.post(&format!("{MINE}/{inv}/accept"), &[])
        .await
        .err(400, "organization_invitation_not_pending");
    assert_eq!(env.snapshot().await, before);
    let r = b
        .get(&format!("{MINE}?limit=10&offset=0&status=accepted"))
        .await;
    assert_eq!(r.ok()["response"]["total_count"], 1);
    let r = b.get(&format!("{MINE}?limit=10&offset=0")).await;
    assert_eq!(
        r.ok()["response"]["total_count"],
        1,
        "every status: {}",
        r.raw
    );
}

#[tokio::test]
async fn revoked_and_expired_invitations_are_not_accepted() {
    let env = spawn_with_organizations().await;
    let org = organization(&env, "Acme").await;
    let later = organization(&env, "Later").await;
    let (revoked, _) = invite(&env, &org, "bob@example.com", "org:member").await;
    revoke(&env, &org, &revoked).await;
    let (expiring, _) = invite(&env, &later, "bob@example.com", "org:member").await;
    let mut b = env.browser();
    let (bob, _) = b.sign_up(&env, "bob@example.com", None).await;
    env.clock.advance(31 * 86_400_000);
    // The session outlives nothing: sign in again after the month.
    b.sign_in_password("bob@example.com").await;
    let before = env.snapshot().await;
    let r = b.post(&format!("{MINE}/{revoked}/accept"), &[]).await;
    r.err(400, "organization_invitation_not_pending");
    assert!(r.raw.contains("revoked"), "{}", r.raw);
    let r = b.post(&format!("{MINE}/{expiring}/accept"), &[]).await;
    r.err(400, "organization_invitation_not_pending");
    assert!(r.raw.contains("expired"), "{}", r.raw);
    assert_eq!(env.snapshot().await, before);
    assert!(memberships_of(&env, &bob).await.is_empty());
    let r = b
        .get(&format!("{MINE}?limit=10&offset=0&status=expired"))
        .await;
    assert_eq!(r.ok()["response"]["total_count"], 1, "{}", r.raw);
}

#[tokio::test]
async fn two_tabs_accepting_at_once_make_one_membership() {
    let env = spawn_with_organizations().await;
    let org = organization(&env, "Acme").await;
    let (inv, _) = invite(&env, &org, "bob@example.com", "org:member").await;
    let mut b = env.browser();
    let (bob, _) = b.sign_up(&env, "bob@example.com", None).await;
    let path = format!("{MINE}/{inv}/accept");
    let (mut t1, mut t2) = (b.tab(), b.tab());
    let (r1, r2) = tokio::join!(t1.post(&path, &[]), t2.post(&path, &[]));
    let mut statuses = [r1.status, r2.status];
    statuses.sort();
    assert_eq!(statuses, [200, 400], "{} / {}", r1.raw, r2.raw);
    let refused = if r1.status == 400 { &r1 } else { &r2 };
    refused.err(400, "organization_invitation_not_pending");
    assert_eq!(
        memberships_of(&env, &bob).await,
        vec![(org.clone(), "org:member".to_owned())]
    );
    let events = env.events().await;
    assert_eq!(events_of(&events, "organizationInvitation.accepted"), 1);
    assert_eq!(events_of(&events, "organizationMembership.created"), 2); // the admin's and Bob's
}

#[tokio::test]
async fn a_ticket_signs_up_the_invitee_as_a_member() {
    let env = spawn_with_organizations().await;
    let org = organization(&env, "Acme").await;
    let (inv, ticket) = invite(&env, &org, "New@Example.com", "org:admin").await;
    let mut b = env.browser();

    // What clerk-js sends first when the page URL has `__clerk_ticket`.
    let r = b
        .post(
            "/v1/client/sign_ups",
            &[("strategy", "ticket"), ("ticket", &ticket)],
        )
        .await;
    let su = r.ok()["response"].clone();
    assert_eq!(su["status"], "missing_requirements", "{}", r.raw);
    assert_eq!(su["email_address"], "new@example.com");
    assert_eq!(su["missing_fields"], json!(["password"]));
    assert_eq!(su["unverified_fields"], json!([]));
    assert_eq!(
        su["verifications"]["email_address"]["status"], "verified",
        "{}",
        r.raw
    );
    assert_eq!(su["verifications"]["email_address"]["strategy"], "ticket");
    assert_eq!(invitation_status(&env, &org, &inv).await, "pending");

    let id = su["id"].as_str().unwrap();
    let r = b
        .patch(
            &format!("/v1/client/sign_ups/{id}"),
            &[("password", PASSWORD), ("first_name", "New")],
        )
        .await;
    let su = &r.ok()["response"];
    assert_eq!(su["status"], "complete", "{}", r.raw);
    let user = su["created_user_id"].as_str().unwrap().to_owned();
    let sid = su["created_session_id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["client"]["last_active_session_id"], sid.as_str());
    assert_eq!(
        memberships_of(&env, &user).await,
        vec![(org.clone(), "org:admin".to_owned())]
    );
    assert_eq!(invitation_status(&env, &org, &inv).await, "accepted");
    let u = env.user(&user).await;
    assert_eq!(
        u["email_addresses"][0]["verification"]["strategy"], "ticket",
        "{u}"
    );
    assert_eq!(
        u["email_addresses"][0]["verification"]["status"],
        "verified"
    );
    let events = env.events().await;
    assert_eq!(events_of(&events, "organizationInvitation.accepted"), 1);
    assert_eq!(events_of(&events, "user.created"), 2); // the admin and the invitee

    // The ticket works once.
    let mut again = env.browser();
    let before = env.snapshot().await;
    again
        .sign_up_with_ticket(&ticket)
        .await
        .err(400, "ticket_invalid");
    again
        .sign_in_with_ticket(&ticket)
        .await
        .err(400, "ticket_invalid");
    assert_eq!(env.snapshot().await, before);
}

#[tokio::test]
async fn a_ticket_with_the_password_completes_the_sign_up_in_one_request() {
    let env = spawn_with_organizations().await;
    let org = organization(&env, "Acme").await;
    let (_, ticket) = invite(&env, &org, "new@example.com", "org:member").await;
    let mut b = env.browser();
    let r = b.sign_up_with_ticket(&ticket).await;
    let su = &r.ok()["response"];
    assert_eq!(su["status"], "complete", "{}", r.raw);
    let user = su["created_user_id"].as_str().unwrap();
    assert_eq!(
        memberships_of(&env, user).await,
        vec![(org.clone(), "org:member".to_owned())]
    );
}

#[tokio::test]
async fn bad_tickets_are_refused_with_clerks_errors() {
    let env = spawn_with_organizations().await;
    let org = organization(&env, "Acme").await;
    let (revoked, revoked_ticket) = invite(&env, &org, "rev@example.com", "org:member").await;
    revoke(&env, &org, &revoked).await;
    let (_, old_ticket) = invite(&env, &org, "old@example.com", "org:member").await;
    env.clock.advance(31 * 86_400_000);
    let mut b = env.browser();
    let before = env.snapshot().await;
    let sign_up = |t: &str| {
        vec![
            ("strategy".to_owned(), "ticket".to_owned()),
            ("ticket".to_owned(), t.to_owned()),
        ]
    };
    for (ticket, code) in [
        (revoked_ticket.as_str(), "ticket_invalid"),
        (old_ticket.as_str(), "ticket_expired"),
        ("0123456789abcdef", "ticket_invalid"),
    ] {
        let form = sign_up(ticket);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = b.post("/v1/client/sign_ups", &form).await;
        r.err(400, code);
        assert_eq!(r.param(), "ticket");
        b.post("/v1/client/sign_ins", &form).await.err(400, code);
    }
    b.post("/v1/client/sign_ups", &[("strategy", "ticket")])
        .await
        .err(422, "form_param_missing");
    b.post("/v1/client/sign_ins", &[("strategy", "ticket")])
        .await
        .err(422, "form_param_missing");
    assert_eq!(env.snapshot().await.users, before.users);
    assert_eq!(env.snapshot().await.sessions, before.sessions);
}

#[tokio::test]
async fn a_ticket_signs_in_an_existing_user_and_accepts() {
    let env = spawn_with_organizations().await;
    let org = organization(&env, "Acme").await;
    let mut first = env.browser();
    let (dave, _) = first.sign_up(&env, "dave@example.com", None).await;
    let (inv, ticket) = invite(&env, &org, "dave@example.com", "org:member").await;
    assert!(
        env.emails_to("dave@example.com").await[0]["body_plain"]
            .as_str()
            .unwrap()
            .contains("__clerk_status=sign_in")
    );
    // No account has this address: clerk-js turns to sign-up on this code.
    let (_, nobody) = invite(&env, &org, "nobody@example.com", "org:member").await;

    let mut b = env.browser();
    b.sign_in_with_ticket(&nobody)
        .await
        .err(422, "invitation_account_not_exists");

    let r = b.sign_in_with_ticket(&ticket).await;
    let si = &r.ok()["response"];
    assert_eq!(si["status"], "complete", "{}", r.raw);
    assert_eq!(si["first_factor_verification"]["strategy"], "ticket");
    let sid = si["created_session_id"].as_str().unwrap();
    assert_eq!(env.session(sid).await["user_id"], dave.as_str());
    assert_eq!(
        memberships_of(&env, &dave).await,
        vec![(org.clone(), "org:member".to_owned())]
    );
    assert_eq!(invitation_status(&env, &org, &inv).await, "accepted");

    let mut c = env.browser();
    c.sign_in_with_ticket(&ticket)
        .await
        .err(400, "ticket_invalid");
}

#[tokio::test]
async fn one_ticket_raced_by_two_browsers_makes_one_account() {
    let env = spawn_with_organizations().await;
    let org = organization(&env, "Acme").await;
    let (inv, ticket) = invite(&env, &org, "race@example.com", "org:member").await;
    let (mut b1, mut b2) = (env.browser(), env.browser());
    let (r1, r2) = tokio::join!(
        b1.sign_up_with_ticket(&ticket),
        b2.sign_up_with_ticket(&ticket)
    );
    let completed: Vec<&Res> = [&r1, &r2]
        .into_iter()
        .filter(|r| r.status == 200 && r.body["response"]["status"] == "complete")
        .collect();
    assert_eq!(completed.len(), 1, "{} / {}", r1.raw, r2.raw);
    let refused = if std::ptr::eq(completed[0], &r1) {
        &r2
    } else {
        &r1
    };
    assert!(refused.status >= 400, "{}", refused.raw);
    let users = env
        .bapi_get("/v1/users?email_address=race@example.com")
        .await;
    assert_eq!(users.ok().as_array().unwrap().len(), 1);
    assert_eq!(invitation_status(&env, &org, &inv).await, "accepted");
    let events = env.events().await;
    assert_eq!(events_of(&events, "organizationInvitation.accepted"), 1);
}

#[tokio::test]
async fn a_ticket_verifies_an_unverified_address_and_signs_in_once_when_raced() {
    let env = spawn_with_organizations().await;
    let org = organization(&env, "Acme").await;
    // An account made over the Backend API whose address is not verified yet.
    let eve = env
        .bapi(
            Method::POST,
            "/v1/users",
            Some(json!({"email_address": ["eve@example.com"], "password": PASSWORD})),
        )
        .await
        .ok()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let s = &env.running.state;
    let eve_id = usher_core::ids::UserId::from_stored(&eve);
    let stored = s.store.get_user(&s.instance.id, &eve_id);
    let mut user = stored.await.unwrap().unwrap();
    user.email_addresses[0].verification = usher_core::users::model::Verification::Unverified;
    env.running
        .state
        .store
        .commit(
            &env.running.state.instance.id,
            usher_core::store::Changeset {
                writes: vec![usher_core::store::Write::UpdateUser(user)],
            },
        )
        .await
        .unwrap();
    let (inv, ticket) = invite(&env, &org, "eve@example.com", "org:member").await;
    let (mut b1, mut b2) = (env.browser(), env.browser());
    let (r1, r2) = tokio::join!(
        b1.sign_in_with_ticket(&ticket),
        b2.sign_in_with_ticket(&ticket)
    );
    let mut statuses = [r1.status, r2.status];
    statuses.sort();
    assert_eq!(statuses, [200, 400], "{} / {}", r1.raw, r2.raw);
    let refused = if r1.status == 400 { &r1 } else { &r2 };
    refused.err(400, "ticket_invalid");
    let won = if r1.status == 200 { &r1 } else { &r2 };
    assert_eq!(won.body["response"]["status"], "complete", "{}", won.raw);
    let u = env.user(&eve).await;
    assert_eq!(
        u["email_addresses"][0]["verification"]["status"],
        "verified"
    );
    assert_eq!(
        u["email_addresses"][0]["verification"]["strategy"],
        "ticket"
    );
    assert_eq!(
        memberships_of(&env, &eve).await,
        vec![(org.clone(), "org:member".to_owned())]
    );
    assert_eq!(invitation_status(&env, &org, &inv).await, "accepted");
}

#[tokio::test]
async fn a_ticket_to_a_deleted_organization_is_invalid() {
    let env = spawn_with_organizations().await;
    let org = organization(&env, "Acme").await;
    let (_, ticket) = invite(&env, &org, "late@example.com", "org:member").await;
    env.bapi(Method::DELETE, &format!("/v1/organizations/{org}"), None)
        .await
        .ok();
    let mut b = env.browser();
    b.sign_up_with_ticket(&ticket)
        .await
        .err(400, "ticket_invalid");
    let users = env
        .bapi_get("/v1/users?email_address=late@example.com")
        .await;
    assert!(users.ok().as_array().unwrap().is_empty());
}

/// `<OrganizationProfile/>`'s members page: an admin invites several addresses at once (the
/// `email_address` key repeated), lists the organization's pending invitations and revokes one;
/// each invitee is emailed a ticket. A plain member, and a non-member, may do none of it.
#[tokio::test]
async fn an_admin_invites_lists_and_revokes_on_the_frontend_api() {
    let env = spawn_with_organizations().await;
    let mut a = env.browser();
    a.sign_up(&env, "alice@example.com", None).await;
    let r = a.post("/v1/organizations", &[("name", "Acme")]).await;
    let org = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    let invitations = format!("/v1/organizations/{org}/invitations");

    let r = a
        .post(
            &format!("{invitations}/bulk"),
            &[
                ("email_address", "New@Example.com"),
                ("email_address", "other@example.com"),
                ("role", "org:member"),
            ],
        )
        .await;
    let made = r.ok()["response"].as_array().unwrap().clone();
    assert!(r.body["client"].is_object(), "{}", r.raw);
    let got: Vec<_> = made
        .iter()
        .map(|i| {
            (
                i["email_address"].as_str().unwrap(),
                i["role"].as_str().unwrap(),
                i["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("new@example.com", "org:member", "pending"),
            ("other@example.com", "org:member", "pending")
        ]
    );
    for i in &made {
        assert_eq!(i["object"], "organization_invitation");
        assert_eq!(i["organization_id"], org.as_str());
        assert_eq!(i["role_name"], "Member");
        assert!(i["url"].is_null(), "the ticket is the invitee's: {i}");
        assert!(i.get("private_metadata").is_none(), "{i}");
    }
    assert!(!ticket_for(&env, "new@example.com").await.is_empty());
    assert!(!ticket_for(&env, "other@example.com").await.is_empty());

    // One more, alone; the same address again is a duplicate.
    let r = a
        .post(
            &invitations,
            &[
                ("email_address", "third@example.com"),
                ("role", "org:admin"),
            ],
        )
        .await;
    let third = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["response"]["role"], "org:admin");
    let r = a
        .post(
            &format!("{invitations}/bulk"),
            &[
                ("email_address", "fourth@example.com"),
                ("email_address", "Third@example.com"),
                ("role", "org:admin"),
            ],
        )
        .await;
    // The invite form lists the addresses already invited, from `meta.email_addresses`.
    r.err(400, "duplicate_record");
    let e = &r.body["errors"][0];
    assert_eq!(
        e["meta"]["email_addresses"],
        json!(["third@example.com"]),
        "{}",
        r.raw
    );
    assert!(
        e["long_message"]
            .as_str()
            .unwrap()
            .contains("third@example.com"),
        "{}",
        r.raw
    );
    // A NUL in any of the repeated addresses, not only the last, is refused by name.
    let r = a
        .post(
            &format!("{invitations}/bulk"),
            &[
                ("email_address", "fifth\0@example.com"),
                ("email_address", "sixth@example.com"),
                ("role", "org:member"),
            ],
        )
        .await;
    r.err(422, "form_param_format_invalid");
    assert!(r.raw.contains("NUL"), "{}", r.raw);
    // A member's address is named in the long message, where the form reads it from.
    let r = a
        .post(
            &invitations,
            &[
                ("email_address", "alice@example.com"),
                ("role", "org:member"),
            ],
        )
        .await;
    r.err(400, "already_a_member_in_organization");
    let long = r.body["errors"][0]["long_message"].as_str().unwrap();
    assert!(long.starts_with("alice@example.com "), "{}", r.raw);
    a.post(&format!("{invitations}/bulk"), &[("role", "org:member")])
        .await
        .err(422, "form_param_missing");

    let r = a.post(&format!("{invitations}/{third}/revoke"), &[]).await;
    assert_eq!(r.ok()["response"]["status"], "revoked");
    assert_eq!(invitation_status(&env, &org, &third).await, "revoked");
    let r = a
        .get(&format!("{invitations}?status=pending&limit=10&offset=0"))
        .await;
    let pending = &r.ok()["response"];
    assert_eq!(pending["total_count"], 2, "{}", r.raw);
    let r = a.get(&format!("{invitations}?limit=10&offset=0")).await;
    assert_eq!(r.ok()["response"]["total_count"], 3, "{}", r.raw);

    // Bob, a plain member, and Carol, a stranger: refused, and nothing written.
    let mut b = env.browser();
    let (bob, _) = b.sign_up(&env, "bob@example.com", None).await;
    env.add_member(&org, &bob, "org:member").await;
    let mut c = env.browser();
    c.sign_up(&env, "carol@example.com", None).await;
    let before = env.snapshot().await;
    for (who, status, code) in [
        (&mut b, 403, "not_allowed_access"),
        (&mut c, 404, "organization_not_found_or_unauthorized"),
    ] {
        who.get(&format!("{invitations}?limit=10&offset=0"))
            .await
            .err(status, code);
        who.post(
            &format!("{invitations}/bulk"),
            &[("email_address", "x@example.com"), ("role", "org:member")],
        )
        .await
        .err(status, code);
        let first = made[0]["id"].as_str().unwrap();
        who.post(&format!("{invitations}/{first}/revoke"), &[])
            .await
            .err(status, code);
    }
    assert_eq!(env.snapshot().await, before);
}
