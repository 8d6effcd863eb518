//! Against a running Usher (started in-process): tokens minted by its Backend API verify with
//! the PEM key, the JWKS and the public JWKS; every kind of bad token is refused with the right
//! reason; the JWKS cache fetches once, resists bogus kids, survives an outage, and picks up a
//! key rotation (`usher keys rotate`) without a restart or a failed request.

use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use serde_json::json;
use usher_core::clock::ManualClock;
use usher_verify::{JwksSettings, Reason, Verifier};

fn pem_verifier(u: &Usher) -> Verifier {
    Verifier::builder()
        .jwt_key(&u.pem)
        .unwrap()
        .build()
        .unwrap()
}

fn jwks_verifier(u: &Usher) -> Verifier {
    Verifier::builder()
        .secret_key(SECRET)
        .api_url(&u.api_url)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usher_tokens_verify_with_the_pem_the_jwks_and_the_public_jwks() {
    let u = spawn_usher().await;
    let sid = u.session().await;
    let token = u.mint(&sid).await;
    let frontend_host = u.frontend_url.trim_start_matches("http://").to_owned();

    let pem = Verifier::builder()
        .jwt_key(&u.pem)
        .unwrap()
        .issuers([format!("https://{frontend_host}")])
        .build()
        .unwrap();
    let s = pem.verify_session_token(&token).await.unwrap();
    assert_eq!(s.session_id.as_deref(), Some(sid.as_str()));
    assert!(s.user_id.starts_with("user_"));
    assert_eq!(s.session_status.as_deref(), Some("active"));
    assert_eq!(s.claims()["v"], 2);

    let jwks = jwks_verifier(&u);
    assert_eq!(
        jwks.verify_session_token(&token).await.unwrap().user_id,
        s.user_id
    );
    let second = u.mint(&sid).await;
    jwks.verify_session_token(&second).await.unwrap();
    assert_eq!(
        jwks.jwks_stats().unwrap().fetches,
        1,
        "one fetch serves every token of the key"
    );

    let public = Verifier::builder()
        .jwks_url(format!("{}/.well-known/jwks.json", u.frontend_url))
        .build()
        .unwrap();
    assert_eq!(
        public.verify_session_token(&token).await.unwrap().user_id,
        s.user_id
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_not_yet_valid_usher_tokens_are_refused() {
    let real_now_ms = now_secs() * 1000;
    let clock = Arc::new(ManualClock::new(real_now_ms - 120_000));
    let u = spawn_usher_with(clock.clone(), |_| {}).await;
    let sid = u.session().await;
    let expired = u.mint(&sid).await;
    clock.advance(240_000);
    let early = u.mint(&sid).await;
    for v in [pem_verifier(&u), jwks_verifier(&u)] {
        assert_eq!(
            v.verify_session_token(&expired).await.unwrap_err().reason,
            Reason::TokenExpired
        );
        assert_eq!(
            v.verify_session_token(&early).await.unwrap_err().reason,
            Reason::TokenNotActiveYet
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_misdirected_tokens_are_refused_with_the_right_reason() {
    let u = spawn_usher().await;
    let sid = u.session().await;
    let token = u.mint(&sid).await;
    let header = decode_part(&token, 0);
    let payload = decode_part(&token, 1);
    let kid = header["kid"].as_str().unwrap().to_owned();
    assert!(kid.starts_with("ins_"), "{header}");

    // Usher's tokens carry no azp: an app that requires authorized parties refuses them.
    let strict = Verifier::builder()
        .jwt_key(&u.pem)
        .unwrap()
        .authorized_parties(["https://app.example.com"])
        .build()
        .unwrap();
    assert_eq!(
        strict
            .verify_session_token(&token)
            .await
            .unwrap_err()
            .reason,
        Reason::TokenInvalidAuthorizedParties
    );
    // ... and a token for another party is refused even when its signature is good.
    let attacker = TestKey::new(&kid);
    let mut misdirected = payload.clone();
    misdirected["azp"] = json!("https://evil.example.com");

    let mut tampered = payload.clone();
    tampered["sub"] = json!("user_someone_else");
    let none = json!({"alg": "none", "typ": "JWT", "kid": kid});
    let hs = json!({"alg": "HS256", "typ": "JWT", "kid": kid, "cat": "cl_B7d4PD111AAA"});
    let cases = [
        (
            "wrong key, same kid",
            attacker.sign(&payload),
            Reason::TokenInvalidSignature,
        ),
        (
            "tampered payload",
            with_payload(&token, &tampered),
            Reason::TokenInvalidSignature,
        ),
        (
            "alg none, no signature",
            format!(
                "{}.{}.",
                b64(none.to_string().as_bytes()),
                b64(payload.to_string().as_bytes())
            ),
            Reason::TokenInvalidAlgorithm,
        ),
        (
            "alg none, original signature",
            with_header(&token, &none),
            Reason::TokenInvalidAlgorithm,
        ),
        (
            "HS256 keyed with the PEM",
            hs256(&hs, &payload, u.pem.as_bytes()),
            Reason::TokenInvalidAlgorithm,
        ),
    ];
    for v in [pem_verifier(&u), jwks_verifier(&u)] {
        assert!(v.verify_session_token(&token).await.is_ok());
        for (what, forged, want) in &cases {
            assert_eq!(
                v.verify_session_token(forged).await.unwrap_err().reason,
                *want,
                "{what}"
            );
        }
    }
    assert_eq!(
        strict
            .verify_session_token(&attacker.sign(&misdirected))
            .await
            .unwrap_err()
            .reason,
        Reason::TokenInvalidSignature
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bogus_kids_cannot_hammer_the_key_endpoint() {
    let u = spawn_usher().await;
    let sid = u.session().await;
    let token = u.mint(&sid).await;
    let v = Verifier::builder()
        .secret_key(SECRET)
        .api_url(&u.api_url)
        .jwks_settings(JwksSettings {
            min_refetch_interval: Duration::from_millis(200),
            ..JwksSettings::default()
        })
        .build()
        .unwrap();
    v.verify_session_token(&token).await.unwrap();
    assert_eq!(v.jwks_stats().unwrap().fetches, 1);

    let payload = decode_part(&token, 1);
    let bogus = TestKey::new("ins_bogus").sign(&payload);
    for _ in 0..100 {
        assert_eq!(
            v.verify_session_token(&bogus).await.unwrap_err().reason,
            Reason::JwkKidMismatch
        );
    }
    assert_eq!(
        v.jwks_stats().unwrap().fetches,
        2,
        "one refetch for the unknown kid, then it is remembered"
    );

    // Many distinct unknown kids at once share fetches (single flight), and fetches triggered by
    // misses are at least `min_refetch_interval` apart however slowly the tasks are scheduled.
    // (The tokens are signed first: key generation is slow and would spread the tasks out.)
    let bogus_tokens: Vec<String> = (0..64)
        .map(|i| TestKey::new(&format!("ins_bogus_{i}")).sign(&payload))
        .collect();
    let before = v.jwks_stats().unwrap().fetches;
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for t in bogus_tokens {
        let v = v.clone();
        tasks.push(tokio::spawn(async move {
            v.verify_session_token(&t).await.unwrap_err().reason
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), Reason::JwkKidMismatch);
    }
    let elapsed = started.elapsed();
    let fetches = v.jwks_stats().unwrap().fetches - before;
    let allowed = 1 + (elapsed.as_millis() / 200) as u64;
    assert!(
        fetches <= allowed && fetches < 64,
        "64 concurrent unknown kids cost {fetches} fetches in {elapsed:?} (at most {allowed} allowed)"
    );
    // The real key was never evicted.
    v.verify_session_token_cached(&token).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_usher_stopped_verification_keeps_working() {
    let mut u = spawn_usher().await;
    let sid = u.session().await;
    let token = u.mint(&sid).await;
    let pem = pem_verifier(&u);
    let jwks = jwks_verifier(&u);
    assert_eq!(jwks.refresh_jwks().await.unwrap(), 1);
    u.stop().await;

    pem.verify_session_token(&token).await.unwrap();
    let cold = pem_verifier(&u);
    cold.verify_session_token(&token).await.unwrap();

    // The JWKS cache: a failed refetch keeps the keys that verify.
    let err = jwks.refresh_jwks().await.unwrap_err();
    assert_eq!(err.reason, Reason::RemoteJwkFailedToLoad);
    jwks.verify_session_token(&token).await.unwrap();
    let unknown = TestKey::new("ins_new").sign(&decode_part(&token, 1));
    let e = jwks.verify_session_token(&unknown).await.unwrap_err();
    assert!(
        matches!(
            e.reason,
            Reason::RemoteJwkFailedToLoad | Reason::JwkKidMismatch
        ),
        "{e}"
    );
    jwks.verify_session_token(&token).await.unwrap();
    assert_eq!(jwks.jwks_stats().unwrap().keys, 1);
}

fn usher_bin() -> std::path::PathBuf {
    if let Ok(b) = std::env::var("USHER_BIN") {
        return b.into();
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let bin = target.join("release/usher");
    assert!(
        bin.exists(),
        "{} is missing: build it first (cargo build --release -p usher) or set USHER_BIN",
        bin.display()
    );
    bin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_rotation_is_picked_up_without_a_restart_or_a_failed_request() {
    let u = spawn_usher_with(Arc::new(usher_core::clock::SystemClock), |c| {
        c.key_refresh_secs = 1
    })
    .await;
    let sid = u.session().await;
    let old = u.mint(&sid).await;
    let old_kid = decode_part(&old, 0)["kid"].clone();
    let v = jwks_verifier(&u);
    v.verify_session_token(&old).await.unwrap();
    assert_eq!(v.jwks_stats().unwrap().fetches, 1);

    let out = tokio::process::Command::new(usher_bin())
        .args(["keys", "rotate", "--data-dir"])
        .arg(u.dir.path())
        .env_remove("USHER_DATABASE_URL")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "usher keys rotate: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The running server picks the new key up within its refresh interval.
    let mut new = String::new();
    for _ in 0..300 {
        new = u.mint(&sid).await;
        if decode_part(&new, 0)["kid"] != old_kid {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_ne!(
        decode_part(&new, 0)["kid"],
        old_kid,
        "the server never signed with the rotated key"
    );

    // Every request with the new key succeeds, concurrently, with one refetch between them.
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (v, t) = (v.clone(), new.clone());
        tasks.push(tokio::spawn(
            async move { v.verify_session_token(&t).await },
        ));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(v.jwks_stats().unwrap().fetches, 2);
    assert_eq!(
        v.jwks_stats().unwrap().keys,
        2,
        "the old key stays published"
    );
    v.verify_session_token(&old).await.unwrap();
}

/// On an instance that forces organization selection, a session without an organization mints
/// `sts: pending` tokens: signed out by default, as `@clerk/backend`'s `treatPendingAsSignedOut`,
/// signed in for an app that opts in; once it has an organization, signed in with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_usher_tokens_are_signed_out_unless_the_app_opts_in() {
    let u = spawn_usher_with(Arc::new(usher_core::clock::SystemClock), |cfg| {
        cfg.policy.organizations_enabled = Some(true);
        cfg.policy.force_organization_selection = Some(true);
    })
    .await;
    let sid = u.session().await;
    let token = u.mint(&sid).await;
    let bearer = format!("Bearer {token}");
    let uri: http::Uri = "/".parse().unwrap();
    let mut h = http::HeaderMap::new();
    h.insert("authorization", bearer.parse().unwrap());

    let strict = usher_verify::Authenticator::builder(pem_verifier(&u)).build();
    let st = strict.authenticate(&http::Method::GET, &uri, &h).await;
    assert!(!st.auth().is_authenticated());
    assert_eq!(st.auth().session_status(), Some("pending"));
    assert!(st.auth().protect().is_err());

    let lenient = usher_verify::Authenticator::builder(pem_verifier(&u))
        .treat_pending_as_signed_out(false)
        .build();
    let st = lenient.authenticate(&http::Method::GET, &uri, &h).await;
    assert!(st.auth().is_authenticated());
    assert_eq!(st.auth().session_status(), Some("pending"));
    assert_eq!(st.auth().org_id(), None);

    // A session started in an organization is active and carries it.
    let user = pem_verifier(&u)
        .verify_session_token(&token)
        .await
        .unwrap()
        .user_id;
    let owner = u
        .post(
            "/v1/users",
            json!({"email_address": ["owner@verify.test"], "skip_password_requirement": true}),
        )
        .await;
    let org = u
        .post(
            "/v1/organizations",
            json!({"name": "Acme", "created_by": owner["id"]}),
        )
        .await;
    let org_id = org["id"].as_str().unwrap();
    u.post(
        &format!("/v1/organizations/{org_id}/memberships"),
        json!({"user_id": user, "role": "org:member"}),
    )
    .await;
    let active = u
        .post(
            "/v1/sessions",
            json!({"user_id": user, "active_organization_id": org_id}),
        )
        .await;
    let token = u.mint(active["id"].as_str().unwrap()).await;
    h.insert("authorization", format!("Bearer {token}").parse().unwrap());
    let st = strict.authenticate(&http::Method::GET, &uri, &h).await;
    assert!(st.auth().is_authenticated());
    assert_eq!(st.auth().session_status(), Some("active"));
    assert_eq!(st.auth().org_id(), Some(org_id));
}

/// Impersonation: an actor token's ticket, redeemed through the Frontend API, starts a session
/// whose tokens carry `act`; `Auth` shows the actor as Usher issued it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_impersonation_sessions_token_shows_its_actor() {
    let u = spawn_usher().await;
    let user = u
        .post(
            "/v1/users",
            json!({"email_address": ["imp@verify.test"], "password": "correct-horse-9"}),
        )
        .await;
    let actor = json!({"sub": "user_2admin000000000000000000000", "reason": "support"});
    let t = u
        .post(
            "/v1/actor_tokens",
            json!({"user_id": user["id"], "actor": actor}),
        )
        .await;
    let dev: serde_json::Value = u
        .http
        .post(format!("{}/v1/dev_browser", u.frontend_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let signed_in: serde_json::Value = u
        .http
        .post(format!(
            "{}/v1/client/sign_ins?__clerk_db_jwt={}",
            u.frontend_url,
            dev["token"].as_str().unwrap()
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "strategy=ticket&ticket={}",
            t["token"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = signed_in["response"]["created_session_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{signed_in}"))
        .to_owned();
    let token = u.mint(&sid).await;
    let s = pem_verifier(&u).verify_session_token(&token).await.unwrap();
    assert_eq!(s.user_id, user["id"].as_str().unwrap());
    assert_eq!(s.actor, Some(actor));

    let plain = u.session().await;
    let s = pem_verifier(&u)
        .verify_session_token(&u.mint(&plain).await)
        .await
        .unwrap();
    assert_eq!(s.actor, None, "an ordinary session has no actor");
}
