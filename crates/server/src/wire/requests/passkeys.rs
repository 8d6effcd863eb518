//! Frontend API passkey forms.

use serde::Deserialize;

use super::fields::form;

/// `POST /v1/me/passkeys/{id}/attempt_verification`: the browser's attestation, as the JSON
/// clerk-js serialises (`id`, `rawId`, `type`, `response.{clientDataJSON,attestationObject}`).
#[derive(Debug, Deserialize)]
pub struct PasskeyVerificationForm {
    #[serde(default, with = "form::text")]
    pub strategy: Option<String>,
    #[serde(with = "form::required")]
    pub public_key_credential: String,
}

/// `PATCH /v1/me/passkeys/{id}`.
#[derive(Debug, Deserialize)]
pub struct PasskeyUpdateForm {
    #[serde(default, with = "form::raw")]
    pub name: Option<String>,
}
