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
    #[serde(default, with = "fields::boolean")]
    notify: Option<bool>,
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
            notify: r.notify,
        }
    }
}

/// `POST /v1/organizations/{organization_id}/invitations/bulk`: Clerk's body is a JSON array,
/// which the handler reads as this object's `invitations` (so each item is checked like a single
/// invitation's body, and a fault names `invitations[i].field`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkInvitationRequest {
    pub invitations: Vec<CreateInvitationRequest>,
}

impl BulkInvitationRequest {
    /// The body wrapped as `{"invitations": …}` when it is an array; otherwise as sent (an
    /// object is then refused as an unknown or missing field).
    pub fn wrap(body: &[u8]) -> Vec<u8> {
        super::wrap_array("invitations", body)
    }
}

/// `POST …/invitations/{invitation_id}/revoke`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeInvitationRequest {
    #[serde(default, with = "fields::string")]
    pub requesting_user_id: Option<String>,
}
