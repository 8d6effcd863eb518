//! A passkey answer that does not verify: 422 `verification_failed` naming
//! `public_key_credential`, its long message telling which check refused it (not the lockout's
//! wording), and still counted against the user.

use super::passkey_steps::*;
use super::*;

#[tokio::test]
async fn a_refused_passkey_says_which_check_failed() {
    let env = spawn(Kind::Production).await;
    enable_passkeys(&env).await;
    let mut b = env.browser();
    b.sign_up(&env, "rhea@example.com", None).await;
    let (id, nonce) = create(&mut b).await;
    let evil = Page {
        origin: "http://evil.test".into(),
        ..page()
    };
    let (_, answer) = register_passkey(&nonce, &evil);
    let r = verify(&mut b, &id, &answer).await;
    r.err(422, "verification_failed");
    assert_eq!(r.param(), "public_key_credential", "{}", r.raw);
    assert_eq!(
        r.body["errors"][0]["long_message"], "The passkey answered another origin.",
        "{}",
        r.raw
    );

    let (id, nonce) = create(&mut b).await;
    let (mut cred, answer) = register_passkey(&nonce, &page());
    verify(&mut b, &id, &answer).await.ok();

    // Signed in once; then an authenticator whose counter went back (a clone) is refused.
    let mut other = env.browser();
    let (si, options) = start_sign_in(&mut other).await;
    let assertion = cred.assert(&options, &page());
    assert_eq!(
        attempt(&mut other, &si, &assertion).await.ok()["response"]["status"],
        "complete"
    );
    let mut third = env.browser();
    let (si, options) = start_sign_in(&mut third).await;
    cred.counter = 0;
    let clone = cred.assert(&options, &page());
    let r = attempt(&mut third, &si, &clone).await;
    r.err(422, "verification_failed");
    let long = r.body["errors"][0]["long_message"].as_str().unwrap_or("");
    assert!(long.contains("counter went back"), "{}", r.raw);
    // The spent challenge, answered again.
    let r = attempt(&mut third, &si, &clone).await;
    r.err(422, "verification_failed");
    let long = r.body["errors"][0]["long_message"].as_str().unwrap_or("");
    assert!(long.contains("already answered"), "{}", r.raw);
}
