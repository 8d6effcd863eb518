//! `/v1/organizations/{id}/invitations` bodies.

use serde::Deserialize;
use usher_core::organizations::invitations::NewInvitation;
use usher_core::users::model::Metadata;

use super::fields;

/// `POST /v1/organizations/{organization_id}/invitations` (and each item of `…/bulk`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitationRequest {
    #[serde(with = "fields::required_string")]
    email_address: String,
    #[serde(default, with = "fields::string")]
    inviter_user_id: Option<String>,
    #[serde(with = "fields::required_string")]
    role: String,
    #[serde(default, with = "fields::metadata")]
    public_metadata: Option<Metadata>,
    #[serde(default, with = "fields::metadata")]
    private_metadata: Option<Metadata>,
    #[serde(default, with = "fields::string")]
    redirect_url: Option<String>,
    #[serde(default, with = "fields::int")]
    expires_in_days: Option<i64>,
}

impl From<CreateInvitationRequest> for NewInvitation {
    fn from(r: CreateInvitationRequest) -> Self {
        NewInvitation {
            email_address: Some(r.email_address),
            inviter_user_id: r.inviter_user_id,
            role: Some(r.role),
            public_metadata: r.public_metadata,
            private_metadata: r.private_metadata,
            redirect_url: r.redirect_url,
            expires_in_days: r.expires_in_days,
        }
    }
}

/// `POST /v1/organizations/{organization_id}/invitations/bulk`: a JSON array.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct BulkInvitationRequest(pub Vec<CreateInvitationRequest>);

/// `POST …/invitations/{invitation_id}/revoke`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeInvitationRequest {
    #[serde(default, with = "fields::string")]
    pub requesting_user_id: Option<String>,
}
