//! Social sign-in against an OpenID provider served by the test on loopback (discovery, JWKS,
//! a token endpoint that checks the PKCE verifier and signs ID tokens with a test RSA key):
//! a new account transfers to a sign-up, comes back to the same user, links only a verified
//! address, and the state, nonce and signature checks refuse what they must; the provider's
//! answers keep Clerk's shapes (an integer `expire_at`, `from_oauth_<provider>` addresses).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::State;
use axum::routing::{get, post};
use usher_core::oauth::flow::pkce_challenge;
use usher_core::oauth::id_token::testing::{TestKey, hs256, unsigned};
use usher_server::app::context::RequestContext;
use usher_server::app::oauth_providers::{self, NewProvider};

use super::*;

pub(super) const CLIENT_ID: &str = "usher-test";
pub(super) const CLIENT_SECRET: &str = "idp-secret-0123456789";
pub(super) const REDIRECT: &str = "http://localhost:3000/sso-callback";

/// How the provider signs the next ID token.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Signing {
    Good,
    None,
    Hs256WithPublicKey,
    WrongNonce,
}

/// Who the provider says the user is, for one authorization.
#[derive(Clone)]
pub(super) struct Grant {
    pub(super) sub: String,
    pub(super) email: String,
    pub(super) verified: bool,
    pub(super) nonce: String,
    pub(super) challenge: String,
    pub(super) signing: Signing,
}

pub(super) struct Idp {
    key: TestKey,
    issuer: String,
    now_secs: i64,
    grants: Mutex<HashMap<String, Grant>>,
    /// Discovery documents served.
    pub(super) discoveries: AtomicUsize,
}

async fn discovery(State(idp): State<Arc<Idp>>) -> axum::Json<Value> {
    idp.discoveries.fetch_add(1, Ordering::SeqCst);
    let i = &idp.issuer;
    axum::Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/auth"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks(State(idp): State<Arc<Idp>>) -> axum::Json<Value> {
    axum::Json(idp.key.jwks())
}

async fn token(
    State(idp): State<Arc<Idp>>,
    body: String,
) -> (axum::http::StatusCode, axum::Json<Value>) {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let refuse = |e: &str| {
        (
            axum::http::StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": e})),
        )
    };
    if form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
        || form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
    {
        return refuse("invalid_client");
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let Some(g) = idp.grants.lock().unwrap().remove(&code) else {
        return refuse("invalid_grant");
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if pkce_challenge(&verifier) != g.challenge {
        return refuse("invalid_grant");
    }
    let claims = json!({
        "iss": idp.issuer, "aud": CLIENT_ID, "sub": g.sub,
        "iat": idp.now_secs, "exp": idp.now_secs + 600,
        "nonce": if g.signing == Signing::WrongNonce { "another".to_owned() } else { g.nonce },
        "email": g.email, "email_verified": g.verified,
        "given_name": "Ada", "family_name": "Lovelace",
    });
    let id_token = match g.signing {
        Signing::Good | Signing::WrongNonce => idp.key.sign(&claims),
        Signing::None => unsigned(&claims),
        Signing::Hs256WithPublicKey => {
            hs256(&claims, &idp.key.kid, idp.key.jwk().to_string().as_bytes())
        }
    };
    (
        axum::http::StatusCode::OK,
        axum::Json(json!({
            "access_token": format!("at-{code}"), "token_type": "Bearer",
            "expires_in": 3600, "id_token": id_token, "scope": "openid email profile",
        })),
    )
}

pub(super) async fn start_idp() -> Arc<Idp> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let idp = Arc::new(Idp {
        key: TestKey::generate("test-key"),
        issuer,
        now_secs: T0 / 1000,
        grants: Mutex::new(HashMap::new()),
        discoveries: AtomicUsize::new(0),
    });
    let app = axum::Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .with_state(idp.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    idp
}

pub(super) async fn with_provider(env: &Env, idp: &Idp) {
    let state = &env.app.running.state;
    oauth_providers::add(
        state,
        &RequestContext::system("test"),
        NewProvider {
            preset: usher_core::oauth::Preset::Custom,
            key: Some("acme".into()),
            name: Some("Acme".into()),
            discovery_url: Some(idp.issuer.clone()),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            scopes: None,
        },
    )
    .await
    .unwrap();
}

/// Starts a social sign-in (or sign-up) in `b`: the provider's authorization URL's query.
pub(super) async fn start(b: &mut Browser, path: &str) -> HashMap<String, String> {
    let r = b
        .post(
            path,
            &[
                ("strategy", "oauth_custom_acme"),
                ("redirect_url", REDIRECT),
            ],
        )
        .await;
    let res = &r.ok()["response"];
    let v = if path.ends_with("sign_ins") {
        &res["first_factor_verification"]
    } else {
        &res["verifications"]["external_account"]
    };
    assert_eq!(v["status"], "unverified", "{}", r.raw);
    assert_eq!(v["strategy"], "oauth_custom_acme");
    let url = url::Url::parse(v["external_verification_redirect_url"].as_str().unwrap()).unwrap();
    url.query_pairs().into_owned().collect()
}

/// The provider grants `who` for the authorization `q`; the browser comes back with the code.
pub(super) async fn come_back(
    b: &mut Browser,
    idp: &Idp,
    q: &HashMap<String, String>,
    who: Grant,
) -> Res {
    let code = format!("code-{}", q["state"].get(..12).unwrap_or("x"));
    let grant = Grant {
        nonce: q["nonce"].clone(),
        challenge: q["code_challenge"].clone(),
        ..who
    };
    idp.grants.lock().unwrap().insert(code.clone(), grant);
    let path = format!(
        "/v1/oauth_callback?{}",
        encode(&[("state", q["state"].as_str()), ("code", code.as_str())])
    );
    b.get(&path).await
}

pub(super) fn ada(verified: bool) -> Grant {
    Grant {
        sub: "ada-1".into(),
        email: "ada@example.com".into(),
        verified,
        nonce: String::new(),
        challenge: String::new(),
        signing: Signing::Good,
    }
}

#[tokio::test]
async fn a_new_account_signs_up_by_transfer_and_comes_back_to_the_same_user() {
    let env = spawn(Kind::Production).await;
    let idp = start_idp().await;
    with_provider(&env, &idp).await;
    let social = &env.environment().await["user_settings"]["social"]["oauth_custom_acme"];
    assert_eq!(social["enabled"], true);
    assert_eq!(social["strategy"], "oauth_custom_acme");
    assert_eq!(social["name"], "Acme");

    let mut b = env.browser();
    let q = start(&mut b, "/v1/client/sign_ins").await;
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["client_id"], CLIENT_ID);
    let back = come_back(&mut b, &idp, &q, ada(true)).await;
    assert_eq!(back.status, 303, "{}", back.raw);
    assert_eq!(back.header("location"), Some(REDIRECT));
    let client = b.client().await;
    let si = &client["response"]["sign_in"];
    assert_eq!(
        si["first_factor_verification"]["status"], "transferable",
        "{client}"
    );

    // The state was taken: the same link again is refused and changes nothing.
    let before = env.snapshot().await;
    let again = come_back(&mut b, &idp, &q, ada(true)).await;
    assert_eq!(again.status, 400, "{}", again.raw);
    assert_eq!(env.snapshot().await, before);

    let r = b.post("/v1/client/sign_ups", &[("transfer", "true")]).await;
    let su = &r.ok()["response"];
    assert_eq!(su["status"], "complete", "{}", r.raw);
    let user_id = su["created_user_id"].as_str().unwrap().to_owned();
    let user = env.user(&user_id).await;
    assert_eq!(
        user["email_addresses"][0]["email_address"],
        "ada@example.com"
    );
    assert_eq!(
        user["email_addresses"][0]["verification"]["status"],
        "verified"
    );
    let account = &user["external_accounts"][0];
    assert_eq!(account["object"], "external_account");
    assert_eq!(account["provider"], "oauth_custom_acme");
    assert_eq!(account["provider_user_id"], "ada-1");
    assert_eq!(
        account["identification_id"],
        user["email_addresses"][0]["id"]
    );
    assert_eq!(account["first_name"], "Ada");

    // Another browser: the same account signs the same user in.
    let mut other = env.browser();
    let q = start(&mut other, "/v1/client/sign_ins").await;
    let back = come_back(&mut other, &idp, &q, ada(true)).await;
    assert_eq!(back.status, 303, "{}", back.raw);
    let client = other.client().await;
    let si = &client["response"]["sign_in"];
    assert_eq!(si["status"], "complete", "{client}");
    let sid = si["created_session_id"].as_str().unwrap();
    assert_eq!(env.session(sid).await["user_id"], user_id.as_str());
    assert_eq!(
        env.user(&user_id).await["external_accounts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The Backend API reads the provider's latest access token back, then unlinks the account
    // (the user keeps its address to sign in with).
    let path = format!("/v1/users/{user_id}/oauth_access_tokens/oauth_custom_acme");
    let tokens = env.bapi_get(&path).await;
    let t = &tokens.ok()[0];
    assert_eq!(t["object"], "oauth_access_token");
    assert_eq!(t["provider"], "oauth_custom_acme");
    assert_eq!(t["provider_user_id"], "ada-1");
    assert!(t["token"].as_str().unwrap().starts_with("at-code-"), "{t}");
    assert_eq!(t["scopes"], json!(["openid", "email", "profile"]));
    let eac = t["external_account_id"].as_str().unwrap().to_owned();
    let path = format!("/v1/users/{user_id}/external_accounts/{eac}");
    let gone = env.bapi(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(gone.ok()["deleted"], true);
    assert_eq!(env.user(&user_id).await["external_accounts"], json!([]));
    env.bapi(reqwest::Method::DELETE, &path, None)
        .await
        .err(404, "resource_not_found");
    let path = format!("/v1/users/{user_id}/oauth_access_tokens/oauth_custom_acme");
    assert_eq!(env.bapi_get(&path).await.ok(), &json!([]));
}

#[tokio::test]
async fn only_a_verified_address_links_an_existing_user() {
    let env = spawn(Kind::Production).await;
    let idp = start_idp().await;
    with_provider(&env, &idp).await;
    let user_id = env.new_user("ada@example.com").await;

    // The provider does not vouch for the address: no link, no session.
    let mut b = env.browser();
    let q = start(&mut b, "/v1/client/sign_ins").await;
    come_back(&mut b, &idp, &q, ada(false)).await;
    let client = b.client().await;
    let si = &client["response"]["sign_in"];
    assert_eq!(
        si["first_factor_verification"]["status"], "failed",
        "{client}"
    );
    assert!(si["created_session_id"].is_null());
    assert_eq!(env.user(&user_id).await["external_accounts"], json!([]));

    // It does: linked, and signed in as that user (by a sign-up start, as clerk-js may).
    let mut b = env.browser();
    let q = start(&mut b, "/v1/client/sign_ups").await;
    come_back(&mut b, &idp, &q, ada(true)).await;
    let client = b.client().await;
    let sid = client["response"]["sign_in"]["created_session_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{client}"));
    assert_eq!(env.session(sid).await["user_id"], user_id.as_str());
    let user = env.user(&user_id).await;
    assert_eq!(user["external_accounts"][0]["provider_user_id"], "ada-1");
}

#[tokio::test]
async fn bad_tokens_and_foreign_states_sign_nobody_in() {
    let env = spawn(Kind::Production).await;
    let idp = start_idp().await;
    with_provider(&env, &idp).await;
    let before = env.snapshot().await;
    for signing in [
        Signing::None,
        Signing::Hs256WithPublicKey,
        Signing::WrongNonce,
    ] {
        let mut b = env.browser();
        let q = start(&mut b, "/v1/client/sign_ins").await;
        let who = Grant {
            signing,
            ..ada(true)
        };
        let r = come_back(&mut b, &idp, &q, who).await;
        r.err(422, "verification_failed");
    }
    // A state started in one browser does not complete in another.
    let mut a = env.browser();
    let q = start(&mut a, "/v1/client/sign_ins").await;
    let mut thief = env.browser();
    thief
        .post("/v1/client/sign_ins", &[("identifier", "x@example.com")])
        .await;
    let r = come_back(&mut thief, &idp, &q, ada(true)).await;
    assert_eq!(r.status, 400, "{}", r.raw);
    // A redirect to an origin that is not allowed is refused up front.
    let mut b = env.browser();
    let r = b
        .post(
            "/v1/client/sign_ins",
            &[
                ("strategy", "oauth_custom_acme"),
                ("redirect_url", "http://evil.test/cb"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.raw);
    assert_eq!(env.snapshot().await.users, before.users);
    assert_eq!(env.snapshot().await.sessions, before.sessions);
}

#[tokio::test]
async fn discovery_is_kept_for_a_while_and_expired_states_are_pruned() {
    // The lifecycle pass is the test's own to run.
    let env = spawn_tweaked(Kind::Production, |cfg| cfg.lifecycle_interval_secs = 0).await;
    let idp = start_idp().await;
    with_provider(&env, &idp).await;
    let seen = || idp.discoveries.load(Ordering::SeqCst);

    // Two sign-ins and a callback read the discovery document once.
    let mut b = env.browser();
    let q = start(&mut b, "/v1/client/sign_ins").await;
    let fetched = seen();
    assert!(fetched >= 1);
    start(&mut env.browser(), "/v1/client/sign_ins").await;
    let back = come_back(&mut b, &idp, &q, ada(true)).await;
    assert_eq!(back.status, 303, "{}", back.raw);
    assert_eq!(seen(), fetched);

    // A flow that fails at the provider drops it: the next one fetches it again.
    let mut b = env.browser();
    let q = start(&mut b, "/v1/client/sign_ins").await;
    let who = Grant {
        signing: Signing::None,
        ..ada(true)
    };
    come_back(&mut b, &idp, &q, who)
        .await
        .err(422, "verification_failed");
    assert_eq!(seen(), fetched);
    let mut b = env.browser();
    let q = start(&mut b, "/v1/client/sign_ins").await;
    assert_eq!(seen(), fetched + 1);

    // Its lifetime over, it is fetched again too.
    env.clock
        .advance(usher_server::outbound::oauth::DISCOVERY_LIFETIME_MS);
    start(&mut env.browser(), "/v1/client/sign_ins").await;
    assert_eq!(seen(), fetched + 2);

    // The states whose ten minutes ran out (all but the last one) go with the lifecycle pass;
    // the browser coming back after that finds nothing.
    let pass = env.app.running.run_lifecycle().await.unwrap();
    assert_eq!(pass.pruned.oauth_states, 2, "{pass:?}");
    assert_eq!(
        env.app
            .running
            .run_lifecycle()
            .await
            .unwrap()
            .pruned
            .oauth_states,
        0
    );
    let r = come_back(&mut b, &idp, &q, ada(true)).await;
    r.err(400, "client_state_invalid");
}

/// The expiry a sign-in's social verification started with, as the client shows it.
async fn started_expiry(b: &mut Browser) -> i64 {
    let client = b.client().await;
    client["response"]["sign_in"]["first_factor_verification"]["expire_at"]
        .as_i64()
        .unwrap_or_else(|| panic!("no expire_at at the start: {client}"))
}

#[tokio::test]
async fn the_provider_s_answers_keep_the_expiry_and_addresses_name_the_provider() {
    let env = spawn(Kind::Production).await;
    let idp = start_idp().await;
    with_provider(&env, &idp).await;
    // The environment's entry has Clerk's field names (clerk-js's `OAuthProviderSettings`).
    let social = &env.environment().await["user_settings"]["social"]["oauth_custom_acme"];
    assert_eq!(social["block_email_subaddresses"], false, "{social}");
    assert!(social.get("block_email_subdomains").is_none(), "{social}");

    // Transferable, then the sign-up: the verification keeps its integer expiry (Clerk's
    // `verification_oauth` always has one, which clerk-js and the spec expect).
    let mut b = env.browser();
    let q = start(&mut b, "/v1/client/sign_ins").await;
    let expiry = started_expiry(&mut b).await;
    come_back(&mut b, &idp, &q, ada(true)).await;
    let client = b.client().await;
    let v = &client["response"]["sign_in"]["first_factor_verification"];
    assert_eq!(v["status"], "transferable", "{client}");
    assert_eq!(v["expire_at"], expiry, "{client}");
    let r = b.post("/v1/client/sign_ups", &[("transfer", "true")]).await;
    let user_id = r.ok()["response"]["created_user_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.raw))
        .to_owned();

    // The address the provider vouched for is `from_oauth_<provider>` everywhere it shows.
    let user = env.user(&user_id).await;
    let address = &user["email_addresses"][0];
    assert_eq!(address["verification"]["status"], "verified");
    assert_eq!(
        address["verification"]["strategy"], "from_oauth_custom_acme",
        "{user}"
    );
    let path = format!("/v1/email_addresses/{}", address["id"].as_str().unwrap());
    let one = env.bapi_get(&path).await;
    assert_eq!(
        one.ok()["verification"]["strategy"],
        "from_oauth_custom_acme"
    );
    let client = b.client().await;
    let fapi_user = &client["response"]["sessions"][0]["user"];
    assert_eq!(
        fapi_user["email_addresses"][0]["verification"]["strategy"], "from_oauth_custom_acme",
        "{client}"
    );
    // The account's verification, in both APIs: an integer expiry, no provider URL once back.
    for account in [
        &fapi_user["external_accounts"][0],
        &user["external_accounts"][0],
    ] {
        let v = &account["verification"];
        assert_eq!(v["status"], "verified", "{account}");
        assert!(v["expire_at"].is_i64(), "{account}");
        assert!(
            v.get("external_verification_redirect_url").is_none(),
            "{account}"
        );
    }

    // A sign-in the provider completes, and one it refuses: each keeps the started expiry.
    let mut other = env.browser();
    let q = start(&mut other, "/v1/client/sign_ins").await;
    let expiry = started_expiry(&mut other).await;
    come_back(&mut other, &idp, &q, ada(true)).await;
    let client = other.client().await;
    let si = &client["response"]["sign_in"];
    assert_eq!(si["status"], "complete", "{client}");
    assert_eq!(si["first_factor_verification"]["status"], "verified");
    assert_eq!(si["first_factor_verification"]["expire_at"], expiry);

    let mut refused = env.browser();
    let q = start(&mut refused, "/v1/client/sign_ins").await;
    let expiry = started_expiry(&mut refused).await;
    let path = format!(
        "/v1/oauth_callback?{}",
        encode(&[("state", q["state"].as_str()), ("error", "access_denied")])
    );
    assert_eq!(refused.get(&path).await.status, 303);
    let client = refused.client().await;
    let v = &client["response"]["sign_in"]["first_factor_verification"];
    assert_eq!(v["status"], "failed", "{client}");
    assert_eq!(v["expire_at"], expiry, "{client}");
}

#[tokio::test]
async fn a_social_sign_up_waits_for_the_fields_the_instance_requires() {
    let env = spawn(Kind::Production).await;
    let idp = start_idp().await;
    with_provider(&env, &idp).await;
    env.bapi(
        reqwest::Method::PATCH,
        "/v1/instance/settings",
        Some(json!({"username_field": "required", "legal_consent_enabled": true})),
    )
    .await
    .ok();

    // The provider vouches for the address, but gives no username and no consent: the sign-up
    // holds the account, and no user exists yet.
    let mut b = env.browser();
    let q = start(&mut b, "/v1/client/sign_ups").await;
    let back = come_back(&mut b, &idp, &q, ada(true)).await;
    assert_eq!(back.status, 303, "{}", back.raw);
    let client = b.client().await;
    let su = &client["response"]["sign_up"];
    assert_eq!(su["status"], "missing_requirements", "{client}");
    assert_eq!(su["missing_fields"], json!(["username", "legal_accepted"]));
    assert_eq!(su["unverified_fields"], json!([]));
    assert_eq!(su["email_address"], "ada@example.com");
    assert_eq!(su["first_name"], "Ada");
    let external = &su["verifications"]["external_account"];
    assert_eq!(external["status"], "verified");
    assert_eq!(external["strategy"], "oauth_custom_acme");
    assert!(external["expire_at"].is_i64(), "{external}");
    assert!(su["created_user_id"].is_null());
    let found = env
        .bapi_get("/v1/users?email_address=ada@example.com")
        .await;
    assert_eq!(found.ok(), &json!([]));

    // The update gives one field: still waiting. Then the other: the user, with its account.
    let su_id = su["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/client/sign_ups/{su_id}");
    let r = b.patch(&path, &[("username", "ada_l")]).await;
    assert_eq!(
        r.ok()["response"]["missing_fields"],
        json!(["legal_accepted"])
    );
    let r = b.patch(&path, &[("legal_accepted", "true")]).await;
    let su = &r.ok()["response"];
    assert_eq!(su["status"], "complete", "{}", r.raw);
    let user_id = su["created_user_id"].as_str().unwrap().to_owned();
    let sid = su["created_session_id"].as_str().unwrap();
    assert_eq!(env.session(sid).await["user_id"], user_id.as_str());
    let user = env.user(&user_id).await;
    assert_eq!(user["username"], "ada_l");
    assert!(user["legal_accepted_at"].is_i64(), "{user}");
    assert_eq!(user["password_enabled"], false);
    let address = &user["email_addresses"][0];
    assert_eq!(address["verification"]["status"], "verified");
    assert_eq!(
        address["verification"]["strategy"],
        "from_oauth_custom_acme"
    );
    let account = &user["external_accounts"][0];
    assert_eq!(account["provider_user_id"], "ada-1");
    assert_eq!(account["identification_id"], address["id"]);

    // The same account from another browser now signs that user in.
    let mut other = env.browser();
    let q = start(&mut other, "/v1/client/sign_ins").await;
    come_back(&mut other, &idp, &q, ada(true)).await;
    let client = other.client().await;
    assert_eq!(
        client["response"]["sign_in"]["status"], "complete",
        "{client}"
    );
}
