//! The WebAuthn ceremonies, done by webauthn-rs: options for the browser (the `nonce` clerk-js
//! parses), the state kept server-side, and the check of the browser's answer.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sha2::{Digest, Sha256};
use webauthn_rs::prelude::{
    CredentialID, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

use super::{CHALLENGE_TTL_MS, PendingCeremony, RelyingParty};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};

/// The browser's answer did not verify (bad signature, challenge, origin, RP ID, counter…).
fn failed() -> CoreError {
    CoreError::VerificationFailed
}

fn malformed() -> CoreError {
    CoreError::ParamFormatInvalid {
        param: "public_key_credential".into(),
        reason: "must be the JSON of a public key credential".into(),
    }
}

fn webauthn(rp: &RelyingParty, app_name: &str) -> CoreResult<Webauthn> {
    let origin = Url::parse(&rp.origin).map_err(|_| CoreError::FlowInvalid {
        reason: "passkeys need the request's origin",
    })?;
    WebauthnBuilder::new(&rp.id, &origin)
        .and_then(|b| b.rp_name(app_name).build())
        .map_err(|_| CoreError::FlowInvalid {
            reason: "this origin cannot be a passkey relying party",
        })
}

fn to_json<T: serde::Serialize>(v: &T) -> CoreResult<Value> {
    serde_json::to_value(v).map_err(|e| CoreError::Crypto(format!("passkey state: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(v: &Value) -> CoreResult<T> {
    serde_json::from_value(v.clone()).map_err(|e| CoreError::Crypto(format!("passkey state: {e}")))
}

/// The WebAuthn user handle of a user: derived from the user id, so that a discoverable
/// credential's handle names its user without a table of its own.
pub fn user_handle(user_id: &str) -> Uuid {
    let digest = Sha256::digest(format!("usher passkey user handle\0{user_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

pub fn credential_id_text(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

/// Creation options (the JSON clerk-js passes to `navigator.credentials.create`) and the
/// registration's state. The credential is asked to be discoverable (resident), so that it
/// signs in without an identifier; the user's other credentials are excluded.
pub fn start_registration(
    rp: &RelyingParty,
    app_name: &str,
    user_id: &str,
    user_name: &str,
    exclude: &[String],
    now: Millis,
) -> CoreResult<(String, PendingCeremony)> {
    let w = webauthn(rp, app_name)?;
    let exclude: Vec<CredentialID> = exclude
        .iter()
        .filter_map(|c| URL_SAFE_NO_PAD.decode(c).ok())
        .map(CredentialID::from)
        .collect();
    let exclude = (!exclude.is_empty()).then_some(exclude);
    let (ccr, state) = w
        .start_passkey_registration(user_handle(user_id), user_name, user_name, exclude)
        .map_err(|e| CoreError::Crypto(format!("passkey registration: {e}")))?;
    let mut options = to_json(&ccr.public_key)?;
    if let Some(sel) = options
        .get_mut("authenticatorSelection")
        .and_then(Value::as_object_mut)
    {
        sel.insert("residentKey".into(), Value::from("required"));
        sel.insert("requireResidentKey".into(), Value::from(true));
    }
    let pending = PendingCeremony {
        rp: rp.clone(),
        state: to_json(&state)?,
        expires_at: now + CHALLENGE_TTL_MS,
    };
    Ok((options.to_string(), pending))
}

/// The verified credential (webauthn-rs `Passkey`, as JSON) and its id (base64url).
pub fn finish_registration(
    pending: &PendingCeremony,
    app_name: &str,
    public_key_credential: &str,
) -> CoreResult<(Value, String)> {
    let answer: RegisterPublicKeyCredential =
        serde_json::from_str(public_key_credential).map_err(|_| malformed())?;
    let state: PasskeyRegistration = from_json(&pending.state)?;
    let w = webauthn(&pending.rp, app_name)?;
    let passkey = w
        .finish_passkey_registration(&answer, &state)
        .map_err(|_| failed())?;
    let id = credential_id_text(passkey.cred_id().as_ref());
    Ok((to_json(&passkey)?, id))
}

/// Request options for a discoverable sign-in (no credential listed: the browser offers the
/// RP's passkeys, so nothing tells whether an identifier has any) and its state.
pub fn start_sign_in(
    rp: &RelyingParty,
    app_name: &str,
    now: Millis,
) -> CoreResult<(String, PendingCeremony)> {
    let w = webauthn(rp, app_name)?;
    let (rcr, state) = w
        .start_discoverable_authentication()
        .map_err(|e| CoreError::Crypto(format!("passkey sign-in: {e}")))?;
    let options = to_json(&rcr.public_key)?;
    let pending = PendingCeremony {
        rp: rp.clone(),
        state: to_json(&state)?,
        expires_at: now + CHALLENGE_TTL_MS,
    };
    Ok((options.to_string(), pending))
}

/// A sign-in's answer, parsed: the credential id (base64url) and the user handle it carries.
pub struct Assertion {
    credential: PublicKeyCredential,
    pub credential_id: String,
    user_handle: Option<Vec<u8>>,
}

pub fn parse_assertion(public_key_credential: &str) -> CoreResult<Assertion> {
    let credential: PublicKeyCredential =
        serde_json::from_str(public_key_credential).map_err(|_| malformed())?;
    let credential_id = credential_id_text(credential.get_credential_id());
    let user_handle = credential.get_user_unique_id().map(<[u8]>::to_vec);
    Ok(Assertion {
        credential,
        credential_id,
        user_handle,
    })
}

/// Checks the assertion against the sign-in's challenge and the stored credential of
/// `user_id`; the credential with its counter and backup state brought up to date.
pub fn finish_sign_in(
    pending: &PendingCeremony,
    app_name: &str,
    assertion: &Assertion,
    user_id: &str,
    stored: &Value,
) -> CoreResult<Value> {
    let handle = user_handle(user_id);
    if assertion.user_handle.as_deref() != Some(handle.as_bytes().as_slice()) {
        return Err(failed());
    }
    let mut passkey: Passkey = from_json(stored)?;
    let state: DiscoverableAuthentication = from_json(&pending.state)?;
    let w = webauthn(&pending.rp, app_name)?;
    let result = w
        .finish_discoverable_authentication(
            &assertion.credential,
            state,
            &[DiscoverableKey::from(&passkey)],
        )
        .map_err(|_| failed())?;
    passkey.update_credential(&result);
    to_json(&passkey)
}
