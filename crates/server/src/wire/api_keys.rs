//! Clerk's `api_key` object. The secret appears only where Clerk shows it: in the answer to a
//! create (`ApiKeyJson::with_secret`) and in `GET /api_keys/{id}/secret` (`SecretJson`).

use serde::Serialize;
use serde_json::Value;
use usher_core::api_keys::ApiKey;
use usher_core::clock::Millis;
use usher_core::ids::{ApiKeyId, UserId};

#[derive(Debug, Serialize)]
pub struct ApiKeyJson {
    pub object: &'static str,
    pub id: ApiKeyId,
    #[serde(rename = "type")]
    pub kind: String,
    pub subject: String,
    pub name: String,
    pub description: Option<String>,
    pub claims: Option<Value>,
    pub scopes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub revoked: bool,
    pub revocation_reason: Option<String>,
    pub expired: bool,
    pub expiration: Option<Millis>,
    pub created_by: Option<UserId>,
    pub last_used_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl ApiKeyJson {
    pub fn new(k: &ApiKey, now: Millis) -> Self {
        Self {
            object: "api_key",
            id: k.id.clone(),
            kind: k.kind.clone(),
            subject: k.subject.clone(),
            name: k.name.clone(),
            description: k.description.clone(),
            claims: k.claims.clone(),
            scopes: k.scopes.clone(),
            secret: None,
            revoked: k.revoked,
            revocation_reason: k.revocation_reason.clone(),
            expired: k.expired(now),
            expiration: k.expiration,
            created_by: k.created_by.clone(),
            last_used_at: k.last_used_at,
            created_at: k.created_at,
            updated_at: k.updated_at,
        }
    }

    /// The answer to a create: the only time the secret comes unasked.
    pub fn with_secret(k: &ApiKey, secret: String, now: Millis) -> Self {
        Self {
            secret: Some(secret),
            ..Self::new(k, now)
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SecretJson {
    pub secret: String,
}

#[derive(Debug, Serialize)]
pub struct DeletedApiKeyJson {
    pub object: &'static str,
    pub id: ApiKeyId,
    pub deleted: bool,
}

impl DeletedApiKeyJson {
    pub fn new(id: &ApiKeyId) -> Self {
        Self {
            object: "api_key",
            id: id.clone(),
            deleted: true,
        }
    }
}
