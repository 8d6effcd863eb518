// The instance's branding: one versioned document per instance. Included by each backend's
// module, which defines `Db`.

use sqlx::{Pool, Transaction};
use usher_core::branding::Branding;
use usher_core::store::StoreResult;

use super::query::{execute_one, fetch_optional, text, versioned};
use crate::rows::to_doc;

/// The stored branding, or the defaults (version 0) when none was ever set.
pub async fn load(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Branding> {
    let query = text(
        "SELECT doc, version FROM instance_branding WHERE instance_id = $1",
        &[instance_id],
    );
    Ok(fetch_optional(query, pool, versioned).await?.unwrap_or_default())
}

/// Writes `b` if the stored version is still `b.version` (0: nothing stored yet).
pub async fn put(tx: &mut Transaction<'_, Db>, instance_id: &str, b: &Branding) -> StoreResult<()> {
    let updated_at = b.updated_at.unwrap_or(0);
    let write = if b.version == 0 {
        sqlx::query(
            "INSERT INTO instance_branding (instance_id, version, doc, updated_at) VALUES ($1, 1, $2, $3) \
             ON CONFLICT (instance_id) DO NOTHING",
        )
        .bind(instance_id)
        .bind(to_doc(b)?)
        .bind(updated_at)
    } else {
        sqlx::query(
            "UPDATE instance_branding SET version = version + 1, doc = $2, updated_at = $3 \
             WHERE instance_id = $1 AND version = $4",
        )
        .bind(instance_id)
        .bind(to_doc(b)?)
        .bind(updated_at)
        .bind(b.version)
    };
    // A lost insert race (`DO NOTHING`) is as stale as a lost update.
    execute_one(write, &mut **tx).await
}
