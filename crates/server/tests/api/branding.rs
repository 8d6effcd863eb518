//! Branding as an instance setting (`/v1/instance/branding`): served in the environment's
//! `display_config`, shown by the hosted pages and in emails, validated with Clerk-shaped
//! errors, audited with its event, and picked up by a running server when another process
//! changes it. Also the frontend listener's landing page and the pages under `/__clerk/`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use usher_core::branding::BrandingPatch;
use usher_core::clock::SystemClock;
use usher_server::app::context::RequestContext;

use crate::common::{App, Browser, spawn_with};

const PASSWORD: &str = "Quiet-harbor-lantern-4821";
const LOGO: &str = "https://cdn.acme.test/logo.png";

async fn spawn() -> App {
    spawn_with(Arc::new(SystemClock), |cfg| cfg.key_refresh_secs = 1).await
}

#[tokio::test]
async fn branding_is_served_shown_and_mailed() {
    let app = spawn().await;
    // Until set: Usher's defaults everywhere.
    let b = app.get("/v1/instance/branding").await;
    assert_eq!(
        b.ok(),
        &json!({"object": "instance_branding", "application_name": "Usher",
                "logo_image_url": null, "primary_color": "#6c47ff", "updated_at": null})
    );
    let env = app.environment().await;
    assert_eq!(env["display_config"]["application_name"], "Usher");

    let set = app
        .patch(
            "/v1/instance/branding",
            json!({"application_name": "Acme <Shop>", "logo_image_url": LOGO, "primary_color": "#1D4ED8"}),
        )
        .await;
    let body = set.ok();
    assert_eq!(body["application_name"], "Acme <Shop>");
    assert_eq!(body["primary_color"], "#1d4ed8");
    assert!(body["updated_at"].as_i64().unwrap() > 0);
    assert_eq!(app.get("/v1/instance/branding").await.ok(), body);

    // clerk-js and the prebuilt UI read it from the environment, at once on this server.
    let env = app.environment().await;
    let dc = &env["display_config"];
    assert_eq!(dc["application_name"], "Acme <Shop>");
    assert_eq!(dc["logo_image_url"], LOGO);
    assert_eq!(dc["theme"]["general"]["color"], "#1d4ed8");

    // The hosted pages: name (escaped), logo (allowed by the page's policy) and colour.
    let mut web = app.web("branding-test");
    let page = web.open("/sign-in").await;
    page.expect(200);
    assert!(
        page.body
            .contains("<title>Sign in – Acme &lt;Shop&gt;</title>")
    );
    assert!(page.body.contains("<strong>Acme &lt;Shop&gt;</strong>"));
    assert!(!page.body.contains("Usher"), "{}", page.body);
    assert!(page.body.contains(&format!("<img src=\"{LOGO}\"")));
    assert!(page.body.contains(":root{--primary:#1d4ed8}"));
    assert!(
        page.header("content-security-policy")
            .ends_with("; img-src 'self' https://cdn.acme.test"),
        "{}",
        page.header("content-security-policy")
    );

    // The verification email names the application and carries the logo.
    web.submit(
        "/sign-up",
        &[("email_address", "ada@example.com"), ("password", PASSWORD)],
    )
    .await
    .redirects_to("/sign-up/verify-email-address");
    let emails = app.get("/v1/emails?email_address=ada%40example.com").await;
    let email = &emails.ok()["data"][0];
    assert!(
        email["body_plain"]
            .as_str()
            .unwrap()
            .contains("verification code for Acme <Shop>."),
        "{email}"
    );
    assert!(email["body"].as_str().unwrap().contains(LOGO), "{email}");
    assert_eq!(email["data"]["app"]["name"], "Acme <Shop>");

    // The change was audited and raised its event.
    let events = app.events().await;
    let ev = events
        .iter()
        .find(|e| e.event_type == "usher.security.instance_branding.updated")
        .expect("a branding event");
    assert_eq!(ev.data["application_name"], "Acme <Shop>");
    let s = &app.running.state;
    let audit = s.store.audit_log(&s.instance.id, 50).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "instance.branding.update" && a.actor.starts_with("secret_key:"))
    );

    // Empty or null puts a default back; fields not sent stay.
    let cleared = app
        .patch(
            "/v1/instance/branding",
            json!({"logo_image_url": null, "primary_color": ""}),
        )
        .await;
    let body = cleared.ok();
    assert_eq!(body["application_name"], "Acme <Shop>");
    assert_eq!(body["logo_image_url"], Value::Null);
    assert_eq!(body["primary_color"], "#6c47ff");
    let page = web.open("/sign-in").await;
    assert!(!page.body.contains("<img"));
    assert_eq!(
        page.header("content-security-policy"),
        "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    );
}

#[tokio::test]
async fn bad_branding_is_refused_with_clerk_errors_and_changes_nothing() {
    let app = spawn().await;
    for (body, code, param) in [
        (
            json!({"application_name": "x".repeat(51)}),
            "form_param_value_invalid",
            "application_name",
        ),
        (
            json!({"logo_image_url": "javascript:alert(1)"}),
            "form_param_format_invalid",
            "logo_image_url",
        ),
        (
            json!({"logo_image_url": "ftp://cdn.acme.test/logo.png"}),
            "form_param_format_invalid",
            "logo_image_url",
        ),
        (
            json!({"application_name": "Acme", "primary_color": "blue"}),
            "form_param_format_invalid",
            "primary_color",
        ),
        (
            json!({"primary_color": "#fff"}),
            "form_param_format_invalid",
            "primary_color",
        ),
        (
            json!({"application_name": 7}),
            "form_param_format_invalid",
            "application_name",
        ),
    ] {
        let r = app.patch("/v1/instance/branding", body.clone()).await;
        r.err(422, code);
        assert_eq!(r.param(), param, "{body}");
    }
    app.patch("/v1/instance/branding", json!({"favicon": "x"}))
        .await
        .err(422, "form_param_unknown");
    // Nothing changed: the valid name sent beside a bad colour was not kept.
    let b = app.get("/v1/instance/branding").await;
    assert_eq!(b.ok()["application_name"], "Usher");
    assert_eq!(b.ok()["updated_at"], Value::Null);
    // The secret key is required.
    let r = reqwest::Client::new()
        .patch(format!("{}/v1/instance/branding", app.base))
        .json(&json!({"application_name": "Evil"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn a_change_by_another_process_is_picked_up_without_restart() {
    let app = spawn().await;
    let mut cfg = usher_server::config::ServerConfig::with_data_dir(app.dir.path());
    cfg.database_url = app.database_url.clone();
    // What `usher instance branding` does: the use case on the database, no listener.
    let other = usher_server::offline::open(&cfg, Arc::new(SystemClock))
        .await
        .unwrap();
    usher_server::app::instance::update_branding(
        &other,
        &RequestContext::system("cli"),
        &BrandingPatch {
            application_name: Some(Some("Elsewhere".into())),
            ..BrandingPatch::default()
        },
    )
    .await
    .unwrap();
    let mut seen = String::new();
    for _ in 0..300 {
        seen = app.environment().await["display_config"]["application_name"]
            .as_str()
            .unwrap()
            .to_owned();
        if seen == "Elsewhere" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, "Elsewhere");
    let page = app.web("reload-test").open("/sign-in").await;
    assert!(page.body.contains("<strong>Elsewhere</strong>"));
}

#[tokio::test]
async fn the_frontend_root_is_a_landing_page_without_secrets() {
    let app = spawn().await;
    app.patch("/v1/instance/branding", json!({"application_name": "Acme"}))
        .await
        .ok();
    let mut web = app.web("landing-test");
    for (root, prefix) in [("/", ""), ("/__clerk", "/__clerk")] {
        let page = web.open(root).await;
        page.expect(200);
        assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
        assert_eq!(page.header("x-frame-options"), "DENY");
        assert!(
            page.body.contains("<h1>Welcome to Acme</h1>"),
            "{}",
            page.body
        );
        assert!(page.body.contains(&format!("href=\"{prefix}/sign-in\"")));
        assert!(page.body.contains(&format!("href=\"{prefix}/sign-up\"")));
        for secret in ["sk_test_", "sk_live_", "BEGIN PUBLIC KEY", "pk_test_"] {
            assert!(!page.body.contains(secret), "{root} shows {secret}");
        }
    }
    // Other unknown paths are still the Frontend API's JSON 404.
    Browser::new(&app.frontend_url())
        .get("/nothing-here")
        .await
        .err(404, "resource_not_found");
}

/// An app that proxies `/__clerk/` keeps one origin: every link, form, redirect and CSRF check
/// of the hosted pages works under the prefix.
#[tokio::test]
async fn the_hosted_pages_work_under_the_proxy_prefix() {
    let app = spawn().await;
    let email = "grace@example.com";
    let mut web = app.web("prefix-test");
    let page = web.open("/__clerk/sign-up").await;
    page.expect(200);
    assert!(
        page.body.contains("action=\"/__clerk/sign-up\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("href=\"/__clerk/sign-in\""));
    // A forged form is refused under the prefix too.
    web.post_form(
        "/__clerk/sign-up",
        &[("email_address", email), ("password", PASSWORD)],
    )
    .await
    .expect(403);
    web.submit(
        "/__clerk/sign-up",
        &[("email_address", email), ("password", PASSWORD)],
    )
    .await
    .redirects_to("/__clerk/sign-up/verify-email-address");
    let page = web.open("/__clerk/sign-up/verify-email-address").await;
    page.expect(200);
    assert!(
        page.body
            .contains("action=\"/__clerk/sign-up/verify-email-address\"")
    );
    let code = app.code_for(email).await;
    web.submit("/__clerk/sign-up/verify-email-address", &[("code", &code)])
        .await
        .redirects_to("/__clerk/user");
    let account = web.open("/__clerk/user").await;
    account.expect(200);
    for action in [
        "/__clerk/user/profile",
        "/__clerk/user/password",
        "/__clerk/user/totp",
        "/__clerk/sign-out",
    ] {
        assert!(
            account.body.contains(&format!("action=\"{action}\"")),
            "{action}"
        );
    }
    assert!(account.body.contains("href=\"/__clerk/user\""));
    assert!(!account.body.contains("action=\"/user"), "{}", account.body);
    web.submit(
        "/__clerk/user/profile",
        &[("first_name", "Grace"), ("last_name", "Hopper")],
    )
    .await
    .redirects_to("/__clerk/user?notice=profile_saved");
    // Signed in, the prefixed sign-in page steps aside to the prefixed account page, and the
    // unprefixed pages share the same client.
    web.open("/__clerk/sign-in")
        .await
        .redirects_to("/__clerk/user");
    web.open("/user").await.expect(200);
    web.open("/__clerk/user").await;
    web.submit("/__clerk/sign-out", &[])
        .await
        .redirects_to("/__clerk/sign-in?notice=signed_out");
    web.open("/__clerk/user")
        .await
        .redirects_to("/__clerk/sign-in?redirect_url=%2F__clerk%2Fuser");
    // Signing back in goes where the prefixed account page asked.
    web.open("/__clerk/sign-in?redirect_url=%2F__clerk%2Fuser")
        .await
        .expect(200);
    web.submit(
        "/__clerk/sign-in?redirect_url=%2F__clerk%2Fuser",
        &[("identifier", email), ("password", PASSWORD)],
    )
    .await
    .redirects_to("/__clerk/user");
    // The Frontend API under the prefix is unchanged beside the pages.
    let mut clerk_js = web.tab();
    clerk_js.prefix = "/__clerk".into();
    clerk_js.get("/v1/environment").await.ok();
}
