//! Organization invitations over the Backend API: Clerk's shape, the refusals (member, malformed
//! address, unknown role, a second pending invitation), expiry, revocation, the lists, and the
//! events and audit entries committed with each change.

use serde_json::{Value, json};

use crate::common::*;

async fn user(app: &App, email: &str) -> String {
    app.create_id(
        "/v1/users",
        json!({"email_address": [email], "skip_password_requirement": true}),
    )
    .await
}

async fn invite(app: &App, org: &str, body: Value) -> Reply {
    app.post(&format!("/v1/organizations/{org}/invitations"), body)
        .await
}

/// A fresh instance with organization Acme and its admin: `(app, admin id, organization id)`.
async fn acme() -> (App, String, String) {
    let app = spawn_app().await;
    let admin = user(&app, "admin@example.com").await;
    let org = app.create_org("Acme", &admin).await;
    (app, admin, org)
}

#[tokio::test]
async fn create_get_list_and_revoke_an_invitation() {
    let (app, admin, org) = acme().await;

    let r = invite(
        &app,
        &org,
        json!({"email_address": "New@Example.com", "role": "org:member", "inviter_user_id": admin,
               "public_metadata": {"team": "red"}, "private_metadata": {"crm": 1},
               "redirect_url": "https://app.example.com/accept"}),
    )
    .await;
    let inv = r.ok().clone();
    assert_eq!(inv["object"], "organization_invitation");
    assert!(inv["id"].as_str().unwrap().starts_with("orginv_"));
    assert_eq!(inv["email_address"], "new@example.com");
    assert_eq!(inv["role"], "org:member");
    assert_eq!(inv["role_name"], "Member");
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["organization_id"], org.as_str());
    assert_eq!(inv["inviter_id"], admin.as_str());
    assert_eq!(inv["public_metadata"], json!({"team": "red"}));
    assert_eq!(inv["private_metadata"], json!({"crm": 1}));
    let created = inv["created_at"].as_i64().unwrap();
    assert_eq!(
        inv["expires_at"].as_i64().unwrap(),
        created + 30 * 86_400_000
    );
    let id = inv["id"].as_str().unwrap().to_owned();

    // The invitation email is queued with the change, its link carrying a ticket.
    let mails = app.emails_to("new@example.com").await;
    assert_eq!(mails.len(), 1);
    let body = mails[0]["body_plain"].as_str().unwrap_or_default();
    assert!(
        body.contains("https://app.example.com/accept?__clerk_ticket=")
            && body.contains("&__clerk_status=sign_up"),
        "{body}"
    );

    let got = app
        .get(&format!("/v1/organizations/{org}/invitations/{id}"))
        .await;
    assert_eq!(got.ok()["id"], id.as_str());

    let list = app
        .get(&format!("/v1/organizations/{org}/invitations"))
        .await;
    assert_eq!(list.ok()["total_count"], 1);
    let pending = app
        .get(&format!("/v1/organizations/{org}/invitations/pending"))
        .await;
    assert_eq!(pending.ok()["data"][0]["id"], id.as_str());

    let revoked = app
        .post(
            &format!("/v1/organizations/{org}/invitations/{id}/revoke"),
            json!({"requesting_user_id": admin}),
        )
        .await;
    assert_eq!(revoked.ok()["status"], "revoked");
    app.post(
        &format!("/v1/organizations/{org}/invitations/{id}/revoke"),
        json!({}),
    )
    .await
    .err(400, "organization_invitation_not_pending");

    let by_status = app
        .get(&format!(
            "/v1/organizations/{org}/invitations?status=pending"
        ))
        .await;
    assert_eq!(by_status.ok()["total_count"], 0);
    let by_status = app
        .get(&format!(
            "/v1/organizations/{org}/invitations?status=revoked"
        ))
        .await;
    assert_eq!(by_status.ok()["total_count"], 1);

    let types: Vec<String> = app
        .events()
        .await
        .iter()
        .map(|e| e.event_type.clone())
        .filter(|t| t.starts_with("organizationInvitation."))
        .collect();
    assert_eq!(
        types,
        [
            "organizationInvitation.created",
            "organizationInvitation.revoked"
        ]
    );
    let s = &app.running.state;
    let audit = s.store.audit_log(&s.instance.id, 100).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "organization.invitation.create"
                && a.target_id.as_deref() == Some(id.as_str()))
    );
    assert!(
        audit
            .iter()
            .any(|a| a.action == "organization.invitation.revoke")
    );
}

#[tokio::test]
async fn refusals_are_clerk_errors() {
    let (app, _admin, org) = acme().await;
    for (body, status, code) in [
        (
            json!({"email_address": "admin@example.com", "role": "org:member"}),
            400,
            "already_a_member_in_organization",
        ),
        (
            json!({"email_address": "not-an-address", "role": "org:member"}),
            422,
            "form_param_format_invalid",
        ),
        (
            json!({"email_address": "a@example.com", "role": "org:owner"}),
            422,
            "form_param_value_invalid",
        ),
        (
            json!({"email_address": "a@example.com"}),
            422,
            "form_param_missing",
        ),
        (
            json!({"email_address": "a@example.com", "role": "org:member", "expires_in_days": 0}),
            422,
            "form_param_value_invalid",
        ),
    ] {
        invite(&app, &org, body).await.err(status, code);
    }
    invite(
        &app,
        &org,
        json!({"email_address": "a@example.com", "role": "org:member"}),
    )
    .await
    .ok();
    invite(
        &app,
        &org,
        json!({"email_address": "A@example.com", "role": "org:admin"}),
    )
    .await
    .err(400, "duplicate_record");
    invite(
        &app,
        "org_missing",
        json!({"email_address": "b@example.com", "role": "org:member"}),
    )
    .await
    .err(404, "resource_not_found");
    app.get(&format!(
        "/v1/organizations/{org}/invitations/orginv_missing"
    ))
    .await
    .err(404, "resource_not_found");
}

#[tokio::test]
async fn bulk_is_all_or_nothing_and_the_lists_across_organizations() {
    let (app, _admin, org) = acme().await;
    let invitee = user(&app, "b@example.com").await;
    app.post(
        &format!("/v1/organizations/{org}/invitations/bulk"),
        json!([{"email_address": "a@example.com", "role": "org:member"},
               {"email_address": "bad", "role": "org:member"}]),
    )
    .await
    .err(422, "form_param_format_invalid");
    let all = app.get("/v1/organization_invitations").await;
    assert_eq!(all.ok()["total_count"], 0);

    let made = app
        .post(
            &format!("/v1/organizations/{org}/invitations/bulk"),
            json!([{"email_address": "a@example.com", "role": "org:member"},
                   {"email_address": "b@example.com", "role": "org:admin"}]),
        )
        .await;
    assert_eq!(made.ok()["data"].as_array().unwrap().len(), 2);
    let all = app.get("/v1/organization_invitations?query=b@").await;
    assert_eq!(all.ok()["total_count"], 1);
    let public = &all.ok()["data"][0]["public_organization_data"];
    assert_eq!(public["id"], org.as_str());
    assert_eq!(public["name"], "Acme");
    assert_eq!(public["has_image"], false);
    // One organization's own list carries no copy of it (Clerk's `OrganizationInvitations`).
    let own = app
        .get(&format!("/v1/organizations/{org}/invitations"))
        .await;
    assert!(
        own.ok()["data"][0]
            .get("public_organization_data")
            .is_none()
    );
    let mine = app
        .get(&format!(
            "/v1/users/{invitee}/organization_invitations?status=pending"
        ))
        .await;
    assert_eq!(mine.ok()["data"][0]["email_address"], "b@example.com");
    assert_eq!(mine.ok()["data"][0]["role"], "org:admin");
    assert_eq!(
        mine.ok()["data"][0]["public_organization_data"]["id"],
        org.as_str()
    );
}

/// The `organization.updated` and `organizationMembership.created` payloads count the pending
/// invitations, as the responses do.
#[tokio::test]
async fn organization_events_count_pending_invitations() {
    let app = spawn_app().await;
    let admin = user(&app, "admin@example.com").await;
    let member = user(&app, "member@example.com").await;
    let org = app.create_org("Acme", &admin).await;
    invite(
        &app,
        &org,
        json!({"email_address": "new@example.com", "role": "org:member"}),
    )
    .await
    .ok();
    app.patch(
        &format!("/v1/organizations/{org}"),
        json!({"name": "Acme 2"}),
    )
    .await
    .ok();
    app.add_member(&org, &member, "org:member").await;
    let events = app.events().await;
    let of = |kind: &str| {
        events
            .iter()
            .rev()
            .find(|e| e.event_type == kind)
            .map(|e| e.data.clone())
            .unwrap()
    };
    assert_eq!(of("organization.updated")["pending_invitations_count"], 1);
    assert_eq!(
        of("organizationMembership.created")["organization"]["pending_invitations_count"],
        1
    );
}

/// `notify` (Clerk's default true, which the Python SDK always sends) decides whether the
/// invitation email goes out; the invitation is made either way.
#[tokio::test]
async fn notify_false_makes_the_invitation_without_an_email() {
    let (app, _admin, org) = acme().await;

    let quiet = invite(
        &app,
        &org,
        json!({"email_address": "quiet@example.com", "role": "org:member", "notify": false}),
    )
    .await;
    assert_eq!(quiet.ok()["status"], "pending");
    let loud = invite(
        &app,
        &org,
        json!({"email_address": "loud@example.com", "role": "org:member", "notify": true}),
    )
    .await;
    assert_eq!(loud.ok()["status"], "pending");
    let bulk = app
        .post(
            &format!("/v1/organizations/{org}/invitations/bulk"),
            json!([{"email_address": "bulk@example.com", "role": "org:member", "notify": false}]),
        )
        .await;
    assert_eq!(bulk.ok()["data"][0]["status"], "pending");
    assert!(app.emails_to("quiet@example.com").await.is_empty());
    assert!(app.emails_to("bulk@example.com").await.is_empty());
    assert_eq!(app.emails_to("loud@example.com").await.len(), 1);

    invite(
        &app,
        &org,
        json!({"email_address": "odd@example.com", "role": "org:member", "notify": "yes"}),
    )
    .await
    .err(422, "form_param_format_invalid");
}
