//! The waitlist (sign-up mode `waitlist`): addresses waiting for an invitation, each entry
//! pending until an operator invites it (an instance invitation is created and the entry
//! records it), rejects it, or its invitee signs up (completed). One entry per address: joining
//! again answers the entry there is.

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{InvitationId, new_id};
use crate::order_by;
use crate::users::query::Page;

/// Clerk's prefix for waitlist entry ids.
pub const PREFIX: &str = "wle_";
/// Clerk's limit on one bulk request.
pub const MAX_BULK: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitlistStatus {
    Pending,
    Invited,
    Completed,
    Rejected,
}

impl WaitlistStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Invited => "invited",
            Self::Completed => "completed",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "invited" => Self::Invited,
            "completed" => Self::Completed,
            "rejected" => Self::Rejected,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitlistEntry {
    /// `wle_…`.
    pub id: String,
    /// Lower-cased: one entry per address whatever its case.
    pub email_address: String,
    pub status: WaitlistStatus,
    /// The invitation inviting the entry created.
    #[serde(default)]
    pub invitation_id: Option<InvitationId>,
    #[serde(default)]
    pub invited_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    #[serde(skip)]
    pub version: i64,
}

impl WaitlistEntry {
    /// A pending entry for `email` (checked and lower-cased).
    pub fn new(email: &str, now: Millis) -> CoreResult<Self> {
        if email.trim().is_empty() {
            return Err(CoreError::missing("email_address"));
        }
        let email = crate::users::identifiers::validate_email(email)?.to_lowercase();
        Ok(Self {
            id: new_id(PREFIX),
            email_address: email,
            status: WaitlistStatus::Pending,
            invitation_id: None,
            invited_at: None,
            created_at: now,
            updated_at: now,
            version: 0,
        })
    }

    /// Records the invitation sent: a pending or rejected entry only (an invited one has its
    /// invitation; a completed one its account).
    pub fn invite(&mut self, invitation_id: InvitationId, now: Millis) -> CoreResult<()> {
        if !matches!(
            self.status,
            WaitlistStatus::Pending | WaitlistStatus::Rejected
        ) {
            return Err(self.not_actionable());
        }
        self.status = WaitlistStatus::Invited;
        self.invitation_id = Some(invitation_id);
        self.invited_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    /// Turns the entry away: a pending or invited entry only.
    pub fn reject(&mut self, now: Millis) -> CoreResult<()> {
        if !matches!(
            self.status,
            WaitlistStatus::Pending | WaitlistStatus::Invited
        ) {
            return Err(self.not_actionable());
        }
        self.status = WaitlistStatus::Rejected;
        self.updated_at = now;
        Ok(())
    }

    /// Marks the entry completed: its invitee signed up.
    pub fn complete(&mut self, now: Millis) {
        self.status = WaitlistStatus::Completed;
        self.updated_at = now;
    }

    /// Only a pending entry may be deleted (Clerk's "delete a pending waitlist entry").
    pub fn check_deletable(&self) -> CoreResult<()> {
        if self.status == WaitlistStatus::Pending {
            Ok(())
        } else {
            Err(self.not_actionable())
        }
    }

    fn not_actionable(&self) -> CoreError {
        CoreError::WaitlistEntryNotActionable {
            status: self.status.as_str(),
        }
    }
}

/// How a list is ordered: Clerk's `order_by` (`created_at`, `email_address`, `invited_at`, with
/// `+` or `-`; `-created_at` by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitlistOrder {
    pub field: &'static str,
    pub descending: bool,
}

impl Default for WaitlistOrder {
    fn default() -> Self {
        Self {
            field: "created_at",
            descending: true,
        }
    }
}

impl WaitlistOrder {
    pub fn parse(raw: &str) -> CoreResult<Self> {
        let (descending, name) = order_by::split_sign(raw);
        let field = match name {
            "created_at" => "created_at",
            "email_address" => "email_address",
            "invited_at" => "invited_at",
            _ => {
                return Err(CoreError::value(
                    "order_by",
                    "must be created_at, email_address or invited_at, with + or -",
                ));
            }
        };
        Ok(Self { field, descending })
    }
}

#[derive(Debug, Clone, Default)]
pub struct WaitlistQuery {
    /// Matches the address (partially) or the id.
    pub query: Option<String>,
    /// Empty: every status.
    pub statuses: Vec<WaitlistStatus>,
    pub order: WaitlistOrder,
    pub page: Page,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_moves_through_its_statuses() {
        let mut e = WaitlistEntry::new(" Ada@Example.com ", 1).unwrap();
        assert_eq!(e.email_address, "ada@example.com");
        assert!(e.check_deletable().is_ok());
        e.reject(2).unwrap();
        assert!(e.reject(3).is_err());
        e.invite(InvitationId::new(), 4).unwrap();
        assert_eq!((e.status, e.invited_at), (WaitlistStatus::Invited, Some(4)));
        assert!(e.invite(InvitationId::new(), 5).is_err());
        assert!(e.check_deletable().is_err());
        e.complete(6);
        assert!(e.reject(7).is_err());
        assert!(WaitlistEntry::new("nope", 1).is_err());
    }

    #[test]
    fn order_by_is_one_of_clerks() {
        assert_eq!(
            WaitlistOrder::parse("-created_at").unwrap(),
            WaitlistOrder::default()
        );
        let o = WaitlistOrder::parse("+email_address").unwrap();
        assert_eq!((o.field, o.descending), ("email_address", false));
        assert!(WaitlistOrder::parse("status").is_err());
        assert!(WaitlistOrder::parse("").is_err());
    }
}
