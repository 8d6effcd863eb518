//! Clerk's `Invitation` shape (an invitation to sign up to the instance).

use serde::Serialize;
use usher_core::clock::Millis;
use usher_core::ids::InvitationId;
use usher_core::invitations::Invitation;
use usher_core::users::model::Metadata;

#[derive(Debug, Serialize)]
pub struct InvitationJson {
    pub object: &'static str,
    pub id: InvitationId,
    pub email_address: String,
    pub public_metadata: Metadata,
    pub revoked: bool,
    pub status: &'static str,
    /// The link with its ticket: only in the answer that created the invitation.
    pub url: Option<String>,
    pub expires_at: Millis,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl InvitationJson {
    /// The invitation as seen at `now` (a pending one past its expiry reads as expired).
    pub fn new(i: &Invitation, now: Millis) -> Self {
        let status = i.status_at(now);
        InvitationJson {
            object: "invitation",
            id: i.id.clone(),
            email_address: i.email_address.clone(),
            public_metadata: i.public_metadata.clone(),
            revoked: status == usher_core::invitations::InvitationStatus::Revoked,
            status: status.as_str(),
            url: i.url.clone(),
            expires_at: i.expires_at,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}
