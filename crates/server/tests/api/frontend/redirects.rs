//! Redirect URLs (`/v1/redirect_urls`) and the one rule every redirect parameter goes through:
//! an open-redirect attempt on each parameter is refused with `form_param_format_invalid`; a
//! registered URL (a native app's callback) is then accepted, and refused again once removed.

use reqwest::Method;

use super::oauth::{start_idp, with_provider};
use super::*;

/// Open-redirect attempts: a foreign origin, scheme-relative, script, an allowed origin as a
/// prefix of another host, credentials, backslash and tab tricks.
const ATTACKS: &[&str] = &[
    "https://evil.example/cb",
    "//evil.example",
    "javascript:alert(1)",
    "http://localhost:3000.evil.example/cb",
    "http://localhost:3000@evil.example/cb",
    "https:\\\\evil.example",
    "/\\evil.example",
    "http://localhost:3000\\@evil.example",
    "/\t/evil.example",
    "data:text/html,hi",
];

async fn oauth_start(b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Res {
    let mut form = vec![("strategy", "oauth_custom_acme")];
    form.extend_from_slice(fields);
    b.post(path, &form).await
}

#[tokio::test]
async fn redirect_urls_are_managed_and_every_redirect_parameter_refuses_open_redirects() {
    let env = spawn(Kind::Production).await;
    let idp = start_idp().await;
    with_provider(&env, &idp).await;

    // CRUD, as Clerk's: duplicates refused, URLs validated.
    let r = env
        .bapi(
            Method::POST,
            "/v1/redirect_urls",
            Some(json!({"url": "my-app://oauth-callback"})),
        )
        .await;
    let created = r.ok().clone();
    assert_eq!(created["object"], "redirect_url");
    assert_eq!(created["url"], "my-app://oauth-callback");
    assert!(created["id"].as_str().unwrap().starts_with("ru_"));
    assert_eq!(created["created_at"], created["updated_at"]);
    let id = created["id"].as_str().unwrap().to_owned();
    env.bapi(
        Method::POST,
        "/v1/redirect_urls",
        Some(json!({"url": "my-app://oauth-callback"})),
    )
    .await
    .err(400, "duplicate_record");
    for bad in [
        "javascript:alert(1)",
        "/relative",
        "my-app:callback",
        "https://a b/",
    ] {
        let r = env
            .bapi(Method::POST, "/v1/redirect_urls", Some(json!({"url": bad})))
            .await;
        r.err(422, "form_param_format_invalid");
        assert_eq!(r.param(), "url", "{bad}");
    }
    env.bapi(Method::POST, "/v1/redirect_urls", Some(json!({})))
        .await
        .err(422, "form_param_missing");
    assert_eq!(
        env.bapi_get(&format!("/v1/redirect_urls/{id}")).await.ok(),
        &created
    );
    assert_eq!(
        env.bapi_get("/v1/redirect_urls").await.ok(),
        &json!([created])
    );
    let page = env.bapi_get("/v1/redirect_urls?paginated=true").await;
    assert_eq!(page.ok()["total_count"], 1);
    env.bapi_get("/v1/redirect_urls/ru_nope")
        .await
        .err(404, "resource_not_found");

    // Each Frontend API redirect parameter refuses every attack, and nothing starts.
    let mut b = env.browser();
    for attack in ATTACKS {
        for path in ["/v1/client/sign_ins", "/v1/client/sign_ups"] {
            let r = oauth_start(&mut b, path, &[("redirect_url", attack)]).await;
            r.err(422, "form_param_format_invalid");
            assert_eq!(r.param(), "redirect_url", "{attack}");
            let r = oauth_start(
                &mut b,
                path,
                &[
                    ("redirect_url", "http://localhost:3000/sso-callback"),
                    ("action_complete_redirect_url", attack),
                ],
            )
            .await;
            r.err(422, "form_param_format_invalid");
            assert_eq!(r.param(), "action_complete_redirect_url", "{attack}");
        }
        // Invitations' links: no script, no scheme-relative host, no backslash.
        if !attack.starts_with("https://evil") && !attack.starts_with("http://localhost:3000.") {
            let r = env
                .bapi(
                    Method::POST,
                    "/v1/invitations",
                    Some(json!({"email_address": "inv@example.com", "redirect_url": attack})),
                )
                .await;
            r.err(422, "form_param_format_invalid");
        }
    }
    assert!(env.emails_to("inv@example.com").await.is_empty());

    // The registered native callback is accepted, the allowed origin too; once removed, refused.
    let r = oauth_start(
        &mut b,
        "/v1/client/sign_ins",
        &[("redirect_url", "my-app://oauth-callback")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let r = oauth_start(
        &mut b,
        "/v1/client/sign_ups",
        &[
            ("redirect_url", "http://localhost:3000/sso-callback"),
            (
                "action_complete_redirect_url",
                "my-app://oauth-callback?x=1",
            ),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let r = env
        .bapi(Method::DELETE, &format!("/v1/redirect_urls/{id}"), None)
        .await;
    assert_eq!(
        r.ok(),
        &json!({"object": "redirect_url", "id": id, "deleted": true})
    );
    env.bapi(Method::DELETE, &format!("/v1/redirect_urls/{id}"), None)
        .await
        .err(404, "resource_not_found");
    oauth_start(
        &mut b,
        "/v1/client/sign_ins",
        &[("redirect_url", "my-app://oauth-callback")],
    )
    .await
    .err(422, "form_param_format_invalid");
    assert_eq!(env.bapi_get("/v1/redirect_urls").await.ok(), &json!([]));
}
