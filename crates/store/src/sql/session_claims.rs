// The instance's session token template: one versioned document per instance. Included by each backend's
// module, which defines `Db`.

use sqlx::{Pool, Transaction};
use usher_core::jwt_templates::session_claims::SessionClaimsTemplate;
use usher_core::store::StoreResult;

use super::query::{execute_one, fetch_optional, text, versioned};
use crate::rows::to_doc;

/// The stored template, or an empty one (version 0) when none was ever set.
pub async fn load(pool: &Pool<Db>, instance_id: &str) -> StoreResult<SessionClaimsTemplate> {
    let query = text(
        "SELECT doc, version FROM instance_session_claims WHERE instance_id = $1",
        &[instance_id],
    );
    Ok(fetch_optional(query, pool, versioned).await?.unwrap_or_default())
}

/// Writes `t` if the stored version is still `t.version` (0: nothing stored yet).
pub async fn put(tx: &mut Transaction<'_, Db>, instance_id: &str, t: &SessionClaimsTemplate) -> StoreResult<()> {
    let updated_at = t.updated_at.unwrap_or(0);
    let write = if t.version == 0 {
        sqlx::query(
            "INSERT INTO instance_session_claims (instance_id, version, doc, updated_at) VALUES ($1, 1, $2, $3) \
             ON CONFLICT (instance_id) DO NOTHING",
        )
        .bind(instance_id)
        .bind(to_doc(t)?)
        .bind(updated_at)
    } else {
        sqlx::query(
            "UPDATE instance_session_claims SET version = version + 1, doc = $2, updated_at = $3 \
             WHERE instance_id = $1 AND version = $4",
        )
        .bind(instance_id)
        .bind(to_doc(t)?)
        .bind(updated_at)
        .bind(t.version)
    };
    // A lost insert race (`DO NOTHING`) is as stale as a lost update.
    execute_one(write, &mut **tx).await
}
