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

pub async fn run(state: AppState, shutdown: watch::Receiver<bool>) {
    super::flush_every(
        Duration::from_secs(1),
        shutdown,
        "could not record API key uses; retrying",
        || flush(&state),
    )
    .await
}
