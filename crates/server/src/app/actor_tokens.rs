//! Actor tokens (impersonation): made for a user with an actor, revoked; spent by the Frontend
//! API's `strategy=ticket` sign-in (sign_ins.rs), which starts the impersonation session.
//! Revoking an accepted token ends that session in the same transaction, so the next token
//! refresh on any node is refused. Each change commits with its audit entry.

use usher_core::CoreResult;
use usher_core::actor_tokens::{self, ACTOR_TOKEN, ActorToken, NewActorToken};
use usher_core::events::DomainEvent;
use usher_core::ids::ActorTokenId;
use usher_core::sessions::lifecycle::{Ending, end};
use usher_core::sign_in_tokens::SignInTokenStatus;
use usher_core::store::Write;

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

/// A new token impersonating `user_id` (which must exist) and its ticket, shown only here.
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &str,
    input: NewActorToken,
) -> CoreResult<(ActorToken, String)> {
    let user = super::users::get_named(state, user_id).await?;
    let (token, ticket) = actor_tokens::issue(user.id, input, state.now())?;
    let mut change = Change::new(state, ctx);
    change.write(Write::InsertActorToken(token.clone()));
    change.commit("actor_token.create", Some(&token.id)).await?;
    Ok((token, ticket))
}

/// Revokes the token; an accepted one's impersonation session is revoked with it.
pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    id: &ActorTokenId,
) -> CoreResult<ActorToken> {
    with_retry(|| async {
        let mut token = found(
            state.store.get_actor_token(&state.instance.id, id).await?,
            ACTOR_TOKEN,
        )?;
        let was = token.status;
        actor_tokens::revoke(&mut token, state.now())?;
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateActorToken(token.clone()));
        if was == SignInTokenStatus::Accepted
            && let Some(session_id) = &token.session_id
            && let Some(mut session) = state
                .store
                .get_session(&state.instance.id, session_id)
                .await?
            && end(&mut session, Ending::Revoked, state.now())
        {
            let user = super::sessions::event_user(state, &session).await?;
            change
                .write(Write::UpdateSession(session.clone()))
                .event(DomainEvent::SessionRevoked(session.clone(), user))
                .audit("session.revoke", Some(&session.id));
        }
        change.commit("actor_token.revoke", Some(&token.id)).await?;
        Ok(token)
    })
    .await
}
