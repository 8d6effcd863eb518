//! A forgotten password reset with an emailed code; devices listed and signed out.

use super::*;

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
    second_factor(&mut phone, "email_code", &code)
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
