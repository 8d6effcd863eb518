//! The session token's custom claims (`/v1/instance/session_token`, an Usher extension): saved
//! and read, every refusal (reserved claims, the 1.2 KB budget), rendered into the Backend API's
//! session tokens, changed at the next mint, and seen by a second node.

use std::sync::Arc;

use serde_json::{Value, json};
use usher_core::clock::SystemClock;

use crate::common::*;

const PATH: &str = "/v1/instance/session_token";

async fn token_claims(app: &App, sid: &str) -> Value {
    decode_jwt(&app.session_jwt(sid).await).1
}

#[tokio::test]
async fn claims_are_saved_read_and_merged_into_session_tokens() {
    let app = spawn_app().await;
    let unset = app.get(PATH).await;
    assert_eq!(
        unset.ok(),
        &json!({"object": "session_token_template", "claims": {}, "worst_case_bytes": 0,
                "budget_bytes": 1200, "updated_at": null})
    );
    let uid = app
        .create_user_from(
            json!({"email_address": ["ada@example.com"], "first_name": "Ada",
                                 "skip_password_requirement": true,
                                 "public_metadata": {"role": "admin", "plan": {"tier": "pro"}}}),
        )
        .await;
    let sid = app.create_session(&uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let plain = token_claims(&app, &sid).await;
    assert!(plain.get("role").is_none(), "{plain}");

    let claims = json!({"role": "{{user.public_metadata.role}}",
                        "tier": "{{user.public_metadata.plan.tier || 'free'}}",
                        "greeting": "Hi {{user.first_name}}",
                        "org": "{{org.slug}}",
                        "static": {"nested": [1, true]}});
    let saved = app.patch(PATH, json!({ "claims": claims })).await;
    assert_eq!(saved.ok()["claims"], claims);
    let worst = saved.body["worst_case_bytes"].as_u64().unwrap();
    assert!(worst > 0 && worst <= 1200, "{worst}");
    assert!(saved.body["updated_at"].is_i64());
    assert_eq!(app.get(PATH).await.ok(), saved.ok());

    let t = token_claims(&app, &sid).await;
    assert_eq!(t["role"], "admin");
    assert_eq!(t["tier"], "pro");
    assert_eq!(t["greeting"], "Hi Ada");
    assert_eq!(
        t["org"],
        Value::Null,
        "no active organization: null, as Clerk renders it"
    );
    assert_eq!(t["static"], json!({"nested": [1, true]}));
    assert_eq!(
        (t["sid"].as_str(), t["sub"].as_str()),
        (Some(sid.as_str()), Some(uid.as_str()))
    );
    assert_eq!(t["v"], 2);

    // A change takes effect at the next mint; `{}` removes every custom claim.
    app.patch(
        PATH,
        json!({"claims": {"role": "{{user.public_metadata.plan.tier}}"}}),
    )
    .await
    .ok();
    let t = token_claims(&app, &sid).await;
    assert_eq!((&t["role"], t.get("tier")), (&json!("pro"), None));
    app.patch(PATH, json!({"claims": {}})).await.ok();
    let t = token_claims(&app, &sid).await;
    assert!(t.get("role").is_none(), "{t}");

    // The change is audited.
    let s = &app.running.state;
    let audit = s.store.audit_log(&s.instance.id, 50).await.unwrap();
    assert!(audit.iter().any(
        |a| a.action == "instance.session_claims.update" && a.actor.starts_with("secret_key:")
    ));
    assert!(
        app.metrics()
            .await
            .contains("usher_session_token_large_total 0"),
        "small tokens are not counted as large"
    );
}

#[tokio::test]
async fn reserved_claims_bad_templates_and_templates_over_budget_are_refused() {
    let app = spawn_app().await;
    app.patch(PATH, json!({"claims": {"role": "x"}})).await.ok();
    for name in [
        "sub", "sid", "iss", "exp", "azp", "sts", "v", "fva", "o", "fea", "pla", "act", "org_id",
        "org_role",
    ] {
        let r = app.patch(PATH, json!({"claims": { name: "x" }})).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), "claims");
        assert!(r.raw.contains(&format!("'{name}'")), "{}", r.raw);
    }
    app.patch(PATH, json!({"claims": [1]}))
        .await
        .err(422, "form_param_format_invalid");
    app.patch(PATH, json!({"claims": {"a": "{{nope.id}}"}}))
        .await
        .err(422, "form_param_format_invalid");
    app.patch(PATH, json!({}))
        .await
        .err(422, "form_param_missing");
    app.patch(PATH, json!({"claims": {}, "other": 1}))
        .await
        .err(422, "form_param_unknown");

    // Three metadata shortcodes at 512 bytes each can render more than 1,200 bytes.
    let over = app
        .patch(
            PATH,
            json!({"claims": {"a": "{{user.public_metadata}}",
                                        "b": "{{user.unsafe_metadata}}",
                                        "c": "{{org.public_metadata}}"}}),
        )
        .await;
    over.err(422, "form_param_value_invalid");
    assert!(
        over.raw.contains("1552 bytes") && over.raw.contains("1200"),
        "{}",
        over.raw
    );
    app.patch(PATH, json!({"claims": {"s": "x".repeat(1200)}}))
        .await
        .err(422, "form_param_value_invalid");

    // Nothing refused was kept.
    assert_eq!(app.get(PATH).await.ok()["claims"], json!({"role": "x"}));
}

#[tokio::test]
async fn a_value_over_its_bound_renders_null() {
    let app = spawn_app().await;
    let uid = app
        .create_user_from(json!({"email_address": ["big@example.com"],
                                 "skip_password_requirement": true,
                                 "public_metadata": {"small": "ok", "big": "x".repeat(600)}}))
        .await;
    let sid = app.create_session(&uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.patch(
        PATH,
        json!({"claims": {"small": "{{user.public_metadata.small}}",
                                       "big": "{{user.public_metadata.big}}"}}),
    )
    .await
    .ok();
    let t = token_claims(&app, &sid).await;
    assert_eq!((&t["small"], &t["big"]), (&json!("ok"), &Value::Null));
}

#[tokio::test]
async fn a_second_node_sees_the_change() {
    let a = spawn_with(Arc::new(SystemClock), |cfg| cfg.key_refresh_secs = 1).await;
    let b = spawn_node_of(&a, Arc::new(SystemClock), |cfg| cfg.key_refresh_secs = 1).await;
    let uid = a.create_user_id("nodes@example.com").await;
    let sid = a.create_session(&uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(token_claims(&b, &sid).await.get("tenant").is_none());
    a.patch(PATH, json!({"claims": {"tenant": "acme"}}))
        .await
        .ok();
    assert_eq!(
        token_claims(&a, &sid).await["tenant"],
        "acme",
        "held at once"
    );
    let mut seen = Value::Null;
    for _ in 0..300 {
        seen = token_claims(&b, &sid).await["tenant"].clone();
        if seen == "acme" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, "acme", "the second node reloads the template");
}

#[tokio::test]
async fn a_token_near_the_cookie_ceiling_is_counted() {
    let app = spawn_app().await;
    // An organization role granting many features: its `fea` claim alone takes kilobytes.
    let mut permissions = Vec::new();
    for i in 0..80 {
        let key = format!("org:a_feature_with_a_rather_long_name_{i:03}:read");
        let p = app
            .post(
                "/v1/organization_permissions",
                json!({"name": key, "key": key, "description": "x"}),
            )
            .await;
        permissions.push(p.ok()["id"].as_str().unwrap().to_owned());
    }
    app.post(
        "/v1/organization_roles",
        json!({"name": "Wide", "key": "org:wide", "permissions": permissions}),
    )
    .await
    .ok();
    let owner = app.create_user_id("owner@example.com").await;
    let uid = app.create_user_id("wide@example.com").await;
    let org = app
        .create_id(
            "/v1/organizations",
            json!({"name": "Wide", "slug": "wide", "created_by": owner}),
        )
        .await;
    app.add_member(&org, &uid, "org:wide").await;
    app.patch(PATH, json!({"claims": {"slug": "{{org.slug}}"}}))
        .await
        .ok();
    let sid = app
        .create_id(
            "/v1/sessions",
            json!({"user_id": uid, "active_organization_id": org}),
        )
        .await;
    let jwt = app.session_jwt(&sid).await;
    assert!(jwt.len() > 3500, "{}", jwt.len());
    assert_eq!(decode_jwt(&jwt).1["slug"], "wide");
    assert!(
        app.metrics()
            .await
            .contains("usher_session_token_large_total 1"),
        "the large token is counted"
    );
}
