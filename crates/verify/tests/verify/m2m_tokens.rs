//! M2M tokens minted by a running Usher (started in-process): an opaque `mt_` token is verified
//! through `POST /m2m_tokens/verify` (with the instance's secret key, or the machine key of a
//! machine it may call) until revoked; a JWT one is verified locally from the PEM key, with its
//! machine, scopes, claims and expiry. (The stub-based tests in `requests.rs` keep the offline
//! cases.)

use crate::common::*;
use serde_json::{Value, json};
use usher_verify::{Reason, TokenType, Verifier};

fn verifier(u: &Usher, machine_key: Option<&str>) -> Verifier {
    let mut b = uncached_verifier(u, SECRET);
    if let Some(k) = machine_key {
        b = b.machine_secret_key(k);
    }
    b.build().unwrap()
}

/// `POST /m2m_tokens` with a machine's secret key.
async fn mint(u: &Usher, machine_key: &str, body: Value) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}/m2m_tokens", u.api_url))
        .bearer_auth(machine_key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    r.json().await.unwrap()
}

/// A caller machine scoped to a callee: (caller, callee), each with its `secret_key`.
async fn machines(u: &Usher) -> (Value, Value) {
    let callee = u.post("/v1/machines", json!({"name": "callee"})).await;
    let caller = u
        .post(
            "/v1/machines",
            json!({"name": "caller", "scoped_machines": [callee["id"]]}),
        )
        .await;
    (caller, callee)
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usher_opaque_m2m_tokens_verify_until_revoked() {
    let u = spawn_usher().await;
    let (caller, callee) = machines(&u).await;
    let t = mint(
        &u,
        s(&caller["secret_key"]),
        json!({"seconds_until_expiration": 300, "claims": {"job": "sync"}}),
    )
    .await;
    let token = s(&t["token"]);

    for v in [
        verifier(&u, None),
        verifier(&u, Some(s(&callee["secret_key"]))),
    ] {
        let m = v.verify_machine_token(token).await.unwrap();
        assert_eq!(m.token_type, TokenType::M2mToken);
        assert_eq!(m.id, s(&t["id"]));
        assert_eq!(m.machine_id.as_deref(), caller["id"].as_str());
        assert_eq!(m.subject, s(&caller["id"]));
        assert!(m.has_scope(s(&callee["id"])));
        assert_eq!(m.claims, Some(json!({"job": "sync"})));
        assert_eq!(m.expiration_ms, t["expiration"].as_i64());
    }
    // The minting machine is not in its own token's scope: not valid for it.
    let e = verifier(&u, Some(s(&caller["secret_key"])))
        .verify_machine_token(token)
        .await
        .unwrap_err();
    assert_eq!(e.reason, Reason::MachineTokenInvalid);

    u.post(
        &format!("/m2m_tokens/{}/revoke", s(&t["id"])),
        json!({"revocation_reason": "done"}),
    )
    .await;
    let e = verifier(&u, None)
        .verify_machine_token(token)
        .await
        .unwrap_err();
    assert_eq!(e.reason, Reason::MachineTokenInvalid);
    let e = verifier(&u, None)
        .verify_machine_token(&format!("mt_{}", "z".repeat(40)))
        .await
        .unwrap_err();
    assert_eq!(e.reason, Reason::MachineTokenInvalid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usher_jwt_m2m_tokens_verify_locally() {
    let mut u = spawn_usher().await;
    let (caller, callee) = machines(&u).await;
    let t = mint(
        &u,
        s(&caller["secret_key"]),
        json!({"token_format": "jwt", "seconds_until_expiration": 120, "claims": {"tier": "gold"}}),
    )
    .await;
    let jwt = s(&t["token"]).to_owned();
    let v = verifier(&u, None);
    // Usher stopped: the JWT is still verified, from the PEM key alone.
    u.stop().await;
    let m = v.verify_machine_token(&jwt).await.unwrap();
    assert_eq!(m.token_type, TokenType::M2mToken);
    assert_eq!(m.id, s(&t["id"]));
    assert_eq!(m.machine_id.as_deref(), caller["id"].as_str());
    assert_eq!(m.scopes, vec![s(&callee["id"]).to_owned()]);
    assert_eq!(m.claims.as_ref().unwrap()["tier"], "gold");
    assert_eq!(
        m.expiration_ms.map(|ms| ms / 1000),
        t["expiration"].as_i64().map(|ms| ms / 1000)
    );
    // Another signature (the first bytes changed) is refused.
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    let flipped = if parts[2].starts_with('A') { "B" } else { "A" };
    parts[2].replace_range(0..1, flipped);
    let e = v.verify_machine_token(&parts.join(".")).await.unwrap_err();
    assert_eq!(e.reason, Reason::TokenInvalidSignature, "{e:?}");
}
