//! Migrations for PostgreSQL. Nodes starting together serialise on an advisory lock, so each
//! migration runs exactly once; a schema newer than this build knows is refused.

use sqlx::PgPool;

use super::db_err;

type Db = sqlx::Postgres;
include!("../sql/migrate.rs");

const POSTGRES: Dialect = Dialect {
    name: "postgres",
    sqlx_table_exists: "SELECT to_regclass('_sqlx_migrations') IS NOT NULL",
    now: "extract(epoch from now())::bigint",
};

/// Any constant works as long as every Usher node uses the same one.
const MIGRATION_LOCK: i64 = 0x7573_6865_725f_6d69; // "usher_mi"

pub async fn run(pool: &PgPool) -> StoreResult<()> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    let result = apply(&mut conn, crate::migrations::POSTGRES, POSTGRES).await;
    let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *conn)
        .await;
    result?;
    unlocked.map_err(db_err)?;
    Ok(())
}
