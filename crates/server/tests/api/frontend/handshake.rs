//! The handshake: development handshakes hand over directives in the URL; production ones
//! refresh the session or sign out.

use super::*;

/// A development handshake as a backend SDK sends the browser there: the browser's cookies on
/// the Frontend API's host, and `__clerk_db_jwt` when the app has one. Returns the directives
/// the answer carries in its `Location` (development instances hand them over in the URL).
async fn dev_handshake(env: &Env, b: &Browser, db_jwt: Option<&str>) -> Vec<String> {
    let mut pairs = vec![
        ("redirect_url", "http://localhost:3000/app"),
        ("format", "nonce"),
    ];
    if let Some(t) = db_jwt {
        pairs.push(("__clerk_db_jwt", t));
    }
    let mut req = env.http.get(format!(
        "{}/v1/client/handshake?{}",
        env.fapi(),
        encode(&pairs)
    ));
    if let Some(c) = b.cookie_header() {
        req = req.header("Cookie", c);
    }
    let r = Res::read(req.send().await.unwrap()).await;
    assert_eq!(r.status, 307, "{}", r.raw);
    assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
    let location = reqwest::Url::parse(r.header("location").unwrap()).unwrap();
    assert_eq!(location.path(), "/app");
    let params: BTreeMap<String, String> = location.query_pairs().into_owned().collect();
    let list = if let Some(nonce) = params.get("__clerk_handshake_nonce") {
        env.bapi_get(&format!("/v1/clients/handshake_payload?nonce={nonce}"))
            .await
            .ok()["directives"]
            .clone()
    } else {
        let jwt = &params["__clerk_handshake"];
        assert!(verify_with_jwk(jwt, &env.jwks().await));
        decode_jwt(jwt).1["handshake"].clone()
    };
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect()
}

/// A development instance whose publishable key names an ordinary host (`127.0.0.1:4001`,
/// `clerk.localhost:3000`): clerk-js keeps its client in the `__client` cookie, yet the backend
/// SDKs demand a dev-browser token for any `pk_test_` key. The handshake hands one over even to
/// a browser with a `__client` cookie, and reads the session from that cookie whatever token
/// the app sends along.
#[tokio::test]
async fn development_handshake_serves_cookie_mode_browsers() {
    let env = spawn(Kind::Development).await;
    let mut b = env.browser();
    let (_, sid) = b
        .sign_up(&env, "cora+clerk_test@example.com", Some("424242"))
        .await;
    assert!(b.jar.contains_key("__client"), "{:?}", b.jar);
    env.clock.advance(5 * MINUTE);

    // No dev-browser token yet (dev-browser-missing): one comes back with the session.
    let d = dev_handshake(&env, &b, None).await;
    let token = directive(&d, "__clerk_db_jwt")
        .expect("a __clerk_db_jwt directive for a cookie-mode browser")
        .to_owned();
    assert!(token.len() >= 32 && token.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(
        Some(&token),
        b.jar.get("__client"),
        "the __client secret stays HttpOnly"
    );
    assert!(d.iter().any(|x| x.starts_with("__clerk_db_jwt_")), "{d:?}");
    let jwt = directive(&d, "__session").expect("a session token");
    assert_eq!(decode_jwt(jwt).1["sid"], sid.as_str());

    // The token the app now sends along keeps its value, and the cookie still names the client.
    let d = dev_handshake(&env, &b, Some(&token)).await;
    assert_eq!(directive(&d, "__clerk_db_jwt"), Some(token.as_str()));
    assert_eq!(
        decode_jwt(directive(&d, "__session").unwrap()).1["sid"],
        sid.as_str()
    );

    // A token naming another, empty dev browser (one an older server made for the first,
    // signed-out handshake) does not hide the browser's own client.
    let mut other = env.browser();
    let empty = other.post("/v1/dev_browser", &[]).await.ok()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let d = dev_handshake(&env, &b, Some(&empty)).await;
    let jwt = directive(&d, "__session").expect("signed in through the __client cookie");
    assert_eq!(decode_jwt(jwt).1["sid"], sid.as_str());

    // Signed out through clerk-js: the handshake says so.
    b.sign_out().await;
    let d = dev_handshake(&env, &b, Some(&token)).await;
    assert_eq!(directive(&d, "__client_uat"), Some("0"), "{d:?}");
    assert!(!d.iter().any(|x| x.starts_with("__session=ey")), "{d:?}");
    assert_eq!(directive(&d, "__clerk_db_jwt"), Some(token.as_str()));
}

/// Unauthenticated handshakes on a development instance store nothing: before, each one made a
/// dev-browser client (and its audit entry), so anyone could fill the database with GETs.
#[tokio::test]
async fn development_handshakes_without_a_client_write_nothing() {
    let env = spawn(Kind::Development).await;
    let before = env.snapshot().await;
    let mut tokens = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let d = dev_handshake(&env, &env.browser(), None).await;
        assert_eq!(directive(&d, "__client_uat"), Some("0"), "{d:?}");
        tokens.insert(directive(&d, "__clerk_db_jwt").unwrap().to_owned());
    }
    assert_eq!(tokens.len(), 20, "a fresh token each time");
    // A well-formed token the app sends back is kept; a malformed one is replaced.
    let kept = tokens.first().unwrap().clone();
    let d = dev_handshake(&env, &env.browser(), Some(&kept)).await;
    assert_eq!(directive(&d, "__clerk_db_jwt"), Some(kept.as_str()));
    let d = dev_handshake(&env, &env.browser(), Some("bad")).await;
    assert!(directive(&d, "__clerk_db_jwt").is_some_and(|t| t != "bad" && t.len() >= 32));
    // A browser with a stale `__client` cookie is signed out, and nothing is written either.
    let mut stale = env.browser();
    stale.jar.insert("__client".into(), "C".repeat(48));
    let d = dev_handshake(&env, &stale, None).await;
    assert_eq!(directive(&d, "__client_uat"), Some("0"), "{d:?}");
    assert_eq!(env.snapshot().await, before);

    // Such a token names no client: clerk-js in dev-browser mode is told so and makes its own.
    let mut b = env.browser();
    b.dev_token = Some(kept);
    b.get("/v1/client")
        .await
        .err(401, "dev_browser_unauthenticated");
    assert_eq!(env.snapshot().await, before);
}

/// The directives a handshake answer carries: by nonce through the Backend API, or in the
/// signed `__clerk_handshake` JWT.
async fn directives(env: &Env, res: &Res) -> Vec<String> {
    if let Some(c) = res.set_cookie("__clerk_handshake_nonce") {
        assert!(has_attr(&c, "httponly"), "{c}");
        let nonce = parse_cookie(&c).1;
        let r = env
            .bapi_get(&format!("/v1/clients/handshake_payload?nonce={nonce}"))
            .await;
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(keys(r.ok()), ["directives"], "{}", r.raw);
        return r.body["directives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect();
    }
    let c = res
        .set_cookie("__clerk_handshake")
        .expect("a handshake cookie");
    assert!(has_attr(&c, "httponly"), "{c}");
    let jwt = parse_cookie(&c).1;
    assert!(verify_with_jwk(&jwt, &env.jwks().await));
    let (_, claims) = decode_jwt(&jwt);
    claims["handshake"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect()
}

/// The value a directive sets for cookie `name`, if one does.
pub(super) fn directive<'a>(directives: &'a [String], name: &str) -> Option<&'a str> {
    directives
        .iter()
        .rev()
        .find_map(|d| d.split(';').next()?.strip_prefix(&format!("{name}=")))
}

async fn handshake(env: &Env, b: &Browser, redirect_url: &str) -> Res {
    let url = format!(
        "{}/v1/client/handshake?{}",
        env.fapi(),
        encode(&[
            ("redirect_url", redirect_url),
            ("format", "nonce"),
            ("__clerk_api_version", "2025-11-10"),
        ])
    );
    // A top-level navigation: cookies, no Origin.
    let mut req = env.http.get(url);
    if let Some(c) = b.cookie_header() {
        req = req.header("Cookie", c);
    }
    Res::read(req.send().await.unwrap()).await
}

#[tokio::test]
async fn handshake_refreshes_the_session_or_signs_out() {
    let env = spawn(Kind::Production).await;
    let mut b = env.browser();
    let (_, sid) = b.sign_up(&env, "hal@example.com", None).await;
    env.clock.advance(5 * MINUTE);

    let r = handshake(
        &env,
        &b,
        "http://localhost:3000/p?x=1&__clerk_handshake=stale",
    )
    .await;
    assert_eq!(r.status, 307, "{}", r.raw);
    assert_eq!(r.header("location"), Some("http://localhost:3000/p?x=1"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let d = directives(&env, &r).await;
    let jwt = directive(&d, "__session").expect("a __session directive");
    let (_, claims) = decode_jwt(jwt);
    assert_eq!(claims["sid"], sid.as_str());
    assert_eq!(claims["azp"], APP);
    assert!(verify_with_jwk(jwt, &env.jwks().await));
    let uat: i64 = directive(&d, "__client_uat").unwrap().parse().unwrap();
    assert!(uat > 0 && uat <= int(&claims["iat"]), "{uat} {claims}");
    assert_eq!(int(&claims["iat"]), (T0 + 5 * MINUTE) / 1000);
    assert!(d.iter().any(|x| x.starts_with("__session_")), "{d:?}");
    // The app may fetch the payload again (a reload), but not forever.
    if let Some(c) = r.set_cookie("__clerk_handshake_nonce") {
        let nonce = parse_cookie(&c).1;
        let path = format!("/v1/clients/handshake_payload?nonce={nonce}");
        env.bapi_get(&path).await.ok();
        env.clock.advance(10 * MINUTE);
        env.bapi_get(&path).await.err(404, "resource_not_found");
        env.bapi_get("/v1/clients/handshake_payload?nonce=unknown")
            .await
            .err(404, "resource_not_found");
        let r = env.bapi_get("/v1/clients/handshake_payload").await;
        assert_eq!(r.status, 400, "{}", r.raw);
        let anon = env
            .http
            .get(format!("{}{path}", env.app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(Res::read(anon).await.status, 401);
    }

    // Signed out: __session cleared, __client_uat=0.
    b.sign_out().await;
    let r = handshake(&env, &b, "http://localhost:3000/after").await;
    assert_eq!(r.status, 307, "{}", r.raw);
    assert_eq!(r.header("location"), Some("http://localhost:3000/after"));
    let d = directives(&env, &r).await;
    assert_eq!(directive(&d, "__client_uat"), Some("0"), "{d:?}");
    let clear = d
        .iter()
        .find(|x| x.starts_with("__session="))
        .expect("__session cleared");
    assert!(
        clear.starts_with("__session=;") && has_attr(clear, "max-age=0"),
        "{clear}"
    );
    assert!(!d.iter().any(|x| x.starts_with("__session=ey")), "{d:?}");
    // A browser that never had a client: signed out too.
    let r = handshake(&env, &env.browser(), "http://localhost:3000/").await;
    assert_eq!(r.status, 307);
    assert_eq!(
        directive(&directives(&env, &r).await, "__client_uat"),
        Some("0")
    );

    // A redirect to anywhere but an allowed origin: 422, no redirect, no cookie.
    for target in [
        "http://evil.test/p",
        "https://localhost:3000/p",
        "javascript:alert(1)",
        "/relative",
        "http://localhost:3000@evil.test/",
    ] {
        let r = handshake(&env, &b, target).await;
        assert_eq!(r.status, 422, "{target}: {}", r.raw);
        assert!(r.header("location").is_none(), "{target}");
        assert!(r.set_cookies().is_empty(), "{target}");
    }
    let r = Res::read(
        env.http
            .get(format!("{}/v1/client/handshake", env.fapi()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    r.err(422, "form_param_missing");
    assert!(r.header("location").is_none());
}
