// The instance-wide documents — the branding, the session token template and the stored
// settings: each is one versioned JSON document per instance in a table of its own
// (`instance_id`, `version`, `doc`, `updated_at`), read and guarded-written the same way.
// Included by each backend's module, which defines `Db`.

use serde::Serialize;
use sqlx::{Pool, Transaction};
use usher_core::branding::Branding;
use usher_core::instance_settings::StoredSettings;
use usher_core::jwt_templates::session_claims::SessionClaimsTemplate;
use usher_core::store::StoreResult;

use super::query::{Versioned, execute_one, fetch_optional, versioned};
use crate::rows::to_doc;

/// A document kept once per instance, in `TABLE`.
pub trait InstanceDocument: Versioned + Serialize + Default {
    /// The table holding it, one row per instance.
    const TABLE: &'static str;
    fn version(&self) -> i64;
    fn updated_at(&self) -> Option<i64>;
}

macro_rules! instance_document {
    ($($t:ty => $table:literal),* $(,)?) => {
        $(impl InstanceDocument for $t {
            const TABLE: &'static str = $table;
            fn version(&self) -> i64 {
                self.version
            }
            fn updated_at(&self) -> Option<i64> {
                self.updated_at
            }
        })*
    };
}

instance_document!(
    Branding => "instance_branding",
    SessionClaimsTemplate => "instance_session_claims",
    StoredSettings => "instance_settings",
);

/// The stored document, or its default (version 0: the default branding, an empty template, no
/// settings) when none was ever set.
pub async fn load<T: InstanceDocument>(pool: &Pool<Db>, instance_id: &str) -> StoreResult<T> {
    // `T::TABLE` is one of ours, never input.
    let sql = format!(
        "SELECT doc, version FROM {} WHERE instance_id = $1",
        T::TABLE
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(instance_id);
    Ok(fetch_optional(query, pool, versioned)
        .await?
        .unwrap_or_default())
}

/// Writes `doc` if the stored version is still `doc.version()` (0: nothing stored yet).
pub async fn put<T: InstanceDocument>(
    tx: &mut Transaction<'_, Db>,
    instance_id: &str,
    doc: &T,
) -> StoreResult<()> {
    let table = T::TABLE;
    let updated_at = doc.updated_at().unwrap_or(0);
    let write = if doc.version() == 0 {
        let sql = format!(
            "INSERT INTO {table} (instance_id, version, doc, updated_at) VALUES ($1, 1, $2, $3) \
             ON CONFLICT (instance_id) DO NOTHING"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(instance_id)
            .bind(to_doc(doc)?)
            .bind(updated_at)
    } else {
        let sql = format!(
            "UPDATE {table} SET version = version + 1, doc = $2, updated_at = $3 \
             WHERE instance_id = $1 AND version = $4"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(instance_id)
            .bind(to_doc(doc)?)
            .bind(updated_at)
            .bind(doc.version())
    };
    // A lost insert race (`DO NOTHING`) is as stale as a lost update.
    execute_one(write, &mut **tx).await
}
