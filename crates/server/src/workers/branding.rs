//! Picks up branding changed by another process (`usher instance branding` with the server
//! running, or another node's Backend API) without a restart, at the signing keys' refresh
//! interval. A change made through this server's own Backend API is held at once.

use crate::state::AppState;

/// Reloads the branding when the stored version differs from the one held.
pub async fn refresh_once(state: &AppState) -> anyhow::Result<bool> {
    let stored = state.store.branding(&state.instance.id).await?;
    if stored.version == state.branding().version {
        return Ok(false);
    }
    tracing::info!(
        application_name = stored.application_name(),
        "branding changed; reloaded"
    );
    state.replace_branding(stored);
    Ok(true)
}
