//! Invitations, in two scopes: to sign up to the instance ([`instance`], Clerk's
//! `/v1/invitations`) and to join an organization ([`crate::organizations::invitations`]). This
//! module holds the rules both share: the status and its expiry, revoking and accepting, the
//! ticket's digest and its check, the invited address, the lifetime, the paging query, and the
//! email's link and body. Each scope keeps only what differs.

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};

pub mod instance;

pub use instance::{
    Invitation, Invitee, MAX_BULK, NewInvitation, invitation_email, link, validate_new,
};

/// Clerk's default lifetime of an invitation, of either scope.
pub const DEFAULT_EXPIRES_IN_DAYS: i64 = 30;
pub const MAX_EXPIRES_IN_DAYS: i64 = 365;
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "accepted" => Some(Self::Accepted),
            "revoked" => Some(Self::Revoked),
            "expired" => Some(Self::Expired),
            _ => None,
        }
    }
}

/// A page of invitations, newest first: of one organization, or to one address, or all. The
/// instance's invitations have no organization: they are listed without one.
#[derive(Debug, Clone, Default)]
pub struct InvitationQuery {
    pub organization_id: Option<crate::ids::OrganizationId>,
    pub email_address: Option<String>,
    /// To any of these addresses (none: matches nothing); a user's own invitations.
    pub any_email_address: Option<Vec<String>>,
    /// Empty: every status. Expired includes pending rows past their expiry at `now`.
    pub statuses: Vec<InvitationStatus>,
    /// Matches the address (partially) or the id.
    pub query: Option<String>,
    pub now: Millis,
    pub page: crate::users::query::Page,
}

/// What the shared rules read and write of an invitation, whatever its scope.
pub trait InvitationState {
    /// As stored; a pending invitation past its expiry reads as expired (see [`status_at`]).
    fn stored_status(&self) -> InvitationStatus;
    fn expires_at(&self) -> Millis;
    /// SHA-256 (hex) of the ticket; empty for an invitation made without one.
    fn ticket_digest(&self) -> &str;
    fn set_status(&mut self, status: InvitationStatus, now: Millis);
}

/// Both scopes' invitations name their lifecycle fields alike (`status`, `expires_at`,
/// `ticket_digest`, `updated_at`).
macro_rules! invitation_state {
    ($($t:ty),+) => {$(
        impl InvitationState for $t {
            fn stored_status(&self) -> InvitationStatus {
                self.status
            }
            fn expires_at(&self) -> Millis {
                self.expires_at
            }
            fn ticket_digest(&self) -> &str {
                &self.ticket_digest
            }
            fn set_status(&mut self, status: InvitationStatus, now: Millis) {
                self.status = status;
                self.updated_at = now;
            }
        }
    )+};
}

invitation_state!(
    Invitation,
    crate::organizations::invitations::OrganizationInvitation
);

/// The status a reader sees at `now`: expiry needs no write.
pub fn status_at(inv: &impl InvitationState, now: Millis) -> InvitationStatus {
    let status = inv.stored_status();
    if status == InvitationStatus::Pending && now >= inv.expires_at() {
        InvitationStatus::Expired
    } else {
        status
    }
}

/// Refuses an invitation that is not pending at `now`, naming its status.
pub fn require_pending(inv: &impl InvitationState, now: Millis) -> CoreResult<()> {
    match status_at(inv, now) {
        InvitationStatus::Pending => Ok(()),
        other => Err(CoreError::InvitationNotPending {
            status: other.as_str(),
        }),
    }
}

/// Moves a pending invitation to `to` (revoked, accepted); any other is refused with its status.
pub fn close(inv: &mut impl InvitationState, to: InvitationStatus, now: Millis) -> CoreResult<()> {
    require_pending(inv, now)?;
    inv.set_status(to, now);
    Ok(())
}

/// Revokes a pending invitation; any other is refused.
pub fn revoke(inv: &mut impl InvitationState, now: Millis) -> CoreResult<()> {
    close(inv, InvitationStatus::Revoked, now)
}

/// The SHA-256 (hex) a ticket is kept as.
pub fn ticket_digest(ticket: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(ticket.as_bytes()))
}

/// Whether `ticket` is the one `inv` was sent with, and the invitation can still be accepted
/// with it. The digests are compared in constant time; an unknown, used or revoked ticket is
/// [`CoreError::TicketInvalid`], an expired one [`CoreError::TicketExpired`].
pub fn check_ticket(inv: &impl InvitationState, ticket: &str, now: Millis) -> CoreResult<()> {
    use subtle::ConstantTimeEq;
    let presented = ticket_digest(ticket);
    let stored = inv.ticket_digest();
    let matches = !stored.is_empty() && bool::from(presented.as_bytes().ct_eq(stored.as_bytes()));
    if !matches {
        return Err(CoreError::TicketInvalid);
    }
    match status_at(inv, now) {
        InvitationStatus::Pending => Ok(()),
        InvitationStatus::Expired => Err(CoreError::TicketExpired),
        InvitationStatus::Accepted | InvitationStatus::Revoked => Err(CoreError::TicketInvalid),
    }
}

/// The invited address, required, checked and lower-cased (one pending invitation per address
/// whatever its case).
pub fn invited_email(email_address: Option<String>) -> CoreResult<String> {
    let email = email_address
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| CoreError::missing("email_address"))?;
    Ok(crate::users::identifiers::validate_email(&email)?.to_lowercase())
}

/// When an invitation made at `now` expires: after `expires_in_days` (Clerk's default 30), which
/// must be between 1 and [`MAX_EXPIRES_IN_DAYS`].
pub fn expiry(expires_in_days: Option<i64>, now: Millis) -> CoreResult<Millis> {
    let days = expires_in_days.unwrap_or(DEFAULT_EXPIRES_IN_DAYS);
    if !(1..=MAX_EXPIRES_IN_DAYS).contains(&days) {
        return Err(CoreError::value(
            "expires_in_days",
            format!("expires_in_days must be between 1 and {MAX_EXPIRES_IN_DAYS}"),
        ));
    }
    Ok(now + days * DAY_MS)
}

/// The link an invitation email carries: `base_url` with the ticket and whether the invitee
/// signs up or signs in (`sign_up`, `sign_in`), as Clerk's links do (`__clerk_ticket`,
/// `__clerk_status`).
pub fn ticket_link(base_url: &str, ticket: &str, clerk_status: &str) -> String {
    let sep = if base_url.contains('?') { '&' } else { '?' };
    format!("{base_url}{sep}__clerk_ticket={ticket}&__clerk_status={clerk_status}")
}

/// What an invitation email says, by scope.
pub struct EmailText<'a> {
    pub to_email_address: &'a str,
    /// The template's slug: `invitation`, `organization_invitation`.
    pub slug: &'a str,
    pub subject: String,
    /// The first paragraph: what the invitee is invited to.
    pub invited_to: String,
    pub link: &'a str,
    pub app_name: &'a str,
    /// The organization's name, for an organization invitation (the template's `org.name`).
    pub org_name: Option<&'a str>,
}

/// The invitation email, queued.
pub fn email_message(text: EmailText<'_>, now: Millis) -> crate::mail::EmailMessage {
    use crate::mail::templates::escape_html;
    let EmailText {
        to_email_address,
        slug,
        subject,
        invited_to,
        link,
        app_name,
        org_name,
    } = text;
    let paragraphs = [
        invited_to,
        format!("Accept the invitation: {link}"),
        "If you were not expecting this invitation, you can ignore this email.".to_owned(),
    ];
    let mut body_plain = paragraphs.join("\n\n");
    body_plain.push('\n');
    let body_html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n<p>{}</p>\n<p><a href=\"{}\">Accept the invitation</a></p>\n<p>{}</p>\n</body>\n</html>\n",
        escape_html(&subject),
        escape_html(&paragraphs[0]),
        escape_html(link),
        escape_html(&paragraphs[2])
    );
    let mut data = serde_json::json!({
        "app": {"name": app_name},
        "action_url": link,
        "inviter_name": serde_json::Value::Null,
    });
    if let Some(name) = org_name {
        data["org"] = serde_json::json!({ "name": name });
    }
    crate::mail::EmailMessage {
        id: crate::ids::EmailMessageId::new(),
        to_email_address: to_email_address.to_owned(),
        email_address_id: None,
        user_id: None,
        slug: slug.to_owned(),
        subject,
        body_plain,
        body_html,
        data,
        status: crate::mail::EmailStatus::Queued,
        attempts: 0,
        last_error: None,
        from_email_name: String::new(),
        delivered_by_server: false,
        created_at: now,
        updated_at: now,
    }
}
