//! The domain shapes of roles and permissions (Clerk's `role` and `permission` objects).

use crate::clock::Millis;
use crate::ids::{PermissionId, RoleId};

pub mod prefix {
    pub use crate::ids::prefix::{PERMISSION, ROLE};
}

/// Whether a permission is one of Clerk's built-in `org:sys_*` ones or the instance's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionType {
    System,
    User,
}

impl PermissionType {
    pub fn as_str(self) -> &'static str {
        match self {
            PermissionType::System => "system",
            PermissionType::User => "user",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "system" => Some(PermissionType::System),
            "user" => Some(PermissionType::User),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    pub id: PermissionId,
    /// `org:<feature>:<action>`, already validated.
    pub key: String,
    pub name: String,
    pub description: String,
    pub kind: PermissionType,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Permission {
    pub fn is_system(&self) -> bool {
        self.kind == PermissionType::System
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub id: RoleId,
    /// `org:<name>`, already validated.
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<Permission>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Role {
    pub fn has_permission(&self, key: &str) -> bool {
        self.permissions.iter().any(|p| p.key == key)
    }

    /// Clerk lets a role be an organization's creator role only if it can run the organization
    /// it creates: manage and read its members, and delete it.
    pub fn is_creator_eligible(&self) -> bool {
        crate::roles::system::CREATOR_REQUIRED_PERMISSIONS
            .iter()
            .all(|key| self.has_permission(key))
    }

    /// The permission keys a session token carries: system permissions never travel in tokens
    /// (Clerk leaves them out to keep tokens small; clerk-js asks the Frontend API for them).
    pub fn token_permission_keys(&self) -> Vec<String> {
        self.permissions
            .iter()
            .filter(|p| !p.is_system())
            .map(|p| p.key.clone())
            .collect()
    }
}

/// A custom role as stored: its permissions by key, so a custom role can hold system
/// permissions (which are built in, not stored). [`RoleCatalog`](super::RoleCatalog) resolves
/// the keys into permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRecord {
    pub id: RoleId,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub permission_keys: Vec<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl RoleRecord {
    /// The role this record stores, with `permissions` (its keys, resolved by the caller).
    pub fn into_role(self, permissions: Vec<Permission>) -> Role {
        Role {
            permissions,
            id: self.id,
            key: self.key,
            name: self.name,
            description: self.description,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}
