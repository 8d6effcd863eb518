//! Adding members, changing their roles. The organization's member count and its admins are
//! guarded by the store in the same transaction (see `Write::InsertMembership`): these checks
//! answer early and clearly; the store's guards hold under concurrency.

use super::model::{Organization, OrganizationMembership};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::OrganizationMembershipId;
use crate::users::model::Metadata;

#[derive(Debug, Default, Clone)]
pub struct NewMembership {
    pub user_id: Option<String>,
    pub role: Option<String>,
    pub public_metadata: Option<Metadata>,
    pub private_metadata: Option<Metadata>,
}

/// A new membership of `org`. Its role must be one of the instance (`roles::check`, against the
/// catalog the caller read).
pub fn validate_new(
    org: &Organization,
    input: NewMembership,
    now: Millis,
) -> CoreResult<OrganizationMembership> {
    let user_id =
        super::rules::named_user(input.user_id)?.ok_or_else(|| CoreError::missing("user_id"))?;
    let role = input
        .role
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CoreError::missing("role"))?;
    let public_metadata = input.public_metadata.unwrap_or_default();
    let private_metadata = input.private_metadata.unwrap_or_default();
    super::rules::check_metadata_size(&public_metadata, &private_metadata)?;
    if !org.has_room() {
        return Err(CoreError::MembershipQuotaExceeded);
    }
    Ok(OrganizationMembership {
        id: OrganizationMembershipId::new(),
        organization_id: org.id.clone(),
        user_id,
        role,
        public_metadata,
        private_metadata,
        created_at: now,
        updated_at: now,
        version: 0,
    })
}

/// Changes a member's role (one of the instance, `roles::check`). `admins` is how many admins
/// the organization has now.
pub fn change_role(
    m: &mut OrganizationMembership,
    role: &str,
    admins: i64,
    now: Millis,
) -> CoreResult<()> {
    if m.is_admin() && !super::roles::is_admin(role) && admins <= 1 {
        return Err(CoreError::LastAdmin);
    }
    m.role = role.to_owned();
    m.updated_at = now;
    Ok(())
}

/// Whether removing `m` would leave the organization without an admin.
pub fn check_removal(m: &OrganizationMembership, admins: i64) -> CoreResult<()> {
    if m.is_admin() && admins <= 1 {
        return Err(CoreError::LastAdmin);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::org;
    use super::super::roles::{ADMIN, MEMBER};
    use super::*;

    fn new(role: &str) -> NewMembership {
        NewMembership {
            user_id: Some("user_1".into()),
            role: Some(role.into()),
            ..Default::default()
        }
    }

    #[test]
    fn limits_and_roles() {
        assert!(validate_new(&org(0, 1000), new(MEMBER), 1).is_ok());
        assert_eq!(
            validate_new(&org(2, 2), new(MEMBER), 1).unwrap_err(),
            CoreError::MembershipQuotaExceeded
        );
        let m = validate_new(&org(2, 1), new(ADMIN), 1).unwrap();
        assert!(m.id.starts_with("orgmem_") && m.is_admin());
    }

    #[test]
    fn the_last_admin_stays() {
        let mut m = validate_new(&org(0, 0), new(ADMIN), 1).unwrap();
        assert_eq!(
            change_role(&mut m, MEMBER, 1, 2).unwrap_err(),
            CoreError::LastAdmin
        );
        assert_eq!(check_removal(&m, 1).unwrap_err(), CoreError::LastAdmin);
        assert!(check_removal(&m, 2).is_ok());
        change_role(&mut m, MEMBER, 2, 2).unwrap();
        assert_eq!(m.role, MEMBER);
        assert!(check_removal(&m, 1).is_ok());
    }
}
