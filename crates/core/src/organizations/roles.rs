//! The roles memberships and invitations carry: Clerk's two system roles, as `roles::system`
//! defines them, and the instance's custom roles (`roles::RoleCatalog`).

use crate::error::{CoreError, CoreResult};
use crate::roles::RoleCatalog;

pub use crate::roles::system::{ADMIN, MEMBER};

/// A membership's role as the instance defines it now: its display name and the permission
/// keys it grants (system ones included), as membership responses and permission checks use it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoleGrant {
    pub name: String,
    pub permissions: Vec<String>,
}

impl RoleGrant {
    /// The role `key` names in `catalog`. A key the instance no longer has grants nothing and
    /// shows as its key.
    pub fn of(catalog: &RoleCatalog, key: &str) -> Self {
        match catalog.get(key) {
            Some(r) => RoleGrant {
                name: r.name.clone(),
                permissions: r.permissions.iter().map(|p| p.key.clone()).collect(),
            },
            None => RoleGrant {
                name: key.to_owned(),
                permissions: Vec::new(),
            },
        }
    }

    pub fn allows(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }
}

/// Checks that `key` names a role of the instance, system or custom, that a membership or an
/// invitation may carry.
pub fn check(catalog: &RoleCatalog, key: &str) -> CoreResult<()> {
    if catalog.get(key).is_some() {
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

/// Whether a member with this role manages the organization (the role every organization must
/// keep at least one member in).
pub fn is_admin(key: &str) -> bool {
    key == ADMIN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_of_the_catalog_are_accepted_and_grant_their_permissions() {
        let catalog = RoleCatalog::system("ins_1", 0);
        assert!(check(&catalog, ADMIN).is_ok());
        assert!(check(&catalog, MEMBER).is_ok());
        assert!(check(&catalog, "admin").is_err());
        assert!(check(&catalog, "org:owner").is_err());
        assert!(is_admin(ADMIN) && !is_admin(MEMBER));
        let member = RoleGrant::of(&catalog, MEMBER);
        assert_eq!(member.name, "Member");
        assert!(member.allows("org:sys_memberships:read"));
        assert!(!member.allows("org:sys_memberships:manage"));
        let gone = RoleGrant::of(&catalog, "org:gone");
        assert_eq!(
            (gone.name.as_str(), gone.permissions.len()),
            ("org:gone", 0)
        );
    }
}
