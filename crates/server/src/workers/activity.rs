//! Adds the activity counted in memory (`app::activity`) to the stored hours every few seconds,
//! and once more at shutdown.

use std::time::Duration;

use tokio::sync::watch;

use crate::state::AppState;

/// How often the counts are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(2);

pub async fn flush(state: &AppState) -> anyhow::Result<usize> {
    let batch = state.activity.take();
    let n = batch.len();
    if let Err(e) = state.store.add_activity(&state.instance.id, &batch).await {
        state.activity.restore(batch);
        return Err(e.into());
    }
    Ok(n)
}

pub async fn run(state: AppState, shutdown: watch::Receiver<bool>) {
    super::flush_every(
        FLUSH_EVERY,
        shutdown,
        "could not record the activity counters; retrying",
        || flush(&state),
    )
    .await
}
