// The instance's branding: one versioned document per instance. Included by each backend's
// module, which defines `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::branding::Branding;
use usher_core::store::{StoreError, StoreResult};

use super::db_err;
use crate::rows::{from_doc, to_doc};

/// The stored branding, or the defaults (version 0) when none was ever set.
pub async fn load(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Branding> {
    let row = sqlx::query("SELECT doc, version FROM instance_branding WHERE instance_id = $1")
        .bind(instance_id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    let Some(row) = row else {
        return Ok(Branding::default());
    };
    let mut b: Branding = from_doc(row.get::<&str, _>("doc"))?;
    b.version = row.get("version");
    Ok(b)
}

/// Writes `b` if the stored version is still `b.version` (0: nothing stored yet).
pub async fn put(tx: &mut Transaction<'_, Db>, instance_id: &str, b: &Branding) -> StoreResult<()> {
    let updated_at = b.updated_at.unwrap_or(0);
    let res = if b.version == 0 {
        sqlx::query(
            "INSERT INTO instance_branding (instance_id, version, doc, updated_at) VALUES ($1, 1, $2, $3) \
             ON CONFLICT (instance_id) DO NOTHING",
        )
        .bind(instance_id)
        .bind(to_doc(b)?)
        .bind(updated_at)
        .execute(&mut **tx)
        .await
    } else {
        sqlx::query(
            "UPDATE instance_branding SET version = version + 1, doc = $2, updated_at = $3 \
             WHERE instance_id = $1 AND version = $4",
        )
        .bind(instance_id)
        .bind(to_doc(b)?)
        .bind(updated_at)
        .bind(b.version)
        .execute(&mut **tx)
        .await
    }
    .map_err(db_err)?;
    if res.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}
