//! Writes the API key uses recorded in memory (`app::api_key_usage`) once a second, and once
//! more at shutdown.

use std::time::Duration;

use tokio::sync::watch;

use crate::state::AppState;

pub async fn flush(state: &AppState) -> anyhow::Result<usize> {
    let batch = state.api_key_usage.take();
    let n = batch.len();
    if let Err(e) = state.store.touch_api_keys(&state.instance.id, &batch).await {
        state.api_key_usage.restore(batch);
        return Err(e.into());
    }
    Ok(n)
}

pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stop = tokio::select! {
            _ = tick.tick() => false,
            _ = shutdown.changed() => true,
        };
        if stop || *shutdown.borrow() {
            let _ = flush(&state).await;
            return;
        }
        if let Err(e) = flush(&state).await {
            tracing::warn!(error = %e, "could not record API key uses; retrying");
        }
    }
}
