//! The data lifecycle worker, on every node: deleted users' purges and retention.
//!
//! Each pass claims the unfinished purges one at a time (an expiring lease: two nodes never work
//! on one purge, and a crashed node's purge is taken again once its lease expires) and completes
//! each in batches of one transaction; a purge held by an event still pending delivery keeps
//! its lease until it expires and is taken up again by a later pass. Then it removes, in bounded
//! batches, what the instance's retention settings no longer keep, and the social sign-in
//! states that expired.

use std::time::Duration;

use tokio::sync::watch;
use usher_core::lifecycle::{Pruned, Retention};

use crate::state::AppState;

/// Events scanned per purge batch, and rows of each kind removed per retention batch.
const BATCH: i64 = 500;
/// Retention batches per pass at most, so one pass stays short on a large backlog.
const PRUNE_BATCHES: usize = 20;
/// How long a purge stays with the node that claimed it.
const LEASE_MS: i64 = 60_000;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Purges finished in this pass.
    pub purges_done: u64,
    /// Payloads scrubbed and rows removed by purges.
    pub scrubbed: u64,
    pub pruned: Pruned,
}

pub async fn run(state: AppState, interval: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        match pass(&state).await {
            Ok(p) if p.purges_done > 0 || p.pruned.total() > 0 => tracing::info!(
                purges_done = p.purges_done,
                scrubbed = p.scrubbed,
                pruned = p.pruned.total(),
                "data lifecycle pass"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "data lifecycle pass failed"),
        }
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

/// One pass (the worker's, and the test hook's): purges, then retention.
pub async fn pass(state: &AppState) -> anyhow::Result<Pass> {
    let mut out = purge(state).await?;
    out.pruned = prune(state).await?;
    Ok(out)
}

/// Works through every purge that is due and free.
pub async fn purge(state: &AppState) -> anyhow::Result<Pass> {
    let ins = &state.instance.id;
    let mut out = Pass::default();
    while let Some(p) = state
        .store
        .claim_pii_purge(ins, state.now(), state.now() + LEASE_MS)
        .await?
    {
        loop {
            let step = state
                .store
                .pii_purge_step(ins, &p, state.now(), BATCH)
                .await?;
            out.scrubbed += step.scrubbed;
            if step.done {
                out.purges_done += 1;
                break;
            }
            if step.held {
                // Its lease runs out and a later pass resumes it.
                break;
            }
        }
    }
    Ok(out)
}

/// Removes what retention no longer keeps, a bounded number of batches per pass, and every
/// expired social sign-in state.
pub async fn prune(state: &AppState) -> anyhow::Result<Pruned> {
    let cutoffs = Retention::of(&state.settings()).cutoffs(state.now());
    let mut total = Pruned {
        oauth_states: state
            .store
            .prune_oauth_states(&state.instance.id, state.now())
            .await?,
        ..Pruned::default()
    };
    for _ in 0..PRUNE_BATCHES {
        let p = state
            .store
            .prune_expired(&state.instance.id, &cutoffs, BATCH)
            .await?;
        total.events += p.events;
        total.webhook_deliveries += p.webhook_deliveries;
        total.emails += p.emails;
        total.sms += p.sms;
        total.audit += p.audit;
        if p.total() == 0 {
            break;
        }
    }
    Ok(total)
}
