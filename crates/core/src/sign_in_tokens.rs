//! Sign-in tokens (the Backend API's Sign-in Tokens): a one-time ticket, made for a user by the
//! application's backend, that signs that user in through the Frontend API (`strategy=ticket`).
//! Only the ticket's digest is kept; the ticket itself is shown once, when it is made.

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{SignInTokenId, UserId, random_hex};

pub const SIGN_IN_TOKEN: &str = "sign-in token";
/// Clerk's default lifetime: 30 days.
pub const DEFAULT_EXPIRES_IN_SECONDS: i64 = 30 * 24 * 3600;
/// Ten years, as long as any lifetime Clerk's Backend API takes.
const MAX_EXPIRES_IN_SECONDS: i64 = 10 * 365 * 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignInTokenStatus {
    Pending,
    Accepted,
    Revoked,
}

impl SignInTokenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInTokenStatus::Pending => "pending",
            SignInTokenStatus::Accepted => "accepted",
            SignInTokenStatus::Revoked => "revoked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInToken {
    pub id: SignInTokenId,
    pub user_id: UserId,
    /// SHA-256 of the ticket, hex.
    pub ticket_digest: String,
    pub status: SignInTokenStatus,
    pub expires_at: Millis,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// Optimistic concurrency: the stored row's version when read.
    #[serde(skip)]
    pub version: i64,
}

/// SHA-256 of a ticket, as stored.
pub fn ticket_digest(ticket: &str) -> String {
    crate::organizations::invitations::ticket_digest(ticket)
}

/// A new token for `user_id` and its ticket (shown once).
pub fn issue(
    user_id: UserId,
    expires_in_seconds: Option<i64>,
    now: Millis,
) -> CoreResult<(SignInToken, String)> {
    let secs = lifetime(
        "expires_in_seconds",
        expires_in_seconds,
        DEFAULT_EXPIRES_IN_SECONDS,
    )?;
    let ticket = random_hex(32);
    Ok((
        SignInToken {
            id: SignInTokenId::new(),
            user_id,
            ticket_digest: ticket_digest(&ticket),
            status: SignInTokenStatus::Pending,
            expires_at: now + secs * 1000,
            created_at: now,
            updated_at: now,
            version: 0,
        },
        ticket,
    ))
}

/// Revokes a pending token; a used or revoked one cannot be (Clerk's spec answers 400).
pub fn revoke(t: &mut SignInToken, now: Millis) -> CoreResult<()> {
    if t.status != SignInTokenStatus::Pending {
        return Err(CoreError::SignInTokenNotPending {
            status: t.status.as_str(),
        });
    }
    t.status = SignInTokenStatus::Revoked;
    t.updated_at = now;
    Ok(())
}

/// Spends the ticket: only a pending, unexpired token signs its user in, and only once.
pub fn redeem(t: &mut SignInToken, now: Millis) -> CoreResult<()> {
    spend(&mut t.status, t.expires_at, now)?;
    t.updated_at = now;
    Ok(())
}

/// A one-time ticket's status once spent at `now`: only a pending, unexpired ticket is.
/// Shared with actor tokens, which are sign-in tickets too.
pub(crate) fn spend(
    status: &mut SignInTokenStatus,
    expires_at: Millis,
    now: Millis,
) -> CoreResult<()> {
    if *status != SignInTokenStatus::Pending {
        return Err(CoreError::TicketInvalid);
    }
    if now >= expires_at {
        return Err(CoreError::TicketExpired);
    }
    *status = SignInTokenStatus::Accepted;
    Ok(())
}

/// A lifetime in seconds given as `param` (or `default`), between one second and ten years.
pub(crate) fn lifetime(param: &str, given: Option<i64>, default: i64) -> CoreResult<i64> {
    let secs = given.unwrap_or(default);
    if !(1..=MAX_EXPIRES_IN_SECONDS).contains(&secs) {
        return Err(CoreError::value(
            param,
            format!("must be between 1 and {MAX_EXPIRES_IN_SECONDS}"),
        ));
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_signs_in_once_before_it_expires_and_not_after_a_revoke() {
        let user = UserId::new();
        let (mut t, ticket) = issue(user.clone(), Some(60), 1_000).unwrap();
        assert_eq!(t.ticket_digest, ticket_digest(&ticket));
        assert_eq!(t.expires_at, 61_000);
        let mut late = t.clone();
        assert_eq!(redeem(&mut late, 61_000), Err(CoreError::TicketExpired));
        redeem(&mut t, 2_000).unwrap();
        assert_eq!(redeem(&mut t, 2_001), Err(CoreError::TicketInvalid));
        assert!(revoke(&mut t, 3_000).is_err());

        let (mut r, _) = issue(user, None, 0).unwrap();
        assert_eq!(r.expires_at, DEFAULT_EXPIRES_IN_SECONDS * 1000);
        revoke(&mut r, 1).unwrap();
        assert_eq!(redeem(&mut r, 2), Err(CoreError::TicketInvalid));
        assert!(issue(UserId::new(), Some(0), 0).is_err());
    }
}
