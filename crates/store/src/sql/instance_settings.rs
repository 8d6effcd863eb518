// The instance's stored settings: one versioned document per instance. Included by each backend's
// module, which defines `Db`.

use sqlx::{Pool, Transaction};
use usher_core::instance_settings::StoredSettings;
use usher_core::store::StoreResult;

use super::query::{execute_one, fetch_optional, text, versioned};
use crate::rows::to_doc;

/// The stored settings, or none (version 0) when none was ever set.
pub async fn load(pool: &Pool<Db>, instance_id: &str) -> StoreResult<StoredSettings> {
    let query = text(
        "SELECT doc, version FROM instance_settings WHERE instance_id = $1",
        &[instance_id],
    );
    Ok(fetch_optional(query, pool, versioned).await?.unwrap_or_default())
}

/// Writes `s` if the stored version is still `s.version` (0: nothing stored yet).
pub async fn put(tx: &mut Transaction<'_, Db>, instance_id: &str, s: &StoredSettings) -> StoreResult<()> {
    let updated_at = s.updated_at.unwrap_or(0);
    let write = if s.version == 0 {
        sqlx::query(
            "INSERT INTO instance_settings (instance_id, version, doc, updated_at) VALUES ($1, 1, $2, $3) \
             ON CONFLICT (instance_id) DO NOTHING",
        )
        .bind(instance_id)
        .bind(to_doc(s)?)
        .bind(updated_at)
    } else {
        sqlx::query(
            "UPDATE instance_settings SET version = version + 1, doc = $2, updated_at = $3 \
             WHERE instance_id = $1 AND version = $4",
        )
        .bind(instance_id)
        .bind(to_doc(s)?)
        .bind(updated_at)
        .bind(s.version)
    };
    // A lost insert race (`DO NOTHING`) is as stale as a lost update.
    execute_one(write, &mut **tx).await
}
