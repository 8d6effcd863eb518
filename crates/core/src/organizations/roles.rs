//! The role keys memberships accept. Only Clerk's two system roles for now; custom roles replace
//! [`validate_role`] and [`describe`] with their own look-up.

use crate::error::{CoreError, CoreResult};

pub const ADMIN: &str = "org:admin";
pub const MEMBER: &str = "org:member";

/// A role's display name and permissions, as a membership shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleInfo {
    pub name: &'static str,
    pub permissions: &'static [&'static str],
}

const ADMIN_PERMISSIONS: &[&str] = &[
    "org:sys_profile:manage",
    "org:sys_profile:delete",
    "org:sys_memberships:read",
    "org:sys_memberships:manage",
    "org:sys_domains:read",
    "org:sys_domains:manage",
];
const MEMBER_PERMISSIONS: &[&str] = &["org:sys_memberships:read"];

/// Checks that `key` names a role of the instance.
pub fn validate_role(key: &str) -> CoreResult<()> {
    if describe(key).is_some() {
        Ok(())
    } else {
        Err(CoreError::value(
            "role",
            format!(
                "'{}' is not a role of this instance",
                key.chars().take(64).collect::<String>()
            ),
        ))
    }
}

pub fn describe(key: &str) -> Option<RoleInfo> {
    match key {
        ADMIN => Some(RoleInfo {
            name: "Admin",
            permissions: ADMIN_PERMISSIONS,
        }),
        MEMBER => Some(RoleInfo {
            name: "Member",
            permissions: MEMBER_PERMISSIONS,
        }),
        _ => None,
    }
}

/// Whether a member with this role manages the organization (the role every organization must
/// keep at least one member in).
pub fn is_admin(key: &str) -> bool {
    key == ADMIN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_system_roles_are_accepted() {
        assert!(validate_role(ADMIN).is_ok());
        assert!(validate_role(MEMBER).is_ok());
        assert!(validate_role("admin").is_err());
        assert!(validate_role("org:owner").is_err());
        assert!(is_admin(ADMIN) && !is_admin(MEMBER));
    }
}
