//! An organization and a user's membership in one, as stored.

use serde::{Deserialize, Serialize};

use super::roles::RoleGrant;
use crate::clock::Millis;
use crate::ids::{ImageId, OrganizationId, OrganizationMembershipId, UserId};
use crate::roles::RoleCatalog;
use crate::users::User;
use crate::users::model::Metadata;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    pub slug: String,
    /// The uploaded logo's public URL; none: the wire shows a default image.
    #[serde(default)]
    pub image_url: Option<String>,
    /// The uploaded logo, deleted with it when it is replaced or removed.
    #[serde(default)]
    pub image_id: Option<ImageId>,
    /// 0: no limit.
    pub max_allowed_memberships: i64,
    pub admin_delete_enabled: bool,
    #[serde(default)]
    pub public_metadata: Metadata,
    #[serde(default)]
    pub private_metadata: Metadata,
    #[serde(default)]
    pub created_by: Option<UserId>,
    /// The role set whose roles members may hold; none: every role of the instance.
    #[serde(default)]
    pub role_set_key: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// Kept by the store on the organization's row (a counter guarded in the transaction that adds
    /// a member), not in the document.
    #[serde(skip)]
    pub members_count: i64,
    /// How many members have an admin role: kept on the row like `members_count`, so that the
    /// last admin is never removed or demoted, however many requests race.
    #[serde(skip)]
    pub admins_count: i64,
    /// Pending, unexpired invitations: counted when read for display (an invitation expires with
    /// time, not with a write), 0 where nobody asked.
    #[serde(skip)]
    pub pending_invitations_count: i64,
    /// Optimistic concurrency: the stored row's version when read.
    #[serde(skip)]
    pub version: i64,
}

impl Organization {
    pub fn has_image(&self) -> bool {
        self.image_url.is_some()
    }

    /// Sets (`Some`) or removes the logo; the image it replaces, to delete with the change.
    pub fn replace_logo(
        &mut self,
        logo: Option<(ImageId, String)>,
        now: Millis,
    ) -> Option<ImageId> {
        let (id, url) = logo.unzip();
        self.image_url = url;
        self.updated_at = now;
        std::mem::replace(&mut self.image_id, id)
    }

    /// Whether one more member fits.
    pub fn has_room(&self) -> bool {
        self.max_allowed_memberships == 0 || self.members_count < self.max_allowed_memberships
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationMembership {
    pub id: OrganizationMembershipId,
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    /// A role key (`org:admin`, `org:member`, or a custom role's key).
    pub role: String,
    #[serde(default)]
    pub public_metadata: Metadata,
    #[serde(default)]
    pub private_metadata: Metadata,
    pub created_at: Millis,
    pub updated_at: Millis,
    #[serde(skip)]
    pub version: i64,
}

impl OrganizationMembership {
    /// Whether the member can manage the organization: the store keeps a count of these per
    /// organization so that the last one is never removed or demoted.
    pub fn is_admin(&self) -> bool {
        super::roles::is_admin(&self.role)
    }
}

/// A membership with what its wire form embeds: the organization, the member's public data and
/// the role's name and permissions.
#[derive(Debug, Clone)]
pub struct MembershipDetails {
    pub membership: OrganizationMembership,
    pub organization: Organization,
    /// None only when the user is gone (a membership read while its user was being deleted).
    pub user: Option<User>,
    pub role: RoleGrant,
}

impl MembershipDetails {
    pub fn new(
        membership: OrganizationMembership,
        organization: Organization,
        user: Option<User>,
        roles: &RoleCatalog,
    ) -> Self {
        let role = RoleGrant::of(roles, &membership.role);
        MembershipDetails {
            membership,
            organization,
            user,
            role,
        }
    }
}
