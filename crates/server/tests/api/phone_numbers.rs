//! `/v1/phone_numbers`: E.164 numbers added, read, verified, made primary, reserved for a
//! second factor and removed.

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn a_number_is_added_updated_and_removed() {
    let app = spawn_app().await;
    let user = app.create_user_id("phone-owner@example.com").await;

    let r = app
        .post(
            "/v1/phone_numbers",
            json!({"user_id": user, "phone_number": "+1 (415) 555-0123"}),
        )
        .await;
    let p = r.ok().clone();
    assert_eq!(p["object"], "phone_number");
    assert_eq!(p["phone_number"], "+14155550123");
    assert_eq!(p["verification"], serde_json::Value::Null);
    assert_eq!(p["reserved_for_second_factor"], false);
    let id = p["id"].as_str().unwrap().to_owned();
    let u = app.get(&format!("/v1/users/{user}")).await.ok().clone();
    assert_eq!(
        u["primary_phone_number_id"],
        id.as_str(),
        "the first is primary"
    );

    // Reserving needs a verified number.
    app.patch(
        &format!("/v1/phone_numbers/{id}"),
        json!({"reserved_for_second_factor": true}),
    )
    .await
    .err(422, "form_param_value_invalid");
    let r = app
        .patch(
            &format!("/v1/phone_numbers/{id}"),
            json!({"verified": true, "reserved_for_second_factor": true}),
        )
        .await;
    assert_eq!(r.ok()["verification"]["status"], "verified");
    assert_eq!(r.ok()["reserved_for_second_factor"], true);
    assert_eq!(r.ok()["default_second_factor"], true);

    let r = app
        .post(
            "/v1/phone_numbers",
            json!({"user_id": user, "phone_number": "+14155550124", "verified": true, "primary": true}),
        )
        .await;
    let second = r.ok()["id"].as_str().unwrap().to_owned();
    let u = app.get(&format!("/v1/users/{user}")).await.ok().clone();
    assert_eq!(u["primary_phone_number_id"], second.as_str());

    app.post(
        "/v1/phone_numbers",
        json!({"user_id": user, "phone_number": "4155550125"}),
    )
    .await
    .err(422, "form_param_format_invalid");
    let other = app.create_user_id("phone-other@example.com").await;
    app.post(
        "/v1/phone_numbers",
        json!({"user_id": other, "phone_number": "+14155550124"}),
    )
    .await
    .err(422, "form_identifier_exists");

    let r = app.delete(&format!("/v1/phone_numbers/{second}")).await;
    assert_eq!(r.ok()["deleted"], true);
    assert_eq!(r.ok()["object"], "phone_number");
    let u = app.get(&format!("/v1/users/{user}")).await.ok().clone();
    assert_eq!(u["primary_phone_number_id"], id.as_str());
    app.get(&format!("/v1/phone_numbers/{second}"))
        .await
        .err(404, "resource_not_found");
}
