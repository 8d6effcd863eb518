//! Plans and features: plans made and listed (Clerk's `commerce_plan`, `{data,total_count}`), a
//! user's and an organization's subscription (the default plan when none is assigned), a plan
//! assigned and canceled, the `pla`/`fea` claims of the next token, the Frontend API's plan list
//! and its refused payment routes, and every refused input.

use std::sync::Arc;

use serde_json::{Value, json};
use usher_core::clock::ManualClock;

use crate::common::*;

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

async fn plan(app: &App, body: Value) -> Value {
    app.post("/v1/billing/plans", body).await.ok().clone()
}

/// `pro`, a user plan with one feature, `export`.
async fn pro_plan(app: &App) -> Value {
    plan(
        app,
        json!({"name": "Pro", "slug": "pro", "for_payer_type": "user",
               "features": [{"name": "Export", "slug": "export"}]}),
    )
    .await
}

/// `POST /v1/{payer}/billing/subscription_items` with `plan`; `payer` is `users/{id}` or
/// `organizations/{id}`.
async fn assign(app: &App, payer: &str, plan: &str) -> Reply {
    app.post(
        &format!("/v1/{payer}/billing/subscription_items"),
        json!({ "plan_id": plan }),
    )
    .await
}

/// `GET /v1/{payer}/billing/subscription`.
async fn subscription(app: &App, payer: &str) -> Reply {
    app.get(&format!("/v1/{payer}/billing/subscription")).await
}

/// `DELETE /v1/billing/subscription_items/{id}`, with `end_now=true` when `end_now`.
async fn cancel(app: &App, id: &str, end_now: bool) -> Reply {
    let query = if end_now { "?end_now=true" } else { "" };
    app.delete(&format!("/v1/billing/subscription_items/{id}{query}"))
        .await
}

async fn claims(app: &App, sid: &str) -> Value {
    decode_jwt(&app.session_jwt(sid).await).1
}

#[tokio::test]
async fn plans_are_made_and_listed_in_clerks_shape() {
    // A clock that moves between the plans, so that newest-first is one order.
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let app = spawn_with_clock(clock.clone()).await;
    let free = plan(
        &app,
        json!({"name": "Free", "slug": "free_user", "for_payer_type": "user", "is_default": true}),
    )
    .await;
    clock.advance(1_000);
    let pro = plan(
        &app,
        json!({
            "name": "Pro", "slug": "pro", "for_payer_type": "user",
            "description": "For professionals",
            "features": [
                {"name": "Export", "slug": "export"},
                {"name": "API access", "slug": "api", "description": "REST"},
            ],
        }),
    )
    .await;
    clock.advance(1_000);
    plan(
        &app,
        json!({"name": "Team", "slug": "team", "for_payer_type": "org"}),
    )
    .await;
    assert_eq!(pro["object"], "commerce_plan");
    assert!(s(&pro["id"]).starts_with("cplan_"));
    assert_eq!(pro["for_payer_type"], "user");
    assert_eq!(pro["is_default"], false);
    assert_eq!(free["is_default"], true);
    assert_eq!(pro["fee"]["amount"], 0);
    assert_eq!(pro["features"][0]["object"], "feature");
    assert!(s(&pro["features"][0]["id"]).starts_with("feat_"));
    assert_eq!(pro["features"][1]["slug"], "api");
    assert_eq!(pro["features"][1]["description"], "REST");

    let all = app.get("/v1/billing/plans").await.ok().clone();
    assert_eq!(all["total_count"], 3);
    assert_eq!(all["data"][0]["slug"], "team");
    let users = app
        .get("/v1/billing/plans?payer_type=user&limit=1")
        .await
        .ok()
        .clone();
    assert_eq!(users["total_count"], 2);
    assert_eq!(users["data"].as_array().unwrap().len(), 1);
    assert_eq!(users["data"][0]["slug"], "pro");
    let by_slug = app.get("/v1/billing/plans/pro").await.ok().clone();
    assert_eq!(by_slug["id"], pro["id"]);
    let by_id = app
        .get(&format!("/v1/billing/plans/{}", s(&pro["id"])))
        .await;
    assert_eq!(by_id.ok()["slug"], "pro");

    // A new default takes the place of the previous one.
    plan(
        &app,
        json!({"name": "Starter", "slug": "starter", "for_payer_type": "user", "is_default": true}),
    )
    .await;
    let free = app.get("/v1/billing/plans/free_user").await.ok().clone();
    assert_eq!(free["is_default"], false);
}

#[tokio::test]
async fn refused_plans_and_lookups_answer_clerks_errors() {
    let app = spawn_app().await;
    plan(
        &app,
        json!({"name": "Pro", "slug": "pro", "for_payer_type": "user"}),
    )
    .await;
    let taken = app
        .post(
            "/v1/billing/plans",
            json!({"name": "Pro 2", "slug": "pro", "for_payer_type": "org"}),
        )
        .await;
    taken.err(422, "form_identifier_exists");
    assert_eq!(taken.param(), "slug");
    for (body, param) in [
        (
            json!({"name": "X", "slug": "Bad Slug", "for_payer_type": "user"}),
            "slug",
        ),
        (
            json!({"name": "X", "slug": "x", "for_payer_type": "team"}),
            "for_payer_type",
        ),
        (
            json!({"name": " ", "slug": "x", "for_payer_type": "user"}),
            "name",
        ),
        (
            json!({"name": "X", "slug": "x", "for_payer_type": "user",
                   "features": [{"name": "A", "slug": "a"}, {"name": "B", "slug": "a"}]}),
            "features[1].slug",
        ),
    ] {
        let r = app.post("/v1/billing/plans", body).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), param);
    }
    let r = app
        .post("/v1/billing/plans", json!({"name": "X", "slug": "x"}))
        .await;
    r.err(422, "form_param_missing");
    let r = app
        .post(
            "/v1/billing/plans",
            json!({"name": "X", "slug": "x", "for_payer_type": "user", "price": 5}),
        )
        .await;
    r.err(422, "form_param_unknown");
    app.get("/v1/billing/plans?payer_type=team")
        .await
        .err(400, "form_param_value_invalid");
    app.get("/v1/billing/plans/nope")
        .await
        .err(404, "resource_not_found");
    cancel(&app, "csubi_nope", false)
        .await
        .err(404, "resource_not_found");
    subscription(&app, "users/user_nope")
        .await
        .err(404, "resource_not_found");
    let uid = app.create_user_id("nobody@billing.test").await;
    // No item and no default plan: no subscription.
    subscription(&app, &format!("users/{uid}"))
        .await
        .err(404, "resource_not_found");
    let r = assign(&app, &format!("users/{uid}"), "missing").await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "plan_id");
}

#[tokio::test]
async fn a_users_plan_reaches_the_subscription_and_the_next_token() {
    let app = spawn_app().await;
    let uid = app.create_user_id("payer@billing.test").await;
    let payer = format!("users/{uid}");
    let sid = s(&app.create_session(&uid).await["id"]).to_owned();
    let before = claims(&app, &sid).await;
    assert!(
        before.get("pla").is_none() && before.get("fea").is_none(),
        "{before}"
    );

    let free = plan(
        &app,
        json!({"name": "Free", "slug": "free_user", "for_payer_type": "user", "is_default": true,
               "features": [{"name": "Basic", "slug": "basic"}]}),
    )
    .await;
    let sub = subscription(&app, &payer).await.ok().clone();
    assert_eq!(sub["object"], "commerce_subscription");
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["id"], format!("csub_{}", &uid["user_".len()..]));
    assert_eq!(sub["payer_id"], format!("cpayer_{}", &uid["user_".len()..]));
    assert_eq!(sub["subscription_items"][0]["plan"]["id"], free["id"]);
    let c = claims(&app, &sid).await;
    assert_eq!(c["pla"], "u:free_user");
    assert_eq!(c["fea"], "u:basic");

    plan(
        &app,
        json!({"name": "Pro", "slug": "pro", "for_payer_type": "user",
               "features": [{"name": "Export", "slug": "export"}, {"name": "API", "slug": "api"}]}),
    )
    .await;
    let item = assign(&app, &payer, "pro").await.ok().clone();
    assert_eq!(item["object"], "commerce_subscription_item");
    assert_eq!(item["status"], "active");
    assert_eq!(item["plan"]["slug"], "pro");
    let item_id = s(&item["id"]).to_owned();
    assert!(item_id.starts_with("csubi_"));
    // Assigning the plan held already changes nothing.
    let again = assign(&app, &payer, "pro").await;
    assert_eq!(again.ok()["id"], item_id.as_str());
    let c = claims(&app, &sid).await;
    assert_eq!(c["pla"], "u:pro");
    assert_eq!(c["fea"], "u:export,u:api");
    let sub = subscription(&app, &payer).await.ok().clone();
    assert_eq!(sub["subscription_items"].as_array().unwrap().len(), 1);

    // A plan for organizations cannot go to a user.
    plan(
        &app,
        json!({"name": "Team", "slug": "team", "for_payer_type": "org"}),
    )
    .await;
    let r = assign(&app, &payer, "team").await;
    r.err(422, "form_param_value_invalid");

    // Canceled: back to the default plan in the next token.
    let canceled = cancel(&app, &item_id, false).await.ok().clone();
    assert_eq!(canceled["status"], "canceled");
    assert!(canceled["canceled_at"].is_i64());
    assert_eq!(canceled["ended_at"], Value::Null);
    cancel(&app, &item_id, true)
        .await
        .err(403, "not_allowed_access");
    let c = claims(&app, &sid).await;
    assert_eq!(c["pla"], "u:free_user");
    let sub = subscription(&app, &payer).await.ok().clone();
    let statuses: Vec<&str> = sub["subscription_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| s(&i["status"]))
        .collect();
    assert_eq!(statuses, ["active", "canceled"]);
    assert_eq!(sub["subscription_items"][0]["plan"]["slug"], "free_user");

    // end_now ends an item.
    let item = assign(&app, &payer, "pro").await.ok().clone();
    let ended = cancel(&app, s(&item["id"]), true).await.ok().clone();
    assert_eq!(ended["status"], "ended");
    assert!(ended["ended_at"].is_i64());
}

#[tokio::test]
async fn an_organizations_plan_is_in_tokens_where_it_is_active() {
    let app = spawn_app().await;
    let uid = app.create_user_id("owner@billing.test").await;
    let org = app.create_org("Acme", &uid).await;
    pro_plan(&app).await;
    plan(
        &app,
        json!({"name": "Team", "slug": "team", "for_payer_type": "org",
               "features": [{"name": "SSO", "slug": "sso"}]}),
    )
    .await;
    assign(&app, &format!("users/{uid}"), "pro").await.ok();
    let item = assign(&app, &format!("organizations/{org}"), "team")
        .await
        .ok()
        .clone();
    assert_eq!(item["plan"]["for_payer_type"], "org");
    let sub = subscription(&app, &format!("organizations/{org}"))
        .await
        .ok()
        .clone();
    assert_eq!(sub["subscription_items"][0]["id"], item["id"]);
    assert_eq!(sub["id"], format!("csub_{}", &org["org_".len()..]));

    let in_org = s(&app
        .post(
            "/v1/sessions",
            json!({"user_id": uid, "active_organization_id": org}),
        )
        .await
        .ok()["id"])
    .to_owned();
    let c = claims(&app, &in_org).await;
    assert_eq!(c["pla"], "u:pro,o:team");
    // The organization's features (the admin role's are system ones, left out), then the
    // user's; no permission to index, so no `fpm`.
    assert_eq!(c["fea"], "o:sso,u:export");
    assert!(
        c["o"].get("fpm").is_none() && c["o"].get("per").is_none(),
        "{c}"
    );

    // Without an active organization, only the user's plan.
    let personal = s(&app.create_session(&uid).await["id"]).to_owned();
    let c = claims(&app, &personal).await;
    assert_eq!(c["pla"], "u:pro");
    assert_eq!(c["fea"], "u:export");

    // A plan for users cannot go to an organization; an unknown organization has none.
    assign(&app, &format!("organizations/{org}"), "pro")
        .await
        .err(422, "form_param_value_invalid");
    subscription(&app, "organizations/org_nope")
        .await
        .err(404, "resource_not_found");
}

#[tokio::test]
async fn the_frontend_api_lists_visible_plans_and_refuses_payments() {
    let app = spawn_app().await;
    pro_plan(&app).await;
    plan(
        &app,
        json!({"name": "Hidden", "slug": "hidden", "for_payer_type": "user",
               "publicly_visible": false}),
    )
    .await;
    plan(
        &app,
        json!({"name": "Team", "slug": "team", "for_payer_type": "org"}),
    )
    .await;
    let mut browser = app.browser();
    let r = browser.get("/v1/billing/plans?payer_type=user").await;
    let list = r.ok().clone();
    assert_eq!(list["total_count"], 1);
    assert_eq!(list["data"][0]["slug"], "pro");
    assert_eq!(list["data"][0]["features"][0]["slug"], "export");
    let r = browser.get("/v1/billing/plans").await;
    assert_eq!(r.ok()["total_count"], 2);
    let r = browser.get("/v1/billing/plans/pro").await;
    assert_eq!(r.ok()["object"], "commerce_plan");
    browser
        .get("/v1/billing/plans/hidden")
        .await
        .err(404, "resource_not_found");
    let r = browser
        .post("/v1/me/billing/checkouts", &[("plan_id", "pro")])
        .await;
    r.err(422, "payments_not_supported");
    let r = browser.get("/v1/me/billing/payment_methods").await;
    r.err(422, "payments_not_supported");
}

#[tokio::test]
async fn subscription_items_raise_clerks_events_with_the_change() {
    let app = spawn_app().await;
    let uid = app.create_user_id("events@billing.test").await;
    plan(
        &app,
        json!({"name": "Pro", "slug": "pro", "for_payer_type": "user"}),
    )
    .await;
    plan(
        &app,
        json!({"name": "Max", "slug": "max", "for_payer_type": "user"}),
    )
    .await;
    let payer = format!("users/{uid}");
    let items = |events: Vec<usher_core::events::OutboxEvent>| -> Vec<(String, Value)> {
        events
            .into_iter()
            .filter(|e| e.event_type.starts_with("subscriptionItem."))
            .map(|e| (e.event_type, e.data))
            .collect()
    };

    let pro = assign(&app, &payer, "pro").await.ok().clone();
    let seen = items(app.events().await);
    assert_eq!(seen.len(), 1, "{seen:?}");
    let (t, data) = &seen[0];
    assert_eq!(t, "subscriptionItem.active");
    assert_eq!(data["object"], "commerce_subscription_item");
    assert_eq!(data["id"], pro["id"]);
    assert_eq!(data["status"], "active");
    assert_eq!(data["plan"]["slug"], "pro");
    assert_eq!(data["payer"]["object"], "commerce_payer");
    assert_eq!(data["payer"]["user_id"], uid.as_str());
    assert!(s(&data["subscription_id"]).starts_with("csub_"), "{data}");

    // Moving to another plan ends the held item and starts the new one, in one change.
    let max = assign(&app, &payer, "max").await.ok().clone();
    let seen = items(app.events().await);
    let last_two: Vec<(&str, &Value)> = seen[1..]
        .iter()
        .map(|(t, d)| (t.as_str(), &d["id"]))
        .collect();
    assert_eq!(
        last_two,
        [
            ("subscriptionItem.ended", &pro["id"]),
            ("subscriptionItem.active", &max["id"])
        ]
    );

    // Holding the plan already raises nothing; a cancel raises `canceled`.
    assign(&app, &payer, "max").await.ok();
    assert_eq!(items(app.events().await).len(), 3);
    let id = s(&max["id"]).to_owned();
    cancel(&app, &id, false).await.ok();
    let seen = items(app.events().await);
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[3].0, "subscriptionItem.canceled");
    assert_eq!(seen[3].1["status"], "canceled");

    // A refused cancel raises nothing.
    cancel(&app, &id, true).await.err(403, "not_allowed_access");
    assert_eq!(items(app.events().await).len(), 4);
}
