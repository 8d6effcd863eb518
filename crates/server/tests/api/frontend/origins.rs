//! Origins: disallowed ones refused before anything happens, any localhost on development,
//! and the same policy under the `/__clerk` proxy prefix.

use super::*;

#[tokio::test]
async fn disallowed_origins_are_refused_before_anything_happens() {
    let env = spawn(Kind::Production).await;
    let mut good = env.browser();
    good.sign_up(&env, "dora@example.com", None).await;
    let before = env.snapshot().await;
    let good_before = good.client().await;

    // A stranger's page, even with the signed-in browser's cookie.
    let mut evil = env.browser_at(Some(EVIL));
    evil.jar = good.jar.clone();
    let attempts = [
        evil.get("/v1/client").await,
        evil.get("/v1/environment").await,
        evil.post(
            "/v1/client/sign_ups",
            &[("email_address", "eve@example.com"), ("password", PASSWORD)],
        )
        .await,
        evil.post("/v1/client/sign_ins", &[("identifier", "dora@example.com")])
            .await,
        evil.delete("/v1/client/sessions").await,
        evil.delete("/v1/client").await,
        evil.post(
            &format!(
                "/v1/client/sessions/{}/tokens",
                good.session_id.clone().unwrap()
            ),
            &[],
        )
        .await,
        evil.post("/v1/dev_browser", &[]).await,
        evil.get("/v1/me").await,
    ];
    for r in &attempts {
        r.err(403, "origin_invalid");
        r.no_cors();
        assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
    }
    let pre = env
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/client/sign_ins", env.fapi()),
        )
        .header("Origin", EVIL)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    let pre = Res::read(pre).await;
    pre.err(403, "origin_invalid");
    pre.no_cors();
    // Look-alikes and other ports are other origins; production allows no localhost by default.
    for origin in [
        "http://localhost:3001",
        "https://localhost:3000",
        "http://localhost:3000.evil.test",
        "http://localhost.evil.test",
        "null",
        "http://localhost:5173",
    ] {
        let mut o = env.browser_at(Some(origin));
        o.post("/v1/client/sign_ins", &[("identifier", "dora@example.com")])
            .await
            .err(403, "origin_invalid")
            .no_cors();
    }
    assert_eq!(env.snapshot().await, before);
    assert_eq!(good.client().await, good_before);

    // The allowed origin: credentialed CORS for exactly that origin.
    let r = good.get("/v1/client").await;
    r.ok();
    assert_eq!(r.header("access-control-allow-origin"), Some(APP));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert!(
        r.headers
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap().contains("Origin"))
    );
    let pre = env
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/client/sign_ins", env.fapi()),
        )
        .header("Origin", APP)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success(), "{}", pre.status());
    assert_eq!(
        pre.headers()["access-control-allow-origin"]
            .to_str()
            .unwrap(),
        APP
    );
    assert_eq!(
        pre.headers()["access-control-allow-credentials"]
            .to_str()
            .unwrap(),
        "true"
    );
    // Errors for an allowed origin carry CORS too, so the page can read them.
    let r = good.get("/v1/client/sign_ins/sia_unknown").await;
    r.err(404, "resource_not_found");
    assert_eq!(r.header("access-control-allow-origin"), Some(APP));
    // No Origin (a server or a navigation): served, without CORS headers.
    let mut server = env.browser_at(None);
    let r = server.get("/v1/environment").await;
    r.ok();
    r.no_cors();
}

#[tokio::test]
async fn development_instances_allow_any_localhost_origin() {
    let env = spawn(Kind::Development).await;
    for (i, origin) in [
        "http://localhost:5173",
        "http://127.0.0.1:8080",
        "http://app.localhost:3000",
        "http://localhost",
    ]
    .into_iter()
    .enumerate()
    {
        let mut b = env.browser_at(Some(origin));
        let r = b.get("/v1/environment").await;
        r.ok();
        assert_eq!(r.header("access-control-allow-origin"), Some(origin));
        assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
        let email = format!("dev{i}+clerk_test@example.com");
        let (_, sid) = b.sign_up(&env, &email, Some("424242")).await;
        let (_, claims) = decode_jwt(&b.token(&sid).await);
        assert_eq!(claims["azp"], origin);
    }
    let before = env.snapshot().await;
    for origin in [EVIL, "http://localhost.evil.test", "https://example.com"] {
        let mut b = env.browser_at(Some(origin));
        b.post(
            "/v1/client/sign_ups",
            &[("email_address", "eve@example.com"), ("password", PASSWORD)],
        )
        .await
        .err(403, "origin_invalid")
        .no_cors();
    }
    assert_eq!(env.snapshot().await, before);
}

#[tokio::test]
async fn the_proxy_prefix_serves_the_same_routes() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    b.prefix = "/__clerk".into();
    let r = b.get("/v1/environment").await;
    r.ok();
    assert_eq!(r.header("access-control-allow-origin"), Some(APP));
    let r = b.get("/v1/jwks").await;
    assert!(r.ok()["keys"][0]["kid"].is_string());
    let (user_id, sid) = b.sign_up(&env, "proxy@example.com", None).await;
    let r = b.request_token(&sid).await;
    assert_eq!(r.ok()["object"], "token");
    assert_eq!(
        b.get("/v1/me").await.ok()["response"]["id"],
        user_id.as_str()
    );
    b.sign_out().await;
    let si = b.sign_in_password("proxy@example.com").await;
    assert_eq!(si["status"], "complete", "{si}");
    // The cookie from the proxied path names the client on the direct path too.
    let mut direct = env.browser();
    direct.jar = b.jar.clone();
    assert_eq!(
        direct.client().await["response"]["id"],
        b.client().await["response"]["id"]
    );
    // The origin policy applies under the prefix as well.
    let before = env.snapshot().await;
    let mut evil = env.browser_at(Some(EVIL));
    evil.prefix = "/__clerk".into();
    evil.post(
        "/v1/client/sign_ins",
        &[("identifier", "proxy@example.com")],
    )
    .await
    .err(403, "origin_invalid")
    .no_cors();
    assert_eq!(env.snapshot().await, before);
    b.get("/v1/nope").await.err(404, "resource_not_found");
}
