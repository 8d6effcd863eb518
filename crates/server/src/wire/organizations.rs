//! Clerk's `Organization` and `OrganizationMembership` shapes.

use serde::Serialize;
use usher_core::clock::Millis;
use usher_core::ids::{OrganizationId, OrganizationMembershipId, UserId};
use usher_core::organizations::Organization;
use usher_core::organizations::model::MembershipDetails;

use usher_core::users::User;
use usher_core::users::model::Metadata;

use super::users::{DEFAULT_AVATAR, UserJson};

#[derive(Debug, Serialize)]
pub struct OrganizationJson {
    pub object: &'static str,
    pub id: OrganizationId,
    pub name: String,
    pub slug: String,
    pub image_url: String,
    pub has_image: bool,
    /// Deprecated by Clerk in favour of `image_url`; kept for older SDKs.
    pub logo_url: Option<String>,
    /// Only when asked for (`include_members_count`) or in an event, as Clerk does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_invitations_count: Option<i64>,
    pub max_allowed_memberships: i64,
    pub admin_delete_enabled: bool,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub created_by: Option<UserId>,
    pub role_set_key: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl OrganizationJson {
    pub fn new(o: &Organization, with_counts: bool) -> Self {
        Self {
            object: "organization",
            id: o.id.clone(),
            name: o.name.clone(),
            slug: o.slug.clone(),
            image_url: o
                .image_url
                .clone()
                .unwrap_or_else(|| DEFAULT_AVATAR.to_owned()),
            has_image: o.has_image(),
            logo_url: o.image_url.clone(),
            members_count: with_counts.then_some(o.members_count),
            pending_invitations_count: with_counts.then_some(o.pending_invitations_count),
            max_allowed_memberships: o.max_allowed_memberships,
            admin_delete_enabled: o.admin_delete_enabled,
            public_metadata: o.public_metadata.clone(),
            private_metadata: o.private_metadata.clone(),
            created_by: o.created_by.clone(),
            role_set_key: o.role_set_key.clone(),
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// `organization.deleted`'s payload and `DELETE /v1/organizations/{id}`'s answer.
#[derive(Debug, Serialize)]
pub struct DeletedOrganizationJson {
    pub object: &'static str,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    pub deleted: bool,
}

#[derive(Debug, Serialize)]
pub struct PublicUserDataJson {
    pub user_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub profile_image_url: String,
    pub image_url: String,
    pub has_image: bool,
    pub identifier: Option<String>,
    pub username: Option<String>,
    pub banned: bool,
}

impl PublicUserDataJson {
    pub fn new(user_id: &str, u: Option<&User>) -> Self {
        let identifier = u.and_then(|u| {
            u.primary_email()
                .map(|e| e.email_address.clone())
                .or_else(|| u.phone_numbers.first().map(|p| p.phone_number.clone()))
                .or_else(|| u.username.clone())
        });
        let image_url = u.map_or(DEFAULT_AVATAR, UserJson::image_of).to_owned();
        Self {
            user_id: user_id.to_owned(),
            first_name: u.and_then(|u| u.first_name.clone()),
            last_name: u.and_then(|u| u.last_name.clone()),
            profile_image_url: image_url.clone(),
            image_url,
            has_image: u.is_some_and(User::has_image),
            identifier,
            username: u.and_then(|u| u.username.clone()),
            banned: u.is_some_and(|u| u.banned),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MembershipJson {
    pub object: &'static str,
    pub id: OrganizationMembershipId,
    pub role: String,
    pub role_name: String,
    pub permissions: Vec<String>,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub organization: OrganizationJson,
    pub public_user_data: PublicUserDataJson,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl MembershipJson {
    pub fn new(d: &MembershipDetails) -> Self {
        let m = &d.membership;
        Self {
            object: "organization_membership",
            id: m.id.clone(),
            role: m.role.clone(),
            role_name: d.role.name.clone(),
            permissions: d.role.permissions.clone(),
            public_metadata: m.public_metadata.clone(),
            private_metadata: m.private_metadata.clone(),
            organization: OrganizationJson::new(&d.organization, true),
            public_user_data: PublicUserDataJson::new(&m.user_id, d.user.as_ref()),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}
