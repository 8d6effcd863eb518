//! The role keys memberships accept: Clerk's two system roles, as `roles::system` defines them.
//! Custom roles (`roles::RoleCatalog`) are not yet assignable to members.

use crate::error::{CoreError, CoreResult};

pub use crate::roles::system::{ADMIN, MEMBER};

/// A role's display name and permissions, as a membership shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleInfo {
    pub name: &'static str,
    pub permissions: Vec<&'static str>,
}

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
    crate::roles::system::describe(key).map(|(name, permissions)| RoleInfo { name, permissions })
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
