//! What a signed-in member may do in an organization: its role's system permissions decide
//! (Clerk's `org:sys_*`), and a non-member is told nothing about the organization.

use super::model::OrganizationMembership;
use super::roles;
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

/// Whether the membership's role grants `permission`.
pub fn allows(m: &OrganizationMembership, permission: &str) -> bool {
    roles::describe(&m.role).is_some_and(|r| r.permissions.contains(&permission))
}

/// The caller's membership, which must grant `permission`.
pub fn require(
    m: Option<OrganizationMembership>,
    permission: &'static str,
) -> CoreResult<OrganizationMembership> {
    let m = member(m)?;
    if allows(&m, permission) {
        Ok(m)
    } else {
        Err(CoreError::MissingPermission { permission })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_role(role: &str) -> OrganizationMembership {
        OrganizationMembership {
            id: crate::ids::OrganizationMembershipId::from_stored("orgmem_1"),
            organization_id: crate::ids::OrganizationId::from_stored("org_1"),
            user_id: crate::ids::UserId::from_stored("user_1"),
            role: role.into(),
            public_metadata: Default::default(),
            private_metadata: Default::default(),
            created_at: 0,
            updated_at: 0,
            version: 0,
        }
    }

    #[test]
    fn roles_grant_their_system_permissions_only() {
        assert_eq!(require(None, READ_MEMBERSHIPS), Err(CoreError::NotAMember));
        let admin = Some(with_role(roles::ADMIN));
        for p in [
            READ_MEMBERSHIPS,
            MANAGE_MEMBERSHIPS,
            MANAGE_PROFILE,
            DELETE_PROFILE,
            READ_DOMAINS,
            MANAGE_DOMAINS,
        ] {
            assert!(require(admin.clone(), p).is_ok());
        }
        let member = Some(with_role(roles::MEMBER));
        assert!(require(member.clone(), READ_MEMBERSHIPS).is_ok());
        for p in [
            MANAGE_MEMBERSHIPS,
            MANAGE_PROFILE,
            DELETE_PROFILE,
            READ_DOMAINS,
            MANAGE_DOMAINS,
        ] {
            assert_eq!(
                require(member.clone(), p),
                Err(CoreError::MissingPermission { permission: p })
            );
        }
        assert!(require(Some(with_role("org:unknown")), READ_MEMBERSHIPS).is_err());
    }
}
