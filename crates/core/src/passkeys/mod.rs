//! Passkeys (WebAuthn): the stored record, the summary a user's JSON shows, and the ceremonies
//! (`ceremony`): registration from the user's profile and discoverable sign-in, verified by
//! Usher itself (`cbor`, `cose`, `auth_data`) on aws-lc-rs.
//!
//! The relying party is the page that asked: its origin (an allowed one, checked by the
//! Frontend API before any handler runs) and that origin's host as the RP ID. Both are kept
//! with the ceremony's state, server-side, and the answer is checked against them.

pub mod auth_data;
pub mod cbor;
pub mod ceremony;
pub mod cose;
pub mod credential;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests_ceremony;

pub use credential::StoredCredential;

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{IdentificationId, UserId};

/// A registration or sign-in challenge is answered within five minutes, once.
pub const CHALLENGE_TTL_MS: Millis = 5 * 60 * 1000;
/// A user holds at most this many passkeys (Clerk's limit).
pub const MAX_PER_USER: usize = 10;
/// The longest name a passkey may be given.
pub const MAX_NAME_CHARS: usize = 256;

/// A relying party: the page's origin and its host (the RP ID).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelyingParty {
    pub id: String,
    pub origin: String,
}

impl RelyingParty {
    /// The relying party of an allowed page origin (`https://app.example.com`,
    /// `http://localhost:3000`): the host, without port, is the RP ID.
    pub fn of_origin(origin: &str) -> CoreResult<Self> {
        let url = url::Url::parse(origin).map_err(|_| CoreError::FlowInvalid {
            reason: "passkeys need the request's origin",
        })?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or(CoreError::FlowInvalid {
                reason: "passkeys need the request's origin",
            })?;
        Ok(Self {
            id: host.to_owned(),
            origin: url.origin().ascii_serialization(),
        })
    }
}

/// A ceremony waiting for the browser's answer: its state (the challenge and the user
/// verification asked for), the
/// relying party it was started for, and when it expires. Never sent to the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingCeremony {
    pub rp: RelyingParty,
    pub state: serde_json::Value,
    pub expires_at: Millis,
}

impl PendingCeremony {
    pub fn is_live(&self, now: Millis) -> bool {
        now < self.expires_at
    }
}

/// A passkey: created unverified with a registration challenge, verified with the browser's
/// attestation, then used to sign in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasskeyRecord {
    pub id: IdentificationId,
    #[serde(default)]
    pub version: i64,
    pub user_id: UserId,
    pub name: String,
    /// The credential's id (base64url) once verified: unique within an instance.
    pub credential_id: Option<String>,
    /// The verified credential (public key, counter, backup flags); a credential stored in
    /// webauthn-rs's form is converted as it is read.
    #[serde(default, deserialize_with = "credential::either")]
    pub credential: Option<StoredCredential>,
    /// The RP ID the credential was registered for.
    pub rp_id: Option<String>,
    /// The registration waiting for its attestation; cleared when answered.
    pub registration: Option<PendingCeremony>,
    pub last_used_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl PasskeyRecord {
    pub fn is_verified(&self) -> bool {
        self.credential.is_some()
    }

    pub fn summary(&self) -> UserPasskey {
        UserPasskey {
            id: self.id.clone(),
            name: self.name.clone(),
            last_used_at: self.last_used_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// Base64url for the JSON of stored credentials; reading also takes padding and the standard
/// alphabet, as webauthn-rs wrote.
pub(crate) mod b64 {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn encode(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub fn decode_lenient(text: &str) -> Option<Vec<u8>> {
        let text = text.trim_end_matches('=');
        URL_SAFE_NO_PAD
            .decode(text)
            .or_else(|_| STANDARD_NO_PAD.decode(text))
            .ok()
    }

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        decode_lenient(&text).ok_or_else(|| serde::de::Error::custom("not base64url"))
    }
}

/// What a user's JSON shows of a verified passkey; kept on the user, written with the passkey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPasskey {
    pub id: IdentificationId,
    pub name: String,
    pub last_used_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A passkey's name: trimmed, not empty, at most [`MAX_NAME_CHARS`].
pub fn valid_name(name: &str) -> CoreResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(CoreError::ParamValueInvalid {
            param: "name".into(),
            reason: format!("must be 1 to {MAX_NAME_CHARS} characters"),
        });
    }
    Ok(name.to_owned())
}

/// Puts (or replaces) `p`'s summary on the user's list, or removes it when `p` is gone.
pub fn sync_summary(list: &mut Vec<UserPasskey>, id: &IdentificationId, p: Option<&PasskeyRecord>) {
    list.retain(|s| &s.id != id);
    if let Some(p) = p.filter(|p| p.is_verified()) {
        list.push(p.summary());
        list.sort_by(|a, b| (a.created_at, a.id.as_str()).cmp(&(b.created_at, b.id.as_str())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rp_id_is_the_origins_host() {
        let rp = RelyingParty::of_origin("http://localhost:3000").unwrap();
        assert_eq!(rp.id, "localhost");
        assert_eq!(rp.origin, "http://localhost:3000");
        let rp = RelyingParty::of_origin("https://app.example.com").unwrap();
        assert_eq!(rp.id, "app.example.com");
        assert!(RelyingParty::of_origin("not an origin").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(valid_name("  Laptop ").unwrap(), "Laptop");
        assert!(valid_name("   ").is_err());
        assert!(valid_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
