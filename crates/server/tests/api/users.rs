use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn create_get_and_full_user_shape() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/v1/users",
            json!({
                "email_address": ["Alice@Example.com"], "phone_number": ["+12025550100"], "username": "alice_1",
                "password": "correct-horse-9", "first_name": "Alice", "last_name": "Liddell", "external_id": "ext-1",
                "public_metadata": {"role": "admin", "nested": {"camelKey": 1}}, "private_metadata": {"secret": true},
                "unsafe_metadata": {"theme": "dark"}, "created_at": "2020-01-02T03:04:05.000Z"
            }),
        )
        .await;
    assert_eq!(r.content_type.as_deref(), Some("application/json"));
    let u = r.ok();
    assert_eq!(u["object"], "user");
    assert!(u["id"].as_str().unwrap().starts_with("user_"));
    assert_eq!(u["created_at"], 1_577_934_245_000i64);
    assert_eq!(
        u["email_addresses"][0]["email_address"],
        "Alice@Example.com"
    );
    assert_eq!(
        u["email_addresses"][0]["verification"]["object"],
        "verification_admin"
    );
    assert_eq!(
        u["email_addresses"][0]["verification"]["status"],
        "verified"
    );
    assert!(u["email_addresses"][0]["linked_to"].is_array());
    assert_eq!(u["primary_email_address_id"], u["email_addresses"][0]["id"]);
    assert_eq!(u["phone_numbers"][0]["phone_number"], "+12025550100");
    assert_eq!(u["password_enabled"], true);
    assert_eq!(u["public_metadata"]["nested"]["camelKey"], 1);
    assert_eq!(u["private_metadata"]["secret"], true);
    for key in [
        "username",
        "first_name",
        "last_name",
        "has_image",
        "primary_phone_number_id",
        "primary_web3_wallet_id",
        "two_factor_enabled",
        "totp_enabled",
        "backup_code_enabled",
        "web3_wallets",
        "passkeys",
        "external_accounts",
        "saml_accounts",
        "enterprise_accounts",
        "external_id",
        "last_sign_in_at",
        "banned",
        "locked",
        "lockout_expires_in_seconds",
        "verification_attempts_remaining",
        "updated_at",
        "delete_self_enabled",
        "create_organization_enabled",
        "last_active_at",
        "mfa_enabled_at",
        "mfa_disabled_at",
        "legal_accepted_at",
        "image_url",
    ] {
        assert!(u.get(key).is_some(), "user lacks {key}");
    }
    // No password digest, in any form, ever leaves the server.
    assert!(!r.raw.contains("argon2") && !r.raw.contains("password_digest"));
    let got = app
        .get(&format!("/v1/users/{}", u["id"].as_str().unwrap()))
        .await;
    assert_eq!(got.ok()["username"], "alice_1");
}

#[tokio::test]
async fn list_filters_order_paging_and_count() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for (i, name) in ["Carol", "alice", "Bob", "dave"].iter().enumerate() {
        let u = app
            .post(
                "/v1/users",
                json!({"email_address": [format!("{}@list.test", name.to_lowercase())], "first_name": name,
                       "username": format!("user_{i}_x"), "skip_password_requirement": true,
                       // Distinct sign-up times: users created within one millisecond have no defined order.
                       "created_at": format!("2024-01-0{}T00:00:00Z", i + 1)}),
            )
            .await
            .ok()
            .clone();
        ids.push(u["id"].as_str().unwrap().to_owned());
    }
    let all = app.get("/v1/users").await;
    assert!(all.ok().is_array(), "GET /v1/users is a bare array");
    assert_eq!(all.body.as_array().unwrap().len(), 4);
    assert_eq!(
        all.body[0]["id"],
        ids[3].as_str(),
        "newest first by default"
    );

    let r = app
        .get("/v1/users?order_by=%2Bfirst_name&limit=2&offset=1")
        .await;
    let names = each_str(r.ok(), "first_name");
    assert_eq!(names, ["Bob", "Carol"]);

    let r = app.get("/v1/users?email_address=ALICE%40list.test&email_address=bob%40list.test&email_address=nobody%40x.io").await;
    assert_eq!(r.list_len(), 2);
    let c = app
        .get("/v1/users/count?email_address=ALICE%40list.test&email_address=bob%40list.test")
        .await;
    assert_eq!(c.ok()["object"], "total_count");
    assert_eq!(c.body["total_count"], 2);

    assert_eq!(
        app.get("/v1/users/count?query=ARO").await.ok()["total_count"],
        1
    );
    assert_eq!(
        app.get(&format!(
            "/v1/users/count?user_id={}&user_id={}",
            ids[0], ids[1]
        ))
        .await
        .ok()["total_count"],
        2
    );
    assert_eq!(
        app.get(&format!("/v1/users/count?user_id=-{}", ids[0]))
            .await
            .ok()["total_count"],
        3
    );
    assert_eq!(
        app.get("/v1/users/count?username=USER_2_X").await.ok()["total_count"],
        1
    );
    assert_eq!(
        app.get("/v1/users/count?banned=true").await.ok()["total_count"],
        0
    );
    assert_eq!(
        app.get("/v1/users/count?banned=false").await.ok()["total_count"],
        4
    );

    app.get("/v1/users?limit=0")
        .await
        .err(400, "form_param_value_invalid");
    app.get("/v1/users?limit=501")
        .await
        .err(400, "form_param_value_invalid");
    app.get("/v1/users?limit=abc")
        .await
        .err(400, "form_param_format_invalid");
    app.get("/v1/users?offset=-1")
        .await
        .err(400, "form_param_value_invalid");
    app.get("/v1/users?order_by=-password")
        .await
        .err(400, "form_param_value_invalid");
    app.get("/v1/users?banned=maybe")
        .await
        .err(400, "form_param_format_invalid");
    assert_eq!(app.get("/v1/users?limit=500").await.list_len(), 4);
}

#[tokio::test]
async fn update_and_metadata_merge_and_replace() {
    let app = spawn_app().await;
    let u = app
        .post(
            "/v1/users",
            json!({"email_address": ["m@meta.test"], "skip_password_requirement": true,
            "public_metadata": {"a": 1, "n": {"x": 1, "y": 2}}, "private_metadata": {"p": 1}}),
        )
        .await
        .ok()
        .clone();
    let id = u["id"].as_str().unwrap();
    let r = app.patch(&format!("/v1/users/{id}"), json!({"first_name": "Meta", "last_name": null, "notify_primary_email_address_changed": false})).await;
    assert_eq!(r.ok()["first_name"], "Meta");
    assert!(r.body["updated_at"].as_i64().unwrap() >= u["updated_at"].as_i64().unwrap());

    let r = app.patch(&format!("/v1/users/{id}/metadata"), json!({"public_metadata": {"n": {"y": null, "z": 3}, "b": true}, "private_metadata": {"p": null}})).await;
    assert_eq!(
        r.ok()["public_metadata"],
        json!({"a": 1, "n": {"x": 1, "z": 3}, "b": true})
    );
    assert_eq!(r.body["private_metadata"], json!({}));

    let r = app
        .send(
            Method::PUT,
            &format!("/v1/users/{id}/metadata"),
            Some(json!({"public_metadata": {"only": 1}})),
        )
        .await;
    assert_eq!(r.ok()["public_metadata"], json!({"only": 1}));
    app.patch(
        &format!("/v1/users/{id}/metadata"),
        json!({"public_metadata": [1]}),
    )
    .await
    .err(422, "form_param_format_invalid");
    let big = "x".repeat(9000);
    app.patch(
        &format!("/v1/users/{id}/metadata"),
        json!({"public_metadata": {"big": big}}),
    )
    .await
    .err(422, "form_param_value_invalid");
    assert_eq!(
        app.get(&format!("/v1/users/{id}")).await.ok()["public_metadata"],
        json!({"only": 1}),
        "a refused change leaves no trace"
    );

    // Username uniqueness holds on update, and clearing frees it.
    let other = app.post("/v1/users", json!({"email_address": ["o@meta.test"], "username": "taken_name", "skip_password_requirement": true})).await.ok().clone();
    app.patch(
        &format!("/v1/users/{id}"),
        json!({"username": "Taken_Name"}),
    )
    .await
    .err(422, "form_identifier_exists");
    app.patch(
        &format!("/v1/users/{}", other["id"].as_str().unwrap()),
        json!({"username": null}),
    )
    .await
    .ok();
    assert_eq!(
        app.patch(
            &format!("/v1/users/{id}"),
            json!({"username": "taken_name"})
        )
        .await
        .ok()["username"],
        "taken_name"
    );
    app.patch(
        &format!("/v1/users/{id}"),
        json!({"primary_email_address_id": "idn_notmine"}),
    )
    .await
    .err(422, "form_param_value_invalid");
}

#[tokio::test]
async fn passwords_verify_and_imported_bcrypt_is_upgraded() {
    let app = spawn_app().await;
    let u = app.create_user("pw@pw.test").await;
    let id = u["id"].as_str().unwrap();
    assert_eq!(
        app.verify_password(id, "correct-horse-9").await.ok()["verified"],
        true
    );
    app.verify_password(id, "wrong-horse-9")
        .await
        .err(422, "form_password_incorrect");
    app.post(&format!("/v1/users/{id}/verify_password"), json!({}))
        .await
        .err(422, "form_param_missing");

    let digest = "$2b$04$LkMhAa0UXmT9Jbf0F9nTVOVEZ3a1Q8V6Jt3s6rKbwEa8cXh0sL8yG"; // not a real hash of anything
    app.post("/v1/users", json!({"email_address": ["bad@pw.test"], "password_digest": "nope", "password_hasher": "bcrypt"})).await.err(422, "form_param_format_invalid");
    app.post("/v1/users", json!({"email_address": ["bad@pw.test"], "password_digest": digest, "password_hasher": "md5"})).await.err(422, "form_param_value_invalid");
    app.post(
        "/v1/users",
        json!({"email_address": ["bad@pw.test"], "password_digest": digest}),
    )
    .await
    .err(422, "form_param_missing");

    let real = bcrypt::hash("imported-pass-1", 4).unwrap();
    let imported = app.post("/v1/users", json!({"email_address": ["imp@pw.test"], "password_digest": real, "password_hasher": "bcrypt"})).await.ok().clone();
    let iid = imported["id"].as_str().unwrap();
    app.verify_password(iid, "nope-nope-nope")
        .await
        .err(422, "form_password_incorrect");
    assert!(stored_digest(&app, iid).await.starts_with("$2b$"));
    assert_eq!(
        app.verify_password(iid, "imported-pass-1").await.ok()["verified"],
        true
    );
    assert!(
        stored_digest(&app, iid)
            .await
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );
    assert_eq!(
        app.verify_password(iid, "imported-pass-1").await.ok()["verified"],
        true
    );

    let nopw = app.create_user_without_password("nopw@pw.test").await;
    app.post(
        &format!("/v1/users/{}/verify_password", nopw["id"].as_str().unwrap()),
        json!({"password": "x"}),
    )
    .await
    .err(400, "no_password_set");
    // Passwords can be changed, and the old one stops working.
    app.set_password(id, "short")
        .await
        .err(422, "form_password_length_too_short");
    app.set_password(id, "a-new-password-2").await.ok();
    app.verify_password(id, "correct-horse-9")
        .await
        .err(422, "form_password_incorrect");
}

#[tokio::test]
async fn concurrent_creates_with_one_email_make_exactly_one_user() {
    let app = std::sync::Arc::new(spawn_app().await);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            app.post(
                "/v1/users",
                json!({"email_address": ["race@race.test"], "skip_password_requirement": true}),
            )
            .await
            .status
            .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(app.get("/v1/users/count").await.ok()["total_count"], 1);
    assert_eq!(
        app.events()
            .await
            .iter()
            .filter(|e| e.event_type == "user.created")
            .count(),
        1
    );
}

/// The password digest stored for user `id`.
async fn stored_digest(app: &App, id: &str) -> String {
    let state = &app.running.state;
    let id = usher_core::ids::UserId::parse(id).unwrap();
    let user = state.store.get_user(&state.instance.id, &id).await.unwrap();
    user.unwrap().password.unwrap().0
}
