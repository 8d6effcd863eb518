//! Clerk's `role` and `permission` objects (Organization Roles and Permissions).

use serde::Serialize;
use usher_core::clock::Millis;
use usher_core::ids::{PermissionId, RoleId};
use usher_core::roles::{Permission, Role};

#[derive(Debug, Serialize)]
pub struct PermissionJson {
    pub object: &'static str,
    pub id: PermissionId,
    pub name: String,
    pub key: String,
    pub description: String,
    /// `system` for Clerk's built-in `org:sys_*`, `user` for the instance's own.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl PermissionJson {
    pub fn new(p: &Permission) -> Self {
        Self {
            object: "permission",
            id: p.id.clone(),
            name: p.name.clone(),
            key: p.key.clone(),
            description: p.description.clone(),
            kind: p.kind.as_str(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RoleJson {
    pub object: &'static str,
    pub id: RoleId,
    pub name: String,
    pub key: String,
    pub description: Option<String>,
    pub is_creator_eligible: bool,
    pub permissions: Vec<PermissionJson>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl RoleJson {
    pub fn new(r: &Role) -> Self {
        Self {
            object: "role",
            id: r.id.clone(),
            name: r.name.clone(),
            key: r.key.clone(),
            description: r.description.clone(),
            is_creator_eligible: r.is_creator_eligible(),
            permissions: r.permissions.iter().map(PermissionJson::new).collect(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Clerk's `DeletedObject` for a role or permission: the Backend API's answer to a delete and
/// the `role.deleted` / `permission.deleted` payload.
#[derive(Debug, Serialize)]
pub struct DeletedJson {
    pub object: &'static str,
    pub id: String,
    pub deleted: bool,
}

impl DeletedJson {
    pub fn role(id: &str) -> Self {
        Self {
            object: "role",
            id: id.to_owned(),
            deleted: true,
        }
    }

    pub fn permission(id: &str) -> Self {
        Self {
            object: "permission",
            id: id.to_owned(),
            deleted: true,
        }
    }
}
