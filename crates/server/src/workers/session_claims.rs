//! Picks up a session token template changed by another process (another node's Backend API, or
//! `usher instance session-claims set` with the server running), at the signing keys' refresh
//! interval. A change made through this server's own Backend API is held at once.

use crate::state::AppState;

/// Reloads the template when the stored version differs from the one held.
pub async fn refresh_once(state: &AppState) -> anyhow::Result<bool> {
    let stored = state.store.session_claims(&state.instance.id).await?;
    if stored.version == state.session_claims().template.version {
        return Ok(false);
    }
    tracing::info!(
        version = stored.version,
        "session token template changed; reloaded"
    );
    state.replace_session_claims(stored);
    Ok(true)
}
