//! The domain shapes of machines, their scopes and their M2M tokens.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::Millis;
use crate::ids::{M2mTokenId, MachineId, random_hex};
use crate::order_by;
use crate::users::query::Page;

impl M2mTokenId {
    /// A fresh id in Clerk's format: `mt_` and 32 lowercase hex digits.
    pub fn mint() -> Self {
        Self::from_stored(format!("{}{}", Self::PREFIX, random_hex(16)))
    }
}

/// A machine, without its secret key (the store keeps the key's digests and sealed copy in
/// columns and rows of their own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub id: MachineId,
    pub name: String,
    /// Seconds an M2M token of this machine lives when its creation names no lifetime.
    pub default_token_ttl: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
    #[serde(default)]
    pub version: i64,
}

/// Machine `from` may call machine `to` (its tokens carry `to` in their scopes).
#[derive(Debug, Clone, PartialEq)]
pub struct MachineScope {
    pub from: MachineId,
    pub to: MachineId,
    pub created_at: Millis,
}

/// How a list of machines is ordered (Clerk's `order_by`: `name` or `created_at`, signed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineOrder {
    CreatedAt { ascending: bool },
    Name { ascending: bool },
}

impl MachineOrder {
    /// Clerk's `order_by` value: `created_at`, `-name`, `+name`, …; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        let (descending, field) = order_by::split_sign(s);
        let ascending = !descending;
        match field {
            "created_at" => Some(Self::CreatedAt { ascending }),
            "name" => Some(Self::Name { ascending }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct MachineQuery {
    /// Part of the name (case-insensitively), or the whole id.
    pub query: Option<String>,
    pub order: MachineOrder,
    pub page: Page,
}

/// An opaque M2M token, without its secret (the store keeps the digest in a column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct M2mToken {
    pub id: M2mTokenId,
    /// The machine that minted it.
    pub subject: MachineId,
    /// The machines it may call: its machine's scope when it was minted.
    pub scopes: Vec<String>,
    pub claims: Option<Value>,
    pub revoked: bool,
    pub revocation_reason: Option<String>,
    pub expiration: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    #[serde(default)]
    pub version: i64,
}

impl M2mToken {
    pub fn expired(&self, now: Millis) -> bool {
        self.expiration.is_some_and(|at| at <= now)
    }

    pub fn usable(&self, now: Millis) -> bool {
        !self.revoked && !self.expired(now)
    }
}

/// A page of one machine's tokens, newest first; valid ones always, revoked and expired ones
/// on request (Clerk's `revoked` and `expired`).
#[derive(Debug, Clone)]
pub struct M2mTokenQuery {
    pub subject: MachineId,
    pub revoked: bool,
    pub expired: bool,
    pub now: Millis,
    pub page: Page,
}
