//! The steps of a passkey's life that the passkey tests share: the instance's switch, the page
//! the software authenticator answers for, registration from the profile and a sign-in without
//! an identifier.

use super::*;

/// Turns passkeys on (they are off by default, as on Clerk).
pub(super) async fn enable_passkeys(env: &Env) {
    env.bapi(
        reqwest::Method::PATCH,
        "/v1/instance/settings",
        Some(json!({"passkeys_enabled": true})),
    )
    .await
    .ok();
}

/// The page the software authenticator answers for: the app's origin, RP ID `localhost`.
pub(super) fn page() -> Page {
    Page {
        origin: APP.into(),
        rp_id: "localhost".into(),
    }
}

/// A new registration's options (the pending passkey's `nonce`) and its id.
pub(super) async fn create(b: &mut Browser) -> (String, String) {
    let r = b.post("/v1/me/passkeys", &[]).await;
    let p = &r.ok()["response"];
    assert_eq!(p["object"], "passkey", "{}", r.raw);
    assert_eq!(p["verification"]["status"], "unverified");
    assert_eq!(p["verification"]["strategy"], "passkey");
    let nonce = p["verification"]["nonce"].as_str().unwrap().to_owned();
    (p["id"].as_str().unwrap().to_owned(), nonce)
}

/// The authenticator's `credential` for passkey `id`, answered from the profile.
pub(super) async fn verify(b: &mut Browser, id: &str, credential: &str) -> Res {
    b.post(
        &format!("/v1/me/passkeys/{id}/attempt_verification"),
        &[
            ("strategy", "passkey"),
            ("public_key_credential", credential),
        ],
    )
    .await
}

/// A passkey sign-in started without an identifier: its id and request options.
pub(super) async fn start_sign_in(b: &mut Browser) -> (String, String) {
    let r = b
        .post("/v1/client/sign_ins", &[("strategy", "passkey")])
        .await;
    let si = &r.ok()["response"];
    assert_eq!(si["status"], "needs_identifier", "{}", r.raw);
    let v = &si["first_factor_verification"];
    assert_eq!(v["strategy"], "passkey");
    assert_eq!(v["object"], "verification_passkey");
    let options: Value = serde_json::from_str(v["nonce"].as_str().unwrap()).unwrap();
    // Discoverable: no credential is listed, so nothing tells whose passkeys exist.
    assert!(
        options["allowCredentials"]
            .as_array()
            .is_none_or(|a| a.is_empty())
    );
    assert_eq!(options["rpId"], "localhost");
    assert_eq!(options["userVerification"], "required");
    (
        si["id"].as_str().unwrap().to_owned(),
        v["nonce"].as_str().unwrap().to_owned(),
    )
}

/// The authenticator's `assertion` for sign-in `id`.
pub(super) async fn attempt(b: &mut Browser, id: &str, assertion: &str) -> Res {
    b.post(
        &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
        &[
            ("strategy", "passkey"),
            ("public_key_credential", assertion),
        ],
    )
    .await
}
