use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn secret_key_is_required_and_checked() {
    let app = spawn_app().await;
    app.send_raw(Method::GET, "/v1/users", None, None)
        .await
        .err(401, "authentication_invalid");
    app.send_raw(
        Method::GET,
        "/v1/users",
        None,
        Some("sk_test_wrongwrongwrongwrongwrong"),
    )
    .await
    .err(401, "clerk_key_invalid");
    app.send_raw(Method::GET, "/v1/users", None, Some(""))
        .await
        .err(401, "authorization_header_format_invalid");
    // The status of a GET of `path` with `header` set by hand.
    let status = |path: &str, header: (&str, reqwest::header::HeaderValue)| {
        let req = app
            .http
            .get(format!("{}{path}", app.base))
            .header(header.0, header.1);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let basic = format!("Basic {SECRET}");
    assert_eq!(
        status("/v1/users", ("Authorization", basic.parse().unwrap())).await,
        401
    );
    let not_utf8 = reqwest::header::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap();
    assert_eq!(status("/v1/jwks", ("Authorization", not_utf8)).await, 401);
    // Any Clerk-API-Version, or none, is accepted.
    let r = app
        .http
        .get(format!("{}/v1/users", app.base))
        .bearer_auth(SECRET)
        .header("Clerk-API-Version", "1999-01-01")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn bad_bodies_get_clerk_errors_and_write_nothing() {
    let app = spawn_app().await;
    let post = |b: Vec<u8>| app.send_raw(Method::POST, "/v1/users", Some(b), Some(SECRET));
    post(b"{\"email_address\":".to_vec())
        .await
        .err(400, "request_body_invalid");
    post(b"[1,2]".to_vec())
        .await
        .err(400, "request_body_invalid");
    post(vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'])
        .await
        .err(400, "request_body_invalid");
    let deep = format!(
        "{{\"public_metadata\":{}{}}}",
        "{\"a\":".repeat(5000),
        "1".to_owned() + &"}".repeat(5000)
    );
    post(deep.into_bytes())
        .await
        .err(400, "request_body_invalid");
    let huge = format!("{{\"first_name\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    post(huge.into_bytes())
        .await
        .err(413, "request_body_too_large");

    app.post("/v1/users", json!({"email_address": ["u@bad.test"], "password": "correct-horse-9", "favourite_colour": "red"}))
        .await
        .err(422, "form_param_unknown");
    let r = app
        .post(
            "/v1/users",
            json!({"email_address": ["not-an-email"], "skip_password_requirement": true}),
        )
        .await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.param(), "email_address");
    let r = app
        .post("/v1/users", json!({"email_address": ["u@bad.test"]}))
        .await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "password");
    app.post(
        "/v1/users",
        json!({"email_address": ["u@bad.test"], "password": "short"}),
    )
    .await
    .err(422, "form_password_length_too_short");
    app.post(
        "/v1/users",
        json!({"email_address": "u@bad.test", "first_name": 7, "skip_password_requirement": true}),
    )
    .await
    .err(422, "form_param_format_invalid");
    app.post("/v1/users", json!({"email_address": ["u@bad.test"], "skip_password_requirement": true, "created_at": "yesterday"})).await.err(422, "form_param_format_invalid");
    app.post("/v1/users", json!({"email_address": ["u@bad.test"], "skip_password_requirement": true, "totp_secret": "AAAA"})).await.err(422, "form_param_value_invalid");
    app.post(
        "/v1/users",
        json!({"phone_number": ["555"], "skip_password_requirement": true}),
    )
    .await
    .err(422, "form_param_format_invalid");
    app.post(
        "/v1/users",
        json!({"username": "ab", "skip_password_requirement": true}),
    )
    .await
    .err(422, "form_param_format_invalid");
    assert_eq!(
        app.get("/v1/users/count").await.ok()["total_count"],
        0,
        "no failed request wrote a user"
    );
    assert!(
        app.events().await.is_empty(),
        "no failed request wrote an event"
    );

    app.create_user("taken@bad.test").await;
    let r = app
        .post(
            "/v1/users",
            json!({"email_address": ["TAKEN@bad.test"], "password": "correct-horse-9"}),
        )
        .await;
    r.err(422, "form_identifier_exists");
    assert_eq!(r.param(), "email_address");
    assert_eq!(app.get("/v1/users/count").await.ok()["total_count"], 1);
}

#[tokio::test]
async fn odd_paths_methods_and_headers_never_fail_the_server() {
    let app = spawn_app().await;
    app.get("/v1/users/user_doesnotexist")
        .await
        .err(404, "resource_not_found");
    app.get("/v1/users/%FF%FE")
        .await
        .err(404, "resource_not_found");
    app.get("/v1/nothing/here")
        .await
        .err(404, "resource_not_found");
    app.send(Method::PUT, "/v1/users", Some(json!({})))
        .await
        .err(405, "method_not_allowed");
    let q = "/v1/users?limit=%FF&email_address=%00&query=%25%5F%5C&order_by=&offset=99999999999999999999";
    assert!(app.get(q).await.status.is_client_error());
    let r = app
        .http
        .get(format!("{}/v1/users", app.base))
        .bearer_auth(SECRET)
        .header("X-Forwarded-Host", "a\tb, , :::")
        .header("X-Forwarded-Proto", "gopher")
        .header("Host", "evil.example:99999")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for (m, p) in [
        (Method::DELETE, "/v1/jwks"),
        (Method::PATCH, "/v1/sessions"),
        (Method::OPTIONS, "/v1/users"),
    ] {
        let r = app.send(m, p, None).await;
        assert!(r.status.is_client_error(), "{p}: {}", r.status);
    }
}
