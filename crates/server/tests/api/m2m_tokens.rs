//! M2M tokens over the API root (as `@clerk/backend` calls them) and `/v1` (as the Python SDK
//! does): minted only with a machine's secret key, opaque (`mt_`, verified by the server) or JWT
//! (signed with the instance's key, `cat` M2M, verified against JWKS); scopes from the machine;
//! listed per machine with `revoked`/`expired`; revoked; refused input.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};
use usher_core::clock::ManualClock;

use crate::common::*;
use crate::machines::{create_machine, mint, s};

async fn with_key(app: &App, method: Method, path: &str, key: &str, body: Option<Value>) -> Reply {
    app.send_raw(
        method,
        path,
        body.map(|b| b.to_string().into_bytes()),
        Some(key),
    )
    .await
}

async fn verify(app: &App, key: &str, token: &str) -> Reply {
    with_key(
        app,
        Method::POST,
        "/m2m_tokens/verify",
        key,
        Some(json!({"token": token})),
    )
    .await
}

/// A caller machine scoped to a callee: (caller id, caller key, callee id, callee key).
async fn pair(app: &App) -> (String, String, String, String) {
    let callee = create_machine(app, json!({"name": "callee"})).await;
    let caller = create_machine(
        app,
        json!({"name": "caller", "scoped_machines": [callee["id"]]}),
    )
    .await;
    (
        s(&caller["id"]),
        s(&caller["secret_key"]),
        s(&callee["id"]),
        s(&callee["secret_key"]),
    )
}

#[tokio::test]
async fn an_opaque_token_is_minted_verified_listed_and_revoked() {
    let app = spawn_app().await;
    let (caller, caller_key, callee, callee_key) = pair(&app).await;
    let t = created(
        &mint(
            &app,
            &caller_key,
            json!({"seconds_until_expiration": 60, "claims": {"job": "sync"}, "token_format": "opaque"}),
        )
        .await,
    );
    assert_eq!(t["object"], "machine_to_machine_token");
    let id = s(&t["id"]);
    assert!(id.starts_with("mt_") && id.len() == 35, "{id}");
    let token = s(&t["token"]);
    assert!(token.starts_with("mt_") && token.len() == 43, "{token}");
    assert_eq!(t["subject"], caller.as_str());
    assert_eq!(t["scopes"], json!([callee]));
    assert_eq!(t["claims"], json!({"job": "sync"}));
    assert_eq!(
        (&t["revoked"], &t["expired"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(t["last_used_at"], Value::Null);
    let created_at = t["created_at"].as_i64().unwrap();
    assert_eq!(t["expiration"].as_i64().unwrap(), created_at + 60_000);

    // Verified by the instance, or by the machine it is scoped to, never by another.
    for key in [SECRET, callee_key.as_str()] {
        let v = verify(&app, key, &token).await.ok().clone();
        assert_eq!(v["id"], id.as_str());
        assert!(v.get("token").is_none());
        assert_eq!(v["subject"], caller.as_str());
    }
    verify(&app, &caller_key, &token)
        .await
        .err(404, "resource_not_found");
    verify(&app, SECRET, "mt_nottherightone")
        .await
        .err(404, "resource_not_found");
    // The Python SDK's body and path.
    let py = with_key(
        &app,
        Method::POST,
        "/v1/m2m_tokens/verify",
        SECRET,
        Some(json!({"secret": token})),
    )
    .await;
    assert_eq!(py.ok()["id"], id.as_str());

    // Listed by the instance or the machine itself, in Clerk's `m2m_tokens` envelope.
    let list = format!("/m2m_tokens?subject={caller}");
    for key in [SECRET, caller_key.as_str()] {
        let l = with_key(&app, Method::GET, &list, key, None)
            .await
            .ok()
            .clone();
        assert_eq!(l["total_count"], 1);
        assert_eq!(l["m2m_tokens"][0]["id"], id.as_str());
        assert!(l["m2m_tokens"][0].get("token").is_none());
    }
    with_key(&app, Method::GET, &list, &callee_key, None)
        .await
        .err(403, "not_allowed_access");

    // Revoked: verify fails, the list hides it unless asked.
    let revoke = format!("/m2m_tokens/{id}/revoke");
    with_key(
        &app,
        Method::POST,
        &revoke,
        &callee_key,
        Some(json!({"revocation_reason": null})),
    )
    .await
    .err(404, "resource_not_found");
    let r = with_key(
        &app,
        Method::POST,
        &revoke,
        &caller_key,
        Some(json!({"revocation_reason": "rotated"})),
    )
    .await
    .ok()
    .clone();
    assert_eq!(
        (&r["revoked"], &r["revocation_reason"]),
        (&json!(true), &json!("rotated"))
    );
    verify(&app, SECRET, &token)
        .await
        .err(404, "resource_not_found");
    let l = app.get(&list).await.ok().clone();
    assert_eq!(l["total_count"], 0);
    let l = app.get(&format!("{list}&revoked=true")).await.ok().clone();
    assert_eq!(l["m2m_tokens"][0]["revoked"], true);

    assert_audited(&app, &id, &["m2m_token.create", "m2m_token.revoke"]).await;
    // Only the digest is stored: the token's text is nowhere in the database's rows.
    let st = &app.running.state;
    let stored = st
        .store
        .get_m2m_token(
            &st.instance.id,
            &usher_core::ids::M2mTokenId::from_stored(id),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(
        !serde_json::to_string(&stored)
            .unwrap()
            .contains(&token[3..])
    );
}

#[tokio::test]
async fn only_a_machine_key_mints_and_expired_tokens_fail_verify() {
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let app = spawn_with_clock(clock.clone()).await;
    let (caller, caller_key, _, _) = pair(&app).await;
    mint(&app, SECRET, json!({}))
        .await
        .err(403, "authorization_invalid");
    mint(
        &app,
        "ak_unknownunknownunknownunknownunknown0000",
        json!({}),
    )
    .await
    .err(401, "machine_secret_key_invalid");
    app.send_raw(Method::POST, "/m2m_tokens", Some(b"{}".to_vec()), None)
        .await
        .err(401, "authentication_invalid");
    // No lifetime asked: the machine's default (an hour).
    let t = created(
        &mint(
            &app,
            &caller_key,
            json!({"seconds_until_expiration": null, "claims": null, "token_format": "opaque"}),
        )
        .await,
    );
    let token = s(&t["token"]);
    assert_eq!(
        t["expiration"].as_i64().unwrap() - t["created_at"].as_i64().unwrap(),
        3_600_000
    );
    assert_eq!(t["claims"], Value::Null);
    clock.advance(3_599_999);
    verify(&app, SECRET, &token).await.ok();
    clock.advance(1);
    verify(&app, SECRET, &token)
        .await
        .err(404, "resource_not_found");
    let l = app
        .get(&format!("/m2m_tokens?subject={caller}"))
        .await
        .ok()
        .clone();
    assert_eq!(l["total_count"], 0);
    let l = app
        .get(&format!("/m2m_tokens?subject={caller}&expired=true"))
        .await
        .ok()
        .clone();
    assert_eq!(l["m2m_tokens"][0]["expired"], true);
}

#[tokio::test]
async fn a_jwt_token_is_signed_with_the_instance_key() {
    let app = spawn_app().await;
    let (caller, caller_key, callee, _) = pair(&app).await;
    let t = created(
        &mint(
            &app,
            &caller_key,
            json!({"token_format": "jwt", "seconds_until_expiration": 120, "claims": {"tier": "gold"}}),
        )
        .await,
    );
    let jwt = s(&t["token"]);
    let (header, claims) = decode_jwt(&jwt);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["cat"], "cl_B7d4PD333AAA");
    let jwks = app.get("/v1/jwks").await.ok().clone();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .unwrap()
        .clone();
    assert!(verify_with_jwk(&jwt, &key));
    assert_eq!(claims["sub"], caller.as_str());
    assert_eq!(claims["jti"], t["id"]);
    assert_eq!(claims["scopes"], callee.as_str());
    assert_eq!(claims["tier"], "gold");
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(
        (claims["nbf"].as_i64(), claims["exp"].as_i64()),
        (Some(iat), Some(iat + 120))
    );
    assert_eq!(t["expiration"].as_i64().unwrap() / 1000, iat + 120);
    // Reserved claims are Usher's to set.
    let r = mint(
        &app,
        &caller_key,
        json!({"token_format": "jwt", "claims": {"sub": "x"}}),
    )
    .await;
    r.err(400, "form_param_value_invalid");
    assert_eq!(r.param(), "claims");
}

#[tokio::test]
async fn refused_input_answers_400_naming_the_field() {
    let app = spawn_app().await;
    let (caller, caller_key, _, _) = pair(&app).await;
    for (body, code, param) in [
        (
            json!({"token_format": "paseto"}),
            "form_param_value_invalid",
            "token_format",
        ),
        (
            json!({"seconds_until_expiration": 0}),
            "form_param_value_invalid",
            "seconds_until_expiration",
        ),
        (
            json!({"seconds_until_expiration": "soon"}),
            "form_param_format_invalid",
            "seconds_until_expiration",
        ),
        (
            json!({"seconds_until_expiration": 1.5}),
            "form_param_format_invalid",
            "seconds_until_expiration",
        ),
        (json!({"claims": [1]}), "form_param_value_invalid", "claims"),
        (
            json!({"min_remaining_ttl_seconds": 3600}),
            "form_param_value_invalid",
            "min_remaining_ttl_seconds",
        ),
        (json!({"scopes": []}), "form_param_unknown", "scopes"),
    ] {
        let r = mint(&app, &caller_key, body.clone()).await;
        // The domain's refusals are 400 (Clerk's spec); a body that does not parse into the
        // request is refused by the shared body reader, as on every route.
        let want = if code == "form_param_value_invalid" {
            400
        } else {
            422
        };
        assert_eq!(r.status.as_u16(), want, "{body}: {}", r.raw);
        assert_eq!((r.code(), r.param()), (code, param), "{body}: {}", r.raw);
    }
    app.get("/m2m_tokens").await.err(400, "form_param_missing");
    app.get("/m2m_tokens?subject=user_1")
        .await
        .err(400, "form_param_value_invalid");
    app.get("/m2m_tokens?subject=mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk")
        .await
        .err(404, "resource_not_found");
    // Paging written as whole floats, as the Python SDK writes it, is read as integers.
    let l = app
        .get(&format!(
            "/m2m_tokens?subject={caller}&limit=10.0&offset=0.0"
        ))
        .await;
    assert_eq!(l.ok()["total_count"], 0);
    app.get(&format!("/m2m_tokens?subject={caller}&limit=1.5"))
        .await
        .err(400, "form_param_format_invalid");
    app.get(&format!("/m2m_tokens?subject={caller}&revoked=maybe"))
        .await
        .err(400, "form_param_format_invalid");
    app.post("/m2m_tokens/verify", json!({}))
        .await
        .err(400, "form_param_missing");
    app.post("/m2m_tokens/not-a-token/revoke", json!({}))
        .await
        .err(404, "resource_not_found");
    app.post(
        "/m2m_tokens/mt_00000000000000000000000000000000/revoke",
        json!({}),
    )
    .await
    .err(404, "resource_not_found");
}
