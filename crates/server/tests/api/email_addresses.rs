//! `/v1/email_addresses`: added to a user, read, verified, made primary and removed, with Clerk's
//! shapes and errors; an address is one user's only, even when two requests race for it.

use serde_json::json;

use crate::common::*;

async fn add(app: &App, user_id: &str, email: &str, extra: serde_json::Value) -> Reply {
    let mut body = json!({"user_id": user_id, "email_address": email});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post("/v1/email_addresses", body).await
}

#[tokio::test]
async fn an_address_is_added_read_verified_made_primary_and_removed() {
    let app = spawn_app().await;
    let user = app.create_user_id("first@example.com").await;

    let r = add(&app, &user, "Second@Example.com", json!({})).await;
    let e = r.ok().clone();
    assert_eq!(e["object"], "email_address");
    assert_eq!(e["email_address"], "Second@Example.com");
    assert_eq!(
        e["verification"],
        serde_json::Value::Null,
        "none until a code is sent"
    );
    let id = e["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("idn_"), "{id}");

    let got = app.get(&format!("/v1/email_addresses/{id}")).await;
    assert_eq!(got.ok()["id"], id.as_str());
    let u = app.get(&format!("/v1/users/{user}")).await.ok().clone();
    assert_eq!(u["email_addresses"].as_array().unwrap().len(), 2);
    assert_ne!(u["primary_email_address_id"], id.as_str());

    let r = app
        .patch(
            &format!("/v1/email_addresses/{id}"),
            json!({"verified": true, "primary": true}),
        )
        .await;
    assert_eq!(r.ok()["verification"]["status"], "verified");
    assert_eq!(r.ok()["verification"]["strategy"], "admin");
    let u = app.get(&format!("/v1/users/{user}")).await.ok().clone();
    assert_eq!(u["primary_email_address_id"], id.as_str());

    // Removing the primary passes it to the other address.
    app.delete(&format!("/v1/email_addresses/{id}"))
        .await
        .deleted("email_address", &id);
    let u = app.get(&format!("/v1/users/{user}")).await.ok().clone();
    assert_eq!(u["email_addresses"].as_array().unwrap().len(), 1);
    assert_eq!(u["primary_email_address_id"], u["email_addresses"][0]["id"]);
    app.get(&format!("/v1/email_addresses/{id}"))
        .await
        .err(404, "resource_not_found");

    // The last identification stays.
    let last = u["email_addresses"][0]["id"].as_str().unwrap();
    app.delete(&format!("/v1/email_addresses/{last}"))
        .await
        .err(400, "identification_deletion_failed");

    let types = app.event_types().await;
    assert!(
        types.iter().filter(|t| *t == "user.updated").count() >= 3,
        "{types:?}"
    );
}

#[tokio::test]
async fn bad_input_gets_clerk_errors() {
    let app = spawn_app().await;
    let user = app.create_user_id("owner@example.com").await;
    let other = app.create_user_id("other@example.com").await;

    let r = add(&app, &other, "OWNER@example.com", json!({})).await;
    r.err(422, "form_identifier_exists");
    assert_eq!(r.param(), "email_address");
    add(&app, &user, "owner@example.com", json!({}))
        .await
        .err(422, "form_identifier_exists");
    add(&app, &user, "not-an-address", json!({}))
        .await
        .err(422, "form_param_format_invalid");
    add(&app, "user_unknown", "x@example.com", json!({}))
        .await
        .err(404, "resource_not_found");
    add(&app, &user, "y@example.com", json!({"verified": "yes"}))
        .await
        .err(422, "form_param_format_invalid");
    app.post("/v1/email_addresses", json!({"user_id": user}))
        .await
        .err(422, "form_param_missing");
    app.get("/v1/email_addresses/idn_missing")
        .await
        .err(404, "resource_not_found");
    // A phone number's id is not an email address.
    let p = app
        .post(
            "/v1/phone_numbers",
            json!({"user_id": user, "phone_number": "+14155550123"}),
        )
        .await;
    let pid = p.ok()["id"].as_str().unwrap().to_owned();
    app.get(&format!("/v1/email_addresses/{pid}"))
        .await
        .err(404, "resource_not_found");
}

#[tokio::test]
async fn two_users_racing_for_one_address_get_one_answer_each() {
    let app = spawn_app().await;
    let a = app.create_user_id("race-a@example.com").await;
    let b = app.create_user_id("race-b@example.com").await;
    for round in 0..5 {
        let email = format!("contested-{round}@example.com");
        let (ra, rb) = tokio::join!(
            add(&app, &a, &email, json!({"verified": true})),
            add(&app, &b, &email, json!({"verified": true}))
        );
        let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 422], "{} / {}", ra.raw, rb.raw);
        let loser = if ra.status.as_u16() == 422 { &ra } else { &rb };
        assert_eq!(loser.code(), "form_identifier_exists", "{}", loser.raw);
    }
}
