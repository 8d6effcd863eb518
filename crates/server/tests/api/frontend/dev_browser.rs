//! Dev browsers: a token names the client on development instances only.

use super::handshake::directive;
use super::*;

#[tokio::test]
async fn dev_browsers_name_the_client_on_development_only() {
    let env = spawn(Kind::Development).await;
    let mut b = env.browser();
    // clerk-js's plain fetch: no credentials, no body.
    let r = b.post("/v1/dev_browser", &[]).await;
    let id = r.ok()["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["object"], "dev_browser");
    assert!(r.set_cookies().is_empty());
    b.dev_token = Some(id.clone());

    // Same client across requests, no cookies ever set.
    let c = b.get("/v1/client").await;
    let client_id = c.ok()["response"]["id"].as_str().unwrap().to_owned();
    let r = b
        .post(
            "/v1/client/sign_ups",
            &[
                ("email_address", "devon+clerk_test@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.ok()["client"]["id"], client_id.as_str());
    assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
    let su_id = r.body["response"]["id"].as_str().unwrap().to_owned();
    let c = b.client().await;
    assert_eq!(c["response"]["id"], client_id.as_str());
    assert_eq!(c["response"]["sign_up"]["id"], su_id.as_str());
    b.prepare_sign_up(&su_id, "email_code").await.ok();
    let r = b.attempt_sign_up(&su_id, "email_code", "424242").await;
    assert_eq!(r.ok()["response"]["status"], "complete");
    assert!(r.set_cookies().is_empty());
    let sid = r.body["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.token(&sid).await;
    // A second tab of the same browser, with the token alone, sees the same client.
    let mut tab = env.browser();
    tab.dev_token = Some(id.clone());
    assert_eq!(
        tab.client().await["response"]["last_active_session_id"],
        sid.as_str()
    );
    assert!(b.jar.is_empty());

    // The handshake of a development instance hands its directives over in the URL.
    let url = format!(
        "{}/v1/client/handshake?{}",
        env.fapi(),
        encode(&[
            ("redirect_url", "http://localhost:3000/app"),
            ("__clerk_db_jwt", &id),
        ])
    );
    let r = Res::read(env.http.get(url).send().await.unwrap()).await;
    assert_eq!(r.status, 307, "{}", r.raw);
    assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
    let location = reqwest::Url::parse(r.header("location").unwrap()).unwrap();
    assert_eq!(location.path(), "/app");
    let params: BTreeMap<String, String> = location.query_pairs().into_owned().collect();
    let d: Vec<String> = if let Some(nonce) = params.get("__clerk_handshake_nonce") {
        env.bapi_get(&format!("/v1/clients/handshake_payload?nonce={nonce}"))
            .await
            .ok()["directives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect()
    } else {
        let jwt = &params["__clerk_handshake"];
        assert!(verify_with_jwk(jwt, &env.jwks().await));
        decode_jwt(jwt).1["handshake"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(directive(&d, "__clerk_db_jwt"), Some(id.as_str()), "{d:?}");
    let jwt = directive(&d, "__session").expect("a session token");
    assert_eq!(decode_jwt(jwt).1["sid"], sid.as_str());

    // Unknown or malformed tokens: 401 dev_browser_unauthenticated, nothing created.
    let before = env.snapshot().await;
    for token in [
        "A".repeat(48),
        "short".into(),
        String::new(),
        format!("{id}x"),
    ] {
        let mut stale = env.browser();
        stale.dev_token = Some(token.clone());
        stale
            .get("/v1/client")
            .await
            .err(401, "dev_browser_unauthenticated");
        stale
            .post(
                "/v1/client/sign_ups",
                &[("email_address", "eve@example.com"), ("password", PASSWORD)],
            )
            .await
            .err(401, "dev_browser_unauthenticated");
        assert!(stale.jar.is_empty(), "{token}");
    }
    assert_eq!(env.snapshot().await, before);

    // Production refuses to create dev browsers.
    let prod = spawn(Kind::Production).await;
    let before = prod.snapshot().await;
    let mut p = prod.browser();
    p.post("/v1/dev_browser", &[])
        .await
        .err(403, "production_instance_forbidden");
    // A dev-browser token names nothing on production: the browser simply has no client.
    let mut stale = prod.browser();
    stale.dev_token = Some("B".repeat(48));
    assert_eq!(stale.get("/v1/client").await.ok()["response"], Value::Null);
    assert_eq!(prod.snapshot().await, before);
}
