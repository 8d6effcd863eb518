//! The domain shape of an API key.

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::ids::{ApiKeyId, OrganizationId, UserId, random_hex};
use crate::users::query::Page;

/// Clerk's only API key type.
pub const API_KEY_TYPE: &str = "api_key";

impl ApiKeyId {
    /// A fresh id in Clerk's format: `ak_` and 32 lowercase hex digits.
    pub fn mint() -> Self {
        Self::from_stored(format!("{}{}", Self::PREFIX, random_hex(16)))
    }
}

/// Who an API key belongs to: a user or an organization of the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    User(UserId),
    Organization(OrganizationId),
}

impl Subject {
    /// A user or organization id; anything else (a machine, a malformed id) is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        if s.starts_with(UserId::PREFIX) {
            UserId::parse(s).ok().map(Subject::User)
        } else {
            OrganizationId::parse(s).ok().map(Subject::Organization)
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Subject::User(u) => u.as_str(),
            Subject::Organization(o) => o.as_str(),
        }
    }
}

/// An API key, without its secret (the store keeps the secret's digest and sealed copy in
/// columns of their own, so no domain value carries them by accident).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub kind: String,
    pub subject: String,
    pub name: String,
    pub description: Option<String>,
    pub claims: Option<serde_json::Value>,
    pub scopes: Vec<String>,
    pub revoked: bool,
    pub revocation_reason: Option<String>,
    pub expiration: Option<Millis>,
    pub created_by: Option<UserId>,
    /// Kept in a column of its own, written in batches (see `Store::touch_api_keys`).
    #[serde(skip)]
    pub last_used_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    #[serde(default)]
    pub version: i64,
}

impl ApiKey {
    pub fn expired(&self, now: Millis) -> bool {
        self.expiration.is_some_and(|at| at <= now)
    }

    /// Whether the key may authenticate a request now.
    pub fn usable(&self, now: Millis) -> bool {
        !self.revoked && !self.expired(now)
    }
}

/// A page of a subject's keys, newest first.
#[derive(Debug, Clone)]
pub struct ApiKeyQuery {
    pub subject: String,
    /// Revoked and expired keys too (Clerk's `include_invalid`).
    pub include_invalid: bool,
    /// Expiry is judged at this time.
    pub now: Millis,
    /// Part of the name, compared case-insensitively.
    pub query: Option<String>,
    pub page: Page,
}
