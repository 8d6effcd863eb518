//! The token endpoints' side of degraded mode: the session read bounded by
//! `degraded_mode_db_timeout_ms` (a read that fails to reach the database, or is slower, puts
//! the node in degraded mode), what a successful read leaves in the snapshot cache, and a token
//! minted from the cache while the database is away. A session the cache cannot serve gets
//! Clerk's 503 (`CoreError::Unavailable`): clerk-js retries it and keeps the session; never a
//! 401, which would sign the browser out.

use std::time::Duration;

use serde_json::{Map, Value};
use usher_core::clients::{Client, ClientToken};
use usher_core::degraded::{Policy, Refusal, Snapshot, may_serve, touched};
use usher_core::error::Cause;
use usher_core::ids::{ClientId, SessionId};
use usher_core::store::{SessionForToken, StoreError};
use usher_core::{CoreError, CoreResult};

use crate::app::session_tokens::{TokenSource, sign};
use crate::degraded::cache::{Held, HeldClient};
use crate::state::AppState;

fn policy(state: &AppState) -> Policy {
    let s = state.settings();
    Policy {
        enabled: s.degraded_mode_enabled,
        window_ms: s.degraded_mode_window_secs.saturating_mul(1000),
    }
}

/// Whether this node answers from memory now instead of asking the database.
fn serving_from_memory(state: &AppState) -> bool {
    state.degraded.is_active() && state.settings().degraded_mode_enabled
}

fn unavailable(operation: &'static str, why: impl Into<String>) -> StoreError {
    StoreError::Unavailable {
        operation,
        cause: Cause::msg(why),
    }
}

/// Runs a store call on the refresh path within the bound: no answer in time, or a failure to
/// reach the database, comes back as `StoreError::Unavailable` (the request is served from
/// memory); the failure to reach it also enters degraded mode at once.
async fn bounded<T>(
    state: &AppState,
    operation: &'static str,
    call: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    if !state.settings().degraded_mode_enabled {
        return call.await;
    }
    if state.degraded.is_active() {
        return Err(unavailable(
            operation,
            "degraded mode: the database is not asked",
        ));
    }
    let ms = state.settings().degraded_mode_db_timeout_ms.max(1);
    let result = match tokio::time::timeout(Duration::from_millis(ms as u64), call).await {
        Ok(r) => r,
        // This request is served from memory; the node as a whole enters degraded mode when
        // its probe is slow too (one slow read on a busy machine is not an outage).
        Err(_) => return Err(unavailable(operation, format!("no answer within {ms} ms"))),
    };
    if let Err(e) = &result
        && e.is_unavailable()
    {
        state
            .degraded
            .enter(&usher_core::error::report(e).to_string());
        state.metrics.degraded_active.set(1);
    }
    result
}

/// The one read a token needs, bounded. A session the database no longer serves is forgotten.
pub async fn read_for_token(
    state: &AppState,
    id: &SessionId,
) -> CoreResult<Option<SessionForToken>> {
    let found = bounded(
        state,
        "session_for_token",
        state.store.session_for_token(&state.instance.id, id),
    )
    .await?;
    let now = state.now();
    let servable = found.as_ref().is_some_and(|f| {
        f.session.status_at(now).is_live()
            && usher_core::sessions::tokens::ensure_user_may_hold_token(f, now).is_ok()
    });
    if !servable {
        state.degraded.cache.forget(id);
    }
    Ok(found)
}

/// The browser's client for a token refresh: read within the bound, or, while the database is
/// away, the one this node last saw with that secret (never `None` then: an unknown secret is
/// a 503, not a signed-out browser).
pub async fn client_for_refresh(
    state: &AppState,
    token: &ClientToken,
) -> CoreResult<Option<Client>> {
    let digest = token.hash();
    let read = if serving_from_memory(state) {
        Err(unavailable("client_by_token", "degraded mode"))
    } else {
        bounded(
            state,
            "client_by_token",
            state.store.client_by_token(&state.instance.id, &digest),
        )
        .await
    };
    match read {
        Ok(found) => Ok(found),
        Err(e) if e.is_unavailable() && state.settings().degraded_mode_enabled => {
            let held = state.degraded.cache.client(&digest).ok_or_else(|| {
                state.metrics.degraded_refusals.inc();
                CoreError::from(e)
            })?;
            let now = state.now();
            let mut client = Client::new(None, now);
            client.id = held.id;
            client.token_hash = Some(digest);
            client.dev_browser = held.dev_browser;
            Ok(Some(client))
        }
        Err(e) => Err(e.into()),
    }
}

/// Holds what a successful read said, with the claims its token carried. `custom`: the session
/// token template's claims as rendered; `client`: the browser's client that asked.
pub fn record(
    state: &AppState,
    found: &SessionForToken,
    custom: Option<&Map<String, Value>>,
    client: Option<&Client>,
    read_started_at: i64,
) {
    if !state.settings().degraded_mode_enabled {
        return;
    }
    let held = Held {
        snapshot: Snapshot {
            found: found.clone(),
            confirmed_at: state.now(),
        },
        custom: custom.cloned(),
    };
    let client = client.and_then(|c| {
        let digest = c.token_hash.clone()?;
        Some((
            digest,
            HeldClient {
                id: c.id.clone(),
                dev_browser: c.dev_browser,
            },
        ))
    });
    state.degraded.cache.record(held, client, read_started_at);
}

/// What a session token is asked for with, besides the session: what [`mint_from_memory`]
/// checks and mints with when the database is away.
#[derive(Clone, Copy, Default)]
pub struct TokenAsked<'a> {
    /// The browser's client, which must be the session's (none: a Backend API call).
    pub client: Option<&'a ClientId>,
    pub azp: Option<&'a str>,
    /// clerk-js's `organization_id` (absent, or the active organization's id or slug; anything
    /// else needs the database).
    pub organization: Option<&'a str>,
    pub lifetime_secs: Option<i64>,
}

/// What a token request finds: the session's facts as read, or a token already minted from
/// memory because the database is away.
pub enum TokenRead {
    Read(Box<Option<SessionForToken>>),
    FromMemory(String),
}

/// [`read_for_token`], falling back to [`mint_from_memory`] when the database is out of reach
/// and degraded mode is on: the start every token mint shares.
pub async fn read_or_mint_from_memory(
    state: &AppState,
    id: &SessionId,
    asked: &TokenAsked<'_>,
) -> CoreResult<TokenRead> {
    match read_for_token(state, id).await {
        Ok(found) => Ok(TokenRead::Read(Box::new(found))),
        Err(CoreError::Unavailable(_)) if state.settings().degraded_mode_enabled => {
            mint_from_memory(state, id, asked).map(TokenRead::FromMemory)
        }
        Err(e) => Err(e),
    }
}

/// A session token minted from memory while the database is away: the claims of the last
/// token this node minted for the session (its active organization only), within the window.
fn mint_from_memory(
    state: &AppState,
    id: &SessionId,
    asked: &TokenAsked<'_>,
) -> CoreResult<String> {
    let TokenAsked {
        client,
        azp,
        organization,
        lifetime_secs,
    } = *asked;
    let now = state.now();
    let held = state.degraded.cache.get(id);
    let verdict =
        may_serve(policy(state), held.as_ref().map(|h| &h.snapshot), now).and_then(|()| {
            match (&held, client) {
                (Some(h), Some(c)) if &h.snapshot.found.session.client_id != c => {
                    Err(Refusal::OtherClient)
                }
                _ => Ok(()),
            }
        });
    let refuse = |reason: &str| {
        state.metrics.degraded_refusals.inc();
        tracing::debug!(session_id = %id, reason, "no token from memory");
        CoreError::Unavailable(Cause::msg(format!(
            "degraded mode: no token from memory for this session ({reason})"
        )))
    };
    let Some(mut held) = held.filter(|_| verdict.is_ok()) else {
        return Err(refuse(verdict.err().map_or("not_held", Refusal::as_str)));
    };
    let found = &held.snapshot.found;
    let active = found.active_membership.as_ref();
    let same_org = match organization.map(str::trim) {
        None => true,
        Some("") => active.is_none(),
        Some(o) => active.is_some_and(|m| m.organization_id == o || m.organization_slug == o),
    };
    if !same_org {
        return Err(refuse("other_organization"));
    }
    let settings = state.settings();
    if touched(
        &mut held.snapshot,
        settings.session_inactivity_ms,
        crate::app::frontend::clients::ACTIVITY_GRANULARITY_MS,
        now,
    ) {
        let session = held.snapshot.found.session.clone();
        state
            .degraded
            .cache
            .update(id, |h| h.snapshot.found.session = session);
        state.degraded.note_touch(id, now);
    }
    let found = &held.snapshot.found;
    let source = TokenSource::active(found, azp, lifetime_secs);
    let jwt = sign(state, &source, held.custom.as_ref(), now)?;
    state.metrics.degraded_tokens.inc();
    Ok(jwt)
}
