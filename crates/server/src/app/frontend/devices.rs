//! The signed-in user's devices: their live sessions on every client, and signing one of them
//! out. Only the user's own sessions can be ended this way.

use usher_core::events::DomainEvent;
use usher_core::ids::{SessionId, UserId};
use usher_core::sessions::Session;
use usher_core::sessions::lifecycle::{Ending, end};
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::get_user;
use crate::app::context::RequestContext;
use crate::app::{Change, with_retry};
use crate::state::AppState;

/// The user's live sessions, the most recently active first.
pub async fn list(state: &AppState, user_id: &UserId) -> CoreResult<Vec<Session>> {
    let now = state.now();
    let mut sessions: Vec<Session> = state
        .store
        .live_sessions_of_user(&state.instance.id, user_id)
        .await?
        .into_iter()
        .filter(|s| s.status_at(now).is_live())
        .collect();
    sessions.sort_by(|a, b| {
        b.last_active_at
            .cmp(&a.last_active_at)
            .then_with(|| b.created_at.cmp(&a.created_at))
    });
    Ok(sessions)
}

/// Signs the device holding `session_id` out (the session is revoked), on behalf of the user
/// of the `current` session. Someone else's session, or one that does not exist, is not found.
pub async fn sign_out_device(
    state: &AppState,
    ctx: &RequestContext,
    current: &Session,
    session_id: &SessionId,
) -> CoreResult<Session> {
    let user = get_user(state, &current.user_id).await?;
    with_retry(|| async {
        let mut session = state
            .store
            .get_session(&state.instance.id, session_id)
            .await?
            .filter(|s| s.user_id == current.user_id)
            .ok_or(CoreError::NotFound {
                resource: "session",
            })?;
        let now = state.now();
        let mut change = Change::new(state, ctx);
        if end(&mut session, Ending::Revoked, now) {
            change
                .write(Write::UpdateSession(session.clone()))
                .event(DomainEvent::SessionRevoked(
                    session.clone(),
                    Some(Box::new(user.clone())),
                ));
        }
        change
            .commit("me.sessions.revoke", Some(session_id))
            .await?;
        Ok(session)
    })
    .await
}
