//! Picks up signing-key rotations made by another process (`usher keys rotate`, or another node
//! sharing the database) without a restart.

use std::time::Duration;

use tokio::sync::watch;

use crate::state::{AppState, KeyRing};

/// Reloads the key ring when the stored set of keys or the active key differs from the one held.
pub async fn refresh_once(state: &AppState) -> anyhow::Result<bool> {
    let records = state.store.signing_keys(&state.instance.id).await?;
    let held = state.keys();
    let same = records.len() == held.all.len()
        && records
            .iter()
            .all(|r| held.all.iter().any(|k| k.kid() == r.kid))
        && records
            .iter()
            .any(|r| r.active && r.kid == held.active.kid());
    if same {
        return Ok(false);
    }
    let ring = KeyRing::from_records(&records)?;
    tracing::info!(
        active = ring.active.kid(),
        published = ring.all.len(),
        "signing keys changed; reloaded"
    );
    state.replace_keys(ring);
    Ok(true)
}

pub async fn run(state: AppState, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = refresh_once(&state).await {
                    // Keep the keys we have: they still verify and sign.
                    tracing::warn!(error = %format!("{e:#}"), "could not reload signing keys");
                }
            }
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
        }
    }
}
