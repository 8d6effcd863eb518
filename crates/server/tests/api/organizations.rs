//! Organizations and memberships over the Backend API: Clerk's shapes and errors, the slug rules,
//! the membership limit under concurrent additions, the last admin, events in the same commit.

use serde_json::{Value, json};

use crate::common::*;

async fn user(app: &App, email: &str) -> String {
    app.post(
        "/v1/users",
        json!({"email_address": [email], "first_name": email.split('@').next(), "skip_password_requirement": true}),
    )
    .await
    .ok()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn org(app: &App, body: Value) -> Value {
    app.post("/v1/organizations", body).await.ok().clone()
}

#[tokio::test]
async fn create_get_list_update_and_delete_an_organization() {
    let app = spawn_app().await;
    let owner = user(&app, "owner@example.com").await;
    let o = org(
        &app,
        json!({"name": "Acme Corp", "slug": "acme", "created_by": owner, "max_allowed_memberships": 5,
               "public_metadata": {"plan": "pro"}, "private_metadata": {"crm": 7}}),
    )
    .await;
    assert_eq!(o["object"], "organization");
    assert!(o["id"].as_str().unwrap().starts_with("org_"));
    assert_eq!(
        (o["name"].as_str(), o["slug"].as_str()),
        (Some("Acme Corp"), Some("acme"))
    );
    assert_eq!(o["members_count"], 1);
    assert_eq!(o["max_allowed_memberships"], 5);
    assert_eq!(o["admin_delete_enabled"], true);
    assert_eq!(o["has_image"], false);
    assert!(o["image_url"].is_string());
    assert_eq!(o["created_by"], owner.as_str());
    assert_eq!(o["public_metadata"], json!({"plan": "pro"}));
    assert_eq!(o["private_metadata"], json!({"crm": 7}));
    assert!(o["created_at"].as_i64().unwrap() > 1_600_000_000_000);
    let id = o["id"].as_str().unwrap().to_owned();

    // The creator is its admin.
    let members = app
        .get(&format!("/v1/organizations/{id}/memberships"))
        .await;
    let members = members.ok();
    assert_eq!(members["total_count"], 1);
    let m = &members["data"][0];
    assert_eq!(m["object"], "organization_membership");
    assert!(m["id"].as_str().unwrap().starts_with("orgmem_"));
    assert_eq!(m["role"], "org:admin");
    assert_eq!(m["role_name"], "Admin");
    assert!(
        m["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("org:sys_memberships:manage"))
    );
    assert_eq!(m["organization"]["id"], id.as_str());
    assert_eq!(m["public_user_data"]["user_id"], owner.as_str());
    assert_eq!(m["public_user_data"]["identifier"], "owner@example.com");
    assert_eq!(m["public_user_data"]["first_name"], "owner");

    // By id, and by slug; members_count only when asked.
    let by_id = app.get(&format!("/v1/organizations/{id}")).await;
    assert!(by_id.ok().get("members_count").is_none());
    let by_slug = app
        .get("/v1/organizations/acme?include_members_count=true")
        .await;
    assert_eq!(by_slug.ok()["id"], id.as_str());
    assert_eq!(by_slug.ok()["members_count"], 1);
    app.get("/v1/organizations/nope")
        .await
        .err(404, "resource_not_found");
    app.get("/v1/organizations/org_2x9Zz")
        .await
        .err(404, "resource_not_found");

    // A generated slug; a taken one gets a suffix.
    let g1 = org(&app, json!({"name": "Globex Industries"})).await;
    assert_eq!(g1["slug"], "globex-industries");
    let g2 = org(&app, json!({"name": "Globex  industries!"})).await;
    assert!(
        g2["slug"]
            .as_str()
            .unwrap()
            .starts_with("globex-industries-")
    );

    let list = app
        .get("/v1/organizations?limit=2&order_by=name&include_members_count=true")
        .await;
    let list = list.ok();
    assert_eq!(list["total_count"], 3);
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert_eq!(list["data"][0]["name"], "Acme Corp");
    assert_eq!(list["data"][0]["members_count"], 1);
    let found = app.get("/v1/organizations?query=GLOBEX").await;
    assert_eq!(found.ok()["total_count"], 2);
    let of_owner = app.get(&format!("/v1/organizations?user_id={owner}")).await;
    assert_eq!(of_owner.ok()["total_count"], 1);
    app.get("/v1/organizations?order_by=-slug")
        .await
        .err(400, "form_param_value_invalid");
    app.get("/v1/organizations?limit=0")
        .await
        .err(400, "form_param_value_invalid");

    let updated = app
        .patch(
            &format!("/v1/organizations/{id}"),
            json!({"name": "Acme Inc", "slug": "acme-inc", "admin_delete_enabled": false}),
        )
        .await;
    let updated = updated.ok();
    assert_eq!(
        (updated["name"].as_str(), updated["slug"].as_str()),
        (Some("Acme Inc"), Some("acme-inc"))
    );
    assert_eq!(updated["admin_delete_enabled"], false);
    assert!(updated["updated_at"].as_i64() >= o["updated_at"].as_i64());
    app.patch(&format!("/v1/organizations/{id}"), json!({"bogus": 1}))
        .await
        .err(422, "form_param_unknown");

    let merged = app
        .patch(
            &format!("/v1/organizations/{id}/metadata"),
            json!({"public_metadata": {"seats": 3, "plan": null}}),
        )
        .await;
    assert_eq!(merged.ok()["public_metadata"], json!({"seats": 3}));
    assert_eq!(merged.ok()["private_metadata"], json!({"crm": 7}));

    let deleted = app.delete(&format!("/v1/organizations/{id}")).await;
    assert_eq!(deleted.ok()["object"], "organization");
    assert_eq!(deleted.ok()["deleted"], true);
    app.get(&format!("/v1/organizations/{id}"))
        .await
        .err(404, "resource_not_found");
    let owner_memberships = app
        .get(&format!("/v1/users/{owner}/organization_memberships"))
        .await;
    assert_eq!(
        owner_memberships.ok()["total_count"],
        0,
        "the memberships went with it"
    );

    let types = event_types(&app.events().await)
        .into_iter()
        .filter(|t| t.starts_with("organization"))
        .map(str::to_owned)
        .collect::<Vec<_>>();
    assert_eq!(
        &types[..2],
        ["organization.created", "organizationMembership.created"]
    );
    assert!(types.contains(&"organization.updated".to_owned()));
    assert_eq!(
        types.last().map(String::as_str),
        Some("organization.deleted")
    );
    let events = app.events().await;
    let created = events
        .iter()
        .find(|e| e.event_type == "organization.created")
        .unwrap();
    assert_eq!(created.data["members_count"], 1);
    let deleted = events
        .iter()
        .find(|e| e.event_type == "organization.deleted")
        .unwrap();
    assert_eq!(
        deleted.data,
        json!({"object": "organization", "id": id, "slug": "acme-inc", "deleted": true})
    );
}

#[tokio::test]
async fn bad_organization_input_gets_clerk_errors() {
    let app = spawn_app().await;
    org(&app, json!({"name": "Acme", "slug": "acme"})).await;
    let taken = app
        .post(
            "/v1/organizations",
            json!({"name": "Other", "slug": "ACME"}),
        )
        .await;
    taken.err(422, "form_identifier_exists");
    assert_eq!(taken.param(), "slug");
    let other = org(&app, json!({"name": "Other", "slug": "other"})).await;
    let clash = app
        .patch(
            &format!("/v1/organizations/{}", other["id"].as_str().unwrap()),
            json!({"slug": "acme"}),
        )
        .await;
    clash.err(422, "form_identifier_exists");
    assert_eq!(clash.param(), "slug");
    let bad_slug = app
        .post("/v1/organizations", json!({"name": "X", "slug": "a b"}))
        .await;
    bad_slug.err(422, "form_param_format_invalid");
    assert_eq!(bad_slug.param(), "slug");
    app.post("/v1/organizations", json!({}))
        .await
        .err(422, "form_param_missing");
    let long = app
        .post("/v1/organizations", json!({"name": "n".repeat(257)}))
        .await;
    long.err(422, "form_param_format_invalid");
    assert_eq!(long.param(), "name");
    app.post(
        "/v1/organizations",
        json!({"name": "X", "max_allowed_memberships": -1}),
    )
    .await
    .err(422, "form_param_value_invalid");
    app.post(
        "/v1/organizations",
        json!({"name": "X", "created_by": "user_nobody"}),
    )
    .await
    .err(404, "resource_not_found");
    app.post(
        "/v1/organizations",
        json!({"name": "X", "public_metadata": [1]}),
    )
    .await
    .err(422, "form_param_format_invalid");
}

#[tokio::test]
async fn memberships_roles_metadata_and_the_last_admin() {
    let app = spawn_app().await;
    let owner = user(&app, "boss@example.com").await;
    let bob = user(&app, "bob@example.com").await;
    let o = org(&app, json!({"name": "Team", "created_by": owner})).await;
    let id = o["id"].as_str().unwrap();
    let base = format!("/v1/organizations/{id}/memberships");

    let m = app
        .post(
            &base,
            json!({"user_id": bob, "role": "org:member", "public_metadata": {"team": "red"}}),
        )
        .await;
    let m = m.ok();
    assert_eq!(m["role"], "org:member");
    assert_eq!(m["role_name"], "Member");
    assert_eq!(m["public_metadata"], json!({"team": "red"}));
    assert_eq!(m["organization"]["members_count"], 2);
    app.post(&base, json!({"user_id": bob, "role": "org:member"}))
        .await
        .err(400, "already_a_member_in_organization");
    let bad_role = app
        .post(&base, json!({"user_id": owner, "role": "org:owner"}))
        .await;
    bad_role.err(422, "form_param_value_invalid");
    assert_eq!(bad_role.param(), "role");
    app.post(
        &base,
        json!({"user_id": "user_ghost", "role": "org:member"}),
    )
    .await
    .err(404, "resource_not_found");
    app.post(&base, json!({"role": "org:member"}))
        .await
        .err(422, "form_param_missing");

    // The only admin can be neither demoted nor removed.
    app.patch(&format!("{base}/{owner}"), json!({"role": "org:member"}))
        .await
        .err(403, "organization_minimum_permissions_needed");
    app.delete(&format!("{base}/{owner}"))
        .await
        .err(403, "organization_minimum_permissions_needed");
    // With a second admin, the first may step down.
    let promoted = app
        .patch(&format!("{base}/{bob}"), json!({"role": "org:admin"}))
        .await;
    assert_eq!(promoted.ok()["role"], "org:admin");
    let stepped_down = app
        .patch(&format!("{base}/{owner}"), json!({"role": "org:member"}))
        .await;
    assert_eq!(stepped_down.ok()["role"], "org:member");

    let meta = app
        .patch(
            &format!("{base}/{bob}/metadata"),
            json!({"public_metadata": {"team": null, "x": 1}, "private_metadata": {"p": true}}),
        )
        .await;
    assert_eq!(meta.ok()["public_metadata"], json!({"x": 1}));
    assert_eq!(meta.ok()["private_metadata"], json!({"p": true}));

    let list = app.get(&format!("{base}?role=org:admin")).await;
    assert_eq!(list.ok()["total_count"], 1);
    assert_eq!(
        list.ok()["data"][0]["public_user_data"]["user_id"],
        bob.as_str()
    );
    let by_name = app
        .get(&format!("{base}?order_by=first_name&limit=1"))
        .await;
    assert_eq!(
        by_name.ok()["data"][0]["public_user_data"]["first_name"],
        "bob"
    );
    assert_eq!(by_name.ok()["total_count"], 2);
    app.get(&format!("{base}?order_by=role"))
        .await
        .err(400, "form_param_value_invalid");
    app.get(&format!("{base}?email_address=a@b.c"))
        .await
        .err(400, "form_param_value_invalid");

    let of_bob = app
        .get(&format!("/v1/users/{bob}/organization_memberships?limit=5"))
        .await;
    assert_eq!(of_bob.ok()["total_count"], 1);
    assert_eq!(of_bob.ok()["data"][0]["organization"]["id"], id);
    app.get("/v1/users/user_ghost/organization_memberships")
        .await
        .err(404, "resource_not_found");
    let all = app.get("/v1/organization_memberships").await;
    assert_eq!(all.ok()["total_count"], 2);

    let removed = app.delete(&format!("{base}/{owner}")).await;
    assert_eq!(removed.ok()["object"], "organization_membership");
    assert_eq!(removed.ok()["public_user_data"]["user_id"], owner.as_str());
    app.delete(&format!("{base}/{owner}"))
        .await
        .err(404, "resource_not_found");

    let events = app.events().await;
    let updated = events
        .iter()
        .filter(|e| e.event_type == "organizationMembership.updated")
        .count();
    assert_eq!(updated, 3);
    let deleted = events
        .iter()
        .find(|e| e.event_type == "organizationMembership.deleted")
        .unwrap();
    assert_eq!(deleted.data["public_user_data"]["user_id"], owner.as_str());
    assert_eq!(deleted.data["organization"]["members_count"], 1);
}

#[tokio::test]
async fn a_membership_is_addressed_only_through_its_own_organization() {
    let app = spawn_app().await;
    let alice = user(&app, "alice@example.com").await;
    let a = org(&app, json!({"name": "A", "created_by": alice})).await;
    let b = org(&app, json!({"name": "B"})).await;
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let through_b = format!("/v1/organizations/{b}/memberships/{alice}");
    app.patch(&through_b, json!({"role": "org:member"}))
        .await
        .err(404, "resource_not_found");
    app.patch(
        &format!("{through_b}/metadata"),
        json!({"public_metadata": {"x": 1}}),
    )
    .await
    .err(404, "resource_not_found");
    app.delete(&through_b).await.err(404, "resource_not_found");
    let still = app.get(&format!("/v1/organizations/{a}/memberships")).await;
    assert_eq!(still.ok()["total_count"], 1);
    // Changing routes take ids, not slugs.
    app.patch("/v1/organizations/a", json!({"name": "Z"}))
        .await
        .err(404, "resource_not_found");
}

#[tokio::test]
async fn concurrent_additions_never_exceed_the_membership_limit() {
    let app = spawn_app().await;
    let o = org(&app, json!({"name": "Small", "max_allowed_memberships": 3})).await;
    let id = o["id"].as_str().unwrap().to_owned();
    let mut users = Vec::new();
    for i in 0..10 {
        users.push(user(&app, &format!("u{i}@example.com")).await);
    }
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for u in users {
        let (app, id) = (app.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            app.post(
                &format!("/v1/organizations/{id}/memberships"),
                json!({"user_id": u, "role": "org:member"}),
            )
            .await
        }));
    }
    let mut added = 0;
    for t in tasks {
        let r = t.await.unwrap();
        if r.status.as_u16() == 200 {
            added += 1;
        } else {
            r.err(403, "organization_membership_quota_exceeded");
        }
    }
    assert_eq!(added, 3);
    let got = app
        .get(&format!(
            "/v1/organizations/{id}?include_members_count=true"
        ))
        .await;
    assert_eq!(got.ok()["members_count"], 3);
    let list = app
        .get(&format!("/v1/organizations/{id}/memberships?limit=100"))
        .await;
    assert_eq!(list.ok()["total_count"], 3);
}

#[tokio::test]
async fn deleting_a_user_removes_their_memberships_with_events() {
    let app = spawn_app().await;
    let solo = user(&app, "solo@example.com").await;
    let o = org(&app, json!({"name": "Solo", "created_by": solo})).await;
    let id = o["id"].as_str().unwrap();
    app.delete(&format!("/v1/users/{solo}")).await.ok();
    let list = app
        .get(&format!("/v1/organizations/{id}/memberships"))
        .await;
    assert_eq!(list.ok()["total_count"], 0);
    let got = app
        .get(&format!(
            "/v1/organizations/{id}?include_members_count=true"
        ))
        .await;
    assert_eq!(got.ok()["members_count"], 0);
    let events = app.events().await;
    let types = event_types(&events);
    let removed = types
        .iter()
        .position(|t| *t == "organizationMembership.deleted")
        .unwrap();
    let user_deleted = types.iter().position(|t| *t == "user.deleted").unwrap();
    assert!(removed < user_deleted, "{types:?}");
}

/// A path parameter that is not an id of its kind is an unknown resource, named for the first
/// parameter at fault, whatever the body says.
#[tokio::test]
async fn malformed_path_ids_are_the_route_s_not_found() {
    let app = spawn_app().await;
    let alice = user(&app, "alice@example.com").await;
    let a = org(
        &app,
        json!({"name": "A", "slug": "aa", "created_by": alice}),
    )
    .await;
    let a = a["id"].as_str().unwrap();
    let long = |r: &Reply| {
        r.body["errors"][0]["long_message"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    let r = app
        .patch(
            &format!("/v1/organizations/{a}/memberships/sess_1"),
            json!({}),
        )
        .await;
    r.err(404, "resource_not_found");
    assert_eq!(long(&r), "organization membership not found");
    let r = app
        .patch(
            &format!("/v1/organizations/user_1/memberships/{alice}"),
            json!({"role": 7}),
        )
        .await;
    r.err(404, "resource_not_found");
    assert_eq!(long(&r), "organization not found");
    let r = app
        .delete(&format!("/v1/organizations/{a}/domains/orgdmn_a-b"))
        .await;
    r.err(404, "resource_not_found");
    assert_eq!(long(&r), "organization domain not found");
    let r = app
        .get(&format!("/v1/organizations/{a}/invitations/orginv_"))
        .await;
    r.err(404, "resource_not_found");
    assert_eq!(long(&r), "organization invitation not found");
    // The one route that takes a slug too: text with the id prefix is an id.
    assert_eq!(app.get("/v1/organizations/aa").await.ok()["id"], a);
    app.get("/v1/organizations/org_a-b")
        .await
        .err(404, "resource_not_found");
}
