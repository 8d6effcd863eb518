//! Organization Roles and Organization Permissions over the Backend API: Clerk's shapes, the
//! built-in roles and permissions (listed, never changed), `duplicate_record` for a taken key,
//! and each change's `role.*` / `permission.*` event and audit entry.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::common::*;

async fn events_of(app: &App, kind: &str) -> Vec<Value> {
    app.events()
        .await
        .into_iter()
        .filter(|e| e.event_type == kind)
        .map(|e| e.data)
        .collect()
}

async fn create_permission(app: &App, key: &str) -> Value {
    app.post(
        "/v1/organization_permissions",
        json!({"name": format!("Perm {key}"), "key": key, "description": "d"}),
    )
    .await
    .ok()
    .clone()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn keys(list: &Value) -> Vec<&str> {
    each_str(&list["data"], "key")
}

#[tokio::test]
async fn the_built_in_roles_and_permissions_are_listed_and_read_only() {
    let app = spawn_app().await;
    let roles = app.get("/v1/organization_roles?order_by=key").await;
    let roles = roles.ok();
    assert_eq!(roles["total_count"], 2);
    assert_eq!(keys(roles), ["org:admin", "org:member"]);
    let admin = &roles["data"][0];
    assert_eq!(admin["object"], "role");
    assert_eq!(admin["is_creator_eligible"], true);
    assert_eq!(admin["permissions"].as_array().unwrap().len(), 8);
    assert_eq!(admin["permissions"][0]["object"], "permission");
    assert_eq!(admin["permissions"][0]["type"], "system");
    assert_eq!(roles["data"][1]["is_creator_eligible"], false);

    let perms = app.get("/v1/organization_permissions?limit=500").await;
    assert_eq!(perms.ok()["total_count"], 8);
    let sys_perm = id(&perms.body["data"][0]);
    let admin_id = id(admin);
    assert_eq!(
        app.get(&format!("/v1/organization_roles/{admin_id}"))
            .await
            .ok()["key"],
        "org:admin"
    );

    app.patch(
        &format!("/v1/organization_roles/{admin_id}"),
        json!({"name": "Boss"}),
    )
    .await
    .err(403, "authorization_invalid");
    app.delete(&format!("/v1/organization_roles/{admin_id}"))
        .await
        .err(403, "authorization_invalid");
    app.patch(
        &format!("/v1/organization_permissions/{sys_perm}"),
        json!({"name": "x"}),
    )
    .await
    .err(403, "authorization_invalid");
    app.delete(&format!("/v1/organization_permissions/{sys_perm}"))
        .await
        .err(403, "authorization_invalid");
    let custom = create_permission(&app, "org:invoices:read").await;
    app.post_empty(&format!(
        "/v1/organization_roles/{admin_id}/permissions/{}",
        id(&custom)
    ))
    .await
    .err(403, "authorization_invalid");
    // The read-only refusals wrote nothing.
    assert!(events_of(&app, "role.updated").await.is_empty());
}

#[tokio::test]
async fn permissions_are_created_updated_and_deleted_with_events_and_audit() {
    let app = spawn_app().await;
    let p = create_permission(&app, "org:invoices:read").await;
    assert_eq!(p["object"], "permission");
    assert_eq!(p["type"], "user");
    assert_eq!(p["description"], "d");
    assert!(p["id"].as_str().unwrap().starts_with("perm_"));
    let pid = id(&p);

    // A taken key, or a system one, is refused.
    let dup = app
        .post(
            "/v1/organization_permissions",
            json!({"name": "Again", "key": "org:invoices:read"}),
        )
        .await;
    dup.err(400, "duplicate_record");
    assert_eq!(dup.param(), "key");
    app.post(
        "/v1/organization_permissions",
        json!({"name": "Sys", "key": "org:sys_profile:manage"}),
    )
    .await
    .err(422, "form_param_value_invalid");
    app.post(
        "/v1/organization_permissions",
        json!({"name": "Bad", "key": "invoices:read"}),
    )
    .await
    .err(422, "form_param_format_invalid");
    let missing = app
        .post("/v1/organization_permissions", json!({"key": "org:a:b"}))
        .await;
    missing.err(422, "form_param_missing");
    assert_eq!(missing.param(), "name");

    let updated = app
        .patch(
            &format!("/v1/organization_permissions/{pid}"),
            json!({"name": "Read all invoices", "key": "org:invoices:read_all"}),
        )
        .await;
    assert_eq!(updated.ok()["key"], "org:invoices:read_all");
    assert_eq!(updated.body["description"], "d");
    let got = app
        .get(&format!("/v1/organization_permissions/{pid}"))
        .await;
    assert_eq!(got.ok()["name"], "Read all invoices");

    let second = create_permission(&app, "org:invoices:write").await;
    app.patch(
        &format!("/v1/organization_permissions/{}", id(&second)),
        json!({"key": "org:invoices:read_all"}),
    )
    .await
    .err(400, "duplicate_record");

    let found = app
        .get("/v1/organization_permissions?query=INVOICES&order_by=key")
        .await;
    assert_eq!(
        keys(found.ok()),
        ["org:invoices:read_all", "org:invoices:write"]
    );
    let by_id = app
        .get(&format!("/v1/organization_permissions?query={pid}"))
        .await;
    assert_eq!(by_id.ok()["total_count"], 1);

    app.delete_gone(
        &format!("/v1/organization_permissions/{pid}"),
        "permission",
        &pid,
    )
    .await;
    app.delete(&format!("/v1/organization_permissions/{pid}"))
        .await
        .err(404, "resource_not_found");

    let created = events_of(&app, "permission.created").await;
    assert_eq!(created.len(), 2);
    assert_eq!(created[0]["key"], "org:invoices:read");
    assert_eq!(created[0]["object"], "permission");
    let updated = events_of(&app, "permission.updated").await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0]["key"], "org:invoices:read_all");
    assert_eq!(
        events_of(&app, "permission.deleted").await,
        [json!({"object": "permission", "id": pid, "deleted": true})]
    );
    assert_audited(
        &app,
        &pid,
        &[
            "organization_permission.create",
            "organization_permission.update",
            "organization_permission.delete",
        ],
    )
    .await;
}

#[tokio::test]
async fn roles_hold_permissions_by_id_and_follow_their_changes() {
    let app = spawn_app().await;
    let read = create_permission(&app, "org:invoices:read").await;
    let write = create_permission(&app, "org:invoices:write").await;
    let perms = app
        .get("/v1/organization_permissions?query=sys_memberships:manage")
        .await;
    let manage = id(&perms.ok()["data"][0]);

    let role = app
        .post(
            "/v1/organization_roles",
            json!({
                "name": "Billing",
                "key": "org:billing",
                "description": null,
                "permissions": [id(&read), manage],
                "include_in_initial_role_set": true,
            }),
        )
        .await;
    let role = role.ok().clone();
    assert_eq!(role["object"], "role");
    assert!(role["id"].as_str().unwrap().starts_with("role_"));
    assert_eq!(role["description"], Value::Null);
    assert_eq!(role["is_creator_eligible"], false);
    let held = each_str(&role["permissions"], "key");
    assert_eq!(held, ["org:sys_memberships:manage", "org:invoices:read"]);
    let rid = id(&role);

    app.post(
        "/v1/organization_roles",
        json!({"name": "Again", "key": "org:billing"}),
    )
    .await
    .err(400, "duplicate_record");
    app.post(
        "/v1/organization_roles",
        json!({"name": "Admin 2", "key": "org:admin"}),
    )
    .await
    .err(400, "duplicate_record");
    app.post(
        "/v1/organization_roles",
        json!({"name": "X", "key": "org:x", "permissions": ["perm_2unknown0000000000000000000"]}),
    )
    .await
    .err(404, "resource_not_found");
    app.post(
        "/v1/organization_roles",
        json!({"name": "X", "key": "org:x", "permissions": "perm_a"}),
    )
    .await
    .err(422, "form_param_format_invalid");
    app.post(
        "/v1/organization_roles",
        json!({"name": "X", "key": "org:x", "colour": "red"}),
    )
    .await
    .err(422, "form_param_unknown");

    // Assign, assign again (a conflict), remove.
    let path = format!("/v1/organization_roles/{rid}/permissions/{}", id(&write));
    let assigned = app.post_empty(&path).await;
    assert_eq!(
        assigned.ok()["permissions"].as_array().unwrap().len(),
        3,
        "{}",
        assigned.raw
    );
    app.post_empty(&path).await.err(409, "duplicate_record");
    let removed = app.delete(&path).await;
    assert_eq!(removed.ok()["permissions"].as_array().unwrap().len(), 2);
    app.delete(&path).await.err(422, "form_param_value_invalid");

    // PATCH replaces the permissions; a renamed permission follows into the role.
    let patched = app
        .patch(
            &format!("/v1/organization_roles/{rid}"),
            json!({"name": "Billing team", "key": "org:billing_team", "permissions": [id(&write)], "description": "Pays"}),
        )
        .await;
    let patched = patched.ok();
    assert_eq!(patched["key"], "org:billing_team");
    assert_eq!(patched["description"], "Pays");
    assert_eq!(patched["permissions"][0]["key"], "org:invoices:write");
    app.patch(
        &format!("/v1/organization_permissions/{}", id(&write)),
        json!({"key": "org:invoices:edit"}),
    )
    .await
    .ok();
    let fetched = app.get(&format!("/v1/organization_roles/{rid}")).await;
    assert_eq!(fetched.ok()["permissions"][0]["key"], "org:invoices:edit");
    // Deleting a permission takes it out of the role.
    app.delete(&format!("/v1/organization_permissions/{}", id(&write)))
        .await
        .ok();
    let fetched = app.get(&format!("/v1/organization_roles/{rid}")).await;
    assert_eq!(fetched.ok()["permissions"], json!([]));

    // Lists: newest first by default, paged, searched.
    let list = app.get("/v1/organization_roles").await;
    assert_eq!(list.ok()["total_count"], 3);
    assert_eq!(list.body["data"][0]["id"], rid.as_str());
    let page = app
        .get("/v1/organization_roles?order_by=-key&limit=1&offset=1")
        .await;
    assert_eq!(keys(page.ok()), ["org:billing_team"]);
    assert_eq!(page.body["total_count"], 3);
    app.get("/v1/organization_roles?order_by=-updated_at")
        .await
        .err(400, "form_param_value_invalid");
    app.get("/v1/organization_roles?limit=501")
        .await
        .err(400, "form_param_value_invalid");

    app.delete_gone(&format!("/v1/organization_roles/{rid}"), "role", &rid)
        .await;
    app.get("/v1/organization_roles/user_123")
        .await
        .err(404, "resource_not_found");

    let created = events_of(&app, "role.created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["key"], "org:billing");
    assert_eq!(created[0]["permissions"].as_array().unwrap().len(), 2);
    assert!(created[0]["is_creator_eligible"].is_boolean());
    // Assign, remove and the PATCH.
    assert_eq!(events_of(&app, "role.updated").await.len(), 3);
    assert_eq!(
        events_of(&app, "role.deleted").await,
        [json!({"object": "role", "id": rid, "deleted": true})]
    );
    assert_audited(
        &app,
        &rid,
        &[
            "organization_role.create",
            "organization_role.assign_permission",
            "organization_role.remove_permission",
            "organization_role.update",
            "organization_role.delete",
        ],
    )
    .await;
}

/// Sends `body` to `path` from `n` tasks at once.
async fn race(app: &Arc<App>, path: &'static str, body: Value, n: usize) -> Vec<Reply> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (app, body) = (app.clone(), body.clone());
            tokio::spawn(async move { app.post(path, body).await })
        })
        .collect();
    let mut replies = Vec::new();
    for t in tasks {
        replies.push(t.await.unwrap());
    }
    replies
}

/// Concurrent creates of one key race past the read-side check; the store's unique index
/// decides, and the losers hear `duplicate_record`, never a 500 (the store's `KeyTaken` used to
/// surface as an internal error).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_one_key_make_one_and_refuse_the_rest() {
    let app = Arc::new(spawn_app().await);
    for (path, body, event) in [
        (
            "/v1/organization_permissions",
            json!({"name": "Racer", "key": "org:race:run"}),
            "permission.created",
        ),
        (
            "/v1/organization_roles",
            json!({"name": "Racer", "key": "org:racer"}),
            "role.created",
        ),
    ] {
        let replies = race(&app, path, body, 8).await;
        assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 1);
        for r in replies.iter().filter(|r| r.status != 200) {
            r.err(400, "duplicate_record");
        }
        assert_eq!(events_of(&app, event).await.len(), 1);
    }
}

#[tokio::test]
async fn a_role_members_hold_or_invitations_grant_is_not_deleted() {
    let app = spawn_app().await;
    let role = app
        .post(
            "/v1/organization_roles",
            json!({"name": "Auditor", "key": "org:auditor"}),
        )
        .await
        .ok()
        .clone();
    let path = format!("/v1/organization_roles/{}", id(&role));
    let owner = app.create_user_id("owner@example.com").await;
    let ann = app.create_user_id("ann@example.com").await;
    let org = app.create_org("Acme", &owner).await;
    let member = format!("/v1/organizations/{org}/memberships/{ann}");
    app.add_member(&org, &ann, "org:auditor").await;

    app.delete(&path).await.err(422, "organization_role_in_use");
    app.patch(&member, json!({"role": "org:member"})).await.ok();
    let invited = app
        .post(
            &format!("/v1/organizations/{org}/invitations"),
            json!({"email_address": "bob@example.com", "role": "org:auditor"}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(invited["role_name"], "Auditor", "the custom role's name");
    let invitation = invited["id"].as_str().unwrap().to_owned();
    app.delete(&path).await.err(422, "organization_role_in_use");
    assert!(events_of(&app, "role.deleted").await.is_empty());
    assert_eq!(app.get(&path).await.ok()["key"], "org:auditor");

    app.post(
        &format!("/v1/organizations/{org}/invitations/{invitation}/revoke"),
        json!({}),
    )
    .await
    .ok();
    assert_eq!(app.delete(&path).await.ok()["deleted"], true);
    assert_eq!(events_of(&app, "role.deleted").await.len(), 1);
}
