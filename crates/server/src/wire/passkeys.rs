//! Clerk's `passkey` object: a verified one as a user's JSON lists it, and a pending one with
//! its verification's `nonce` (the creation options clerk-js hands to the browser).

use serde::Serialize;
use usher_core::clock::Millis;
use usher_core::passkeys::{PasskeyRecord, UserPasskey};

#[derive(Debug, Serialize)]
pub struct PasskeyVerificationJson {
    pub object: &'static str,
    pub status: &'static str,
    pub strategy: &'static str,
    pub attempts: Option<i64>,
    /// Required by the Frontend API spec: a verified passkey's is when it was registered.
    pub expire_at: Millis,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PasskeyJson {
    pub object: &'static str,
    pub id: String,
    pub name: String,
    pub last_used_at: Option<Millis>,
    pub verification: PasskeyVerificationJson,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl From<&UserPasskey> for PasskeyJson {
    fn from(p: &UserPasskey) -> Self {
        Self {
            object: "passkey",
            id: p.id.to_string(),
            name: p.name.clone(),
            last_used_at: p.last_used_at,
            verification: PasskeyVerificationJson {
                object: "verification_passkey",
                status: "verified",
                strategy: "passkey",
                attempts: None,
                expire_at: p.created_at,
                nonce: None,
            },
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

impl PasskeyJson {
    /// A passkey as its own endpoints answer it: verified, or waiting with the options of its
    /// registration (`nonce`, when just created).
    pub fn of_record(p: &PasskeyRecord, nonce: Option<String>) -> Self {
        if p.is_verified() {
            return Self::from(&p.summary());
        }
        let (status, expire_at) = match &p.registration {
            Some(r) => ("unverified", r.expires_at),
            None => ("failed", p.updated_at),
        };
        Self {
            object: "passkey",
            id: p.id.to_string(),
            name: p.name.clone(),
            last_used_at: None,
            verification: PasskeyVerificationJson {
                object: "verification_passkey",
                status,
                strategy: "passkey",
                attempts: Some(0),
                expire_at,
                nonce,
            },
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}
