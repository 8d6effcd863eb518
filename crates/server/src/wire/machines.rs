//! Clerk's `machine`, `machine_scope`, `machine_secret_key` and `machine_to_machine_token`
//! objects. A machine's secret key appears in the answer to its create and in
//! `GET /v1/machines/{id}/secret_key`; an opaque token's secret in the answer to its create only.

use serde::Serialize;
use serde_json::Value;
use usher_core::clock::Millis;
use usher_core::ids::{InstanceId, M2mTokenId, MachineId};
use usher_core::machines::{M2mToken, Machine};

/// A machine as it appears inside another's `scoped_machines`.
#[derive(Debug, Serialize)]
pub struct ScopedMachineJson {
    pub object: &'static str,
    pub id: MachineId,
    pub name: String,
    pub instance_id: InstanceId,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub default_token_ttl: i64,
}

impl ScopedMachineJson {
    pub fn new(m: &Machine, instance_id: &InstanceId) -> Self {
        Self {
            object: "machine",
            id: m.id.clone(),
            name: m.name.clone(),
            instance_id: instance_id.clone(),
            created_at: m.created_at,
            updated_at: m.updated_at,
            default_token_ttl: m.default_token_ttl,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MachineJson {
    #[serde(flatten)]
    pub machine: ScopedMachineJson,
    pub scoped_machines: Vec<ScopedMachineJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
}

impl MachineJson {
    pub fn new(m: &Machine, scoped: &[Machine], instance_id: &InstanceId) -> Self {
        Self {
            machine: ScopedMachineJson::new(m, instance_id),
            scoped_machines: scoped
                .iter()
                .map(|s| ScopedMachineJson::new(s, instance_id))
                .collect(),
            secret_key: None,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DeletedMachineJson {
    pub object: &'static str,
    pub id: MachineId,
    pub deleted: bool,
}

impl DeletedMachineJson {
    pub fn new(id: &MachineId) -> Self {
        Self {
            object: "machine",
            id: id.clone(),
            deleted: true,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MachineSecretKeyJson {
    pub object: &'static str,
    pub secret: String,
}

impl MachineSecretKeyJson {
    pub fn new(secret: String) -> Self {
        Self {
            object: "machine_secret_key",
            secret,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MachineScopeJson {
    pub object: &'static str,
    pub from_machine_id: MachineId,
    pub to_machine_id: MachineId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
}

impl MachineScopeJson {
    pub fn created(from: &MachineId, to: &MachineId, at: Millis) -> Self {
        Self {
            object: "machine_scope",
            from_machine_id: from.clone(),
            to_machine_id: to.clone(),
            created_at: Some(at),
            deleted: None,
        }
    }

    pub fn deleted(from: &MachineId, to: &MachineId) -> Self {
        Self {
            object: "machine_scope",
            from_machine_id: from.clone(),
            to_machine_id: to.clone(),
            created_at: None,
            deleted: Some(true),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct M2mTokenJson {
    pub object: &'static str,
    pub id: M2mTokenId,
    pub subject: MachineId,
    pub scopes: Vec<String>,
    pub claims: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub revoked: bool,
    pub revocation_reason: Option<String>,
    pub expired: bool,
    pub expiration: Option<Millis>,
    pub last_used_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl M2mTokenJson {
    pub fn new(t: &M2mToken, now: Millis) -> Self {
        Self {
            object: "machine_to_machine_token",
            id: t.id.clone(),
            subject: t.subject.clone(),
            scopes: t.scopes.clone(),
            claims: t.claims.clone(),
            token: None,
            revoked: t.revoked,
            revocation_reason: t.revocation_reason.clone(),
            expired: t.expired(now),
            expiration: t.expiration,
            last_used_at: None,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }

    /// The answer to a create: the token itself, opaque or JWT.
    pub fn with_token(t: &M2mToken, token: String, now: Millis) -> Self {
        Self {
            token: Some(token),
            ..Self::new(t, now)
        }
    }
}

/// `GET /m2m_tokens`: Clerk names the list `m2m_tokens`, not `data`.
#[derive(Debug, Serialize)]
pub struct M2mTokenListJson {
    pub m2m_tokens: Vec<M2mTokenJson>,
    pub total_count: i64,
}
