//! Clerk's `OrganizationInvitation` shape.

use serde::Serialize;
use usher_core::clock::Millis;
use usher_core::ids::{OrganizationId, OrganizationInvitationId, UserId};
use usher_core::organizations::invitations::OrganizationInvitation;
use usher_core::organizations::model::Organization;
use usher_core::roles::system;
use usher_core::users::model::Metadata;

use crate::wire::frontend::suggestions::PublicOrganizationDataJson;

#[derive(Debug, Serialize)]
pub struct InvitationJson {
    pub object: &'static str,
    pub id: OrganizationInvitationId,
    pub email_address: String,
    pub role: String,
    pub role_name: String,
    pub organization_id: OrganizationId,
    pub inviter_id: Option<UserId>,
    pub public_inviter_data: Option<serde_json::Value>,
    pub status: &'static str,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub url: Option<String>,
    pub expires_at: Millis,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// Only in the lists across organizations (Clerk's `…WithPublicOrganizationData`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_organization_data: Option<PublicOrganizationDataJson>,
}

impl InvitationJson {
    /// The invitation as seen at `now` (a pending one past its expiry reads as expired).
    pub fn new(i: &OrganizationInvitation, now: Millis) -> Self {
        InvitationJson {
            object: "organization_invitation",
            id: i.id.clone(),
            email_address: i.email_address.clone(),
            role: i.role.clone(),
            role_name: i
                .role_name
                .clone()
                .or_else(|| system::describe(&i.role).map(|(name, _)| name.to_owned()))
                .unwrap_or_else(|| i.role.clone()),
            organization_id: i.organization_id.clone(),
            inviter_id: i.inviter_user_id.clone(),
            public_inviter_data: None,
            status: i.status_at(now).as_str(),
            public_metadata: i.public_metadata.clone(),
            private_metadata: i.private_metadata.clone(),
            url: i.redirect_url.clone(),
            expires_at: i.expires_at,
            created_at: i.created_at,
            updated_at: i.updated_at,
            public_organization_data: None,
        }
    }

    pub fn with_organization(mut self, o: &Organization) -> Self {
        self.public_organization_data = Some(PublicOrganizationDataJson::new(o));
        self
    }
}
