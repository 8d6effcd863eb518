//! Picks up secret keys rotated, expired or revoked by another process (`usher keys
//! rotate-secret`, `usher keys revoke-secret`, or another node) without a restart, at the signing
//! keys' refresh interval, so the Backend API's key check stays a look-up in memory.

use crate::state::AppState;

/// Reloads the secret keys when the stored set (ids and expiries) differs from the one held.
pub async fn refresh_once(state: &AppState) -> anyhow::Result<bool> {
    // What is held is taken before the read: a change this server makes meanwhile is kept.
    let held = state.secret_keys();
    let stored = state.store.secret_keys(&state.instance.id).await?;
    let same = stored.len() == held.len()
        && stored
            .iter()
            .zip(held.iter())
            .all(|(a, b)| a.id == b.id && a.expires_at == b.expires_at);
    if same {
        return Ok(false);
    }
    let count = stored.len();
    let replaced = state.replace_secret_keys_if(&held, stored);
    if replaced {
        tracing::info!(keys = count, "secret keys changed; reloaded");
    }
    Ok(replaced)
}
