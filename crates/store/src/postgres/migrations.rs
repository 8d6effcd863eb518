//! Migrations for PostgreSQL. Nodes starting together serialise on an advisory lock, so each
//! migration runs exactly once; a schema newer than this build knows is refused.

use sqlx::PgPool;
use usher_core::store::{StoreError, StoreResult};

use super::db_err;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/postgres/0002_webhooks.sql"),
    ),
    (
        3,
        include_str!("../../migrations/postgres/0003_clients.sql"),
    ),
    (4, include_str!("../../migrations/postgres/0004_emails.sql")),
    (
        5,
        include_str!("../../migrations/postgres/0005_identifiers_key.sql"),
    ),
    (
        8,
        include_str!("../../migrations/postgres/0008_instance_secrets.sql"),
    ),
];

/// Any constant works as long as every Usher node uses the same one.
const MIGRATION_LOCK: i64 = 0x7573_6865_725f_6d69; // "usher_mi"

pub async fn run(pool: &PgPool) -> StoreResult<()> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    let result = apply(&mut conn).await;
    let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *conn)
        .await;
    result?;
    unlocked.map_err(db_err)?;
    Ok(())
}

async fn apply(conn: &mut sqlx::PgConnection) -> StoreResult<()> {
    sqlx::query("CREATE TABLE IF NOT EXISTS usher_schema (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    let current: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM usher_schema")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > known {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let mut tx = sqlx::Connection::begin(&mut *conn).await.map_err(db_err)?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query("INSERT INTO usher_schema (version, applied_at) VALUES ($1, extract(epoch from now())::bigint)")
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        tracing::info!(version, "applied PostgreSQL migration");
    }
    Ok(())
}
