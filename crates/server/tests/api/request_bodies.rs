//! Request bodies are read into typed structs: missing, wrong type, wrong value and unknown
//! fields are told apart and named, and a key given twice is refused instead of the last one
//! silently winning.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn a_key_given_twice_is_refused_by_name() {
    let app = spawn_app().await;
    let id = app.create_user_id("twice@example.com").await;
    let r = app
        .send_raw(
            Method::PATCH,
            &format!("/v1/users/{id}"),
            Some(br#"{"skip_password_checks":false,"skip_password_checks":true}"#.to_vec()),
            Some(SECRET),
        )
        .await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.param(), "skip_password_checks");
    // Inside metadata too, named by its path.
    let r = app
        .send_raw(
            Method::PATCH,
            &format!("/v1/users/{id}/metadata"),
            Some(br#"{"public_metadata":{"role":"a","role":"b"}}"#.to_vec()),
            Some(SECRET),
        )
        .await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.param(), "public_metadata.role");
    let user = app.get(&format!("/v1/users/{id}")).await;
    assert_eq!(user.ok()["public_metadata"], json!({}));
}

#[tokio::test]
async fn each_kind_of_fault_is_named() {
    let app = spawn_app().await;
    let id = app.create_user_id("faults@example.com").await;
    for (path, body, code, param) in [
        (
            format!("/v1/users/{id}/verify_password"),
            json!({}),
            "form_param_missing",
            "password",
        ),
        (
            format!("/v1/users/{id}"),
            json!({"first_name": 7}),
            "form_param_format_invalid",
            "first_name",
        ),
        (
            format!("/v1/users/{id}"),
            json!({"legal_accepted_at": "soon"}),
            "form_param_format_invalid",
            "legal_accepted_at",
        ),
        (
            format!("/v1/users/{id}"),
            json!({"totp_secret": "JBSWY3DP"}),
            "form_param_value_invalid",
            "totp_secret",
        ),
        (
            format!("/v1/users/{id}"),
            json!({"nickname": "x"}),
            "form_param_unknown",
            "nickname",
        ),
        (
            "/v1/sessions".to_owned(),
            json!({"user_id": null}),
            "form_param_missing",
            "user_id",
        ),
        (
            "/v1/instance/branding".to_owned(),
            json!({"primary_color": false}),
            "form_param_format_invalid",
            "primary_color",
        ),
    ] {
        let method = if path.ends_with(&id) || path.contains("branding") {
            Method::PATCH
        } else {
            Method::POST
        };
        let r = app.send(method, &path, Some(body.clone())).await;
        r.err(422, code);
        assert_eq!(r.param(), param, "{path} {body}");
    }
    // Explicit null clears a nullable field; absent leaves it.
    app.patch(
        &format!("/v1/users/{id}"),
        json!({"first_name": "Ann", "last_name": "Lee"}),
    )
    .await
    .ok();
    let u = app
        .patch(&format!("/v1/users/{id}"), json!({"first_name": null}))
        .await;
    assert_eq!(u.ok()["first_name"], serde_json::Value::Null);
    assert_eq!(u.ok()["last_name"], "Lee");
}
