//! Signing in and out, the session cookie, lockout and expiry.

use usher_core::operators::Role;

use super::{OPERATOR_PASSWORD, assert_secure_headers, post_password, spawn};
use crate::common::parse_cookie;

const INCORRECT: &str = "Incorrect email address or password.";

#[tokio::test]
async fn operators_sign_in_with_password_then_totp_and_out() {
    let d = spawn().await;
    let secret = d.operator("ada@example.com", Role::Admin).await;
    let mut b = d.browser();

    // Every page needs a signed-in operator.
    for path in [
        "/dashboard",
        "/dashboard/users",
        "/dashboard/audit",
        "/dashboard/users/user_2abc",
    ] {
        let p = b.open(path).await;
        p.redirects_to("/dashboard/sign-in");
        assert_secure_headers(&p);
    }
    let p = b.open("/dashboard/sign-in").await;
    p.expect(200);
    assert_secure_headers(&p);
    assert!(
        p.body
            .contains("<label for=\"f-email\">Email address</label>")
    );
    assert!(
        p.body
            .contains("<label for=\"f-password\">Password</label>")
    );
    let css = b.open("/dashboard/assets/dashboard.css").await;
    css.expect(200);
    assert!(css.header("content-type").starts_with("text/css"));

    // The password: a pending session, which opens nothing but the code page.
    let res = post_password(&mut b, "Ada@Example.com", OPERATOR_PASSWORD).await;
    res.redirects_to("/dashboard/sign-in/code");
    assert_secure_headers(&res);
    b.open("/dashboard/users")
        .await
        .redirects_to("/dashboard/sign-in");
    // That refusal dropped the cookie: start again.
    post_password(&mut b, "ada@example.com", OPERATOR_PASSWORD)
        .await
        .redirects_to("/dashboard/sign-in/code");
    let pending_token = b.cookie("__usher_dashboard").unwrap().to_owned();
    let page = b.open("/dashboard/sign-in/code").await;
    page.expect(200);
    assert!(page.body.contains("Verification code"));

    // The code: a verified session under a new token, in a strict cookie.
    d.clock.advance(30_000);
    let code = d.code(&secret);
    let res = b
        .post_form("/dashboard/sign-in/code", &[("code", &code)])
        .await;
    res.redirects_to("/dashboard/users");
    let line = res
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|l| l.starts_with("__usher_dashboard="))
        .unwrap();
    let (_, token, attrs) = parse_cookie(&line);
    assert_ne!(
        token, pending_token,
        "the token changes once the code is accepted"
    );
    for a in ["httponly", "samesite=strict", "path=/dashboard", "secure"] {
        assert!(attrs.iter().any(|x| x == a), "{a} in {line}");
    }
    // The code is spent.
    let mut replay = d.browser();
    post_password(&mut replay, "ada@example.com", OPERATOR_PASSWORD).await;
    replay
        .post_form("/dashboard/sign-in/code", &[("code", &code)])
        .await
        .expect(401);

    for path in ["/dashboard/users", "/dashboard/audit"] {
        let p = b.open(path).await;
        p.expect(200);
        assert_secure_headers(&p);
        assert!(p.body.contains("ada@example.com"));
        assert!(
            !p.body.contains(&d.app.secret),
            "the secret key never reaches the browser"
        );
        let scripts: Vec<&str> = p
            .body
            .match_indices("<script")
            .map(|(i, _)| &p.body[i..])
            .collect();
        assert_eq!(scripts.len(), 1, "one script");
        assert!(
            scripts[0].starts_with("<script src=\"/dashboard/assets/time.js\" defer></script>"),
            "only the time zone script, from a file"
        );
    }
    b.open("/dashboard").await.redirects_to("/dashboard/users");

    // Signing out needs the form's token, and ends the session.
    b.post_form("/dashboard/sign-out", &[]).await.expect(403);
    b.open("/dashboard/users").await.expect(200);
    b.submit("/dashboard/sign-out", &[])
        .await
        .redirects_to("/dashboard/sign-in?notice=signed_out");
    assert_eq!(b.cookie("__usher_dashboard"), None);
    let mut stolen = d.browser();
    stolen.jar.insert("__usher_dashboard".into(), token);
    stolen
        .open("/dashboard/users")
        .await
        .redirects_to("/dashboard/sign-in");
}

#[tokio::test]
async fn wrong_passwords_codes_and_unknown_operators_get_one_answer_then_a_lockout() {
    let d = spawn().await;
    let secret = d.operator("ada@example.com", Role::Admin).await;
    let mut b = d.browser();
    let unknown = post_password(&mut b, "nobody@example.com", OPERATOR_PASSWORD).await;
    unknown.expect(401);
    assert!(unknown.body.contains(INCORRECT), "{}", unknown.body);
    let wrong = post_password(&mut b, "ada@example.com", "not-the-password-1").await;
    wrong.expect(401);
    assert!(wrong.body.contains(INCORRECT));
    assert_eq!(
        unknown.body.replace("nobody@example.com", "X"),
        wrong.body.replace("ada@example.com", "X"),
        "the same page for an unknown operator and a wrong password"
    );
    assert_eq!(b.cookie("__usher_dashboard"), None);

    // A wrong code counts too.
    post_password(&mut b, "ada@example.com", OPERATOR_PASSWORD)
        .await
        .redirects_to("/dashboard/sign-in/code");
    let bad = b
        .post_form("/dashboard/sign-in/code", &[("code", "000000")])
        .await;
    bad.expect(401);
    assert!(bad.body.contains("Incorrect or expired code."));
    b.open("/dashboard/users")
        .await
        .redirects_to("/dashboard/sign-in");

    // Three more failures: five in the window. Now even the right password is refused.
    for _ in 0..3 {
        post_password(&mut b, "ada@example.com", "still-wrong-pass-9")
            .await
            .expect(401);
    }
    let locked = post_password(&mut b, "ada@example.com", OPERATOR_PASSWORD).await;
    locked.expect(429);
    assert!(locked.body.contains("Too many failed attempts"));
    // An unknown address locks out the same way.
    for _ in 0..5 {
        post_password(&mut b, "ghost@example.com", "whatever-it-is-1")
            .await
            .expect(401);
    }
    post_password(&mut b, "ghost@example.com", "whatever-it-is-1")
        .await
        .expect(429);

    // The lockout lapses with its window.
    d.clock.advance(16 * 60 * 1000);
    d.sign_in("ada@example.com", &secret).await;
}

#[tokio::test]
async fn operator_sessions_end_when_idle_and_at_their_lifetime() {
    let d = spawn().await;
    let secret = d.operator("ada@example.com", Role::Support).await;

    let mut b = d.sign_in("ada@example.com", &secret).await;
    d.clock.advance(29 * 60 * 1000);
    b.open("/dashboard/users").await.expect(200);
    d.clock.advance(29 * 60 * 1000);
    b.open("/dashboard/users").await.expect(200);
    d.clock.advance(31 * 60 * 1000);
    b.open("/dashboard/users")
        .await
        .redirects_to("/dashboard/sign-in");

    // Active all along, the session still ends twelve hours after sign-in.
    let mut b = d.sign_in("ada@example.com", &secret).await;
    for _ in 0..(12 * 60 / 20) - 1 {
        d.clock.advance(20 * 60 * 1000);
        b.open("/dashboard/users").await.expect(200);
    }
    d.clock.advance(20 * 60 * 1000);
    b.open("/dashboard/users")
        .await
        .redirects_to("/dashboard/sign-in");

    // A password without its code expires in minutes.
    let mut p = d.browser();
    post_password(&mut p, "ada@example.com", OPERATOR_PASSWORD)
        .await
        .redirects_to("/dashboard/sign-in/code");
    d.clock.advance(6 * 60 * 1000);
    p.open("/dashboard/sign-in/code")
        .await
        .redirects_to("/dashboard/sign-in");
}

/// Under the pages' `Referrer-Policy: no-referrer`, Chromium sends `Origin: null` with the
/// dashboard's own forms: accepted beside `Sec-Fetch-Site: same-origin`, refused alone or from
/// another site.
#[tokio::test]
async fn a_null_origin_is_same_origin_only_with_sec_fetch_site() {
    let d = spawn().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |site: Option<&'static str>| {
        let mut req = http
            .post(format!("{}/dashboard/sign-in", d.app.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Origin", "null")
            .body("email=nobody%40example.com&password=not-the-password-1");
        if let Some(s) = site {
            req = req.header("Sec-Fetch-Site", s);
        }
        req.send()
    };
    let same = post(Some("same-origin")).await.unwrap();
    let text = same.text().await.unwrap();
    assert!(!text.contains("Form not accepted"), "{text}");
    for site in [None, Some("cross-site")] {
        let r = post(site).await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "{site:?}");
        assert!(r.text().await.unwrap().contains("Form not accepted"));
    }
}
