//! Schema migrations, embedded in the binary, applied in order inside one transaction each.
//! A database whose schema is newer than this build knows is refused rather than touched.

use sqlx::SqlitePool;
use usher_core::store::{StoreError, StoreResult};

use super::db_err;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../migrations/sqlite/0002_webhooks.sql")),
    (3, include_str!("../../migrations/sqlite/0003_clients.sql")),
    (4, include_str!("../../migrations/sqlite/0004_emails.sql")),
    (
        5,
        include_str!("../../migrations/sqlite/0005_identifiers_key.sql"),
    ),
    (
        8,
        include_str!("../../migrations/sqlite/0008_instance_secrets.sql"),
    ),
];

pub async fn run(pool: &SqlitePool) -> StoreResult<()> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    sqlx::query("CREATE TABLE IF NOT EXISTS usher_schema (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)")
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
        sqlx::query(
            "INSERT INTO usher_schema (version, applied_at) VALUES (?, strftime('%s','now'))",
        )
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        tracing::info!(version, "applied SQLite migration");
    }
    Ok(())
}
