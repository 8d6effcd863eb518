//! Invitations to join an organization: who may be invited, one pending invitation per address,
//! expiry, revocation, and accepting one (which makes the user a member).

use serde::{Deserialize, Serialize};

use super::model::{Organization, OrganizationMembership};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{OrganizationId, OrganizationInvitationId, UserId};
use crate::invitations::InvitationState as _;
use crate::users::User;
use crate::users::model::{Metadata, Verification};

pub use crate::invitations::{
    DEFAULT_EXPIRES_IN_DAYS, InvitationQuery, InvitationStatus, MAX_EXPIRES_IN_DAYS, check_ticket,
    revoke, ticket_digest,
};

pub const PREFIX: &str = crate::ids::prefix::ORGANIZATION_INVITATION;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationInvitation {
    pub id: OrganizationInvitationId,
    pub organization_id: OrganizationId,
    /// Lower-cased: one pending invitation per address whatever its case.
    pub email_address: String,
    pub role: String,
    /// The role's name when the invitation was made (a custom role's; system roles are named by
    /// their key).
    #[serde(default)]
    pub role_name: Option<String>,
    #[serde(default)]
    pub inviter_user_id: Option<UserId>,
    /// As stored; a pending invitation past `expires_at` reads as expired (see [`Self::status_at`]).
    pub status: InvitationStatus,
    #[serde(default)]
    pub public_metadata: Metadata,
    #[serde(default)]
    pub private_metadata: Metadata,
    #[serde(default)]
    pub redirect_url: Option<String>,
    pub expires_at: Millis,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// SHA-256 (hex) of the ticket the invitation email's link carries (`__clerk_ticket`); the
    /// ticket itself is never stored.
    #[serde(default)]
    pub ticket_digest: String,
    #[serde(skip)]
    pub version: i64,
}

/// The invitation email: a link to `base_url` (the invitation's redirect URL, or the hosted
/// sign-up page) carrying the ticket and whether the invitee signs up or signs in, as Clerk's
/// links do (`__clerk_ticket`, `__clerk_status`).
pub fn invitation_email(
    inv: &OrganizationInvitation,
    org: &Organization,
    ticket: &str,
    base_url: &str,
    has_account: bool,
    app_name: &str,
    now: Millis,
) -> crate::mail::EmailMessage {
    let status = if has_account { "sign_in" } else { "sign_up" };
    let link = crate::invitations::ticket_link(base_url, ticket, status);
    let text = crate::invitations::EmailText {
        to_email_address: &inv.email_address,
        slug: "organization_invitation",
        subject: format!("You have been invited to join {}", org.name),
        invited_to: format!("You have been invited to join {} on {app_name}.", org.name),
        link: &link,
        app_name,
        org_name: Some(&org.name),
    };
    crate::invitations::email_message(text, now)
}

impl OrganizationInvitation {
    /// The status a reader sees at `now`: expiry needs no write.
    pub fn status_at(&self, now: Millis) -> InvitationStatus {
        crate::invitations::status_at(self, now)
    }
}

#[derive(Debug, Default, Clone)]
pub struct NewInvitation {
    pub email_address: Option<String>,
    pub inviter_user_id: Option<String>,
    pub role: Option<String>,
    pub public_metadata: Option<Metadata>,
    pub private_metadata: Option<Metadata>,
    pub redirect_url: Option<String>,
    pub expires_in_days: Option<i64>,
    /// Whether the invitation email goes out; `None` is Clerk's default, yes.
    pub notify: Option<bool>,
}

impl NewInvitation {
    pub fn sends_email(&self) -> bool {
        self.notify != Some(false)
    }
}

/// What the store knows about the invited address in this organization.
#[derive(Debug, Default, Clone, Copy)]
pub struct Invitee {
    /// A user with this address is a member already.
    pub is_member: bool,
    /// A pending, unexpired invitation to this address exists.
    pub has_pending: bool,
}

pub fn validate_new(
    org: &Organization,
    input: NewInvitation,
    invitee: Invitee,
    now: Millis,
) -> CoreResult<OrganizationInvitation> {
    let email = crate::invitations::invited_email(input.email_address)?;
    let role = input
        .role
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CoreError::missing("role"))?;
    let expires_at = crate::invitations::expiry(input.expires_in_days, now)?;
    let public_metadata = input.public_metadata.unwrap_or_default();
    let private_metadata = input.private_metadata.unwrap_or_default();
    super::rules::check_metadata_size(&public_metadata, &private_metadata)?;
    if invitee.is_member {
        return Err(CoreError::AlreadyMember);
    }
    if invitee.has_pending {
        return Err(CoreError::InvitationDuplicate);
    }
    if !org.has_room() {
        return Err(CoreError::MembershipQuotaExceeded);
    }
    Ok(OrganizationInvitation {
        id: OrganizationInvitationId::new(),
        organization_id: org.id.clone(),
        email_address: email,
        role,
        role_name: None,
        inviter_user_id: super::rules::named_user(input.inviter_user_id)?,
        status: InvitationStatus::Pending,
        public_metadata,
        private_metadata,
        redirect_url: input.redirect_url.filter(|s| !s.is_empty()),
        expires_at,
        created_at: now,
        updated_at: now,
        ticket_digest: String::new(),
        version: 0,
    })
}

/// Accepts a pending invitation for `user`, who must own the invited address verified. Marks
/// the invitation accepted and returns the membership to insert beside it (the store's guards on
/// the member count and on duplicate members still apply when both are committed).
pub fn accept(
    inv: &mut OrganizationInvitation,
    org: &Organization,
    user: &User,
    now: Millis,
) -> CoreResult<OrganizationMembership> {
    crate::invitations::require_pending(inv, now)?;
    if inv.organization_id != org.id {
        return Err(CoreError::NotFound {
            resource: "organization invitation",
        });
    }
    let owns = user.email_addresses.iter().any(|e| {
        e.email_address.eq_ignore_ascii_case(&inv.email_address)
            && !matches!(e.verification, Verification::Unverified)
    });
    if !owns {
        return Err(CoreError::InvitationEmailMismatch);
    }
    let membership = super::memberships::validate_new(
        org,
        super::memberships::NewMembership {
            user_id: Some(user.id.to_string()),
            role: Some(inv.role.clone()),
            public_metadata: Some(inv.public_metadata.clone()),
            private_metadata: None,
        },
        now,
    )?;
    inv.set_status(InvitationStatus::Accepted, now);
    Ok(membership)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::org;
    use super::super::roles::{ADMIN, MEMBER};
    use super::*;

    const DAY_MS: i64 = 86_400_000;

    fn new(email: &str, role: &str) -> NewInvitation {
        NewInvitation {
            email_address: Some(email.into()),
            role: Some(role.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_new_invitation_is_pending_for_thirty_days() {
        let inv = validate_new(
            &org(0, 1),
            new("Ann@Example.com", MEMBER),
            Invitee::default(),
            10,
        )
        .unwrap();
        assert!(inv.id.starts_with("orginv_"));
        assert_eq!(inv.email_address, "ann@example.com");
        assert_eq!(inv.expires_at, 10 + 30 * DAY_MS);
        assert_eq!(inv.status_at(10), InvitationStatus::Pending);
        assert_eq!(inv.status_at(10 + 30 * DAY_MS), InvitationStatus::Expired);
    }

    #[test]
    fn the_email_links_to_the_redirect_url_with_the_ticket() {
        let o = org(0, 1);
        let inv = validate_new(&o, new("a@b.co", MEMBER), Invitee::default(), 1).unwrap();
        let m = invitation_email(
            &inv,
            &o,
            "tkt",
            "https://app.example/accept?x=1",
            false,
            "App",
            1,
        );
        assert_eq!(m.to_email_address, "a@b.co");
        assert_eq!(m.slug, "organization_invitation");
        assert!(
            m.body_plain.contains(
                "https://app.example/accept?x=1&__clerk_ticket=tkt&__clerk_status=sign_up"
            )
        );
        let m = invitation_email(&inv, &o, "tkt", "https://h/sign-up", true, "App", 1);
        assert!(
            m.body_html
                .contains("https://h/sign-up?__clerk_ticket=tkt&amp;__clerk_status=sign_in")
        );
        assert_ne!(ticket_digest("tkt"), ticket_digest("tku"));
    }

    #[test]
    fn refusals() {
        let o = org(0, 1);
        let none = Invitee::default();
        assert!(matches!(
            validate_new(&o, new("not-an-email", MEMBER), none, 1).unwrap_err(),
            CoreError::ParamFormatInvalid { .. }
        ));
        let member = Invitee {
            is_member: true,
            has_pending: false,
        };
        assert_eq!(
            validate_new(&o, new("a@b.co", MEMBER), member, 1).unwrap_err(),
            CoreError::AlreadyMember
        );
        let pending = Invitee {
            is_member: false,
            has_pending: true,
        };
        assert_eq!(
            validate_new(&o, new("a@b.co", MEMBER), pending, 1).unwrap_err(),
            CoreError::InvitationDuplicate
        );
        let mut days = new("a@b.co", MEMBER);
        days.expires_in_days = Some(366);
        assert!(validate_new(&o, days, none, 1).is_err());
        assert_eq!(
            validate_new(&org(1, 1), new("a@b.co", MEMBER), none, 1).unwrap_err(),
            CoreError::MembershipQuotaExceeded
        );
    }

    #[test]
    fn only_a_pending_invitation_is_revoked() {
        let mut inv =
            validate_new(&org(0, 1), new("a@b.co", MEMBER), Invitee::default(), 1).unwrap();
        revoke(&mut inv, 2).unwrap();
        assert_eq!(inv.status, InvitationStatus::Revoked);
        assert_eq!(
            revoke(&mut inv, 3).unwrap_err(),
            CoreError::InvitationNotPending { status: "revoked" }
        );
        let mut old =
            validate_new(&org(0, 1), new("a@b.co", MEMBER), Invitee::default(), 1).unwrap();
        assert_eq!(
            revoke(&mut old, 1 + 31 * DAY_MS).unwrap_err(),
            CoreError::InvitationNotPending { status: "expired" }
        );
    }

    fn user_with(email: &str, verification: Verification) -> User {
        use crate::instance::InstanceSettings;
        use crate::users::create::{NewUser, validate};
        let input = NewUser {
            email_addresses: vec![email.into()],
            skip_password_requirement: true,
            ..Default::default()
        };
        let mut u = validate(input, &InstanceSettings::default())
            .unwrap()
            .into_user(None, &InstanceSettings::default(), 0);
        for e in &mut u.email_addresses {
            e.verification = verification;
        }
        u
    }

    #[test]
    fn a_ticket_works_while_its_invitation_is_pending() {
        let o = org(0, 1);
        let mut inv = validate_new(&o, new("a@b.co", MEMBER), Invitee::default(), 1).unwrap();
        assert_eq!(check_ticket(&inv, "tkt", 2), Err(CoreError::TicketInvalid));
        inv.ticket_digest = ticket_digest("tkt");
        check_ticket(&inv, "tkt", 2).unwrap();
        assert_eq!(check_ticket(&inv, "tku", 2), Err(CoreError::TicketInvalid));
        assert_eq!(
            check_ticket(&inv, "tkt", 1 + 30 * DAY_MS),
            Err(CoreError::TicketExpired)
        );
        revoke(&mut inv, 3).unwrap();
        assert_eq!(check_ticket(&inv, "tkt", 4), Err(CoreError::TicketInvalid));
    }

    #[test]
    fn accepting_makes_a_member_with_the_invited_role() {
        let o = org(0, 1);
        let mut inv = validate_new(&o, new("a@b.co", ADMIN), Invitee::default(), 1).unwrap();
        let stranger = user_with("c@d.co", Verification::Admin);
        assert_eq!(
            accept(&mut inv, &o, &stranger, 2).unwrap_err(),
            CoreError::InvitationEmailMismatch
        );
        let unverified = user_with("A@b.co", Verification::Unverified);
        assert_eq!(
            accept(&mut inv, &o, &unverified, 2).unwrap_err(),
            CoreError::InvitationEmailMismatch
        );
        let invitee = user_with("A@b.co", Verification::Admin);
        let m = accept(&mut inv, &o, &invitee, 2).unwrap();
        assert_eq!(
            (m.user_id.as_str(), m.role.as_str()),
            (invitee.id.as_str(), ADMIN)
        );
        assert_eq!(inv.status, InvitationStatus::Accepted);
        assert_eq!(
            accept(&mut inv, &o, &invitee, 3).unwrap_err(),
            CoreError::InvitationNotPending { status: "accepted" }
        );
    }
}
