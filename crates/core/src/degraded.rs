//! Degraded mode's rules: when a session token may be minted from what a node last read of the
//! session while the database is unreachable or slow, and which committed events take a
//! session (or a user's sessions, or every session) out of what a node may serve that way.
//! No clock, no store: the server's `degraded/` module holds the snapshots and asks here.

use serde_json::Value;

use crate::clock::Millis;
use crate::ids::{SessionId, UserId};
use crate::store::SessionForToken;
use crate::webhooks::catalog::SIGNING_KEY_RETIRED;

/// The degraded-mode settings a node works with (instance settings `degraded_mode_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub enabled: bool,
    /// How long after the database last confirmed a session it may still be served from memory.
    pub window_ms: Millis,
}

/// What a node last read of a session to mint its token, and when the database said so.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub found: SessionForToken,
    /// When the read that produced `found` was answered.
    pub confirmed_at: Millis,
}

/// Why a token is not minted from a snapshot. None of these is the session's end: the caller
/// answers 503 (try again), never 401, so no browser is signed out by an outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Degraded mode is off on this instance.
    Disabled,
    /// This node holds nothing for the session (never refreshed here, evicted, or revoked).
    NotHeld,
    /// The database last confirmed the session longer ago than the window.
    WindowPassed,
    /// The session ended by itself since (its expiry or inactivity deadline passed).
    NotLive,
    /// The user was banned or locked when last read, or the lock has not ended.
    UserBarred,
    /// The snapshot belongs to another client than the one asking.
    OtherClient,
}

impl Refusal {
    /// For the log and the `reason` label.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Disabled => "disabled",
            Refusal::NotHeld => "not_held",
            Refusal::WindowPassed => "window_passed",
            Refusal::NotLive => "not_live",
            Refusal::UserBarred => "user_barred",
            Refusal::OtherClient => "other_client",
        }
    }
}

/// Whether `snapshot` may back a token at `now`. Expiry and inactivity are applied to the
/// session as read (with the activity this node recorded since, see [`touched`]); the window is
/// counted from `confirmed_at`, so a clock that runs backwards never lengthens it.
pub fn may_serve(policy: Policy, snapshot: Option<&Snapshot>, now: Millis) -> Result<(), Refusal> {
    if !policy.enabled {
        return Err(Refusal::Disabled);
    }
    let s = snapshot.ok_or(Refusal::NotHeld)?;
    if now.saturating_sub(s.confirmed_at) > policy.window_ms || now < s.confirmed_at - 60_000 {
        return Err(Refusal::WindowPassed);
    }
    if !s.found.session.status_at(now).is_live() {
        return Err(Refusal::NotLive);
    }
    let barred = s.found.user_banned || s.found.user_locked_until.is_some_and(|until| until > now);
    if barred {
        return Err(Refusal::UserBarred);
    }
    Ok(())
}

/// The session as a token served from memory at `now` sees it: its activity recorded in memory
/// at the usual granularity (the deadline moves as a database write would move it). Returns
/// whether anything moved, i.e. whether a touch is owed to the database.
pub fn touched(
    snapshot: &mut Snapshot,
    inactivity_ms: Millis,
    granularity_ms: Millis,
    now: Millis,
) -> bool {
    crate::sessions::lifecycle::record_activity(
        &mut snapshot.found.session,
        inactivity_ms,
        granularity_ms,
        now,
    )
}

/// What a committed event withdraws from the sessions a node may serve from memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    Session(SessionId),
    /// Every session of the user (banned, locked, deleted).
    User(UserId),
    /// Every session: a signing key was retired (an emergency rotation retires every earlier
    /// key), so nothing read before may be minted from memory under a key list that may be old.
    All,
}

/// The event types [`revocation_of`] reads, for the store's query.
pub const REVOCATION_EVENT_TYPES: [&str; 6] = [
    "session.ended",
    "session.removed",
    "session.revoked",
    "user.updated",
    "user.deleted",
    SIGNING_KEY_RETIRED,
];

/// The revocation an outbox event carries, from its type and Clerk's `data` payload; `None`
/// for an event that withdraws nothing (a user update that neither bans nor locks).
pub fn revocation_of(event_type: &str, data: &Value) -> Option<Revocation> {
    let id = || data.get("id").and_then(Value::as_str);
    match event_type {
        "session.ended" | "session.removed" | "session.revoked" => {
            id().map(|s| Revocation::Session(SessionId::from_stored(s)))
        }
        "user.deleted" => id().map(|u| Revocation::User(UserId::from_stored(u))),
        "user.updated" => {
            let flag = |k: &str| data.get(k).and_then(Value::as_bool).unwrap_or(false);
            (flag("banned") || flag("locked")).then_some(())?;
            id().map(|u| Revocation::User(UserId::from_stored(u)))
        }
        t if t == SIGNING_KEY_RETIRED => Some(Revocation::All),
        _ => None,
    }
}

/// How far back a revocation poll reads: from `since` (the previous poll's start) less an
/// overlap, so a transaction that stamped its events before it committed is still seen.
pub const POLL_OVERLAP_MS: Millis = 30_000;

pub fn poll_from(previous_start: Millis) -> Millis {
    (previous_start - POLL_OVERLAP_MS).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::{Session, SessionStatus};
    use serde_json::json;

    const MIN: Millis = 60_000;

    fn snapshot(confirmed_at: Millis) -> Snapshot {
        let session = Session {
            version: 1,
            expire_at: 100 * MIN,
            ..crate::sessions::fixtures::session(SessionStatus::Active, 0, 50 * MIN)
        };
        Snapshot {
            found: SessionForToken {
                session,
                user_banned: false,
                user_locked_until: None,
                active_membership: None,
                user_plan: None,
            },
            confirmed_at,
        }
    }

    const ON: Policy = Policy {
        enabled: true,
        window_ms: 15 * MIN,
    };

    #[test]
    fn a_fresh_live_snapshot_is_served_within_the_window_only() {
        let s = snapshot(10 * MIN);
        assert_eq!(may_serve(ON, Some(&s), 10 * MIN), Ok(()));
        assert_eq!(may_serve(ON, Some(&s), 25 * MIN), Ok(()));
        assert_eq!(
            may_serve(ON, Some(&s), 25 * MIN + 1),
            Err(Refusal::WindowPassed)
        );
        assert_eq!(may_serve(ON, None, 10 * MIN), Err(Refusal::NotHeld));
        let off = Policy {
            enabled: false,
            ..ON
        };
        assert_eq!(may_serve(off, Some(&s), 10 * MIN), Err(Refusal::Disabled));
    }

    #[test]
    fn a_clock_far_behind_the_confirmation_serves_nothing() {
        let s = snapshot(10 * MIN);
        assert_eq!(may_serve(ON, Some(&s), 9 * MIN + 1), Ok(()));
        assert_eq!(may_serve(ON, Some(&s), 8 * MIN), Err(Refusal::WindowPassed));
    }

    #[test]
    fn expiry_inactivity_and_bars_end_service_from_memory() {
        let policy = Policy {
            enabled: true,
            window_ms: 1000 * MIN,
        };
        let s = snapshot(0);
        assert_eq!(may_serve(policy, Some(&s), 50 * MIN), Err(Refusal::NotLive));
        let mut revoked = snapshot(0);
        revoked.found.session.status = SessionStatus::Revoked;
        assert_eq!(
            may_serve(policy, Some(&revoked), MIN),
            Err(Refusal::NotLive)
        );
        let mut banned = snapshot(0);
        banned.found.user_banned = true;
        assert_eq!(
            may_serve(policy, Some(&banned), MIN),
            Err(Refusal::UserBarred)
        );
        let mut locked = snapshot(0);
        locked.found.user_locked_until = Some(2 * MIN);
        assert_eq!(
            may_serve(policy, Some(&locked), MIN),
            Err(Refusal::UserBarred)
        );
        assert_eq!(may_serve(policy, Some(&locked), 3 * MIN), Ok(()));
    }

    #[test]
    fn activity_in_memory_moves_the_inactivity_deadline() {
        let mut s = snapshot(0);
        assert!(!touched(&mut s, 50 * MIN, 60 * MIN, 30 * MIN));
        assert!(touched(&mut s, 50 * MIN, 10 * MIN, 30 * MIN));
        assert_eq!(s.found.session.abandon_at, 80 * MIN);
        let policy = Policy {
            enabled: true,
            window_ms: 1000 * MIN,
        };
        assert_eq!(may_serve(policy, Some(&s), 60 * MIN), Ok(()));
    }

    #[test]
    fn events_name_what_they_withdraw() {
        for t in ["session.revoked", "session.ended", "session.removed"] {
            assert_eq!(
                revocation_of(t, &json!({"id": "sess_9", "user_id": "user_1"})),
                Some(Revocation::Session(SessionId::from_stored("sess_9")))
            );
        }
        let user = Some(Revocation::User(UserId::from_stored("user_2")));
        assert_eq!(
            revocation_of("user.updated", &json!({"id": "user_2", "banned": true})),
            user
        );
        assert_eq!(
            revocation_of("user.updated", &json!({"id": "user_2", "locked": true})),
            user
        );
        assert_eq!(
            revocation_of("user.deleted", &json!({"id": "user_2", "deleted": true})),
            user
        );
        assert_eq!(
            revocation_of(
                "user.updated",
                &json!({"id": "user_2", "banned": false, "locked": false})
            ),
            None
        );
        assert_eq!(
            revocation_of(SIGNING_KEY_RETIRED, &json!({"kid": "ins_1"})),
            Some(Revocation::All)
        );
        assert_eq!(revocation_of("session.created", &json!({"id": "s"})), None);
        assert_eq!(revocation_of("session.revoked", &json!({})), None);
        assert_eq!(poll_from(100_000), 70_000);
        assert_eq!(poll_from(10), 0);
    }
}
