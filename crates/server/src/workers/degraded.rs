//! Degraded mode's worker, at `DegradedConfig::poll_interval` (1 s): probes the database
//! within `degraded_mode_db_timeout_ms`; while it answers, reads the revocations committed
//! since the last poll (by any node) and withdraws them from the snapshot cache; when it fails
//! or is slow, enters degraded mode; when it answers again, first reads every revocation
//! committed meanwhile, then writes the activity recorded in memory, then leaves.

use std::time::Duration;

use tokio::sync::watch;
use usher_core::clock::Millis;
use usher_core::degraded::{POLL_OVERLAP_MS, Revocation, poll_from, revocation_of};
use usher_core::ids::SessionId;
use usher_core::sessions::lifecycle::record_activity;
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use crate::app::Change;
use crate::app::context::RequestContext;
use crate::state::AppState;

/// Revocation events read per poll; a poll that finds this many withdraws every session (the
/// cache fills again from the database's answers).
const POLL_LIMIT: i64 = 5_000;

pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(state.degraded.config.poll_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut probe = Probe::default();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
        }
        check_once(&state, &mut probe).await;
    }
}

/// What the worker carries from one probe to the next.
#[derive(Debug, Default)]
pub struct Probe {
    /// When the last successful revocation poll started.
    pub cursor: Option<Millis>,
    /// Probes in a row that got no answer within the bound.
    pub slow: u32,
}

/// Slow probes in a row that make an outage (a refused connection makes one at once).
const SLOW_PROBES: u32 = 2;

/// One probe and poll. Returns whether the database answered in time.
pub async fn check_once(state: &AppState, probe_state: &mut Probe) -> bool {
    let cursor = &mut probe_state.cursor;
    let now = state.now();
    let ms = state.settings().degraded_mode_db_timeout_ms.max(1);
    let ins = &state.instance.id;
    let since = cursor.map_or(now - POLL_OVERLAP_MS, poll_from);
    let probe = async {
        state.store.ping().await?;
        state
            .store
            .revocation_events_since(ins, since, POLL_LIMIT)
            .await
    };
    let healthy = match tokio::time::timeout(Duration::from_millis(ms as u64), probe).await {
        Ok(Ok(events)) => {
            probe_state.slow = 0;
            if events.len() as i64 >= POLL_LIMIT {
                state.degraded.cache.revoke(&Revocation::All, now);
            }
            for e in &events {
                if let Some(r) = revocation_of(&e.event_type, &e.data) {
                    state.degraded.cache.revoke(&r, now);
                }
            }
            *cursor = Some(now);
            state.degraded.cache.prune(now);
            recovered(state).await
        }
        Ok(Err(e)) => {
            probe_state.slow += 1;
            if e.is_unavailable() || probe_state.slow >= SLOW_PROBES {
                state
                    .degraded
                    .enter(&usher_core::error::report(&e).to_string());
            }
            false
        }
        Err(_) => {
            probe_state.slow += 1;
            if probe_state.slow >= SLOW_PROBES {
                state.degraded.enter(&format!(
                    "the database did not answer {SLOW_PROBES} health probes in a row within {ms} ms"
                ));
            }
            false
        }
    };
    state
        .metrics
        .degraded_active
        .set(i64::from(state.degraded.is_active()));
    state
        .metrics
        .degraded_cache_sessions
        .set(i64::try_from(state.degraded.cache.len()).unwrap_or(i64::MAX));
    healthy
}

/// The database answers and the revocations are read: the activity recorded meanwhile is
/// written, then the node leaves degraded mode (it stays while the writes cannot be made).
async fn recovered(state: &AppState) -> bool {
    let batch = state.degraded.take_touches();
    if batch.is_empty() {
        state.degraded.leave(0);
        return true;
    }
    let mut written = 0;
    let mut rest = batch.into_iter();
    while let Some((id, at)) = rest.next() {
        match write_touch(state, &id, at).await {
            Ok(true) => written += 1,
            Ok(false) => {}
            Err(e) => {
                let mut left: Vec<_> = rest.collect();
                left.push((id, at));
                state.degraded.restore_touches(left);
                tracing::warn!(
                    error = %usher_core::error::report(&e),
                    "could not write the session activity recorded in degraded mode; retrying"
                );
                return false;
            }
        }
    }
    state.degraded.leave(written);
    true
}

/// Writes one session's use at `at`, unless the session ended or a later use is stored.
/// Returns whether it wrote.
async fn write_touch(state: &AppState, id: &SessionId, at: Millis) -> CoreResult<bool> {
    let Some(mut session) = state.store.get_session(&state.instance.id, id).await? else {
        return Ok(false);
    };
    if !session.status_at(state.now()).is_live() || session.last_active_at >= at {
        return Ok(false);
    }
    record_activity(&mut session, state.settings().session_inactivity_ms, 0, at);
    let ctx = RequestContext::system("session.activity");
    let mut change = Change::new(state, &ctx);
    change.write(Write::UpdateSession(session));
    match change.commit("session.activity", Some(id)).await {
        Ok(()) => Ok(true),
        Err(CoreError::Conflict) => Ok(false),
        Err(e) => Err(e),
    }
}
