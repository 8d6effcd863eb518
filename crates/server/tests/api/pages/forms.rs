//! What a form must carry: a valid CSRF token, a redirect_url on this site, an allowed origin.

use super::*;

#[tokio::test]
async fn posts_without_a_valid_csrf_token_are_refused() {
    let app = spawn().await;
    let email = "alan@example.com";
    let mut web = app.web("csrf-test");
    sign_up(&app, &mut web, email).await;
    sign_out(&mut web).await;

    let mut other = app.web("other-browser");
    other.open("/sign-in").await;
    let foreign = other.csrf.clone().unwrap();
    web.open("/sign-in").await;
    for token in [None, Some("bogus"), Some(foreign.as_str())] {
        let mut fields = vec![("identifier", email), ("password", PASSWORD)];
        if let Some(t) = token {
            fields.push(("csrf_token", t));
        }
        let refused = web.post_form("/sign-in", &fields).await;
        refused.expect(403);
        assert!(refused.body.contains("role=\"alert\""));
        assert!(refused.body.contains("did not come from this site"));
        // The form is shown again, with a token that works.
        assert!(refused.body.contains("name=\"csrf_token\""));
        assert!(refused.body.contains("value=\"alan@example.com\""));
    }
    // A browser without any cookie cannot post either.
    let mut bare = app.web("bare");
    bare.post_form("/sign-in", &[("identifier", email), ("password", PASSWORD)])
        .await
        .expect(403);
    let uid = user_id(&app, email).await;
    assert_eq!(sessions_of(&app, &uid).await.len(), 1, "nothing signed in");

    // The re-rendered form's token is accepted.
    password_step(&mut web, email, PASSWORD)
        .await
        .redirects_to("/user");
    // Signed in, forged posts change nothing either.
    for path in ["/sign-out", "/user/profile", "/user/totp", "/user/password"] {
        web.post_form(path, &[("csrf_token", &foreign), ("first_name", "Mallory")])
            .await
            .expect(403);
    }
    let page = web.open("/user").await;
    page.expect(200);
    assert!(!page.body.contains("Mallory"));
    assert!(page.body.contains("Authenticator app: off."));
}

#[tokio::test]
async fn redirect_url_never_leaves_for_other_sites() {
    let app = spawn().await;
    let email = "barbara@example.com";
    let mut web = app.web("redirect-test");
    sign_up(&app, &mut web, email).await;

    // Signed in, /sign-in goes straight to redirect_url: only when it is safe.
    for bad in [
        "https://evil.example/",
        "http://evil.example",
        "//evil.example",
        "//evil.example/user",
        "/\\evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "javascript:alert(document.cookie)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://localhost:3000@evil.example/",
        "ftp://localhost:3000/",
        "evil.example",
    ] {
        let q: String = form_urlencoded::byte_serialize(bad.as_bytes()).collect();
        web.open(&format!("/sign-in?redirect_url={q}"))
            .await
            .redirects_to("/user");
        web.open(&format!("/sign-up?redirect_url={q}"))
            .await
            .redirects_to("/user");
    }
    // A control character anywhere in a query string is refused before any page reads it.
    for path in ["/sign-in", "/sign-up"] {
        let page = web
            .open(&format!("{path}?redirect_url=%2F%09%2Fevil.example"))
            .await;
        assert_eq!(page.status.as_u16(), 422, "{}", page.body);
        assert!(
            page.body.contains("form_param_format_invalid"),
            "{}",
            page.body
        );
    }
    // Same-origin paths and allowed origins (loopback, on a development instance) are followed.
    for good in ["/user?tab=security", "http://localhost:3000/after-sign-in"] {
        let q: String = form_urlencoded::byte_serialize(good.as_bytes()).collect();
        web.open(&format!("/sign-in?redirect_url={q}"))
            .await
            .redirects_to(good);
    }

    // After a sign-in too: the forms carry a safe redirect_url along, never a bad one.
    sign_out(&mut web).await;
    let page = web.open("/sign-in?redirect_url=%2F%2Fevil.example").await;
    assert!(page.body.contains("action=\"/sign-in\""));
    web.submit(
        "/sign-in?redirect_url=%2F%2Fevil.example",
        &[("identifier", email), ("password", PASSWORD)],
    )
    .await
    .redirects_to("/user");
    sign_out(&mut web).await;
    let page = web
        .open("/sign-in?redirect_url=%2Fuser%3Fx%3D%22%3E%3Cb%3E")
        .await;
    assert!(
        page.body
            .contains("action=\"/sign-in?redirect_url=%2Fuser%3Fx%3D%22%3E%3Cb%3E\"")
    );
    assert!(
        !page.body.contains("\"><b>"),
        "nothing from the query becomes markup"
    );
    web.submit(
        "/sign-in?redirect_url=http%3A%2F%2Flocalhost%3A3000%2Fhome",
        &[("identifier", email), ("password", PASSWORD)],
    )
    .await
    .redirects_to("http://localhost:3000/home");
    // Sign-out honours it the same way.
    web.open("/user").await;
    web.submit("/sign-out?redirect_url=https%3A%2F%2Fevil.example", &[])
        .await
        .redirects_to("/sign-in?notice=signed_out");
}

#[tokio::test]
async fn production_refuses_posts_from_other_origins() {
    let app = spawn_with(Arc::new(SystemClock), |cfg| {
        cfg.secret_key = Some(LIVE.into());
        cfg.frontend.allowed_origins = vec!["https://app.example.com".into()];
    })
    .await;
    let bapi = |path: &str| {
        let req = reqwest::Client::new()
            .get(format!("{}{path}", app.base))
            .bearer_auth(LIVE);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let eve = [("email_address", "eve@example.com"), ("password", PASSWORD)];
    let mut web = app.web("prod-test");
    web.origin = Some("https://evil.example".into());
    web.open("/sign-up").await.expect(200);
    let refused = web.submit("/sign-up", &eve).await;
    refused.expect(403);
    // A person sent it: the answer is a page, not the Frontend API's JSON.
    assert_eq!(refused.header("content-type"), "text/html; charset=utf-8");
    assert!(
        refused
            .body
            .contains("<h1>This form could not be accepted</h1>"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("href=\"/sign-in\""));
    assert!(!refused.body.contains("\"errors\""));
    assert_eq!(refused.header("x-frame-options"), "DENY");
    let prefixed = web.submit("/__clerk/sign-up", &eve).await;
    prefixed.expect(403);
    assert!(prefixed.body.contains("href=\"/__clerk/sign-in\""));
    // clerk-js's calls from that origin still get Clerk's JSON error.
    web.post("/v1/client/sign_ins", &[])
        .await
        .err(403, "origin_invalid");
    // This listener's own http:// origin is not the instance's https:// one either.
    web.origin = Some(app.frontend_url());
    web.submit("/sign-up", &eve).await.expect(403);
    let emails: Value = bapi("/v1/emails").await;
    assert_eq!(emails["total_count"], 0, "nothing was sent");

    // From the allowed origin (and from no origin at all) the same form goes through.
    web.origin = Some("https://app.example.com".into());
    web.submit(
        "/sign-up?redirect_url=https%3A%2F%2Fapp.example.com%2Fwelcome",
        &eve,
    )
    .await
    .redirects_to(
        "/sign-up/verify-email-address?redirect_url=https%3A%2F%2Fapp.example.com%2Fwelcome",
    );
    let emails: Value = bapi("/v1/emails?email_address=eve%40example.com").await;
    let code = emails["data"][0]["data"]["otp_code"]
        .as_str()
        .unwrap()
        .to_owned();
    web.origin = None;
    web.open("/sign-up/verify-email-address").await;
    web.submit(
        "/sign-up/verify-email-address?redirect_url=https%3A%2F%2Fapp.example.com%2Fwelcome",
        &[("code", &code)],
    )
    .await
    .redirects_to("https://app.example.com/welcome");
    // Loopback origins are not allowed on a production instance.
    web.open("/sign-in?redirect_url=http%3A%2F%2Flocalhost%3A3000%2F")
        .await
        .redirects_to("/user");
    let users: Value = bapi("/v1/users").await;
    assert_eq!(users.as_array().unwrap().len(), 1);
}
