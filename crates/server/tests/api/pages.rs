//! The hosted Account Portal without JavaScript: pages and their headers, every flow with a
//! cookie jar and plain form posts (codes read back through `GET /v1/emails`), the client shared
//! with the Frontend API, CSRF refusals, open redirects, and a production instance's origins.

use std::sync::Arc;

use serde_json::Value;
use usher_core::clock::{ManualClock, SystemClock};
use usher_core::mfa::totp;

use crate::common::{App, Browser, WebPage, spawn_with};

const PASSWORD: &str = "Quiet-harbor-lantern-4821";
const NEW_PASSWORD: &str = "Amber-meadow-compass-7310";
/// On a 30-second TOTP step boundary.
const T0: i64 = 1_800_000_000_000;
const LIVE: &str = "sk_live_0123456789abcdefghijKLMNOPQRST0123456789";

async fn spawn() -> App {
    spawn_with(Arc::new(SystemClock), |_| {}).await
}

/// Signs a new user up through `/sign-up` and the emailed code; the browser ends on `/user`.
async fn sign_up(app: &App, web: &mut Browser, email: &str) {
    web.open("/sign-up").await.expect(200);
    web.submit(
        "/sign-up",
        &[
            ("email_address", email),
            ("password", PASSWORD),
            ("first_name", "Ada"),
            ("last_name", ""),
        ],
    )
    .await
    .redirects_to("/sign-up/verify-email-address");
    let page = web.open("/sign-up/verify-email-address").await;
    page.expect(200);
    assert!(page.body.contains(email), "{}", page.body);
    let code = app.code_for(email).await;
    web.submit("/sign-up/verify-email-address", &[("code", &code)])
        .await
        .redirects_to("/user");
}

/// Signs in with a password from `/sign-in`; returns the answer to the password step.
async fn password_step(web: &mut Browser, email: &str, password: &str) -> WebPage {
    web.open("/sign-in").await.expect(200);
    web.submit("/sign-in", &[("identifier", email), ("password", password)])
        .await
}

async fn sign_out(web: &mut Browser) {
    web.open("/user").await.expect(200);
    web.submit("/sign-out", &[])
        .await
        .redirects_to("/sign-in?notice=signed_out");
    assert_eq!(web.cookie("__client_uat"), Some("0"));
}

async fn user_id(app: &App, email: &str) -> String {
    let q: String = form_urlencoded::byte_serialize(email.as_bytes()).collect();
    let users = app.get(&format!("/v1/users?email_address={q}")).await;
    users.ok()[0]["id"].as_str().unwrap().to_owned()
}

async fn sessions_of(app: &App, user_id: &str) -> Vec<Value> {
    app.get(&format!("/v1/sessions?user_id={user_id}"))
        .await
        .ok()
        .as_array()
        .unwrap()
        .clone()
}

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
    let first = reqwest::get(format!("{}/v1/environment", app.frontend_url()))
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
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
    let fapi = reqwest::Client::new()
        .get(format!("{}/v1/client", app.frontend_url()))
        .header(
            "Cookie",
            format!("__client={}", web.cookie("__client").unwrap()),
        )
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
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
    let res = reqwest::Client::new()
        .delete(format!("{}/v1/client/sessions", app.frontend_url()))
        .header(
            "Cookie",
            format!("__client={}", web.cookie("__client").unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
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
async fn totp_enrolment_then_sign_in_with_totp_and_backup_codes() {
    let clock = Arc::new(ManualClock::new(T0));
    let app = spawn_with(clock.clone(), |_| {}).await;
    let email = "grace@example.com";
    let mut web = app.web("totp-test");
    sign_up(&app, &mut web, email).await;

    // Enrol: the secret and its otpauth:// URI as text, a wrong code, then the right one.
    web.open("/user").await;
    web.submit("/user/totp", &[])
        .await
        .redirects_to("/user/totp");
    let page = web.open("/user/totp").await;
    page.expect(200);
    let secret = page.text_of("totp-secret").unwrap();
    assert_eq!(secret.len(), 32);
    let uri = page.text_of("totp-uri").unwrap();
    assert!(
        uri.starts_with("otpauth://totp/Usher:grace%40example.com?secret="),
        "{uri}"
    );
    assert!(uri.contains(&secret));
    let wrong = web.submit("/user/totp/verify", &[("code", "000000")]).await;
    wrong.expect(422);
    assert!(wrong.body.contains("id=\"f-code-error\" role=\"alert\""));
    let step = T0 / 30_000;
    let code = totp::code_at_step(&secret, step).unwrap();
    let shown = web.submit("/user/totp/verify", &[("code", &code)]).await;
    shown.expect(200);
    let codes: Vec<String> = shown
        .body
        .split("<li><code>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{}", shown.body);
    let page = web.open("/user").await;
    assert!(page.body.contains("Authenticator app: on."));
    assert!(page.body.contains("10 unused backup codes."));
    assert!(
        !page.body.contains(&codes[0]),
        "backup codes are shown once"
    );

    // Sign in: password, then the authenticator code.
    sign_out(&mut web).await;
    password_step(&mut web, email, PASSWORD)
        .await
        .redirects_to("/sign-in/factor-two");
    let page = web.open("/sign-in/factor-two").await;
    assert!(
        page.body
            .contains("Enter the code from your authenticator app.")
    );
    assert!(
        page.body
            .contains("href=\"/sign-in/factor-two?method=backup_code\"")
    );
    let wrong = web
        .submit(
            "/sign-in/factor-two",
            &[("strategy", "totp"), ("code", "000000")],
        )
        .await;
    wrong.expect(422);
    assert!(wrong.body.contains("Incorrect code"));
    let next = totp::code_at_step(&secret, step + 1).unwrap();
    web.submit(
        "/sign-in/factor-two",
        &[("strategy", "totp"), ("code", &next)],
    )
    .await
    .redirects_to("/user");

    // Sign in with a backup code; the same code a second time is refused.
    sign_out(&mut web).await;
    password_step(&mut web, email, PASSWORD)
        .await
        .redirects_to("/sign-in/factor-two");
    let page = web.open("/sign-in/factor-two?method=backup_code").await;
    assert!(page.body.contains("Enter one of your backup codes."));
    web.submit(
        "/sign-in/factor-two",
        &[("strategy", "backup_code"), ("code", &codes[0])],
    )
    .await
    .redirects_to("/user");
    sign_out(&mut web).await;
    password_step(&mut web, email, PASSWORD)
        .await
        .redirects_to("/sign-in/factor-two");
    web.open("/sign-in/factor-two?method=backup_code").await;
    let again = web
        .submit(
            "/sign-in/factor-two",
            &[("strategy", "backup_code"), ("code", &codes[0])],
        )
        .await;
    again.expect(422);
    assert!(again.body.contains("Incorrect code"));
    web.submit(
        "/sign-in/factor-two",
        &[("strategy", "backup_code"), ("code", &codes[1])],
    )
    .await
    .redirects_to("/user");
    let page = web.open("/user").await;
    assert!(page.body.contains("8 unused backup codes."));

    // New backup codes replace the old ones; then the app is removed.
    let fresh = web.submit("/user/backup-codes", &[]).await;
    fresh.expect(200);
    assert_eq!(fresh.body.matches("<li><code>").count(), 10);
    assert!(!fresh.body.contains(&codes[2]));
    web.open("/user").await;
    web.submit("/user/totp/remove", &[])
        .await
        .redirects_to("/user?notice=totp_removed");
    let page = web.open("/user").await;
    assert!(page.body.contains("Authenticator app: off."));
}

#[tokio::test]
async fn forgotten_password_is_reset_with_an_emailed_code() {
    let app = spawn().await;
    let email = "linus@example.com";
    let mut first = app.web("first-device");
    sign_up(&app, &mut first, email).await;

    let mut web = app.web("second-device");
    web.open("/sign-in/forgot-password").await.expect(200);
    web.submit("/sign-in/forgot-password", &[("identifier", email)])
        .await
        .redirects_to("/sign-in/forgot-password/verify");
    let page = web.open("/sign-in/forgot-password/verify").await;
    assert!(
        page.body
            .contains("Enter the code we sent to linus@example.com.")
    );
    let code = app.code_for(email).await;
    let listed = app
        .get("/v1/emails?email_address=linus%40example.com")
        .await;
    assert_eq!(listed.body["data"][0]["slug"], "reset_password_code");
    web.submit("/sign-in/forgot-password/verify", &[("code", &code)])
        .await
        .redirects_to("/sign-in/forgot-password/new-password");
    let page = web.open("/sign-in/forgot-password/new-password").await;
    assert!(page.body.contains("Sign out of all other devices"));
    assert!(
        page.body
            .contains("name=\"sign_out_of_other_sessions\" value=\"true\" checked")
    );
    let short = web
        .submit(
            "/sign-in/forgot-password/new-password",
            &[
                ("password", "short"),
                ("sign_out_of_other_sessions", "true"),
            ],
        )
        .await;
    short.expect(422);
    assert!(
        short
            .body
            .contains("id=\"f-password-error\" role=\"alert\"")
    );
    web.submit(
        "/sign-in/forgot-password/new-password",
        &[
            ("password", NEW_PASSWORD),
            ("sign_out_of_other_sessions", "true"),
        ],
    )
    .await
    .redirects_to("/user");
    web.open("/user").await.expect(200);

    // The other device was signed out; the old password no longer works, the new one does.
    first
        .open("/user")
        .await
        .redirects_to("/sign-in?redirect_url=%2Fuser");
    password_step(&mut first, email, PASSWORD).await.expect(422);
    password_step(&mut first, email, NEW_PASSWORD)
        .await
        .redirects_to("/user");
}

#[tokio::test]
async fn devices_are_listed_and_another_one_signed_out() {
    let app = spawn().await;
    let email = "margaret@example.com";
    let mut laptop =
        app.web("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Version/17.0 Safari/605.1.15");
    sign_up(&app, &mut laptop, email).await;

    // A second browser: password, then the emailed code that confirms a new device.
    let mut phone = app.web("Mozilla/5.0 (Linux; Android 14) Chrome/140.0 Mobile Safari/537.36");
    password_step(&mut phone, email, PASSWORD)
        .await
        .redirects_to("/sign-in/factor-two");
    let page = phone.open("/sign-in/factor-two").await;
    assert!(page.body.contains("Confirm it&#39;s you"));
    assert!(page.body.contains("margaret@example.com"));
    let code = app.code_for(email).await;
    phone
        .submit(
            "/sign-in/factor-two",
            &[("strategy", "email_code"), ("code", &code)],
        )
        .await
        .redirects_to("/user");

    // Each device sees both, itself marked.
    let page = laptop.open("/user").await;
    assert!(
        page.body
            .contains("Safari on macOS<span class=\"badge\">This device</span>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Chrome on Android</h3>"));
    assert_eq!(page.body.matches("IP address: 127.0.0.1").count(), 2);
    assert_eq!(page.body.matches("Last active: ").count(), 2);
    let phone_session = page.input_value("session_id").unwrap();

    // Someone else's session cannot be ended from here.
    let other = app.create_user("someone@example.com").await;
    let theirs = app.create_session(other["id"].as_str().unwrap()).await;
    let refused = laptop
        .submit(
            "/user/devices/sign-out",
            &[("session_id", theirs["id"].as_str().unwrap())],
        )
        .await;
    refused.expect(404);
    assert!(refused.body.contains("role=\"alert\""));
    let theirs_now = app
        .get(&format!("/v1/sessions/{}", theirs["id"].as_str().unwrap()))
        .await;
    assert_eq!(theirs_now.ok()["status"], "active");

    // Sign the phone out from the laptop.
    laptop
        .submit("/user/devices/sign-out", &[("session_id", &phone_session)])
        .await
        .redirects_to("/user?notice=device_signed_out#devices");
    let ended = app.get(&format!("/v1/sessions/{phone_session}")).await;
    assert_eq!(ended.ok()["status"], "revoked");
    phone
        .open("/user")
        .await
        .redirects_to("/sign-in?redirect_url=%2Fuser");
    let page = laptop.open("/user?notice=device_signed_out").await;
    assert!(!page.body.contains("Chrome on Android"));
    assert!(page.body.contains("That device has been signed out."));
}

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
        reqwest::Client::new()
            .get(format!("{}{path}", app.base))
            .bearer_auth(LIVE)
    };
    let mut web = app.web("prod-test");
    web.origin = Some("https://evil.example".into());
    web.open("/sign-up").await.expect(200);
    let refused = web
        .submit(
            "/sign-up",
            &[("email_address", "eve@example.com"), ("password", PASSWORD)],
        )
        .await;
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
    let prefixed = web
        .submit(
            "/__clerk/sign-up",
            &[("email_address", "eve@example.com"), ("password", PASSWORD)],
        )
        .await;
    prefixed.expect(403);
    assert!(prefixed.body.contains("href=\"/__clerk/sign-in\""));
    // clerk-js's calls from that origin still get Clerk's JSON error.
    let fapi = reqwest::Client::new()
        .post(format!("{}/v1/client/sign_ins", app.frontend_url()))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(fapi.status(), 403);
    let body: Value = fapi.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "origin_invalid");
    // This listener's own http:// origin is not the instance's https:// one either.
    web.origin = Some(app.frontend_url());
    web.submit(
        "/sign-up",
        &[("email_address", "eve@example.com"), ("password", PASSWORD)],
    )
    .await
    .expect(403);
    let emails: Value = bapi("/v1/emails")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(emails["total_count"], 0, "nothing was sent");

    // From the allowed origin (and from no origin at all) the same form goes through.
    web.origin = Some("https://app.example.com".into());
    web.submit(
        "/sign-up?redirect_url=https%3A%2F%2Fapp.example.com%2Fwelcome",
        &[("email_address", "eve@example.com"), ("password", PASSWORD)],
    )
    .await
    .redirects_to(
        "/sign-up/verify-email-address?redirect_url=https%3A%2F%2Fapp.example.com%2Fwelcome",
    );
    let emails: Value = bapi("/v1/emails?email_address=eve%40example.com")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let users: Value = bapi("/v1/users")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users.as_array().unwrap().len(), 1);
}
