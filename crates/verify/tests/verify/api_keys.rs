//! API keys against a running Usher (started in-process): `verify_machine_token` asks its
//! `POST /api_keys/verify`, reads the key's subject, name, scopes, claims and expiry, and hears
//! "invalid" for a revoked, an unknown, another instance's or a deleted key; a wrong secret key
//! is `SecretKeyInvalid`. (The stub-based tests in `requests.rs` keep the offline cases.)

use crate::common::*;
use serde_json::json;
use usher_verify::{Reason, TokenType, Verifier};

fn verifier(u: &Usher, secret_key: &str) -> Verifier {
    uncached_verifier(u, secret_key).build().unwrap()
}

async fn user_id(u: &Usher) -> String {
    let n = std::process::id();
    let email = format!("keys-{n}-{}@verify.test", ids());
    let user = u
        .post(
            "/v1/users",
            json!({"email_address": [email], "password": "correct-horse-9"}),
        )
        .await;
    user["id"].as_str().unwrap().to_owned()
}

fn ids() -> u64 {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usher_api_keys_verify_until_revoked() {
    let u = spawn_usher().await;
    let v = verifier(&u, SECRET);
    let user = user_id(&u).await;
    let key = u
        .post(
            "/api_keys",
            json!({"name": "worker", "subject": user, "scopes": ["jobs:run"], "claims": {"queue": "high"}, "seconds_until_expiration": 600}),
        )
        .await;
    let secret = key["secret"].as_str().unwrap();

    let m = v.verify_machine_token(secret).await.unwrap();
    assert_eq!(m.token_type, TokenType::ApiKey);
    assert_eq!(m.id, key["id"].as_str().unwrap());
    assert_eq!(m.subject, user);
    assert_eq!(
        (m.user_id.as_deref(), m.org_id.as_deref()),
        (Some(user.as_str()), None)
    );
    assert_eq!(m.name.as_deref(), Some("worker"));
    assert!(m.has_scope("jobs:run") && !m.has_scope("admin"));
    assert_eq!(m.claims, Some(json!({"queue": "high"})));
    assert_eq!(m.expiration_ms, key["expiration"].as_i64());

    u.post(
        &format!("/api_keys/{}/revoke", key["id"].as_str().unwrap()),
        json!({"revocation_reason": "rotated"}),
    )
    .await;
    let e = v.verify_machine_token(secret).await.unwrap_err();
    assert_eq!(e.reason, Reason::MachineTokenInvalid);
    let e = v
        .verify_machine_token(&format!("ak_{}", "z".repeat(40)))
        .await
        .unwrap_err();
    assert_eq!(e.reason, Reason::MachineTokenInvalid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organization_keys_carry_org_id_and_other_instances_refuse() {
    let u = spawn_usher().await;
    let owner = user_id(&u).await;
    let org = u
        .post(
            "/v1/organizations",
            json!({"name": "Verify Co", "created_by": owner}),
        )
        .await;
    let key = u
        .post(
            "/api_keys",
            json!({"name": "org job", "subject": org["id"]}),
        )
        .await;
    let secret = key["secret"].as_str().unwrap();
    let m = verifier(&u, SECRET)
        .verify_machine_token(secret)
        .await
        .unwrap();
    assert_eq!(m.org_id.as_deref(), org["id"].as_str());
    assert_eq!(m.user_id, None);

    // The same key presented to another instance is unknown there.
    let other = spawn_usher().await;
    let e = verifier(&other, SECRET)
        .verify_machine_token(secret)
        .await
        .unwrap_err();
    assert_eq!(e.reason, Reason::MachineTokenInvalid);
    // A wrong secret key is the app's mistake, told apart from a bad token.
    let e = verifier(&u, "sk_test_wrongwrongwrongwrongwrongwrongwrongwrong")
        .verify_machine_token(secret)
        .await
        .unwrap_err();
    assert_eq!(e.reason, Reason::SecretKeyInvalid);
}
