//! JWT templates over the Backend API: CRUD, every refusal, Clerk's rendering rules in a real
//! token, and the three ways a token is signed (the instance's key, a shared HMAC secret, an
//! uploaded RSA key).

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_2048_8192_SHA512, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::common::*;

const SECRET_HS: &str = "super-secret-jwt-token-with-at-least-32-characters-long";

async fn create(app: &App, body: Value) -> Value {
    app.post("/v1/jwt_templates", body).await.ok().clone()
}

async fn template_token(app: &App, sid: &str, name: &str) -> String {
    app.post_empty(&format!("/v1/sessions/{sid}/tokens/{name}"))
        .await
        .ok()["jwt"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn templates_are_created_read_listed_updated_and_deleted() {
    let app = spawn_app().await;
    let t = create(
        &app,
        json!({"name": "hasura", "claims": {"aud": "hasura", "uid": "{{user.id}}"}}),
    )
    .await;
    let id = t["id"].as_str().unwrap();
    assert!(id.starts_with("jtmp_"), "{id}");
    assert_eq!(t["object"], "jwt_template");
    assert_eq!(t["claims"], json!({"aud": "hasura", "uid": "{{user.id}}"}));
    assert_eq!(
        (t["lifetime"].as_i64(), t["allowed_clock_skew"].as_i64()),
        (Some(60), Some(5))
    );
    assert_eq!(t["custom_signing_key"], false);
    assert_eq!(t["signing_algorithm"], "RS256");
    assert!(t.get("signing_key").is_none());
    assert_eq!(app.get(&format!("/v1/jwt_templates/{id}")).await.ok(), &t);

    create(
        &app,
        json!({"name": "supabase", "claims": {"role": "authenticated"}, "lifetime": 3600,
               "allowed_clock_skew": 0, "custom_signing_key": true,
               "signing_algorithm": "HS256", "signing_key": SECRET_HS}),
    )
    .await;
    let bare = app.get("/v1/jwt_templates").await;
    let names = each_str(bare.ok(), "name");
    assert_eq!(names, ["supabase", "hasura"], "newest first");
    assert!(
        !bare.raw.contains(SECRET_HS),
        "the signing key is never shown"
    );
    let paged = app
        .get("/v1/jwt_templates?paginated=true&limit=1&offset=1")
        .await;
    assert_eq!(paged.ok()["total_count"], 2);
    assert_eq!(paged.body["data"][0]["name"], "hasura");

    app.post("/v1/jwt_templates", json!({"name": "hasura", "claims": {}}))
        .await
        .err(422, "form_identifier_exists");

    // An update sends the whole template; lifetime and skew stay when not sent.
    let changed = app
        .patch(
            &format!("/v1/jwt_templates/{id}"),
            json!({"name": "hasura-2", "claims": {"x": 1}, "lifetime": 120}),
        )
        .await;
    assert_eq!(changed.ok()["name"], "hasura-2");
    assert_eq!(changed.body["claims"], json!({"x": 1}));
    assert_eq!(changed.body["lifetime"], 120);
    assert_eq!(changed.body["allowed_clock_skew"], 5);
    assert_eq!(changed.body["created_at"], t["created_at"]);
    app.patch(
        &format!("/v1/jwt_templates/{id}"),
        json!({"name": "supabase", "claims": {}}),
    )
    .await
    .err(422, "form_identifier_exists");

    let path = format!("/v1/jwt_templates/{id}");
    app.delete_gone(&path, "jwt_template", id).await;
    app.delete(&path).await.err(404, "resource_not_found");
    app.patch(
        &format!("/v1/jwt_templates/{id}"),
        json!({"name": "back", "claims": {}}),
    )
    .await
    .err(404, "resource_not_found");
    app.get("/v1/jwt_templates/not_an_id")
        .await
        .err(404, "resource_not_found");
    assert_eq!(app.get("/v1/jwt_templates").await.list_len(), 1);
}

#[tokio::test]
async fn bad_templates_are_refused_with_clerks_codes() {
    let app = spawn_app().await;
    let hs = |extra: Value| {
        let mut body = json!({"name": "t", "claims": {}, "custom_signing_key": true});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        (
            json!({"name": "t", "claims": [1, 2]}),
            "form_param_format_invalid",
            "claims",
        ),
        (
            json!({"name": "t", "claims": "{\"a\":1}"}),
            "form_param_format_invalid",
            "claims",
        ),
        (json!({"name": "t"}), "form_param_missing", "claims"),
        (json!({"claims": {}}), "form_param_missing", "name"),
        (
            json!({"name": "t", "claims": {"a": "{{usr.id}}"}}),
            "form_param_format_invalid",
            "claims",
        ),
        (
            json!({"name": "t", "claims": {"a": {"b": ["{{user.id"]}}}),
            "form_param_format_invalid",
            "claims",
        ),
        (
            json!({"name": "t", "claims": {"a": "{{user.id || }}"}}),
            "form_param_format_invalid",
            "claims",
        ),
        (
            json!({"name": "t", "claims": {"sub": "me"}}),
            "form_param_value_invalid",
            "claims",
        ),
        (
            json!({"name": "t", "claims": {"sid": "{{user.id}}"}}),
            "form_param_value_invalid",
            "claims",
        ),
        (
            json!({"name": "t", "claims": {}, "lifetime": 29}),
            "form_param_value_invalid",
            "lifetime",
        ),
        (
            json!({"name": "t", "claims": {}, "lifetime": 315_360_001}),
            "form_param_value_invalid",
            "lifetime",
        ),
        (
            json!({"name": "t", "claims": {}, "lifetime": "60"}),
            "form_param_format_invalid",
            "lifetime",
        ),
        (
            json!({"name": "t", "claims": {}, "allowed_clock_skew": 301}),
            "form_param_value_invalid",
            "allowed_clock_skew",
        ),
        (
            json!({"name": "t", "claims": {}, "allowed_clock_skew": -1}),
            "form_param_value_invalid",
            "allowed_clock_skew",
        ),
        (
            hs(json!({"signing_algorithm": "ES256", "signing_key": "k"})),
            "form_param_value_invalid",
            "signing_algorithm",
        ),
        (
            hs(json!({"signing_algorithm": "none", "signing_key": "k"})),
            "form_param_value_invalid",
            "signing_algorithm",
        ),
        (
            hs(json!({"signing_key": "k"})),
            "form_param_missing",
            "signing_algorithm",
        ),
        (
            hs(json!({"signing_algorithm": "HS256"})),
            "form_param_missing",
            "signing_key",
        ),
        (
            hs(json!({"signing_algorithm": "HS256", "signing_key": ""})),
            "form_param_missing",
            "signing_key",
        ),
        (
            hs(json!({"signing_algorithm": "RS256", "signing_key": "not a pem"})),
            "form_param_format_invalid",
            "signing_key",
        ),
        (
            hs(json!({"signing_algorithm": "RS256",
                      "signing_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"})),
            "form_param_format_invalid",
            "signing_key",
        ),
        (
            json!({"name": "t", "claims": {}, "surprise": 1}),
            "form_param_unknown",
            "surprise",
        ),
    ];
    for (body, code, param) in cases {
        let r = app.post("/v1/jwt_templates", body.clone()).await;
        r.err(422, code);
        assert_eq!(r.param(), param, "{body} → {}", r.raw);
    }
    assert_eq!(
        app.get("/v1/jwt_templates").await.ok(),
        &json!([]),
        "nothing was saved"
    );
}

#[tokio::test]
async fn tokens_render_clerks_shortcodes_over_the_user() {
    let app = spawn_app().await;
    let uid = app
        .create_user_from(json!({
            "email_address": ["maria@example.com"], "password": "correct-horse-9",
            "first_name": "Maria", "public_metadata": {"profile": {"interests": ["reading"]}, "age": 41},
            "unsafe_metadata": {"foo": {"bar": 42}},
        }))
        .await;
    let sid = app.create_session(&uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    create(
        &app,
        json!({"name": "full", "lifetime": 3600, "allowed_clock_skew": 20, "claims": {
            "aud": "https://my-site.com",
            "version": 1,
            "foo": {"bar": [1, 2, 3]},
            "user_id": "{{user.id}}",
            "full_name": "{{user.last_name}} {{user.first_name}} ",
            "name": "{{user.full_name || 'Awesome User'}}",
            "email": "{{user.primary_email_address}}",
            "verified": "{{user.email_verified}}",
            "phone": "{{user.primary_phone_address}}",
            "registration_date": "{{user.created_at}}",
            "likes_to_do": "{{user.public_metadata.profile.interests}}",
            "age": "{{user.public_metadata.age || 30}}",
            "role": "{{user.public_metadata.role || 'user'}}",
            "unsafe_meta": "{{user.unsafe_metadata}}",
            "invalid_shortcode": "{{user.i_dont_exist}}",
            "org": "{{org.id}}",
            "nested": {"hasura": {"x-hasura-user-id": "{{user.id}}", "roles": ["{{org.role || 'user'}}"]}},
        }}),
    )
    .await;
    let user = app.get(&format!("/v1/users/{uid}")).await.ok().clone();
    let jwt = template_token(&app, &sid, "full").await;
    let (header, claims) = decode_jwt(&jwt);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(
        header["cat"], "cl_B7d4PD222AAA",
        "a template's category, not a session token's"
    );
    let jwks = app.get("/v1/jwks").await.ok().clone();
    assert_eq!(header["kid"], jwks["keys"][0]["kid"]);
    assert!(verify_with_jwk(&jwt, &jwks["keys"][0]));
    let iat = claims["iat"].as_i64().unwrap();
    let host = app.running.state.instance.frontend_host.clone();
    let mut expected = json!({
        "aud": "https://my-site.com",
        "version": 1,
        "foo": {"bar": [1, 2, 3]},
        "user_id": uid,
        "full_name": "null Maria",
        "name": "Maria",
        "email": "maria@example.com",
        "verified": true,
        "phone": null,
        "registration_date": user["created_at"].as_i64().unwrap() / 1000,
        "likes_to_do": ["reading"],
        "age": 41,
        "role": "user",
        "unsafe_meta": {"foo": {"bar": 42}},
        "invalid_shortcode": null,
        "org": null,
        "nested": {"hasura": {"x-hasura-user-id": uid, "roles": ["user"]}},
        "exp": iat + 3600,
        "iat": iat,
        "iss": format!("https://{host}"),
        "nbf": iat - 20,
        "sub": uid,
    });
    expected["jti"] = claims["jti"].clone();
    assert_eq!(claims, expected);
    assert_eq!(claims["jti"].as_str().unwrap().len(), 20);

    // expires_in_seconds overrides the template's lifetime, within Clerk's bounds.
    let short = app
        .post(
            &format!("/v1/sessions/{sid}/tokens/full"),
            json!({"expires_in_seconds": 30}),
        )
        .await;
    let (_, c) = decode_jwt(short.ok()["jwt"].as_str().unwrap());
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 30);
    app.post(
        &format!("/v1/sessions/{sid}/tokens/full"),
        json!({"expires_in_seconds": 10}),
    )
    .await
    .err(422, "form_param_value_invalid");

    // A template's change shows in the next token; a template's name is exact.
    let id = app.get("/v1/jwt_templates").await.ok()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.patch(
        &format!("/v1/jwt_templates/{id}"),
        json!({"name": "full", "claims": {"n": "{{user.first_name}}"}}),
    )
    .await
    .ok();
    let (_, c) = decode_jwt(&template_token(&app, &sid, "full").await);
    assert_eq!(c["n"], "Maria");
    assert!(c.get("aud").is_none());
    app.post_empty(&format!("/v1/sessions/{sid}/tokens/FULL"))
        .await
        .err(404, "resource_not_found");
    app.post_empty("/v1/sessions/sess_missing/tokens/full")
        .await
        .err(404, "resource_not_found");
    app.revoke_session(&sid).await.ok();
    app.post_empty(&format!("/v1/sessions/{sid}/tokens/full"))
        .await
        .err(422, "session_not_active");
}

#[tokio::test]
async fn org_shortcodes_read_the_active_organization() {
    let app = spawn_app().await;
    let uid = app.create_user_id("o@example.com").await;
    let org = app
        .create_id(
            "/v1/organizations",
            json!({"name": "Acme", "slug": "acme", "created_by": uid,
                                          "public_metadata": {"tier": "gold"}}),
        )
        .await;
    let sid = app
        .create_id(
            "/v1/sessions",
            json!({"user_id": uid, "active_organization_id": org}),
        )
        .await;
    create(
        &app,
        json!({"name": "org", "claims": {"org": {"id": "{{org.id}}", "name": "{{org.name}}",
               "slug": "{{org.slug}}", "role": "{{org.role}}", "tier": "{{org.public_metadata.tier}}",
               "label": "{{org.name}} ({{org.role}})", "mm": "{{org_membership.public_metadata}}"}}}),
    )
    .await;
    let (_, c) = decode_jwt(&template_token(&app, &sid, "org").await);
    assert_eq!(
        c["org"],
        json!({"id": org, "name": "Acme", "slug": "acme", "role": "org:admin", "tier": "gold",
               "label": "Acme (org:admin)", "mm": {}})
    );
}

fn hmac_ok(jwt: &str, secret: &str) -> bool {
    use aws_lc_rs::hmac;
    let (signed, sig) = jwt.rsplit_once('.').unwrap();
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::verify(
        &key,
        signed.as_bytes(),
        &URL_SAFE_NO_PAD.decode(sig).unwrap(),
    )
    .is_ok()
}

#[tokio::test]
async fn a_custom_key_signs_hs256_and_uploaded_rsa_and_is_never_shown() {
    let app = spawn_app().await;
    let uid = app.create_user_id("k@example.com").await;
    let sid = app.create_session(&uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let supabase = create(
        &app,
        json!({"name": "supabase", "claims": {"role": "authenticated", "aud": "authenticated",
               "email": "{{user.primary_email_address}}"}, "lifetime": 3600,
               "custom_signing_key": true, "signing_algorithm": "HS256", "signing_key": SECRET_HS}),
    )
    .await;
    assert_eq!(supabase["custom_signing_key"], true);
    assert_eq!(supabase["signing_algorithm"], "HS256");
    let jwt = template_token(&app, &sid, "supabase").await;
    let (header, claims) = decode_jwt(&jwt);
    assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));
    assert!(hmac_ok(&jwt, SECRET_HS));
    assert!(!hmac_ok(&jwt, "another-secret"));
    assert_eq!(
        (claims["role"].as_str(), claims["aud"].as_str()),
        (Some("authenticated"), Some("authenticated"))
    );
    assert_eq!(claims["sub"], uid);

    // An update that says nothing of the key keeps it.
    let id = supabase["id"].as_str().unwrap();
    let kept = app
        .patch(
            &format!("/v1/jwt_templates/{id}"),
            json!({"name": "supabase", "claims": {"role": "authenticated"}}),
        )
        .await;
    assert_eq!(kept.ok()["signing_algorithm"], "HS256");
    assert!(hmac_ok(
        &template_token(&app, &sid, "supabase").await,
        SECRET_HS
    ));
    // A new secret signs the next token at once; the old one no longer verifies it.
    let rotated = "a-rotated-shared-secret-of-at-least-32-chars";
    app.patch(
        &format!("/v1/jwt_templates/{id}"),
        json!({"name": "supabase", "claims": {"role": "authenticated"}, "custom_signing_key": true,
               "signing_algorithm": "HS256", "signing_key": rotated}),
    )
    .await
    .ok();
    let jwt = template_token(&app, &sid, "supabase").await;
    assert!(hmac_ok(&jwt, rotated));
    assert!(!hmac_ok(&jwt, SECRET_HS));

    // An uploaded RSA key (PKCS#8 PEM), RS512.
    let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let der = AsDer::<Pkcs8V1Der>::as_der(&pair).unwrap();
    let body = STANDARD.encode(der.as_ref());
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    );
    let rs = app
        .post(
            "/v1/jwt_templates",
            json!({"name": "rsa", "claims": {"aud": "x"}, "custom_signing_key": true,
                                            "signing_algorithm": "RS512", "signing_key": pem}),
        )
        .await;
    assert_eq!(rs.ok()["signing_algorithm"], "RS512");
    assert!(!rs.raw.contains("PRIVATE KEY"));
    let jwt = template_token(&app, &sid, "rsa").await;
    assert_eq!(decode_jwt(&jwt).0, json!({"alg": "RS512", "typ": "JWT"}));
    let (signed, sig) = jwt.rsplit_once('.').unwrap();
    let public = pair.public_key().as_ref().to_vec();
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA512, public)
        .verify(signed.as_bytes(), &URL_SAFE_NO_PAD.decode(sig).unwrap())
        .unwrap();

    // Back to the instance's key.
    let rsa_id = rs.body["id"].as_str().unwrap();
    let back = app
        .patch(
            &format!("/v1/jwt_templates/{rsa_id}"),
            json!({"name": "rsa", "claims": {}, "custom_signing_key": false}),
        )
        .await;
    assert_eq!(
        (
            back.ok()["custom_signing_key"].as_bool(),
            back.body["signing_algorithm"].as_str()
        ),
        (Some(false), Some("RS256"))
    );
    let jwt = template_token(&app, &sid, "rsa").await;
    assert!(verify_with_jwk(
        &jwt,
        &app.get("/v1/jwks").await.ok()["keys"][0]
    ));

    // At rest the HMAC secret is sealed: the stored bytes do not hold it.
    let state = &app.running.state;
    let id = usher_core::ids::JwtTemplateId::parse(id).unwrap();
    let stored = state
        .store
        .jwt_template(&state.instance.id, &id)
        .await
        .unwrap()
        .unwrap();
    let signing = stored.signing.unwrap();
    assert_eq!(signing.algorithm.as_str(), "HS256");
    let sealed = &signing.sealed_key.0;
    assert!(
        !sealed
            .windows(rotated.len())
            .any(|w| w == rotated.as_bytes())
    );
}
