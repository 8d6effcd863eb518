//! Picks up settings changed by another process (another node's Backend API, or `usher config
//! set|apply` with the server running), at the signing keys' refresh interval. A change made
//! through this server's own Backend API is held at once.

use crate::state::AppState;

/// Reloads the settings when the stored version differs from the one held.
pub async fn refresh_once(state: &AppState) -> anyhow::Result<bool> {
    let stored = state.store.instance_settings(&state.instance.id).await?;
    if stored.version == state.settings().0.version {
        return Ok(false);
    }
    tracing::info!(
        version = stored.version,
        "instance settings changed; reloaded"
    );
    state.replace_settings(&stored);
    Ok(true)
}
