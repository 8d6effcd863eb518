//! What a signed-in member may do in an organization: its role's system permissions decide
//! (Clerk's `org:sys_*`), and a non-member is told nothing about the organization.

use super::model::OrganizationMembership;
use super::roles::RoleGrant;
use crate::error::{CoreError, CoreResult};

pub const READ_MEMBERSHIPS: &str = "org:sys_memberships:read";
pub const MANAGE_MEMBERSHIPS: &str = "org:sys_memberships:manage";
pub const MANAGE_PROFILE: &str = "org:sys_profile:manage";
pub const DELETE_PROFILE: &str = "org:sys_profile:delete";
pub const READ_DOMAINS: &str = "org:sys_domains:read";
pub const MANAGE_DOMAINS: &str = "org:sys_domains:manage";

/// The caller's membership, which must exist (the organization is otherwise "not found").
pub fn member(m: Option<OrganizationMembership>) -> CoreResult<OrganizationMembership> {
    m.ok_or(CoreError::NotAMember)
}

/// The member's role, `grant`, must include `permission`.
pub fn require(grant: &RoleGrant, permission: &'static str) -> CoreResult<()> {
    if grant.allows(permission) {
        Ok(())
    } else {
        Err(CoreError::MissingPermission { permission })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organizations::roles::{ADMIN, MEMBER};
    use crate::roles::RoleCatalog;

    #[test]
    fn roles_grant_their_system_permissions_only() {
        assert_eq!(member(None), Err(CoreError::NotAMember));
        let catalog = RoleCatalog::system("ins_1", 0);
        let admin = RoleGrant::of(&catalog, ADMIN);
        for p in [
            READ_MEMBERSHIPS,
            MANAGE_MEMBERSHIPS,
            MANAGE_PROFILE,
            DELETE_PROFILE,
            READ_DOMAINS,
            MANAGE_DOMAINS,
        ] {
            assert!(require(&admin, p).is_ok());
        }
        let member = RoleGrant::of(&catalog, MEMBER);
        assert!(require(&member, READ_MEMBERSHIPS).is_ok());
        for p in [
            MANAGE_MEMBERSHIPS,
            MANAGE_PROFILE,
            DELETE_PROFILE,
            READ_DOMAINS,
            MANAGE_DOMAINS,
        ] {
            assert_eq!(
                require(&member, p),
                Err(CoreError::MissingPermission { permission: p })
            );
        }
        assert!(require(&RoleGrant::of(&catalog, "org:unknown"), READ_MEMBERSHIPS).is_err());
    }
}
