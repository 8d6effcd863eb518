//! `/v1/invitations` bodies.

use serde::Deserialize;
use usher_core::CoreError;
use usher_core::invitations::NewInvitation;
use usher_core::users::model::Metadata;

use super::fields;

/// `POST /v1/invitations` (and each item of `…/bulk`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitationRequest {
    #[serde(with = "fields::required_string")]
    email_address: String,
    #[serde(default, with = "fields::metadata")]
    public_metadata: Option<Metadata>,
    #[serde(default, with = "fields::string")]
    redirect_url: Option<String>,
    #[serde(default, with = "fields::boolean")]
    notify: Option<bool>,
    #[serde(default, with = "fields::boolean")]
    ignore_existing: Option<bool>,
    #[serde(default, with = "fields::int")]
    expires_in_days: Option<i64>,
    /// Clerk's email template (`invitation` or `waitlist_invitation`): both send Usher's
    /// invitation email.
    #[serde(default, with = "fields::string")]
    template_slug: Option<String>,
}

impl CreateInvitationRequest {
    pub fn into_new(self) -> Result<NewInvitation, CoreError> {
        if let Some(t) = &self.template_slug
            && !matches!(t.as_str(), "invitation" | "waitlist_invitation")
        {
            return Err(CoreError::value(
                "template_slug",
                "must be invitation or waitlist_invitation",
            ));
        }
        Ok(NewInvitation {
            email_address: Some(self.email_address),
            public_metadata: self.public_metadata,
            redirect_url: self.redirect_url,
            notify: self.notify,
            ignore_existing: self.ignore_existing.unwrap_or(false),
            expires_in_days: self.expires_in_days,
        })
    }
}

/// `POST /v1/invitations/bulk`: Clerk's body is a JSON array, read as this object's
/// `invitations` (so a fault names `invitations[i].field`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkInvitationRequest {
    pub invitations: Vec<CreateInvitationRequest>,
}
