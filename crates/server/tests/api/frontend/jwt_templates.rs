//! `getToken({ template })`: clerk-js asks `POST /v1/client/sessions/{id}/tokens/{template}` and
//! reads `{object: "token", jwt}`, unwrapped like a session token.

use super::*;

#[tokio::test]
async fn a_browser_gets_a_template_token_for_its_own_session_only() {
    let env = spawn(Kind::Production).await;
    let mut a = env.browser();
    let mut b = env.browser();
    let (uid, sid) = a.sign_up(&env, "alice@example.com", None).await;
    let (_, sid_b) = b.sign_up(&env, "bob@example.com", None).await;
    env.bapi(
        reqwest::Method::POST,
        "/v1/jwt_templates",
        Some(json!({"name": "supabase", "lifetime": 3600,
                    "claims": {"role": "authenticated", "aud": "authenticated",
                               "email": "{{user.primary_email_address}}"},
                    "custom_signing_key": true, "signing_algorithm": "HS256",
                    "signing_key": "a-shared-secret-of-at-least-32-chars!!"})),
    )
    .await
    .ok();

    let r = a
        .post(&format!("/v1/client/sessions/{sid}/tokens/supabase"), &[])
        .await;
    assert_eq!(keys(r.ok()), ["jwt", "object"], "{}", r.raw);
    assert_eq!(r.body["object"], "token");
    assert_eq!(r.header("access-control-allow-origin"), Some(APP));
    let (header, claims) = decode_jwt(r.body["jwt"].as_str().unwrap());
    assert_eq!(header["alg"], "HS256");
    assert_eq!(claims["azp"], APP);
    assert_eq!(claims["sub"], uid.as_str());
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["aud"], "authenticated");
    assert_eq!(int(&claims["iat"]), T0 / 1000);
    assert_eq!(int(&claims["exp"]), T0 / 1000 + 3600);
    assert!(claims.get("sid").is_none(), "{claims}");

    // Another client's session, an unknown template, a signed-out session: refused, as for a
    // session token.
    a.post(&format!("/v1/client/sessions/{sid_b}/tokens/supabase"), &[])
        .await
        .err(404, "resource_not_found");
    a.post(&format!("/v1/client/sessions/{sid}/tokens/nope"), &[])
        .await
        .err(404, "resource_not_found");
    a.sign_out().await;
    a.post(&format!("/v1/client/sessions/{sid}/tokens/supabase"), &[])
        .await
        .err(422, "session_not_active");
}
