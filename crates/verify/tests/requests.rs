//! Request authentication and the axum layer: token sources, `__client_uat` rules, suffixed
//! cookies, handshake, token-type routing, machine tokens against a stub Backend API that
//! follows Clerk's documented contract, protect() answers, and hostile headers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use base64::Engine;
use common::*;
use http::{HeaderMap, Method, Request, StatusCode, Uri};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use usher_verify::{
    AcceptsToken, Auth, AuthLayer, Authenticator, FixedClock, Has, OrganizationSync, Reason,
    RouteMatcher, SignedIn, Status, TokenType, Verifier,
};

const NOW: i64 = 1_700_000_000;
const FAPI: &str = "clerk.example.com";

fn pk(env: &str) -> String {
    format!(
        "pk_{env}_{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(format!("{FAPI}$"))
    )
}

fn verifier(key: &TestKey, api_url: Option<&str>) -> Verifier {
    let mut b = Verifier::builder()
        .jwt_key(&key.pem())
        .unwrap()
        .clock(Arc::new(FixedClock::new(NOW * 1000)));
    if let Some(u) = api_url {
        b = b.secret_key(SECRET).api_url(u);
    }
    b.build().unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    h
}

/// A GET of `/` with headers `h`.
async fn get_root(a: &Authenticator, h: &[(&str, &str)]) -> usher_verify::RequestState {
    run(a, Method::GET, "/", h).await
}

async fn run(
    a: &Authenticator,
    method: Method,
    path: &str,
    h: &[(&str, &str)],
) -> usher_verify::RequestState {
    let uri: Uri = path.parse().unwrap();
    a.authenticate(&method, &uri, &headers(h)).await
}

fn token(key: &TestKey) -> String {
    let mut c = claims(NOW);
    c["iss"] = json!(format!("https://{FAPI}"));
    key.sign(&c)
}

#[tokio::test]
async fn header_first_then_cookies_with_client_uat_rules() {
    let key = TestKey::new("k");
    let a = Authenticator::builder(verifier(&key, None))
        .publishable_key(&pk("live"))
        .unwrap()
        .build();
    let t = token(&key);
    let bearer = format!("Bearer {t}");

    let st = get_root(&a, &[("authorization", &bearer)]).await;
    assert_eq!(st.status, Status::SignedIn);
    assert_eq!(st.auth().user_id(), Some("user_2abc"));
    assert_eq!(st.auth().org_role(), Some("org:admin"));

    let cookie = |c: &str| {
        let c = c.to_owned();
        let a = a.clone();
        async move { get_root(&a, &[("cookie", &c)]).await }
    };
    assert_eq!(
        cookie(&format!("__session={t}; __client_uat={NOW}"))
            .await
            .status,
        Status::SignedIn
    );
    assert_eq!(
        cookie(&format!("__session={t}; __client_uat={}", NOW - 100))
            .await
            .status,
        Status::SignedIn
    );
    let cases = [
        (String::new(), Reason::SessionTokenAndUatMissing),
        ("__client_uat=0".into(), Reason::SessionTokenAndUatMissing),
        (
            format!("__session={t}"),
            Reason::SessionTokenWithoutClientUat,
        ),
        (
            format!("__session={t}; __client_uat=0"),
            Reason::SessionTokenWithoutClientUat,
        ),
        (
            format!("__client_uat={NOW}"),
            Reason::ClientUatWithoutSessionToken,
        ),
        (
            format!("__session={t}; __client_uat={}", NOW + 1),
            Reason::SessionTokenIatBeforeClientUat,
        ),
        (
            format!("__session=garbage; __client_uat={NOW}"),
            Reason::TokenInvalid,
        ),
    ];
    for (c, want) in cases {
        let st = cookie(&c).await;
        assert_eq!(
            (st.status, st.reason),
            (Status::SignedOut, Some(want)),
            "{c:.60}"
        );
    }

    // A bad header token is not rescued by a good cookie: the header wins.
    let st = get_root(
        &a,
        &[
            ("authorization", "Bearer nope"),
            ("cookie", &format!("__session={t}; __client_uat={NOW}")),
        ],
    )
    .await;
    assert_eq!(st.reason, Some(Reason::TokenInvalid));
    // Other schemes carry no token.
    let st = get_root(&a, &[("authorization", "Basic dXNlcjpwYXNz")]).await;
    assert_eq!(st.reason, Some(Reason::SessionTokenAndUatMissing));
}

#[tokio::test]
async fn expired_tokens_and_the_handshake() {
    let key = TestKey::new("k");
    let mut c = claims(NOW);
    c["exp"] = json!(NOW - 30);
    c["iat"] = json!(NOW - 90);
    c["iss"] = json!(format!("https://{FAPI}"));
    let expired = key.sign(&c);
    let cookie = format!("__session={expired}; __client_uat={}", NOW - 90);
    let doc = [
        ("cookie", cookie.as_str()),
        ("sec-fetch-dest", "document"),
        ("host", "app.example.com"),
    ];

    let plain = Authenticator::builder(verifier(&key, None))
        .publishable_key(&pk("live"))
        .unwrap()
        .build();
    let st = run(&plain, Method::GET, "/dashboard?x=1", &doc).await;
    assert_eq!(
        (st.status, st.reason),
        (
            Status::SignedOut,
            Some(Reason::SessionTokenExpiredRefreshNoCookie)
        )
    );
    let st = run(&plain, Method::POST, "/dashboard", &doc).await;
    assert_eq!(st.reason, Some(Reason::SessionTokenExpiredRefreshNonGet));
    let st = get_root(&plain, &[("authorization", &format!("Bearer {expired}"))]).await;
    assert_eq!(st.reason, Some(Reason::SessionTokenExpiredRefreshNoCookie));

    let hs = Authenticator::builder(verifier(&key, None))
        .publishable_key(&pk("live"))
        .unwrap()
        .handshake(true)
        .build();
    let st = run(&hs, Method::GET, "/dashboard?x=1", &doc).await;
    assert_eq!(st.status, Status::Handshake);
    let loc = st.location().unwrap().to_owned();
    assert!(loc.starts_with(&format!("https://{FAPI}/v1/client/handshake?redirect_url=http%3A%2F%2Fapp.example.com%2Fdashboard%3Fx%3D1&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=session-token-expired-refresh-non-eligible-no-refresh-cookie&format=nonce&__session=")), "{loc}");
    assert!(st.headers.iter().any(|(k, v)| k == "set-cookie"
        && v == "__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2"));
    // Not a document: no redirect. Three redirects already: give up.
    let st = run(&hs, Method::GET, "/api", &[("cookie", cookie.as_str())]).await;
    assert_eq!(st.status, Status::SignedOut);
    let looped = format!("{cookie}; __clerk_redirect_count=3");
    let st = run(
        &hs,
        Method::GET,
        "/dashboard",
        &[("cookie", &looped), ("accept", "text/html")],
    )
    .await;
    assert_eq!(st.status, Status::SignedOut);
}

#[tokio::test]
async fn suffixed_cookies_are_used_when_the_plain_ones_belong_elsewhere() {
    let key = TestKey::new("k");
    let pk_live = pk("live");
    let sfx = usher_verify::PublishableKey::parse(&pk_live)
        .unwrap()
        .cookie_suffix;
    let a = Authenticator::builder(verifier(&key, None))
        .publishable_key(&pk_live)
        .unwrap()
        .build();
    let mine = token(&key);
    let mut c = claims(NOW);
    c["iss"] = json!("https://another-app.example.com");
    let theirs = TestKey::new("x").sign(&c);
    let jar = format!(
        "__session={theirs}; __client_uat={NOW}; __session_{sfx}={mine}; __client_uat_{sfx}={NOW}"
    );
    let st = get_root(&a, &[("cookie", &jar)]).await;
    assert_eq!(st.status, Status::SignedIn, "{:?}", st.reason);
    let only_suffixed = format!("__session_{sfx}={mine}; __client_uat_{sfx}={NOW}");
    assert_eq!(
        get_root(&a, &[("cookie", &only_suffixed)]).await.status,
        Status::SignedIn
    );
}

#[tokio::test]
async fn pending_sessions_are_signed_out_unless_the_app_opts_in() {
    let key = TestKey::new("k");
    let mut c = claims(NOW);
    c["sts"] = json!("pending");
    let bearer = format!("Bearer {}", key.sign(&c));
    let strict = Authenticator::builder(verifier(&key, None)).build();
    let st = get_root(&strict, &[("authorization", &bearer)]).await;
    assert!(!st.auth().is_authenticated());
    assert_eq!(st.auth().session_status(), Some("pending"));
    assert!(st.auth().protect().is_err());
    let lenient = Authenticator::builder(verifier(&key, None))
        .treat_pending_as_signed_out(false)
        .build();
    let st = get_root(&lenient, &[("authorization", &bearer)]).await;
    assert_eq!(st.auth().user_id(), Some("user_2abc"));
}

/// A Backend API stub implementing Clerk's contract for `/api_keys/verify` and
/// `/m2m_tokens/verify`. Counts calls.
async fn stub_bapi() -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let authorized = |h: &HeaderMap| {
        h.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {SECRET}"))
    };
    let c1 = calls.clone();
    let c2 = calls.clone();
    let app = Router::new()
        .route("/api_keys/verify", post(move |h: HeaderMap, body: axum::Json<Value>| {
            let calls = c1.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                if !authorized(&h) {
                    return (StatusCode::UNAUTHORIZED, axum::Json(json!({"errors": [{"code": "clerk_key_invalid"}]})));
                }
                match body["secret"].as_str() {
                    Some("ak_good_user") => (StatusCode::OK, axum::Json(json!({"object": "api_key", "id": "ak_id_1", "type": "api_key", "name": "CI", "subject": "user_42", "scopes": ["read", "write"], "claims": {"team": "a"}, "revoked": false, "revocation_reason": null, "expired": false, "expiration": null, "created_by": null, "description": null, "last_used_at": null, "created_at": 1, "updated_at": 1}))),
                    Some("ak_good_org") => (StatusCode::OK, axum::Json(json!({"object": "api_key", "id": "ak_id_2", "name": "org key", "subject": "org_7", "scopes": [], "claims": null, "revoked": false, "expired": false, "expiration": null}))),
                    Some("ak_revoked") => (StatusCode::OK, axum::Json(json!({"object": "api_key", "id": "ak_id_3", "subject": "user_1", "scopes": [], "revoked": true, "expired": false}))),
                    _ => (StatusCode::NOT_FOUND, axum::Json(json!({"errors": [{"code": "resource_not_found"}]}))),
                }
            }
        }))
        .route("/m2m_tokens/verify", post(move |h: HeaderMap, body: axum::Json<Value>| {
            let calls = c2.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                if !authorized(&h) {
                    return (StatusCode::UNAUTHORIZED, axum::Json(json!({})));
                }
                match body["token"].as_str() {
                    Some("mt_good") => (StatusCode::OK, axum::Json(json!({"object": "machine_to_machine_token", "id": "mt_id_1", "subject": "mch_9", "scopes": ["mch_other"], "claims": null, "revoked": false, "revocation_reason": null, "expired": false, "expiration": null, "last_used_at": null, "created_at": 1, "updated_at": 1}))),
                    _ => (StatusCode::NOT_FOUND, axum::Json(json!({}))),
                }
            }
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, calls)
}

#[tokio::test]
async fn machine_tokens_are_verified_by_the_backend_api_and_cached() {
    let key = TestKey::new("k");
    let (url, calls) = stub_bapi().await;
    let v = verifier(&key, Some(&url));

    let m = v.verify_machine_token("ak_good_user").await.unwrap();
    assert_eq!(
        (
            m.token_type,
            m.id.as_str(),
            m.user_id.as_deref(),
            m.org_id.as_deref()
        ),
        (TokenType::ApiKey, "ak_id_1", Some("user_42"), None)
    );
    assert_eq!(m.name.as_deref(), Some("CI"));
    assert!(m.has_scope("write"));
    assert_eq!(m.claims, Some(json!({"team": "a"})));
    let org = v.verify_machine_token("ak_good_org").await.unwrap();
    assert_eq!(org.org_id.as_deref(), Some("org_7"));
    assert_eq!(
        v.verify_machine_token("ak_unknown")
            .await
            .unwrap_err()
            .reason,
        Reason::MachineTokenInvalid
    );
    assert_eq!(
        v.verify_machine_token("ak_revoked")
            .await
            .unwrap_err()
            .reason,
        Reason::MachineTokenInvalid
    );
    let m2m = v.verify_machine_token("mt_good").await.unwrap();
    assert_eq!(
        (m2m.token_type, m2m.machine_id.as_deref()),
        (TokenType::M2mToken, Some("mch_9"))
    );
    assert_eq!(calls.load(Ordering::SeqCst), 5);
    // Positive and negative answers are cached briefly.
    for t in ["ak_good_user", "ak_unknown", "mt_good", "ak_revoked"] {
        let _ = v.verify_machine_token(t).await;
    }
    assert_eq!(calls.load(Ordering::SeqCst), 5, "served from the cache");

    let wrong_secret = Verifier::builder()
        .secret_key("sk_test_wrong")
        .api_url(&url)
        .build()
        .unwrap();
    assert_eq!(
        wrong_secret
            .verify_machine_token("ak_good_user")
            .await
            .unwrap_err()
            .reason,
        Reason::SecretKeyInvalid
    );
    let down = Verifier::builder()
        .secret_key(SECRET)
        .api_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert_eq!(
        down.verify_machine_token("ak_good_user")
            .await
            .unwrap_err()
            .reason,
        Reason::UnexpectedError
    );
}

#[tokio::test]
async fn every_accepted_token_type_is_routed_to_its_own_verifier() {
    let key = TestKey::new("k");
    let (url, _) = stub_bapi().await;
    let a = Authenticator::builder(verifier(&key, Some(&url)))
        .accepts_token([
            TokenType::SessionToken,
            TokenType::ApiKey,
            TokenType::M2mToken,
        ])
        .build();
    let session = format!("Bearer {}", token(&key));
    let st = get_root(&a, &[("authorization", &session)]).await;
    assert_eq!(st.auth().token_type(), Some(TokenType::SessionToken));
    assert!(st.auth().is_authenticated());
    let st = get_root(&a, &[("authorization", "Bearer ak_good_user")]).await;
    assert_eq!(
        (st.auth().token_type(), st.auth().user_id()),
        (Some(TokenType::ApiKey), Some("user_42"))
    );
    let st = get_root(&a, &[("authorization", "Bearer mt_good")]).await;
    assert_eq!(st.auth().token_type(), Some(TokenType::M2mToken));
    let st = get_root(&a, &[("authorization", "Bearer oat_x")]).await;
    assert_eq!(st.reason, Some(Reason::TokenTypeMismatch));

    // An M2M JWT signed by the instance key, verified locally.
    let mut h = key.header();
    h["cat"] = json!("cl_B7d4PD333AAA");
    let m2m_jwt = key.sign_raw(&h, &json!({"sub": "mch_1", "jti": "mt_j", "exp": NOW + 60, "iat": NOW, "scopes": "mch_2 mch_3", "custom": 1}));
    let st = get_root(&a, &[("authorization", &format!("Bearer {m2m_jwt}"))]).await;
    let m = st.auth().machine().unwrap();
    assert_eq!(
        (m.id.as_str(), m.subject.as_str(), m.scopes.clone()),
        (
            "mt_j",
            "mch_1",
            vec!["mch_2".to_owned(), "mch_3".to_owned()]
        )
    );
    assert_eq!(
        m.claims,
        Some(json!({"scopes": "mch_2 mch_3", "custom": 1}))
    );

    // Sessions only: a machine token is a mismatch, and so is an M2M JWT.
    let sessions = Authenticator::builder(verifier(&key, Some(&url))).build();
    for t in ["ak_good_user", &m2m_jwt] {
        let st = get_root(&sessions, &[("authorization", &format!("Bearer {t}"))]).await;
        assert_eq!(st.reason, Some(Reason::TokenTypeMismatch), "{t:.12}");
    }
    // A JWT template (cat 222) is never a session token, on either path.
    let mut h = key.header();
    h["cat"] = json!("cl_B7d4PD222AAA");
    let template = key.sign_raw(&h, &claims(NOW));
    let st = get_root(
        &sessions,
        &[("authorization", &format!("Bearer {template}"))],
    )
    .await;
    assert_eq!(st.reason, Some(Reason::TokenTypeMismatch));
    let st = get_root(&a, &[("authorization", &format!("Bearer {template}"))]).await;
    assert_eq!(st.reason, Some(Reason::TokenTypeMismatch));
    // Machine types only, no header: no token.
    let machines = Authenticator::builder(verifier(&key, Some(&url)))
        .accepts_token(AcceptsToken::one(TokenType::ApiKey))
        .build();
    let st = get_root(&machines, &[("cookie", "__session=x; __client_uat=1")]).await;
    assert_eq!(st.reason, Some(Reason::NoTokenInHeader));
}

#[tokio::test]
async fn hostile_headers_never_break_a_request() {
    let key = TestKey::new("k");
    let a = Authenticator::builder(verifier(&key, None))
        .publishable_key(&pk("test"))
        .unwrap()
        .handshake(true)
        .build();
    let t = token(&key);
    let bearer = format!("Bearer {t}");
    for (name, value) in [
        ("x-forwarded-host", "a b c/../\\@evil"),
        ("x-forwarded-host", ",,,"),
        ("x-forwarded-host", "[::1"),
        ("x-forwarded-proto", "javascript:alert(1)"),
        ("host", ":::"),
        ("cookie", "__session=%%%; __client_uat=%ZZ"),
        ("cookie", "==;;=;__session"),
        ("sec-fetch-dest", "document"),
    ] {
        let st = run(
            &a,
            Method::GET,
            "/x",
            &[("authorization", &bearer), (name, value)],
        )
        .await;
        assert_eq!(st.status, Status::SignedIn, "{name}: {value}");
    }
    let mut h = HeaderMap::new();
    h.insert(
        "x-forwarded-host",
        http::HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
    );
    h.insert(
        "cookie",
        http::HeaderValue::from_bytes(b"__session=\xff; __client_uat=\xff").unwrap(),
    );
    let st = a
        .authenticate(&Method::GET, &"/".parse().unwrap(), &h)
        .await;
    assert_eq!(st.status, Status::SignedOut);
}

async fn call(app: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    (status, headers, body)
}

#[tokio::test]
async fn the_layer_protects_routes_and_hands_auth_to_handlers() {
    let key = TestKey::new("k");
    let a = Authenticator::builder(verifier(&key, None))
        .sign_in_url("https://app.example.com/sign-in")
        .organization_sync(OrganizationSync::new(["/orgs/:slug(.*)"], ["/me(.*)"]).unwrap())
        .build();
    let app = Router::new()
        .route(
            "/dashboard",
            get(|auth: Auth| async move { format!("hello {}", auth.user_id().unwrap_or("?")) }),
        )
        .route("/admin", get(|| async { "admin" }))
        .route("/billing", get(|| async { "billing" }))
        .route(
            "/webhooks/usher",
            post(|auth: Auth| async move { format!("public {}", auth.is_authenticated()) }),
        )
        .route(
            "/me",
            get(|s: SignedIn| async move { s.org_id().unwrap_or("none").to_owned() }),
        )
        .route(
            "/open",
            get(|auth: Auth| async move { format!("{:?}", auth.reason()) }),
        )
        .layer(
            AuthLayer::new(a)
                .public_routes(RouteMatcher::new(["/webhooks(.*)"]).unwrap())
                .protect_routes(RouteMatcher::new(["/dashboard(.*)"]).unwrap())
                .protect_routes_with(
                    RouteMatcher::new(["/admin(.*)"]).unwrap(),
                    Has::role("org:admin"),
                )
                .protect_routes_with(
                    RouteMatcher::new(["/billing(.*)"]).unwrap(),
                    Has::permission("org:billing:manage"),
                ),
        );
    let bearer = format!("Bearer {}", token(&key));
    let req = |path: &str, auth: Option<&str>, html: bool| {
        let mut b = Request::builder()
            .uri(path)
            .header("host", "app.example.com");
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        if html {
            b = b
                .header("accept", "text/html")
                .header("sec-fetch-dest", "document");
        }
        b.body(Body::empty()).unwrap()
    };
    let (s, _, body) = call(&app, req("/dashboard", Some(&bearer), false)).await;
    assert_eq!((s, body.as_str()), (StatusCode::OK, "hello user_2abc"));
    let (s, h, body) = call(&app, req("/dashboard", None, false)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(h["x-clerk-auth-reason"], "session-token-and-uat-missing");
    assert!(body.contains("unauthenticated"));
    let (s, h, _) = call(&app, req("/dashboard/", None, true)).await;
    assert_eq!(s, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        h["location"],
        "https://app.example.com/sign-in?redirect_url=http%3A%2F%2Fapp.example.com%2Fdashboard%2F"
    );
    assert_eq!(
        call(&app, req("/admin", Some(&bearer), false)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, req("/billing", Some(&bearer), false)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&app, req("/%zz", Some(&bearer), false)).await.0,
        StatusCode::BAD_REQUEST,
        "a malformed path is not waved through"
    );
    let (s, _, body) = call(
        &app,
        Request::post("/webhooks/usher")
            .header("authorization", "Bearer junk")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, body.as_str()),
        (StatusCode::OK, "public false"),
        "public routes skip authentication"
    );
    assert_eq!(
        call(&app, req("/me", None, false)).await.0,
        StatusCode::UNAUTHORIZED,
        "SignedIn extractor"
    );
    assert_eq!(
        call(&app, req("/me", Some(&bearer), false)).await.2,
        "org_2abc"
    );
    assert_eq!(
        call(&app, req("/open", Some("Bearer x.y.z"), false))
            .await
            .2,
        "Some(TokenInvalid)"
    );

    // 403 instead of 404 when configured.
    let a403 = Authenticator::builder(verifier(&key, None))
        .forbidden_status(StatusCode::FORBIDDEN)
        .build();
    let app = Router::new()
        .route("/billing", get(|| async { "billing" }))
        .layer(AuthLayer::new(a403).protect_routes_with(
            RouteMatcher::new(["/billing"]).unwrap(),
            Has::permission("org:billing:manage"),
        ));
    assert_eq!(
        call(&app, req("/billing", Some(&bearer), false)).await.0,
        StatusCode::FORBIDDEN
    );
    // Without the layer the extractor fails loudly.
    let bare = Router::new().route("/", get(|_: Auth| async { "x" }));
    assert_eq!(
        call(&bare, req("/", None, false)).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}
