//! Plans and features against a running Usher (started in-process): a session token minted by
//! the Backend API carries `pla` and `fea` for the user's plan and the active organization's, and
//! `has(Has::plan | Has::feature)` reads them, scoped or not; a token with no active organization
//! has only the user's.

use serde_json::json;
use usher_verify::{Has, Verifier};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_and_features_reach_has_through_a_real_token() {
    let u = spawn_usher().await;
    let v = Verifier::builder()
        .jwt_key(&u.pem)
        .unwrap()
        .build()
        .unwrap();
    u.post(
        "/v1/billing/plans",
        json!({"name": "Pro", "slug": "pro", "for_payer_type": "user",
               "features": [{"name": "Export", "slug": "export"}]}),
    )
    .await;
    u.post(
        "/v1/billing/plans",
        json!({"name": "Team", "slug": "team", "for_payer_type": "org",
               "features": [{"name": "SSO", "slug": "sso"}]}),
    )
    .await;
    let email = format!("plans-{}@verify.test", std::process::id());
    let user = u
        .post(
            "/v1/users",
            json!({"email_address": [email], "password": "correct-horse-9"}),
        )
        .await;
    let uid = user["id"].as_str().unwrap();
    let org = u
        .post(
            "/v1/organizations",
            json!({"name": "Acme", "created_by": uid}),
        )
        .await;
    let oid = org["id"].as_str().unwrap();
    u.post(
        &format!("/v1/users/{uid}/billing/subscription_items"),
        json!({"plan_id": "pro"}),
    )
    .await;
    u.post(
        &format!("/v1/organizations/{oid}/billing/subscription_items"),
        json!({"plan_id": "team"}),
    )
    .await;

    let in_org = u
        .post(
            "/v1/sessions",
            json!({"user_id": uid, "active_organization_id": oid}),
        )
        .await;
    let token = u.mint(in_org["id"].as_str().unwrap()).await;
    let auth = v.verify_session_token(&token).await.unwrap();
    for (check, expected) in [
        (Has::plan("pro"), true),
        (Has::plan("u:pro"), true),
        (Has::plan("o:pro"), false),
        (Has::plan("o:team"), true),
        (Has::feature("export"), true),
        (Has::feature("u:export"), true),
        (Has::feature("o:sso"), true),
        (Has::feature("u:sso"), false),
        (Has::plan("team").and_feature("export"), true),
        (Has::plan("enterprise"), false),
    ] {
        assert_eq!(auth.has(&check), expected, "{check:?}");
    }

    let personal = u.post("/v1/sessions", json!({"user_id": uid})).await;
    let token = u.mint(personal["id"].as_str().unwrap()).await;
    let auth = v.verify_session_token(&token).await.unwrap();
    assert!(auth.has(&Has::plan("pro")) && auth.has(&Has::feature("export")));
    assert!(!auth.has(&Has::plan("team")) && !auth.has(&Has::feature("sso")));
}
