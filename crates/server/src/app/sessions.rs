use usher_core::events::DomainEvent;
use usher_core::ids::{OrganizationId, SessionId, UserId};
use usher_core::sessions::Session;
use usher_core::sessions::lifecycle::{Ending, end, start_backend_session};
use usher_core::sessions::query::SessionQuery;
use usher_core::sessions::tokens::ensure_user_may_hold_token;
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::{CoreError, CoreResult};

use super::degraded::{TokenAsked, TokenRead, read_or_mint_from_memory};
use super::session_tokens::{TokenSource, mint_session_token};
use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

const SESSION: &str = "session";

pub async fn get(state: &AppState, id: &SessionId) -> CoreResult<Session> {
    found(
        state.store.get_session(&state.instance.id, id).await?,
        SESSION,
    )
}

/// The user a session's event embeds (Clerk's session events carry it); none when the user has
/// been deleted meanwhile.
pub(crate) async fn event_user(
    state: &AppState,
    session: &Session,
) -> CoreResult<Option<Box<User>>> {
    Ok(state
        .store
        .get_user(&state.instance.id, &session.user_id)
        .await?
        .map(Box::new))
}

pub async fn list(state: &AppState, query: &SessionQuery) -> CoreResult<(Vec<Session>, i64)> {
    Ok(state.store.list_sessions(&state.instance.id, query).await?)
}

/// `active_organization_id` that names no organization of the user.
pub fn not_a_member_organization() -> CoreError {
    CoreError::value(
        "active_organization_id",
        "does not name an organization of this user",
    )
}

pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &str,
    active_org: Option<OrganizationId>,
) -> CoreResult<Session> {
    let user = super::users::get_named(state, user_id).await?;
    if let Some(org) = &active_org
        && state
            .store
            .get_membership(&state.instance.id, org, &user.id)
            .await?
            .is_none()
    {
        return Err(not_a_member_organization());
    }
    let (client, session) =
        start_backend_session(&state.current_instance(), &user, active_org, state.now())?;
    let mut change = Change::new(state, ctx);
    change
        .write(Write::InsertClient(client))
        .write(Write::InsertSession(session.clone()))
        .event(DomainEvent::session_started(
            session.clone(),
            Some(Box::new(user)),
        ));
    change.commit("session.create", Some(&session.id)).await?;
    get(state, &session.id).await
}

/// Revoking an already ended session changes nothing and returns it as it is.
pub async fn revoke(state: &AppState, ctx: &RequestContext, id: &SessionId) -> CoreResult<Session> {
    with_retry(|| async {
        let mut session = get(state, id).await?;
        if end(&mut session, Ending::Revoked, state.now()) {
            let user = event_user(state, &session).await?;
            let mut change = Change::new(state, ctx);
            change
                .write(Write::UpdateSession(session.clone()))
                .event(DomainEvent::SessionRevoked(session, user));
            change.commit("session.revoke", Some(id)).await?;
        }
        Ok(())
    })
    .await?;
    get(state, id).await
}

/// The emergency sign-out: revokes every live session of the user, each through [`revoke`] (the
/// Backend API's session revoke) with its `session.revoked` event and audit entry. Returns the
/// sessions revoked.
pub async fn revoke_all_of_user(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
) -> CoreResult<Vec<Session>> {
    let user = super::users::get(state, user_id).await?;
    let live = state
        .store
        .live_sessions_of_user(&state.instance.id, &user.id)
        .await?;
    let mut revoked = Vec::with_capacity(live.len());
    for s in live {
        revoked.push(revoke(state, ctx, &s.id).await?);
    }
    Ok(revoked)
}

/// The hot path: one read, then a signature with the key held in memory.
pub async fn mint_token(
    state: &AppState,
    id: &SessionId,
    lifetime_secs: Option<i64>,
) -> CoreResult<String> {
    let read_started_at = state.now();
    let asked = TokenAsked {
        lifetime_secs,
        ..TokenAsked::default()
    };
    let found = match read_or_mint_from_memory(state, id, &asked).await? {
        TokenRead::Read(found) => *found,
        TokenRead::FromMemory(jwt) => return Ok(jwt),
    };
    let found = found.ok_or(CoreError::NotFound { resource: SESSION })?;
    let now = state.now();
    ensure_user_may_hold_token(&found, now)?;
    let source = TokenSource::active(&found, None, lifetime_secs);
    let (jwt, custom) = mint_session_token(state, &source).await?;
    if found.session.status_at(now).is_live() {
        super::degraded::record(state, &found, custom.as_ref(), None, read_started_at);
    }
    Ok(jwt)
}
