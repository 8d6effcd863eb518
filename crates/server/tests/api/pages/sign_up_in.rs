//! Sign-up, sign-out and sign-in without JavaScript; the pages render accessibly with security headers.

use super::*;

#[tokio::test]
async fn pages_render_accessibly_with_security_headers() {
    let app = spawn().await;
    let mut web = app.web("pages-test");
    for (path, h1, fields) in [
        ("/sign-in", "Sign in", &["identifier", "password"][..]),
        (
            "/sign-up",
            "Create your account",
            &["email_address", "password", "first_name", "last_name"][..],
        ),
        (
            "/sign-in/email-code",
            "Sign in with an email code",
            &["identifier"][..],
        ),
        (
            "/sign-in/forgot-password",
            "Reset your password",
            &["identifier"][..],
        ),
    ] {
        let page = web.open(path).await;
        page.expect(200);
        assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
        assert_eq!(
            page.header("content-security-policy"),
            "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; frame-ancestors 'none'; base-uri 'none'"
        );
        assert_eq!(page.header("x-frame-options"), "DENY");
        assert_eq!(page.header("referrer-policy"), "same-origin");
        assert_eq!(page.header("cache-control"), "no-store");
        assert!(page.body.starts_with("<!DOCTYPE html><html lang=\"en\">"));
        assert!(page.body.contains(&format!("<h1>{h1}</h1>")), "{path}");
        assert!(page.body.contains("<main id=\"main\""));
        assert!(!page.body.contains("<script"), "no JavaScript at all");
        assert!(page.body.contains("name=\"csrf_token\""));
        for f in fields {
            assert!(
                page.body.contains(&format!("<label for=\"f-{f}\">")),
                "{path}: label for {f}"
            );
            assert!(
                page.body.contains(&format!("id=\"f-{f}\" name=\"{f}\"")),
                "{path}: {f}"
            );
        }
    }
    // The first page handed out an HttpOnly client cookie; later pages keep it.
    let client = web.cookie("__client").unwrap().to_owned();
    assert!(client.len() >= 32);
    let again = web.open("/sign-in").await;
    assert!(again.headers.get("set-cookie").is_none());
    // Signed out, the account page sends the browser to sign in (and back).
    web.open("/user")
        .await
        .redirects_to("/sign-in?redirect_url=%2Fuser");
    web.open("/sign-in/factor-two")
        .await
        .redirects_to("/sign-in");
    web.open("/sign-up/verify-email-address")
        .await
        .redirects_to("/sign-up");
    // The Frontend API is unchanged next to the pages.
    web.tab().get("/v1/environment").await.ok();
}

#[tokio::test]
async fn sign_up_sign_out_and_sign_in_without_javascript() {
    let app = spawn().await;
    let email = "ada@example.com";
    let mut web = app.web("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0");

    // Sign-up errors come back next to their field, announced, with what was typed.
    web.open("/sign-up").await;
    let short = web
        .submit(
            "/sign-up",
            &[
                ("email_address", email),
                ("password", "short"),
                ("first_name", "Ada"),
            ],
        )
        .await;
    short.expect(422);
    assert!(
        short
            .body
            .contains("id=\"f-password-error\" role=\"alert\""),
        "{}",
        short.body
    );
    assert!(
        short
            .body
            .contains("Passwords must be 8 characters or more.")
    );
    assert!(short.body.contains("aria-invalid=\"true\""));
    assert!(short.body.contains("value=\"ada@example.com\""));
    assert!(
        !short.body.contains("value=\"short\""),
        "passwords are never echoed"
    );

    // Sign up; a wrong code first.
    web.submit(
        "/sign-up",
        &[
            ("email_address", email),
            ("password", PASSWORD),
            ("first_name", "Ada"),
        ],
    )
    .await
    .redirects_to("/sign-up/verify-email-address");
    // The browser follows the redirect; the new client's cookie keys the next form.
    web.open("/sign-up/verify-email-address").await.expect(200);
    let wrong = web
        .submit("/sign-up/verify-email-address", &[("code", "000000")])
        .await;
    wrong.expect(422);
    assert!(wrong.body.contains("id=\"f-code-error\" role=\"alert\""));
    assert!(wrong.body.contains("Incorrect code"));
    let code = app.code_for(email).await;
    web.submit("/sign-up/verify-email-address", &[("code", &code)])
        .await
        .redirects_to("/user");
    assert_ne!(web.cookie("__client_uat"), Some("0"));

    // The account page: names, the primary address, this device with its browser and address.
    let page = web.open("/user").await;
    page.expect(200);
    assert!(page.body.contains("value=\"Ada\""));
    assert!(
        page.body
            .contains("ada@example.com</span><span class=\"badge\">Primary</span>")
    );
    assert!(page.body.contains("Firefox on Linux"));
    assert!(page.body.contains("This device"));
    assert!(page.body.contains("IP address: 127.0.0.1"));
    let uid = user_id(&app, email).await;
    let sessions = sessions_of(&app, &uid).await;
    assert_eq!(sessions.len(), 1);

    // clerk-js on the same origin sees the same signed-in client.
    let fapi = web.tab().get("/v1/client").await.ok().clone();
    assert_eq!(fapi["response"]["sessions"][0]["user"]["id"], uid.as_str());

    // Profile and password changes, with their errors in place.
    web.submit(
        "/user/profile",
        &[("first_name", "Ada"), ("last_name", "Lovelace")],
    )
    .await
    .redirects_to("/user?notice=profile_saved");
    let page = web.open("/user?notice=profile_saved").await;
    assert!(
        page.body
            .contains("role=\"status\">Your profile has been saved.")
    );
    assert!(page.body.contains("value=\"Lovelace\""));
    let bad = web
        .submit(
            "/user/password",
            &[
                ("current_password", "not-my-password"),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    bad.expect(422);
    assert!(
        bad.body
            .contains("id=\"f-current_password-error\" role=\"alert\""),
        "{}",
        bad.body
    );
    let bad = web
        .submit(
            "/user/password",
            &[("current_password", PASSWORD), ("new_password", "short")],
        )
        .await;
    bad.expect(422);
    assert!(
        bad.body
            .contains("id=\"f-new_password-error\" role=\"alert\"")
    );

    // Sign out: this device's session ends and the account page is closed.
    sign_out(&mut web).await;
    assert_eq!(sessions_of(&app, &uid).await[0]["status"], "ended");
    web.open("/user")
        .await
        .redirects_to("/sign-in?redirect_url=%2Fuser");

    // Sign in: an unknown account and a wrong password are shown on their fields.
    let unknown = password_step(&mut web, "nobody@example.com", PASSWORD).await;
    unknown.expect(422);
    assert!(
        unknown
            .body
            .contains("id=\"f-identifier-error\" role=\"alert\"")
    );
    let wrong = password_step(&mut web, email, "wrong-password-123").await;
    wrong.expect(422);
    assert!(
        wrong
            .body
            .contains("id=\"f-password-error\" role=\"alert\"")
    );
    assert!(wrong.body.contains("Password is incorrect."));
    assert!(wrong.body.contains("value=\"ada@example.com\""));
    // This browser signed in as Ada before: no device confirmation.
    password_step(&mut web, email, PASSWORD)
        .await
        .redirects_to("/user");
    web.open("/user").await.expect(200);
    // Signed in, the sign-in and sign-up pages step aside.
    web.open("/sign-in").await.redirects_to("/user");
    web.open("/sign-up").await.redirects_to("/user");

    // Signed out through the Frontend API (clerk-js), the pages see it at once.
    web.tab().delete("/v1/client/sessions").await.ok();
    web.open("/user")
        .await
        .redirects_to("/sign-in?redirect_url=%2Fuser");

    // Signed in with an emailed code instead of the password.
    web.open("/sign-in/email-code").await;
    web.submit("/sign-in/email-code", &[("identifier", email)])
        .await
        .redirects_to("/sign-in/email-code/verify");
    let page = web.open("/sign-in/email-code/verify").await;
    assert!(
        page.body
            .contains("Enter the code we sent to ada@example.com.")
    );
    web.submit("/sign-in/email-code/resend", &[])
        .await
        .redirects_to("/sign-in/email-code/verify?notice=code_sent");
    let code = app.code_for(email).await;
    web.submit("/sign-in/email-code/verify", &[("code", &code)])
        .await
        .redirects_to("/user");
}

#[tokio::test]
async fn the_sign_up_page_asks_for_what_the_instance_requires() {
    let app = spawn().await;
    app.patch(
        "/v1/instance/settings",
        serde_json::json!({
            "first_name_field": "required",
            "last_name_field": "off",
            "username_field": "optional",
            "legal_consent_enabled": true,
        }),
    )
    .await
    .ok();
    let email = "grace@example.com";
    let mut web = app.web("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0");

    // Required without "(optional)", optional with it, off not at all; the consent box.
    let form = web.open("/sign-up").await;
    form.expect(200);
    assert!(form.body.contains(">First name</label>"), "{}", form.body);
    assert!(form.body.contains(">Username (optional)</label>"));
    assert!(!form.body.contains("name=\"last_name\""));
    assert!(form.body.contains("name=\"legal_accepted\""));

    // A required field left blank, then the consent not given: refused beside their fields,
    // before any code is sent.
    let base = [
        ("email_address", email),
        ("password", PASSWORD),
        ("username", "grace_h"),
    ];
    let no_name = web.submit("/sign-up", &base).await;
    no_name.expect(422);
    assert!(
        no_name.body.contains("id=\"f-first_name-error\""),
        "{}",
        no_name.body
    );
    let mut named = base.to_vec();
    named.push(("first_name", "Grace"));
    let no_consent = web.submit("/sign-up", &named).await;
    no_consent.expect(422);
    assert!(
        no_consent.body.contains("role=\"alert\""),
        "{}",
        no_consent.body
    );
    assert!(app.emails_to(email).await.is_empty(), "no code sent yet");

    // Everything given: the code, then the account with its username and the acceptance.
    named.push(("legal_accepted", "true"));
    web.submit("/sign-up", &named)
        .await
        .redirects_to("/sign-up/verify-email-address");
    web.open("/sign-up/verify-email-address").await.expect(200);
    let code = app.code_for(email).await;
    web.submit("/sign-up/verify-email-address", &[("code", &code)])
        .await
        .redirects_to("/user");
    let users = app.get("/v1/users?email_address=grace@example.com").await;
    let user = &users.ok()[0];
    assert_eq!(user["first_name"], "Grace");
    assert_eq!(user["username"], "grace_h");
    assert!(user["legal_accepted_at"].is_i64(), "{user}");
}
