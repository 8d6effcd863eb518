//! The verified credential a passkey keeps: its public key, counter, backup flags, transports
//! and AAGUID. Passkeys registered before Usher verified them itself hold webauthn-rs's
//! serialised `Passkey` instead; that form is read and converted when the record is loaded
//! (the next write stores the current form), so no credential is lost.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::b64;
use super::cose::PublicKey;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCredential {
    /// The credential id, base64url.
    pub id: String,
    pub public_key: PublicKey,
    /// The signature counter last seen (0: the authenticator does not count).
    pub counter: u32,
    /// Whether the user was verified when the credential was registered.
    pub user_verified: bool,
    /// Backup eligibility and state (the BE and BS flags), as last seen.
    pub backup_eligible: bool,
    pub backup_state: bool,
    /// The transports the browser reported at registration (`internal`, `hybrid`…).
    #[serde(default)]
    pub transports: Vec<String>,
    /// The authenticator model's AAGUID (hyphenated), when it told one.
    #[serde(default)]
    pub aaguid: Option<String>,
}

/// A record's credential in either form: the current one, or webauthn-rs's `{"cred": …}`.
pub fn either<'de, D: Deserializer<'de>>(d: D) -> Result<Option<StoredCredential>, D::Error> {
    let Some(v) = Option::<Value>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(old) = v.get("cred").filter(|c| c.is_object()) {
        return from_webauthn_rs(old)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("unreadable stored passkey credential"));
    }
    serde_json::from_value(v)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn bin(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => b64::decode_lenient(s),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_u64().and_then(|b| u8::try_from(b).ok()))
            .collect(),
        _ => None,
    }
}

/// webauthn-rs 0.5's `Credential` (a `Passkey`'s `cred`): `cred_id`, `cred.key` (the COSE
/// key's fields by type), `counter`, `user_verified`, `backup_eligible`, `backup_state`,
/// `transports`.
fn from_webauthn_rs(c: &Value) -> Option<StoredCredential> {
    let key = c.get("cred")?.get("key")?;
    let public_key = if let Some(k) = key.get("EC_EC2") {
        if k.get("curve")?.as_str()? != "SECP256R1" {
            return None;
        }
        PublicKey::Es256 {
            x: bin(k.get("x")?)?,
            y: bin(k.get("y")?)?,
        }
    } else if let Some(k) = key.get("EC_OKP") {
        if k.get("curve")?.as_str()? != "ED25519" {
            return None;
        }
        PublicKey::Ed25519 {
            x: bin(k.get("x")?)?,
        }
    } else if let Some(k) = key.get("RSA") {
        PublicKey::Rs256 {
            n: bin(k.get("n")?)?,
            e: bin(k.get("e")?)?,
        }
    } else {
        return None;
    };
    let id = bin(c.get("cred_id")?)?;
    let flag = |name: &str| c.get(name).and_then(Value::as_bool).unwrap_or(false);
    let transports = c
        .get("transports")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    Some(StoredCredential {
        id: b64::encode(&id),
        public_key,
        counter: u32::try_from(c.get("counter")?.as_u64()?).ok()?,
        user_verified: flag("user_verified"),
        backup_eligible: flag("backup_eligible"),
        backup_state: flag("backup_state"),
        transports,
        aaguid: None,
    })
}
