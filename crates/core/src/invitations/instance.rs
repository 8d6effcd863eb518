//! Invitations to sign up to the instance (Clerk's `/v1/invitations`): one pending invitation
//! per address, expiry, revocation, and the ticket its email carries, which lets the invitee
//! sign up whatever the sign-up mode (its address verified by the ticket, the invitation's
//! public metadata given to the new user).

use serde::{Deserialize, Serialize};

use super::{EmailText, InvitationStatus};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::InvitationId;
use crate::users::model::Metadata;

/// Clerk's limit on one bulk request.
pub const MAX_BULK: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: InvitationId,
    /// Lower-cased: one pending invitation per address whatever its case.
    pub email_address: String,
    /// As stored; a pending invitation past `expires_at` reads as expired.
    pub status: InvitationStatus,
    #[serde(default)]
    pub public_metadata: Metadata,
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// The link in the email, ticket included (Clerk's `url`): shown once, when the invitation
    /// is created, and never stored.
    #[serde(skip)]
    pub url: Option<String>,
    pub expires_at: Millis,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// SHA-256 (hex) of the ticket (`__clerk_ticket`); the ticket itself is never stored.
    pub ticket_digest: String,
    #[serde(skip)]
    pub version: i64,
}

impl Invitation {
    /// The status a reader sees at `now`: expiry needs no write.
    pub fn status_at(&self, now: Millis) -> InvitationStatus {
        super::status_at(self, now)
    }

    /// Revokes a pending invitation; any other is refused with its status.
    pub fn revoke(&mut self, now: Millis) -> CoreResult<()> {
        super::revoke(self, now)
    }

    /// Marks the invitation accepted by the sign-up its ticket completed.
    pub fn accept(&mut self, now: Millis) -> CoreResult<()> {
        super::close(self, InvitationStatus::Accepted, now)
    }
}

/// A `POST /v1/invitations` request, read.
#[derive(Debug, Default, Clone)]
pub struct NewInvitation {
    pub email_address: Option<String>,
    pub public_metadata: Option<Metadata>,
    pub redirect_url: Option<String>,
    /// Whether the invitation email goes out; `None` is Clerk's default, yes.
    pub notify: Option<bool>,
    /// Invite even an address that has an account or a pending invitation.
    pub ignore_existing: bool,
    pub expires_in_days: Option<i64>,
}

impl NewInvitation {
    pub fn sends_email(&self) -> bool {
        self.notify != Some(false)
    }
}

/// What the store knows about the invited address.
#[derive(Debug, Default, Clone, Copy)]
pub struct Invitee {
    pub has_account: bool,
    pub has_pending: bool,
}

/// Checks a new invitation; the ticket's digest is the caller's to set.
pub fn validate_new(input: NewInvitation, invitee: Invitee, now: Millis) -> CoreResult<Invitation> {
    let email = super::invited_email(input.email_address)?;
    let expires_at = super::expiry(input.expires_in_days, now)?;
    let public_metadata = input.public_metadata.unwrap_or_default();
    crate::organizations::rules::check_metadata_size(&public_metadata, &Metadata::default())?;
    if !input.ignore_existing {
        if invitee.has_account {
            return Err(CoreError::IdentifierExists {
                param: "email_address",
            });
        }
        if invitee.has_pending {
            return Err(CoreError::InvitationDuplicate);
        }
    }
    Ok(Invitation {
        id: InvitationId::new(),
        email_address: email,
        status: InvitationStatus::Pending,
        public_metadata,
        redirect_url: input.redirect_url.filter(|s| !s.is_empty()),
        url: None,
        expires_at,
        created_at: now,
        updated_at: now,
        ticket_digest: String::new(),
        version: 0,
    })
}

/// The link the email carries: `base_url` (the invitation's redirect URL, or the hosted
/// sign-up page) with the ticket and `__clerk_status=sign_up`, as Clerk's links do.
pub fn link(base_url: &str, ticket: &str) -> String {
    super::ticket_link(base_url, ticket, "sign_up")
}

/// The invitation email.
pub fn invitation_email(
    inv: &Invitation,
    link: &str,
    app_name: &str,
    now: Millis,
) -> crate::mail::EmailMessage {
    let text = EmailText {
        to_email_address: &inv.email_address,
        slug: "invitation",
        subject: format!("You have been invited to join {app_name}"),
        invited_to: format!("You have been invited to create an account on {app_name}."),
        link,
        app_name,
        org_name: None,
    };
    super::email_message(text, now)
}

#[cfg(test)]
mod tests {
    use super::super::{check_ticket, ticket_digest};
    use super::*;

    fn new(email: &str) -> NewInvitation {
        NewInvitation {
            email_address: Some(email.to_owned()),
            ..Default::default()
        }
    }

    #[test]
    fn a_ticket_is_good_once_and_until_expiry() {
        let mut inv = validate_new(new("A@Example.com"), Invitee::default(), 0).unwrap();
        assert_eq!(inv.email_address, "a@example.com");
        inv.ticket_digest = ticket_digest("tkt");
        assert!(check_ticket(&inv, "tkt", 1).is_ok());
        assert!(matches!(
            check_ticket(&inv, "other", 1),
            Err(CoreError::TicketInvalid)
        ));
        assert!(matches!(
            check_ticket(&inv, "tkt", inv.expires_at),
            Err(CoreError::TicketExpired)
        ));
        inv.accept(2).unwrap();
        assert!(matches!(
            check_ticket(&inv, "tkt", 3),
            Err(CoreError::TicketInvalid)
        ));
        assert!(inv.revoke(3).is_err());
    }

    #[test]
    fn existing_addresses_are_refused_unless_ignored() {
        let taken = Invitee {
            has_account: true,
            has_pending: false,
        };
        assert!(validate_new(new("a@example.com"), taken, 0).is_err());
        let mut input = new("a@example.com");
        input.ignore_existing = true;
        assert!(validate_new(input, taken, 0).is_ok());
        let mut input = new("a@example.com");
        input.expires_in_days = Some(0);
        assert!(validate_new(input, Invitee::default(), 0).is_err());
        assert_eq!(
            link("https://app.test/join?x=1", "t"),
            "https://app.test/join?x=1&__clerk_ticket=t&__clerk_status=sign_up"
        );
    }
}
