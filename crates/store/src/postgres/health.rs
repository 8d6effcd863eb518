//! What PostgreSQL says about itself for the diagnostics: its version, this server's pool in
//! use against its size, the connections to the database from every client, and its clock.

use sqlx::Row;
use usher_core::diagnostics::{DatabaseHealth, DatabaseReport};
use usher_core::store::StoreResult;

use super::{PostgresStore, db_err};

impl PostgresStore {
    pub(crate) async fn report(&self) -> StoreResult<DatabaseReport> {
        let pool = &self.pool;
        let row = sqlx::query(
            "SELECT current_setting('server_version') AS version, \
             (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS connections, \
             (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT AS now",
        )
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
        let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
        Ok(DatabaseReport {
            health: DatabaseHealth::Postgres {
                version: row.try_get("version").map_err(db_err)?,
                connections_in_use: pool.size().saturating_sub(idle),
                pool_size: pool.options().get_max_connections(),
                server_connections: row.try_get("connections").map_err(db_err)?,
            },
            now: row.try_get("now").map_err(db_err)?,
        })
    }
}
