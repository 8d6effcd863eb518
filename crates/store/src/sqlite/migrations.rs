//! Migrations for SQLite: one writer connection, so nothing else runs while they apply.

use sqlx::SqlitePool;

use super::db_err;

type Db = sqlx::Sqlite;
include!("../sql/migrate.rs");

const SQLITE: Dialect = Dialect {
    name: "sqlite",
    sqlx_table_exists: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    now: "CAST(strftime('%s','now') AS INTEGER)",
};

pub async fn run(pool: &SqlitePool) -> StoreResult<()> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    apply(&mut conn, crate::migrations::SQLITE, SQLITE).await
}
