//! Picks up signing-key rotations made by another process (`usher keys rotate`, or another node
//! sharing the database) without a restart.

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
