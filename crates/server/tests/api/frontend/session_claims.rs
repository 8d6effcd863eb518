//! The session token's custom claims in the tokens clerk-js gets: the client's token refresh,
//! rendered over the user and the organization the token names.

use super::*;

async fn bapi(env: &Env, method: reqwest::Method, path: &str, body: Value) -> Value {
    env.bapi(method, path, Some(body)).await.ok().clone()
}

#[tokio::test]
async fn the_frontend_api_token_carries_the_custom_claims() {
    let env = spawn(Kind::Production).await;
    let mut a = env.browser();
    let (uid, sid) = a.sign_up(&env, "alice@example.com", None).await;
    env.bapi(
        reqwest::Method::PATCH,
        "/v1/instance/session_token",
        Some(json!({"claims": {"email": "{{user.primary_email_address}}",
                               "org_name": "{{org.name}}"}})),
    )
    .await
    .err(422, "form_param_value_invalid");
    // `org_name` is Clerk's v1 prefix: refused. Without it, the template saves.
    bapi(
        &env,
        reqwest::Method::PATCH,
        "/v1/instance/session_token",
        json!({"claims": {"email": "{{user.primary_email_address}}",
                          "ctx": {"slug": "{{org.slug}}", "role": "{{org.role || 'none'}}"}}}),
    )
    .await;

    let claims = decode_jwt(&a.token(&sid).await).1;
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["ctx"], json!({"slug": null, "role": "none"}));
    assert_eq!(claims["azp"], APP);
    assert_eq!(claims["sid"], sid.as_str());

    let acme = bapi(
        &env,
        reqwest::Method::POST,
        "/v1/organizations",
        json!({"name": "Acme", "slug": "acme", "created_by": uid}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = a
        .post(
            &format!("/v1/client/sessions/{sid}/tokens"),
            &[("organization_id", acme.as_str())],
        )
        .await;
    let claims = decode_jwt(r.ok()["jwt"].as_str().unwrap()).1;
    assert_eq!(claims["ctx"], json!({"slug": "acme", "role": "org:admin"}));
    assert_eq!(
        claims["o"]["slg"], "acme",
        "the default claims are all there"
    );
}
