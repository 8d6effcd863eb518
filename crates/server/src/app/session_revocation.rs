//! The emergency revoke: every live session a selector names (all, a user's, those started before
//! a time, those started from a CIDR block) ended as the Backend API's session revoke ends one
//! (status `revoked`, a `session.revoked` event each), in batches of one transaction each, every
//! batch with an audit entry naming the selector. `usher sessions revoke` calls it.

use std::collections::HashMap;

use usher_core::CoreResult;
use usher_core::events::DomainEvent;
use usher_core::ids::{SessionId, UserId};
use usher_core::sessions::SessionStatus;
use usher_core::sessions::lifecycle::{Ending, end};
use usher_core::sessions::query::{SessionFilter, SessionQuery};
use usher_core::sessions::selection::SessionSelector;
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::users::query::{MAX_LIMIT, Page};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

/// Sessions revoked per transaction.
pub const BATCH: usize = 200;

/// The audit action of each batch.
pub const ACTION: &str = "sessions.revoke";

/// The live (active or pending) sessions the selector names, oldest first.
pub async fn matching(state: &AppState, selector: &SessionSelector) -> CoreResult<Vec<SessionId>> {
    let now = state.now();
    let user_id = match selector {
        SessionSelector::User(id) => Some(id.clone()),
        _ => None,
    };
    let mut found = Vec::new();
    for status in [SessionStatus::Active, SessionStatus::Pending] {
        let mut offset = 0;
        loop {
            let query = SessionQuery {
                filter: SessionFilter {
                    user_id: user_id.clone(),
                    client_id: None,
                    status: Some(status),
                },
                page: Page {
                    limit: MAX_LIMIT,
                    offset,
                },
                now,
            };
            let (page, total) = state
                .store
                .list_sessions(&state.instance.id, &query)
                .await?;
            let read = page.len() as i64;
            found.extend(page.into_iter().filter(|s| selector.matches(s)));
            offset += read;
            if read == 0 || offset >= total {
                break;
            }
        }
    }
    found.sort_by_key(|s| s.created_at);
    Ok(found.into_iter().map(|s| s.id).collect())
}

/// Revokes what the selector names, `BATCH` sessions per transaction; returns how many were
/// revoked (a session that ended meanwhile is left as it is and not counted).
pub async fn revoke_matching(
    state: &AppState,
    ctx: &RequestContext,
    selector: &SessionSelector,
) -> CoreResult<usize> {
    let ids = matching(state, selector).await?;
    let target = selector.describe();
    let mut revoked = 0;
    for batch in ids.chunks(BATCH) {
        revoked += with_retry(|| revoke_batch(state, ctx, batch, &target)).await?;
    }
    Ok(revoked)
}

async fn revoke_batch(
    state: &AppState,
    ctx: &RequestContext,
    ids: &[SessionId],
    target: &str,
) -> CoreResult<usize> {
    let now = state.now();
    let mut sessions = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(mut s) = state.store.get_session(&state.instance.id, id).await?
            && end(&mut s, Ending::Revoked, now)
        {
            sessions.push(s);
        }
    }
    if sessions.is_empty() {
        return Ok(0);
    }
    // Clerk's session events embed the user; a user deleted meanwhile is simply absent.
    let mut user_ids: Vec<UserId> = sessions.iter().map(|s| s.user_id.clone()).collect();
    user_ids.sort();
    user_ids.dedup();
    let users: HashMap<UserId, User> = state
        .store
        .users_by_ids(&state.instance.id, &user_ids)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    let mut change = Change::new(state, ctx);
    let n = sessions.len();
    for s in sessions {
        let user = users.get(&s.user_id).cloned().map(Box::new);
        change
            .write(Write::UpdateSession(s.clone()))
            .event(DomainEvent::SessionRevoked(s, user));
    }
    change.commit(ACTION, Some(target)).await?;
    Ok(n)
}
