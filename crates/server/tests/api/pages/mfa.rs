//! TOTP enrolment on the pages, then sign-in with a TOTP and with backup codes.

use super::*;

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
    let wrong = second_factor(&mut web, "totp", "000000").await;
    wrong.expect(422);
    assert!(wrong.body.contains("Incorrect code"));
    let next = totp::code_at_step(&secret, step + 1).unwrap();
    second_factor(&mut web, "totp", &next)
        .await
        .redirects_to("/user");

    // Sign in with a backup code; the same code a second time is refused.
    sign_out(&mut web).await;
    password_step(&mut web, email, PASSWORD)
        .await
        .redirects_to("/sign-in/factor-two");
    let page = web.open("/sign-in/factor-two?method=backup_code").await;
    assert!(page.body.contains("Enter one of your backup codes."));
    second_factor(&mut web, "backup_code", &codes[0])
        .await
        .redirects_to("/user");
    sign_out(&mut web).await;
    password_step(&mut web, email, PASSWORD)
        .await
        .redirects_to("/sign-in/factor-two");
    web.open("/sign-in/factor-two?method=backup_code").await;
    let again = second_factor(&mut web, "backup_code", &codes[0]).await;
    again.expect(422);
    assert!(again.body.contains("Incorrect code"));
    second_factor(&mut web, "backup_code", &codes[1])
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
