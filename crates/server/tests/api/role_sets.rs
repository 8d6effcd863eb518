//! Role Sets over the Backend API: Clerk's `role_set` shape, one initial set, keys and ids as
//! names, and the organization's set deciding which roles its members and invitations may have;
//! replacing a set or a role in it moves the members in the same transaction.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

async fn custom_role(app: &App, key: &str) -> Value {
    app.post(
        "/v1/organization_roles",
        json!({"name": key, "key": key, "description": "custom"}),
    )
    .await
    .ok()
    .clone()
}

async fn org(app: &App, body: Value) -> Value {
    app.post("/v1/organizations", body).await.ok().clone()
}

fn keys(set: &Value) -> Vec<&str> {
    each_str(&set["roles"], "key")
}

async fn member_role(app: &App, org_id: &str, user_id: &str) -> String {
    let list = app
        .get(&format!(
            "/v1/organizations/{org_id}/memberships?user_id={user_id}"
        ))
        .await;
    list.ok()["data"][0]["role"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn without_role_sets_every_role_is_given_as_before() {
    let app = spawn_app().await;
    assert_eq!(
        app.get("/v1/role_sets").await.ok(),
        &json!({"data": [], "total_count": 0})
    );
    custom_role(&app, "org:billing").await;
    let o = org(&app, json!({"name": "Acme"})).await;
    assert_eq!(o["role_set_key"], Value::Null);
    let u = app.create_user_id("a@example.com").await;
    let m = app
        .post(
            &format!(
                "/v1/organizations/{}/memberships",
                o["id"].as_str().unwrap()
            ),
            json!({"user_id": u, "role": "org:billing"}),
        )
        .await;
    assert_eq!(m.ok()["role"], "org:billing");
}

#[tokio::test]
async fn role_sets_are_created_read_listed_and_updated() {
    let app = spawn_app().await;
    custom_role(&app, "org:billing").await;
    let created = app
        .post(
            "/v1/role_sets",
            json!({
                "name": "Sales teams",
                "description": "for sales",
                "default_role_key": "org:member",
                "creator_role_key": "org:admin",
                "type": "initial",
                "roles": ["org:admin", "org:member", "org:member"],
            }),
        )
        .await;
    let set = created.ok().clone();
    assert_eq!(set["object"], "role_set");
    assert!(set["id"].as_str().unwrap().starts_with("rs_"));
    assert_eq!(set["key"], "role_set:sales_teams", "made from the name");
    assert_eq!(set["type"], "initial");
    assert_eq!(keys(&set), ["org:admin", "org:member"]);
    assert_eq!(set["roles"][0]["object"], "role_set_item");
    assert_eq!(set["default_role"]["key"], "org:member");
    assert_eq!(set["creator_role"]["key"], "org:admin");
    assert_eq!(set["role_set_migration"], Value::Null);

    for name in [set["id"].as_str().unwrap(), "role_set:sales_teams"] {
        assert_eq!(app.get(&format!("/v1/role_sets/{name}")).await.ok(), &set);
    }
    app.get("/v1/role_sets/role_set:none")
        .await
        .err(404, "resource_not_found");

    // A second initial set takes the flag from the first.
    let second = app
        .post(
            "/v1/role_sets",
            json!({"name": "Billing", "key": "role_set:billing", "type": "initial",
                   "default_role_key": "org:billing", "creator_role_key": "org:admin",
                   "roles": ["org:admin", "org:billing"]}),
        )
        .await;
    assert_eq!(second.ok()["type"], "initial");
    let first = app.get("/v1/role_sets/role_set:sales_teams").await;
    assert_eq!(first.ok()["type"], "custom");
    let list = app.get("/v1/role_sets?order_by=key").await;
    let listed = each_str(&list.ok()["data"], "key");
    assert_eq!(listed, ["role_set:billing", "role_set:sales_teams"]);
    assert_eq!(list.body["total_count"], 2);
    let found = app.get("/v1/role_sets?query=SALES").await;
    assert_eq!(found.ok()["total_count"], 1);

    let updated = app
        .patch(
            "/v1/role_sets/role_set:sales_teams",
            json!({"name": "Sales", "key": "role_set:sales", "description": null, "type": "initial"}),
        )
        .await;
    let updated = updated.ok();
    assert_eq!(
        (
            &updated["name"],
            &updated["key"],
            &updated["description"],
            &updated["type"]
        ),
        (
            &json!("Sales"),
            &json!("role_set:sales"),
            &Value::Null,
            &json!("initial")
        )
    );
    assert_eq!(
        app.get("/v1/role_sets/role_set:billing").await.ok()["type"],
        "custom"
    );

    let added = app
        .post(
            "/v1/role_sets/role_set:sales/roles",
            json!({"role_keys": ["org:billing"], "default_role_key": "org:billing"}),
        )
        .await;
    assert_eq!(keys(added.ok()), ["org:admin", "org:member", "org:billing"]);
    assert_eq!(added.body["default_role"]["key"], "org:billing");
}

#[tokio::test]
async fn bad_role_sets_are_refused_with_clerks_codes() {
    let app = spawn_app().await;
    let base = json!({"name": "S", "default_role_key": "org:member",
                      "creator_role_key": "org:admin", "roles": ["org:admin", "org:member"]});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        (
            with("key", json!("sales")),
            "form_param_format_invalid",
            "key",
        ),
        (
            with("roles", json!(["org:admin", "org:nope"])),
            "form_param_value_invalid",
            "roles",
        ),
        (
            with("roles", json!(["org:member"])),
            "form_param_value_invalid",
            "roles",
        ),
        (
            with("default_role_key", json!("org:other")),
            "form_param_value_invalid",
            "default_role_key",
        ),
        (
            with("creator_role_key", json!("org:member")),
            "form_param_value_invalid",
            "creator_role_key",
        ),
        (
            with("type", json!("special")),
            "form_param_value_invalid",
            "type",
        ),
    ];
    for (body, code, param) in cases {
        let r = app.post("/v1/role_sets", body.clone()).await;
        r.err(422, code);
        assert_eq!(r.param(), param, "{body}");
    }
    app.post("/v1/role_sets", json!({"name": "S"}))
        .await
        .err(422, "form_param_missing");
    app.post("/v1/role_sets", with("color", json!("red")))
        .await
        .err(422, "form_param_unknown");
    app.post("/v1/role_sets", base.clone()).await.ok();
    app.post("/v1/role_sets", base.clone())
        .await
        .err(400, "duplicate_record");
    app.post(
        "/v1/role_sets/role_set:s/roles",
        json!({"role_keys": ["org:member"]}),
    )
    .await
    .err(422, "form_param_value_invalid");
    app.patch("/v1/role_sets/role_set:s", json!({"type": "custom"}))
        .await
        .err(422, "form_param_value_invalid");
    app.send(Method::GET, "/v1/role_sets/role_set:s", None)
        .await
        .ok();
}

#[tokio::test]
async fn an_organizations_role_set_decides_the_roles_its_members_may_have() {
    let app = spawn_app().await;
    let billing = custom_role(&app, "org:billing").await;
    custom_role(&app, "org:support").await;
    app.post(
        "/v1/role_sets",
        json!({"name": "Support", "type": "initial", "default_role_key": "org:support",
               "creator_role_key": "org:admin", "roles": ["org:admin", "org:support"]}),
    )
    .await
    .ok();
    let o = org(&app, json!({"name": "Acme"})).await;
    assert_eq!(
        o["role_set_key"], "role_set:support",
        "new organizations get the initial set"
    );
    let oid = o["id"].as_str().unwrap();
    let u = app.create_user_id("a@example.com").await;
    let v = app.create_user_id("b@example.com").await;

    let refused = app
        .post(
            &format!("/v1/organizations/{oid}/memberships"),
            json!({"user_id": u, "role": "org:member"}),
        )
        .await;
    refused.err(422, "form_param_value_invalid");
    assert_eq!(refused.param(), "role");
    app.post(
        &format!("/v1/organizations/{oid}/invitations"),
        json!({"email_address": "c@example.com", "role": "org:billing"}),
    )
    .await
    .err(422, "form_param_value_invalid");
    app.add_member(oid, &u, "org:support").await;
    app.patch(
        &format!("/v1/organizations/{oid}/memberships/{u}"),
        json!({"role": "org:member"}),
    )
    .await
    .err(422, "form_param_value_invalid");
    assert_eq!(member_role(&app, oid, &u).await, "org:support");

    // An organization may ask for another set, and is moved only where its members fit.
    app.post(
        "/v1/organizations",
        json!({"name": "Other", "role_set_key": "role_set:nope"}),
    )
    .await
    .err(422, "form_param_value_invalid");
    app.patch(
        &format!("/v1/organizations/{oid}"),
        json!({"role_set_key": "role_set:billing"}),
    )
    .await
    .err(422, "form_param_value_invalid");
    app.post(
        "/v1/role_sets",
        json!({"name": "Billing", "default_role_key": "org:billing",
               "creator_role_key": "org:admin", "roles": ["org:admin", "org:billing"]}),
    )
    .await
    .ok();
    app.patch(
        &format!("/v1/organizations/{oid}"),
        json!({"role_set_key": "role_set:billing"}),
    )
    .await
    .err(422, "form_param_value_invalid");
    let b = org(
        &app,
        json!({"name": "B", "role_set_key": "role_set:billing"}),
    )
    .await;
    assert_eq!(b["role_set_key"], "role_set:billing");
    let bid = b["id"].as_str().unwrap();
    let m = app.add_member(bid, &v, "org:billing").await;
    assert_eq!(m["role"], "org:billing");

    // A role in a set is not deleted.
    app.delete(&format!(
        "/v1/organization_roles/{}",
        billing["id"].as_str().unwrap()
    ))
    .await
    .err(422, "organization_role_in_use");
}

#[tokio::test]
async fn replacing_a_role_or_a_set_moves_the_members() {
    let app = spawn_app().await;
    custom_role(&app, "org:support").await;
    custom_role(&app, "org:billing").await;
    app.post(
        "/v1/role_sets",
        json!({"name": "Old", "type": "initial", "default_role_key": "org:member",
               "creator_role_key": "org:admin",
               "roles": ["org:admin", "org:member", "org:support"]}),
    )
    .await
    .ok();
    let o = org(&app, json!({"name": "Acme"})).await;
    let oid = o["id"].as_str().unwrap();
    let (u, v) = (
        app.create_user_id("a@example.com").await,
        app.create_user_id("b@example.com").await,
    );
    for (user, role) in [(&u, "org:support"), (&v, "org:member")] {
        app.add_member(oid, user, role).await;
    }

    let replaced = app
        .post(
            "/v1/role_sets/role_set:old/roles/replace",
            json!({"role_key": "org:support", "to_role_key": "org:member"}),
        )
        .await;
    assert_eq!(keys(replaced.ok()), ["org:admin", "org:member"]);
    assert_eq!(member_role(&app, oid, &u).await, "org:member");
    app.post(
        "/v1/role_sets/role_set:old/roles/replace",
        json!({"role_key": "org:admin", "to_role_key": "org:member"}),
    )
    .await
    .err(422, "form_param_value_invalid");

    app.post(
        "/v1/role_sets",
        json!({"name": "New", "default_role_key": "org:billing",
               "creator_role_key": "org:admin", "roles": ["org:admin", "org:billing"]}),
    )
    .await
    .ok();
    // Members hold org:member, which the destination lacks: a mapping is needed.
    app.post(
        "/v1/role_sets/role_set:old/replace",
        json!({"dest_role_set_key": "role_set:new"}),
    )
    .await
    .err(422, "form_param_value_invalid");
    assert_eq!(
        member_role(&app, oid, &u).await,
        "org:member",
        "nothing written"
    );
    let gone = app
        .post(
            "/v1/role_sets/role_set:old/replace",
            json!({"dest_role_set_key": "role_set:new",
                   "reassignment_mappings": {"org:member": "org:billing"}}),
        )
        .await;
    assert_eq!(gone.ok()["object"], "role_set");
    assert_eq!(gone.body["deleted"], true);
    app.get("/v1/role_sets/role_set:old")
        .await
        .err(404, "resource_not_found");
    let new = app.get("/v1/role_sets/role_set:new").await;
    assert_eq!(
        new.ok()["type"],
        "initial",
        "the initial set's replacement is initial"
    );
    let moved = app.get(&format!("/v1/organizations/{oid}")).await;
    assert_eq!(moved.ok()["role_set_key"], "role_set:new");
    assert_eq!(member_role(&app, oid, &u).await, "org:billing");
    assert_eq!(member_role(&app, oid, &v).await, "org:billing");
    let updated = app
        .events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "organizationMembership.updated")
        .count();
    assert_eq!(updated, 3, "one event per member moved");
}
