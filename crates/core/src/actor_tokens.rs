//! Actor tokens (the Backend API's Actor Tokens): impersonation. A sign-in ticket, like a
//! sign-in token's, that signs its user in with an `actor` (who is acting: at least `sub`) on
//! the session it starts; that session's tokens carry the actor as `act`, and it lasts at most
//! `session_max_duration_in_seconds`. Revoking a pending token makes the ticket useless;
//! revoking an accepted one ends the session it started.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{ActorTokenId, SessionId, UserId, random_hex};
use crate::sessions::Session;
use crate::sign_in_tokens::{self, SignInTokenStatus};

pub const ACTOR_TOKEN: &str = "actor token";
/// Clerk's default lifetime of the ticket: one hour.
pub const DEFAULT_EXPIRES_IN_SECONDS: i64 = 3600;
/// Clerk's default lifetime of the session the ticket starts: 30 minutes.
pub const DEFAULT_SESSION_MAX_DURATION_SECONDS: i64 = 1800;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorToken {
    pub id: ActorTokenId,
    /// The impersonated user.
    pub user_id: UserId,
    /// Clerk's `actor` payload as given (an object with a string `sub`), the session's `act`.
    pub actor: Map<String, Value>,
    /// SHA-256 of the ticket, hex.
    pub ticket_digest: String,
    pub status: SignInTokenStatus,
    pub session_max_duration_secs: i64,
    /// The session the ticket started, once accepted: revoking the token ends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
    pub expires_at: Millis,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// Optimistic concurrency: the stored row's version when read.
    #[serde(skip)]
    pub version: i64,
}

impl ActorToken {
    /// The actor's `sub`, checked present when the token was made.
    pub fn actor_sub(&self) -> &str {
        self.actor.get("sub").and_then(Value::as_str).unwrap_or("")
    }
}

/// What the Backend API was asked for.
#[derive(Debug, Clone, Default)]
pub struct NewActorToken {
    pub actor: Option<Value>,
    pub expires_in_seconds: Option<i64>,
    pub session_max_duration_in_seconds: Option<i64>,
}

/// A new token impersonating `user_id` and its ticket (shown once).
pub fn issue(
    user_id: UserId,
    input: NewActorToken,
    now: Millis,
) -> CoreResult<(ActorToken, String)> {
    let actor = match input.actor {
        None | Some(Value::Null) => return Err(CoreError::missing("actor")),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(CoreError::value("actor", "must be an object")),
    };
    match actor.get("sub") {
        None | Some(Value::Null) => return Err(CoreError::missing("actor.sub")),
        Some(Value::String(s)) if !s.trim().is_empty() => {
            if s == user_id.as_str() {
                return Err(CoreError::value(
                    "actor.sub",
                    "a user cannot impersonate themselves",
                ));
            }
        }
        Some(_) => return Err(CoreError::value("actor.sub", "must be a non-empty string")),
    }
    let secs = sign_in_tokens::lifetime(
        "expires_in_seconds",
        input.expires_in_seconds,
        DEFAULT_EXPIRES_IN_SECONDS,
    )?;
    let session_secs = sign_in_tokens::lifetime(
        "session_max_duration_in_seconds",
        input.session_max_duration_in_seconds,
        DEFAULT_SESSION_MAX_DURATION_SECONDS,
    )?;
    let ticket = random_hex(32);
    Ok((
        ActorToken {
            id: ActorTokenId::new(),
            user_id,
            actor,
            ticket_digest: sign_in_tokens::ticket_digest(&ticket),
            status: SignInTokenStatus::Pending,
            session_max_duration_secs: session_secs,
            session_id: None,
            expires_at: now + secs * 1000,
            created_at: now,
            updated_at: now,
            version: 0,
        },
        ticket,
    ))
}

/// Spends the ticket (pending and unexpired, once).
pub fn redeem(t: &mut ActorToken, now: Millis) -> CoreResult<()> {
    sign_in_tokens::spend(&mut t.status, t.expires_at, now)?;
    t.updated_at = now;
    Ok(())
}

/// Makes a session just started by the ticket an impersonation: the actor on it and its
/// lifetime capped; the token remembers it, so that revoking the token ends it.
pub fn impersonate(t: &mut ActorToken, session: &mut Session) {
    session.actor = Some(Value::Object(t.actor.clone()));
    let end = session.created_at + t.session_max_duration_secs * 1000;
    session.expire_at = session.expire_at.min(end);
    session.abandon_at = session.abandon_at.min(end);
    t.session_id = Some(session.id.clone());
}

/// Revokes a pending or accepted token; the caller ends the accepted one's session.
pub fn revoke(t: &mut ActorToken, now: Millis) -> CoreResult<()> {
    if t.status == SignInTokenStatus::Revoked {
        return Err(CoreError::ActorTokenRevoked);
    }
    t.status = SignInTokenStatus::Revoked;
    t.updated_at = now;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn input(actor: Value) -> NewActorToken {
        NewActorToken {
            actor: Some(actor),
            ..Default::default()
        }
    }

    #[test]
    fn the_actor_needs_a_sub_that_is_not_the_user() {
        let user = UserId::new();
        let (t, ticket) = issue(
            user.clone(),
            input(json!({"sub": "user_admin", "role": "support"})),
            1_000,
        )
        .unwrap();
        assert_eq!(t.ticket_digest, sign_in_tokens::ticket_digest(&ticket));
        assert_eq!(t.expires_at, 1_000 + 3_600_000);
        assert_eq!(t.session_max_duration_secs, 1800);
        assert_eq!(t.actor_sub(), "user_admin");
        assert_eq!(t.actor["role"], "support");
        assert_eq!(
            issue(user.clone(), input(json!({"role": "x"})), 0).unwrap_err(),
            CoreError::missing("actor.sub")
        );
        assert!(issue(user.clone(), input(json!({"sub": 5})), 0).is_err());
        assert!(issue(user.clone(), input(json!("user_admin")), 0).is_err());
        assert_eq!(
            issue(user.clone(), NewActorToken::default(), 0).unwrap_err(),
            CoreError::missing("actor")
        );
        assert!(issue(user.clone(), input(json!({"sub": user.as_str()})), 0).is_err());
        let zero = NewActorToken {
            session_max_duration_in_seconds: Some(0),
            ..input(json!({"sub": "user_admin"}))
        };
        assert!(issue(user, zero, 0).is_err());
    }

    #[test]
    fn a_ticket_is_spent_once_and_a_revoke_is_final() {
        let (mut t, _) = issue(UserId::new(), input(json!({"sub": "user_a"})), 0).unwrap();
        let mut late = t.clone();
        assert_eq!(redeem(&mut late, 3_600_000), Err(CoreError::TicketExpired));
        redeem(&mut t, 10).unwrap();
        assert_eq!(redeem(&mut t, 11), Err(CoreError::TicketInvalid));
        revoke(&mut t, 12).unwrap();
        assert_eq!(revoke(&mut t, 13), Err(CoreError::ActorTokenRevoked));
        assert_eq!(redeem(&mut t, 14), Err(CoreError::TicketInvalid));
    }
}
