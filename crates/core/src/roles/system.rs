//! The roles and permissions every instance has: Clerk's system permissions (`org:sys_*`) and the
//! default roles `org:admin` (all of them) and `org:member` (reading members and billing).

use sha2::{Digest, Sha256};

use super::model::{Permission, PermissionType, Role, prefix};
use crate::clock::Millis;
use crate::ids::{PermissionId, RoleId};

pub const ADMIN: &str = "org:admin";
pub const MEMBER: &str = "org:member";

/// What a role needs to be an organization's creator role (Clerk's documented minimum).
pub const CREATOR_REQUIRED_PERMISSIONS: [&str; 3] = [
    "org:sys_memberships:manage",
    "org:sys_memberships:read",
    "org:sys_profile:delete",
];

pub struct SystemPermission {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

pub const SYSTEM_PERMISSIONS: [SystemPermission; 8] = [
    SystemPermission {
        key: "org:sys_profile:manage",
        name: "Manage organization",
        description: "Permission to manage an organization.",
    },
    SystemPermission {
        key: "org:sys_profile:delete",
        name: "Delete organization",
        description: "Permission to delete an organization.",
    },
    SystemPermission {
        key: "org:sys_memberships:read",
        name: "Read members",
        description: "Permission to read the members of an organization.",
    },
    SystemPermission {
        key: "org:sys_memberships:manage",
        name: "Manage members",
        description: "Permission to manage the members of an organization.",
    },
    SystemPermission {
        key: "org:sys_domains:read",
        name: "Read domains",
        description: "Permission to read the domains of an organization.",
    },
    SystemPermission {
        key: "org:sys_domains:manage",
        name: "Manage domains",
        description: "Permission to manage the domains of an organization.",
    },
    SystemPermission {
        key: "org:sys_billing:read",
        name: "Read billing",
        description: "Permission to read the billing of an organization.",
    },
    SystemPermission {
        key: "org:sys_billing:manage",
        name: "Manage billing",
        description: "Permission to manage the billing of an organization.",
    },
];

struct SystemRole {
    key: &'static str,
    name: &'static str,
    description: &'static str,
    /// `None`: every system permission.
    permissions: Option<&'static [&'static str]>,
}

const SYSTEM_ROLES: [SystemRole; 2] = [
    SystemRole {
        key: ADMIN,
        name: "Admin",
        description: "Role with elevated permissions, able to manage the organization and its members.",
        permissions: None,
    },
    SystemRole {
        key: MEMBER,
        name: "Member",
        description: "Role with limited access to the organization.",
        permissions: Some(&["org:sys_memberships:read", "org:sys_billing:read"]),
    },
];

/// A stable id for a built-in object of one instance, so every read returns the same id without
/// the built-ins being stored: the prefix and 27 base62 characters, like every other id.
fn builtin_id(prefix: &str, instance_id: &str, key: &str) -> String {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let digest = Sha256::new()
        .chain_update(instance_id.as_bytes())
        .chain_update([0])
        .chain_update(key.as_bytes())
        .finalize();
    let mut id = String::with_capacity(prefix.len() + 27);
    id.push_str(prefix);
    id.extend(
        digest
            .iter()
            .take(27)
            .map(|b| char::from(BASE62[usize::from(*b) % 62])),
    );
    id
}

pub fn is_system_role(key: &str) -> bool {
    SYSTEM_ROLES.iter().any(|r| r.key == key)
}

/// The system permissions of an instance; `created_at` is when the instance was created.
pub fn system_permissions(instance_id: &str, created_at: Millis) -> Vec<Permission> {
    SYSTEM_PERMISSIONS
        .iter()
        .map(|p| Permission {
            id: PermissionId::from_stored(builtin_id(prefix::PERMISSION, instance_id, p.key)),
            key: p.key.to_owned(),
            name: p.name.to_owned(),
            description: p.description.to_owned(),
            kind: PermissionType::System,
            created_at,
            updated_at: created_at,
        })
        .collect()
}

/// The default roles of an instance, each with its system permissions.
pub fn system_roles(instance_id: &str, created_at: Millis) -> Vec<Role> {
    let all = system_permissions(instance_id, created_at);
    SYSTEM_ROLES
        .iter()
        .map(|r| Role {
            id: RoleId::from_stored(builtin_id(prefix::ROLE, instance_id, r.key)),
            key: r.key.to_owned(),
            name: r.name.to_owned(),
            description: Some(r.description.to_owned()),
            permissions: all
                .iter()
                .filter(|p| {
                    r.permissions
                        .is_none_or(|keys| keys.contains(&p.key.as_str()))
                })
                .cloned()
                .collect(),
            created_at,
            updated_at: created_at,
        })
        .collect()
}

/// A system role's display name and permission keys (all system permissions for `org:admin`).
pub fn describe(key: &str) -> Option<(&'static str, Vec<&'static str>)> {
    SYSTEM_ROLES.iter().find(|r| r.key == key).map(|r| {
        let permissions = match r.permissions {
            Some(keys) => keys.to_vec(),
            None => SYSTEM_PERMISSIONS.iter().map(|p| p.key).collect(),
        };
        (r.name, permissions)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::keys::{PermissionKey, RoleKey};

    #[test]
    fn builtins_are_well_formed_and_stable() {
        let roles = system_roles("ins_a", 5);
        let admin = &roles[0];
        assert_eq!(admin.key, ADMIN);
        assert_eq!(admin.permissions.len(), SYSTEM_PERMISSIONS.len());
        assert!(admin.is_creator_eligible());
        let member = &roles[1];
        assert_eq!(member.key, MEMBER);
        assert!(member.has_permission("org:sys_memberships:read"));
        assert!(!member.has_permission("org:sys_memberships:manage"));
        assert!(!member.is_creator_eligible());
        for r in &roles {
            RoleKey::parse("key", &r.key).unwrap();
            assert!(crate::ids::looks_like(&r.id, prefix::ROLE));
            assert_eq!(r.id.len(), prefix::ROLE.len() + 27);
            // System permissions never travel in tokens.
            assert!(r.token_permission_keys().is_empty());
        }
        for p in system_permissions("ins_a", 5) {
            assert!(PermissionKey::parse("key", &p.key).unwrap().is_system());
            assert!(crate::ids::looks_like(&p.id, prefix::PERMISSION));
        }
        assert_eq!(system_roles("ins_a", 9)[0].id, admin.id);
        assert_ne!(system_roles("ins_b", 5)[0].id, admin.id);
        assert_ne!(roles[1].id, admin.id);
    }
}
