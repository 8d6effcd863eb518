//! Malformed, oversized and NUL-carrying requests are refused cleanly.

use super::*;

/// NUL in a form field or a query parameter is refused naming it, before anything is written
/// (PostgreSQL cannot store it; SQLite would).
#[tokio::test]
async fn nul_in_forms_and_queries_is_refused_by_name() {
    let env = spawn(Kind::Production).await;
    let before = env.snapshot().await;
    let mut b = env.browser();
    for (form, param) in [
        (
            vec![
                ("email_address", "nul@example.com"),
                ("password", PASSWORD),
                ("first_name", "Ada\0"),
            ],
            "first_name",
        ),
        (
            vec![
                ("email_address", "nul\0@example.com"),
                ("password", PASSWORD),
            ],
            "email_address",
        ),
        (
            vec![
                ("email_address", "nul@example.com"),
                ("password", "pass\0word-9-long"),
            ],
            "password",
        ),
    ] {
        let r = b.post("/v1/client/sign_ups", &form).await;
        r.err(422, "form_param_format_invalid");
        assert_eq!(
            r.body["errors"][0]["meta"]["param_name"], param,
            "{}",
            r.raw
        );
    }
    let r = b
        .post("/v1/client/sign_ins", &[("identifier", "a\0b")])
        .await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.body["errors"][0]["meta"]["param_name"], "identifier");
    let r = b
        .get("/v1/client?redirect_url=https%3A%2F%2Fa.test%2F%00")
        .await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.body["errors"][0]["meta"]["param_name"], "redirect_url");
    assert_eq!(env.snapshot().await, before);
    assert!(b.jar.is_empty(), "no client was made");
    // The same sign-up without the NUL goes through.
    let r = b
        .post(
            "/v1/client/sign_ups",
            &[
                ("email_address", "nul@example.com"),
                ("password", PASSWORD),
                ("first_name", "Ada"),
            ],
        )
        .await;
    assert_eq!(r.ok()["response"]["first_name"], "Ada");
}

#[tokio::test]
async fn malformed_and_oversized_requests_are_refused_cleanly() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let (_, sid) = b.sign_up(&env, "ivy@example.com", None).await;
    let before = env.snapshot().await;
    let client_before = b.client().await;

    // Malformed bodies.
    let form = "application/x-www-form-urlencoded";
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "/v1/client/sign_ups",
            "application/json",
            b"{\"email_address\":".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            "application/json",
            b"[1,2,3]".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            "application/json",
            b"\"str\"".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=%FF%FE%00&password=x".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=not-an-email&password=Vivid-quartz-lantern-2931".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=a%40b.co&unsafe_metadata=%7Bnope".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=a%40b.co&unsafe_metadata=%5B1%5D".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=a%40b.co&legal_accepted=maybe".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=a%40b.co&password=short".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"phone_number=%2B15555550100".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"strategy=oauth_google".to_vec(),
        ),
        (
            "/v1/client/sign_ups",
            form,
            b"email_address=ivy%40example.com&password=Vivid-quartz-lantern-2931".to_vec(),
        ),
        (
            "/v1/client/sessions/x/touch",
            form,
            b"\xff\xfe\x00%%%&&==".to_vec(),
        ),
        ("/v1/me", form, b"%%%".to_vec()),
        (
            "/v1/client/sign_ins/sia_x/attempt_first_factor",
            form,
            b"strategy=password".to_vec(),
        ),
    ];
    for (path, ct, body) in cases {
        let r = b.raw_post(path, ct, body.clone()).await;
        assert!(
            (400..500).contains(&r.status),
            "{path} {:?}: {} {}",
            String::from_utf8_lossy(&body),
            r.status,
            r.raw
        );
    }
    // While signed in, a sign-in is refused whatever the body.
    let r = b
        .raw_post("/v1/client/sign_ins", form, b"identifier=%zz%".to_vec())
        .await;
    assert!((400..500).contains(&r.status), "{}", r.raw);
    b.raw_post(
        "/v1/client/sign_ins",
        form,
        b"identifier=ivy%40example.com&strategy=password&password=%FF".to_vec(),
    )
    .await
    .err(400, "session_exists");
    assert_eq!(env.snapshot().await, before);
    assert_eq!(b.client().await, client_before);

    // Over 1 MiB: 413, nothing read further, nothing written.
    let mut huge = b"email_address=big%40example.com&password=".to_vec();
    huge.resize(1024 * 1024 + 1, b'a');
    for path in [
        "/v1/client/sign_ups",
        "/v1/client/sign_ins",
        "/__clerk/v1/client/sign_ups",
    ] {
        let url = format!("{}{path}", env.fapi());
        let r = env
            .http
            .post(url)
            .header("Origin", APP)
            .header("Content-Type", form)
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        let r = Res::read(r).await;
        r.err(413, "request_body_too_large");
    }
    let r = b
        .raw_post("/v1/client/sign_ups", "application/json", {
            let mut j = b"{\"email_address\":\"".to_vec();
            j.resize(1024 * 1024 + 10, b'a');
            j
        })
        .await;
    r.err(413, "request_body_too_large");
    assert_eq!(env.snapshot().await, before);

    // Unknown attempts and routes: Clerk-shaped 404s.
    let mut fresh = env.browser();
    for path in [
        "/v1/client/sign_ins/sia_2abcdefghijklmnopqrstuvwxyz",
        "/v1/client/sign_ups/sua_2abcdefghijklmnopqrstuvwxyz",
    ] {
        b.get(path).await.err(404, "resource_not_found");
        fresh.get(path).await.err(404, "resource_not_found");
    }
    for path in [
        "/v1/client/sign_ins/sia_unknown/attempt_first_factor",
        "/v1/client/sign_ins/sia_unknown/prepare_first_factor",
        "/v1/client/sign_ins/sia_unknown/attempt_second_factor",
        "/v1/client/sign_ups/sua_unknown/prepare_verification",
        "/v1/client/sign_ups/sua_unknown/attempt_verification",
    ] {
        let r = b
            .post(path, &[("strategy", "email_code"), ("code", "123456")])
            .await;
        r.err(404, "resource_not_found");
    }
    b.get("/v1/nothing/here")
        .await
        .err(404, "resource_not_found");
    b.get("/v1/client/sign_ins/..%2F..%2Fv1%2Fclient")
        .await
        .err(404, "resource_not_found");
    // A method the route does not have.
    b.send("PUT", "/v1/client", Some(&[]))
        .await
        .err(405, "method_not_allowed");
    assert!(fresh.jar.is_empty());

    // `_method` is only honoured on POST: a GET asking for DELETE is a GET.
    let url = format!(
        "{}/v1/client?_method=DELETE&__clerk_api_version=2025-11-10",
        env.fapi()
    );
    let r = plain_get(&env, &b, url).await;
    assert_eq!(r.ok()["response"]["last_active_session_id"], sid.as_str());
    let url = format!("{}/v1/client/sessions?_method=DELETE", env.fapi());
    let r = plain_get(&env, &b, url).await;
    assert!(r.status == 404 || r.status == 405, "{}", r.raw);
    // Nor does an unknown `_method` change the POST into anything.
    b.send("POST", "/v1/client/sessions?_method=TRACE", Some(&[]))
        .await
        .err(405, "method_not_allowed");
    assert_eq!(env.snapshot().await, before);
    assert_eq!(env.session(&sid).await["status"], "active");

    // Garbage cookies are no client at all.
    let long = "z".repeat(4000);
    for junk in ["../../etc/passwd", "%00", long.as_str(), "a;b", ""] {
        let mut j = env.browser();
        j.jar.insert("__client".into(), junk.into());
        assert_eq!(
            j.get("/v1/client").await.ok(),
            &json!({"response": null, "client": null})
        );
        j.get("/v1/me").await.err(401, "signed_out");
        j.request_token(&sid).await.err(401, "signed_out");
    }
    assert_eq!(env.snapshot().await, before);
}

/// A plain GET from the app's origin with `b`'s cookies, as a link or a prefetch would send it.
async fn plain_get(env: &Env, b: &Browser, url: String) -> Res {
    Res::read(
        env.http
            .get(url)
            .header("Origin", APP)
            .header("Cookie", b.cookie_header().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await
}
