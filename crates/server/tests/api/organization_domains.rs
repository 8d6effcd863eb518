//! Organization domains over the Backend API: Clerk's shapes and errors, the name rules, one
//! verified owner per name, filters and paging, events and audit entries in the same commit, and
//! the domains going with their organization.

use serde_json::{Value, json};

use crate::common::*;

async fn org(app: &App, slug: &str) -> String {
    app.create_id("/v1/organizations", json!({"name": slug, "slug": slug}))
        .await
}

async fn domain(app: &App, org: &str, body: Value) -> Value {
    app.post(&format!("/v1/organizations/{org}/domains"), body)
        .await
        .ok()
        .clone()
}

/// The body that adds domain `name` in `manual_invitation` mode; `verified` is sent when given
/// (the Backend API verifies a domain by default).
fn manual(name: &str, verified: Option<bool>) -> Value {
    let mut body = json!({"name": name, "enrollment_mode": "manual_invitation"});
    if let Some(verified) = verified {
        body["verified"] = json!(verified);
    }
    body
}

#[tokio::test]
async fn create_list_update_and_delete_a_domain() {
    let app = spawn_app().await;
    let o = org(&app, "acme").await;
    let d = domain(
        &app,
        &o,
        json!({"name": "Acme.COM", "enrollment_mode": "automatic_invitation"}),
    )
    .await;
    assert_eq!(d["object"], "organization_domain");
    let id = d["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("orgdmn_"));
    assert_eq!(d["organization_id"], o.as_str());
    assert_eq!(d["name"], "acme.com");
    assert_eq!(d["enrollment_mode"], "automatic_invitation");
    assert_eq!(d["verification"]["status"], "verified");
    assert_eq!(d["verification"]["strategy"], "admin");
    assert!(d["affiliation_email_address"].is_null());
    assert_eq!(d["total_pending_invitations"], 0);
    assert_eq!(d["total_pending_suggestions"], 0);
    assert!(d["created_at"].as_i64().unwrap() > 1_600_000_000_000);

    let other = domain(&app, &o, manual("acme.dev", Some(false))).await;
    assert!(other["verification"].is_null());

    let list = app.get(&format!("/v1/organizations/{o}/domains")).await;
    assert_eq!(list.ok()["total_count"], 2);
    let verified = app
        .get(&format!("/v1/organizations/{o}/domains?verified=true"))
        .await;
    assert_eq!(verified.ok()["total_count"], 1);
    assert_eq!(verified.ok()["data"][0]["id"], id.as_str());
    let manual = app
        .get(&format!(
            "/v1/organizations/{o}/domains?enrollment_mode=manual_invitation"
        ))
        .await;
    assert_eq!(manual.ok()["data"][0]["name"], "acme.dev");
    let paged = app
        .get(&format!("/v1/organizations/{o}/domains?limit=1&offset=1"))
        .await;
    assert_eq!(paged.ok()["data"].as_array().unwrap().len(), 1);
    assert_eq!(paged.ok()["total_count"], 2);

    let updated = app
        .patch(
            &format!("/v1/organizations/{o}/domains/{id}"),
            json!({"enrollment_mode": "automatic_suggestion", "verified": false}),
        )
        .await;
    assert_eq!(updated.ok()["enrollment_mode"], "automatic_suggestion");
    assert!(updated.ok()["verification"].is_null());

    let path = format!("/v1/organizations/{o}/domains/{id}");
    app.delete(&path).await.deleted("organization_domain", &id);
    app.delete(&path).await.err(404, "resource_not_found");

    let types: Vec<String> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e.event_type.starts_with("organizationDomain."))
        .map(|e| e.event_type)
        .collect();
    assert_eq!(
        types,
        [
            "organizationDomain.created",
            "organizationDomain.created",
            "organizationDomain.updated",
            "organizationDomain.deleted"
        ]
    );
    let events = app.events().await;
    let del = events
        .iter()
        .find(|e| e.event_type == "organizationDomain.deleted")
        .unwrap();
    assert_eq!(del.data["id"], id.as_str());
    assert_eq!(del.data["deleted"], true);
    assert_audited(
        &app,
        &id,
        &[
            "organization_domain.create",
            "organization_domain.update",
            "organization_domain.delete",
        ],
    )
    .await;
}

#[tokio::test]
async fn bad_names_and_modes_are_refused() {
    let app = spawn_app().await;
    let o = org(&app, "acme").await;
    let path = format!("/v1/organizations/{o}/domains");
    for name in ["https://acme.com", "acme", "acme.com/x", "a..com"] {
        app.post(
            &path,
            json!({"name": name, "enrollment_mode": "manual_invitation"}),
        )
        .await
        .err(422, "form_param_format_invalid");
    }
    let r = app.post(&path, manual("gmail.com", None)).await;
    r.err(422, "organization_domain_common");
    assert_eq!(r.param(), "name");
    app.post(
        &path,
        json!({"name": "acme.com", "enrollment_mode": "sometimes"}),
    )
    .await
    .err(422, "form_param_value_invalid");
    app.post(&path, json!({"name": "acme.com"}))
        .await
        .err(422, "form_param_missing");
    app.post(
        &path,
        json!({"name": "acme.com", "enrollment_mode": "manual_invitation", "color": 1}),
    )
    .await
    .err(422, "form_param_unknown");
    app.post(
        "/v1/organizations/org_missing/domains",
        manual("acme.com", None),
    )
    .await
    .err(404, "resource_not_found");
    app.get(&format!("{path}?enrollment_mode=nope"))
        .await
        .err(400, "form_param_value_invalid");
    app.patch(&format!("{path}/orgdmn_missing"), json!({"verified": true}))
        .await
        .err(404, "resource_not_found");
    assert!(
        !app.events()
            .await
            .iter()
            .any(|e| e.event_type.starts_with("organizationDomain."))
    );
}

#[tokio::test]
async fn a_name_is_verified_by_one_organization_at_most() {
    let app = spawn_app().await;
    let a = org(&app, "a").await;
    let b = org(&app, "b").await;
    domain(&app, &a, manual("shared.com", None)).await;
    // Twice in one organization: refused.
    app.post(
        &format!("/v1/organizations/{a}/domains"),
        manual("shared.com", Some(false)),
    )
    .await
    .err(422, "form_identifier_exists");
    // Verified by another organization: refused; unverified it may be listed.
    let r = app
        .post(
            &format!("/v1/organizations/{b}/domains"),
            manual("shared.com", None),
        )
        .await;
    r.err(422, "form_identifier_exists");
    assert_eq!(r.param(), "name");
    let pending = domain(&app, &b, manual("shared.com", Some(false))).await;
    let pid = pending["id"].as_str().unwrap();
    app.patch(
        &format!("/v1/organizations/{b}/domains/{pid}"),
        json!({"verified": true}),
    )
    .await
    .err(422, "form_identifier_exists");

    // Across organizations, with filters.
    let all = app.get("/v1/organization_domains").await;
    assert_eq!(all.ok()["total_count"], 2);
    let of_b = app
        .get(&format!("/v1/organization_domains?organization_id={b}"))
        .await;
    assert_eq!(of_b.ok()["total_count"], 1);
    let by_name = app
        .get("/v1/organization_domains?domains=shared.com&verified=true")
        .await;
    assert_eq!(by_name.ok()["data"][0]["organization_id"], a.as_str());
    // A domain is addressed through its own organization only.
    app.delete(&format!("/v1/organizations/{a}/domains/{pid}"))
        .await
        .err(404, "resource_not_found");
}

#[tokio::test]
async fn deleting_an_organization_deletes_its_domains() {
    let app = spawn_app().await;
    let a = org(&app, "a").await;
    let b = org(&app, "b").await;
    domain(&app, &a, manual("gone.com", None)).await;
    app.delete(&format!("/v1/organizations/{a}")).await.ok();
    assert_eq!(
        app.get("/v1/organization_domains").await.ok()["total_count"],
        0
    );
    // The name is free for another organization to verify.
    domain(&app, &b, manual("gone.com", None)).await;
}

#[tokio::test]
async fn ownership_is_verified_once_by_the_backend() {
    let app = spawn_app().await;
    let o = org(&app, "acme").await;
    let d = domain(&app, &o, manual("acme.com", Some(false))).await;
    let id = d["id"].as_str().unwrap().to_owned();
    assert!(d["ownership_verification"].is_null());
    let path = format!("/v1/organizations/{o}/domains/{id}/verify_ownership");

    let first = app.post(&path, json!({})).await.ok().clone();
    let own = &first["ownership_verification"];
    assert_eq!(own["status"], "verified");
    assert_eq!(own["strategy"], "manual_override");
    assert!(own["attempts"].is_null());
    assert!(own["expire_at"].is_null());
    let at = own["verified_at"].as_i64().unwrap();
    assert!(at > 1_600_000_000_000);
    // Ownership of the DNS name says nothing about members' addresses.
    assert!(first["affiliation_verification"].is_null());
    let listed = app
        .get(&format!("/v1/organizations/{o}/domains?verified=true"))
        .await;
    assert_eq!(listed.ok()["total_count"], 0);

    // Idempotent: the same time, no second event or audit entry.
    let again = app.post(&path, json!({})).await.ok().clone();
    assert_eq!(again["ownership_verification"]["verified_at"], at);
    let fetched = app.get(&format!("/v1/organizations/{o}/domains")).await;
    assert_eq!(
        fetched.ok()["data"][0]["ownership_verification"]["verified_at"],
        at
    );
    let updates = app
        .events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "organizationDomain.updated")
        .count();
    assert_eq!(updates, 1);
    let audit = audit_actions(&app).await;
    let entries = audit
        .iter()
        .filter(|a| {
            **a == (
                "organization_domain.ownership_verified".to_owned(),
                id.clone(),
            )
        })
        .count();
    assert_eq!(entries, 1);

    // Unknown domain, or a domain of another organization: 404.
    app.post(
        &format!("/v1/organizations/{o}/domains/orgdmn_missing/verify_ownership"),
        json!({}),
    )
    .await
    .err(404, "resource_not_found");
    let other = org(&app, "other").await;
    app.post(
        &format!("/v1/organizations/{other}/domains/{id}/verify_ownership"),
        json!({}),
    )
    .await
    .err(404, "resource_not_found");
}
