//! Sessions for the domain's unit tests.

use super::{Session, SessionStatus};
use crate::clock::Millis;
use crate::ids::{ClientId, SessionId, UserId};

/// `sess_1` of `user_1` on `client_1`, with `status`, started (and last active) at `now`, in no
/// organization, and ending at `ends_at` (its expiry and its abandonment alike).
pub(crate) fn session(status: SessionStatus, now: Millis, ends_at: Millis) -> Session {
    Session {
        id: SessionId::from_stored("sess_1"),
        version: 0,
        client_id: ClientId::from_stored("client_1"),
        user_id: UserId::from_stored("user_1"),
        status,
        last_active_organization_id: None,
        actor: None,
        last_active_at: now,
        expire_at: ends_at,
        abandon_at: ends_at,
        first_factor_verified_at: now,
        second_factor_verified_at: None,
        user_agent: None,
        ip_address: None,
        created_at: now,
        updated_at: now,
    }
}
