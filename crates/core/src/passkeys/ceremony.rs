//! The WebAuthn ceremonies: options for the browser (the `nonce` clerk-js parses), the state
//! kept server-side, and the check of the browser's answer (WebAuthn Level 2 §7.1 and §7.2,
//! for a relying party asking for `attestation: "none"`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::auth_data::{AuthData, FLAG_BE, FLAG_BS, FLAG_UP, FLAG_UV};
use super::cbor::Cbor;
use super::cose::ALGORITHMS;
use super::credential::StoredCredential;
use super::{CHALLENGE_TTL_MS, PendingCeremony, RelyingParty, b64};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};

/// The browser's answer did not verify, and why.
fn refused(reason: &'static str) -> CoreError {
    CoreError::PasskeyRefused { reason }
}

fn malformed() -> CoreError {
    CoreError::ParamFormatInvalid {
        param: "public_key_credential".into(),
        reason: "must be the JSON of a public key credential".into(),
    }
}

fn decode(text: &str) -> CoreResult<Vec<u8>> {
    b64::decode_lenient(text).ok_or_else(malformed)
}

/// The credential id an answer carries: its `rawId`, else its `id` (both base64url).
fn credential_id(raw_id: Option<&str>, id: Option<&str>) -> CoreResult<Vec<u8>> {
    decode(raw_id.or(id).ok_or_else(malformed)?)
}

/// The WebAuthn user handle of a user: derived from the user id, so that a discoverable
/// credential's handle names its user without a table of its own.
pub fn user_handle(user_id: &str) -> [u8; 16] {
    let digest = Sha256::digest(format!("usher passkey user handle\0{user_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes
}

pub fn credential_id_text(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

/// Ceremonies ask for user verification: a passkey is a whole sign-in on its own.
const USER_VERIFICATION: &str = "required";

/// A fresh challenge (32 random bytes, base64url) and the state that keeps it server-side.
fn challenge(rp: &RelyingParty, now: Millis) -> (String, PendingCeremony) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let challenge = URL_SAFE_NO_PAD.encode(bytes);
    let pending = PendingCeremony {
        rp: rp.clone(),
        state: json!({"challenge": challenge, "user_verification": USER_VERIFICATION}),
        expires_at: now + CHALLENGE_TTL_MS,
    };
    (challenge, pending)
}

/// The challenge a ceremony's state holds. States written before Usher verified passkeys
/// itself (webauthn-rs's `rs` and `ast`) hold it one level down.
fn expected_challenge(state: &Value) -> Option<&str> {
    [
        &state["challenge"],
        &state["rs"]["challenge"],
        &state["ast"]["challenge"],
    ]
    .into_iter()
    .find_map(Value::as_str)
}

fn requires_uv(state: &Value) -> bool {
    let policy = [
        &state["user_verification"],
        &state["rs"]["policy"],
        &state["ast"]["policy"],
    ]
    .into_iter()
    .find_map(Value::as_str);
    !matches!(policy, Some("preferred" | "discouraged"))
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
    let (challenge, pending) = challenge(rp, now);
    let params: Vec<Value> = ALGORITHMS
        .iter()
        .map(|alg| json!({"alg": alg, "type": "public-key"}))
        .collect();
    let mut options = json!({
        "attestation": "none",
        "authenticatorSelection": {
            "requireResidentKey": true,
            "residentKey": "required",
            "userVerification": USER_VERIFICATION,
        },
        "challenge": challenge,
        "extensions": {
            "credProps": true,
            "credentialProtectionPolicy": "userVerificationRequired",
            "enforceCredentialProtectionPolicy": false,
            "uvm": true,
        },
        "pubKeyCredParams": params,
        "rp": {"id": rp.id, "name": app_name},
        "timeout": CHALLENGE_TTL_MS,
        "user": {
            "displayName": user_name,
            "id": URL_SAFE_NO_PAD.encode(user_handle(user_id)),
            "name": user_name,
        },
    });
    let exclude: Vec<Value> = exclude
        .iter()
        .map(|id| json!({"id": id, "type": "public-key"}))
        .collect();
    if !exclude.is_empty() {
        options["excludeCredentials"] = Value::Array(exclude);
    }
    Ok((options.to_string(), pending))
}

/// Request options for a discoverable sign-in (no credential listed: the browser offers the
/// RP's passkeys, so nothing tells whether an identifier has any) and its state.
pub fn start_sign_in(
    rp: &RelyingParty,
    _app_name: &str,
    now: Millis,
) -> CoreResult<(String, PendingCeremony)> {
    let (challenge, pending) = challenge(rp, now);
    let options = json!({
        "allowCredentials": [],
        "challenge": challenge,
        "extensions": {"uvm": true},
        "rpId": rp.id,
        "timeout": CHALLENGE_TTL_MS,
        "userVerification": USER_VERIFICATION,
    });
    Ok((options.to_string(), pending))
}

/// The collected client data (WebAuthn §5.8.1), checked against the ceremony.
fn check_client_data(raw: &[u8], kind: &str, pending: &PendingCeremony) -> CoreResult<()> {
    #[derive(Deserialize)]
    struct ClientData {
        #[serde(rename = "type")]
        kind: String,
        challenge: String,
        origin: String,
        #[serde(rename = "crossOrigin", default)]
        cross_origin: Option<bool>,
    }
    let data: ClientData = serde_json::from_slice(raw)
        .map_err(|_| refused("The passkey's client data is not readable."))?;
    if data.kind != kind {
        return Err(refused("The passkey answered another ceremony."));
    }
    let expected = expected_challenge(&pending.state)
        .ok_or_else(|| CoreError::Crypto("passkey state without a challenge".into()))?;
    if !bool::from(data.challenge.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(refused("The passkey answered another challenge."));
    }
    if data.origin != pending.rp.origin {
        return Err(refused("The passkey answered another origin."));
    }
    if data.cross_origin == Some(true) {
        return Err(refused("The passkey answered from a cross-origin frame."));
    }
    Ok(())
}

/// Authenticator data, checked against the ceremony: the RP ID's hash, user presence, user
/// verification when required, and consistent backup flags.
fn check_auth_data(raw: &[u8], pending: &PendingCeremony) -> CoreResult<AuthData> {
    let data = AuthData::parse(raw)
        .map_err(|_| refused("The passkey's authenticator data is not readable."))?;
    let rp_hash = Sha256::digest(pending.rp.id.as_bytes());
    if !bool::from(data.rp_id_hash.ct_eq(rp_hash.as_slice())) {
        return Err(refused("The passkey belongs to another relying party."));
    }
    if !data.has(FLAG_UP) {
        return Err(refused("The passkey did not confirm the user's presence."));
    }
    if requires_uv(&pending.state) && !data.has(FLAG_UV) {
        return Err(refused("The passkey did not verify the user."));
    }
    if data.has(FLAG_BS) && !data.has(FLAG_BE) {
        return Err(refused("The passkey's backup flags are inconsistent."));
    }
    Ok(data)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Registration {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    raw_id: Option<String>,
    id: Option<String>,
    response: AttestationResponse,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttestationResponse {
    #[serde(rename = "clientDataJSON")]
    client_data_json: String,
    attestation_object: String,
    #[serde(default)]
    transports: Option<Vec<String>>,
}

/// The verified credential and its id (base64url).
pub fn finish_registration(
    pending: &PendingCeremony,
    public_key_credential: &str,
) -> CoreResult<(StoredCredential, String)> {
    let answer: Registration =
        serde_json::from_str(public_key_credential).map_err(|_| malformed())?;
    if answer.kind.as_deref().is_some_and(|k| k != "public-key") {
        return Err(malformed());
    }
    let raw_id = credential_id(answer.raw_id.as_deref(), answer.id.as_deref())?;
    let client_data = decode(&answer.response.client_data_json)?;
    let attestation = decode(&answer.response.attestation_object)?;
    check_client_data(&client_data, "webauthn.create", pending)?;

    let unreadable = || refused("The passkey's attestation is not readable.");
    let object = Cbor::decode(&attestation).map_err(|_| unreadable())?;
    let fmt = object
        .get_text("fmt")
        .and_then(Cbor::as_text)
        .ok_or_else(unreadable)?;
    let statement = object.get_text("attStmt").ok_or_else(unreadable)?;
    if !matches!(statement, Cbor::Map(_)) {
        return Err(unreadable());
    }
    let raw_auth_data = object
        .get_text("authData")
        .and_then(Cbor::as_bytes)
        .ok_or_else(unreadable)?;
    let auth_data = check_auth_data(raw_auth_data, pending)?;
    let attested = auth_data
        .attested
        .as_ref()
        .ok_or_else(|| refused("The passkey sent no credential."))?;
    if !bool::from(attested.credential_id.ct_eq(&raw_id)) {
        return Err(refused(
            "The passkey's credential id does not match its answer.",
        ));
    }
    // `packed` self attestation is checked with the credential's own key; a statement with a
    // certificate chain, and other formats, are not asked for (`attestation: "none"`).
    if fmt == "packed" && statement.get_text("x5c").is_none() {
        let alg = statement.get_text("alg").and_then(Cbor::as_int);
        let sig = statement.get_text("sig").and_then(Cbor::as_bytes);
        let signed = [raw_auth_data, Sha256::digest(&client_data).as_slice()].concat();
        let key = &attested.public_key;
        match (alg, sig) {
            (Some(alg), Some(sig))
                if alg == i128::from(key.algorithm()) && key.verifies(&signed, sig) => {}
            _ => return Err(refused("The passkey's self attestation does not verify.")),
        }
    }
    let aaguid = (attested.aaguid != [0u8; 16]).then(|| uuid_text(&attested.aaguid));
    let id = credential_id_text(&attested.credential_id);
    let credential = StoredCredential {
        id: id.clone(),
        public_key: attested.public_key.clone(),
        counter: auth_data.sign_count,
        user_verified: auth_data.has(FLAG_UV),
        backup_eligible: auth_data.has(FLAG_BE),
        backup_state: auth_data.has(FLAG_BS),
        transports: answer.response.transports.unwrap_or_default(),
        aaguid,
    };
    Ok((credential, id))
}

fn uuid_text(b: &[u8; 16]) -> String {
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// A sign-in's answer, parsed: the credential id (base64url) and what was signed.
pub struct Assertion {
    pub credential_id: String,
    user_handle: Option<Vec<u8>>,
    client_data: Vec<u8>,
    auth_data: Vec<u8>,
    signature: Vec<u8>,
}

pub fn parse_assertion(public_key_credential: &str) -> CoreResult<Assertion> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        raw_id: Option<String>,
        id: Option<String>,
        response: Response,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Response {
        #[serde(rename = "clientDataJSON")]
        client_data_json: String,
        authenticator_data: String,
        signature: String,
        #[serde(default)]
        user_handle: Option<String>,
    }
    let answer: Answer = serde_json::from_str(public_key_credential).map_err(|_| malformed())?;
    let raw_id = credential_id(answer.raw_id.as_deref(), answer.id.as_deref())?;
    let user_handle = match answer.response.user_handle.as_deref() {
        Some("") | None => None,
        Some(h) => Some(decode(h)?),
    };
    Ok(Assertion {
        credential_id: credential_id_text(&raw_id),
        user_handle,
        client_data: decode(&answer.response.client_data_json)?,
        auth_data: decode(&answer.response.authenticator_data)?,
        signature: decode(&answer.response.signature)?,
    })
}

/// Checks the assertion against the sign-in's challenge and the stored credential of
/// `user_id`; the credential with its counter and backup state brought up to date.
pub fn finish_sign_in(
    pending: &PendingCeremony,
    assertion: &Assertion,
    user_id: &str,
    stored: &StoredCredential,
) -> CoreResult<StoredCredential> {
    if let Some(handle) = &assertion.user_handle
        && !bool::from(handle.as_slice().ct_eq(&user_handle(user_id)))
    {
        return Err(refused("The passkey belongs to another user."));
    }
    if assertion.credential_id != stored.id {
        return Err(refused("The passkey is not the one registered."));
    }
    check_client_data(&assertion.client_data, "webauthn.get", pending)?;
    let auth_data = check_auth_data(&assertion.auth_data, pending)?;
    let signed = [
        assertion.auth_data.as_slice(),
        Sha256::digest(&assertion.client_data).as_slice(),
    ]
    .concat();
    if !stored.public_key.verifies(&signed, &assertion.signature) {
        return Err(refused("The passkey's signature does not verify."));
    }
    let count = auth_data.sign_count;
    if (count != 0 || stored.counter != 0) && count <= stored.counter {
        return Err(refused(
            "The passkey's counter went back: the authenticator may have been cloned.",
        ));
    }
    let mut updated = stored.clone();
    updated.counter = count;
    updated.backup_eligible = auth_data.has(FLAG_BE);
    updated.backup_state = auth_data.has(FLAG_BS);
    Ok(updated)
}
