// Applying the migrations, written once for both backends: included by each backend's
// `migrations.rs` with its own `Db` driver type (see `crate::migrations` for the scheme).

use sqlx::migrate::Migrator;
use usher_core::store::StoreResult;

use super::query::execute;
use crate::migrations::{migrate_err, migrator, refuse_newer};

type Conn = <Db as sqlx::Database>::Connection;
type List = &'static [(i64, &'static str, &'static str)];

/// The SQL that differs between the backends.
#[derive(Clone, Copy)]
struct Dialect {
    name: &'static str,
    /// One row, one boolean column: does `_sqlx_migrations` exist?
    sqlx_table_exists: &'static str,
    /// The current time in seconds since the epoch, as an SQL expression.
    now: &'static str,
}

async fn max_version(conn: &mut Conn, table: &str) -> StoreResult<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(version), 0) FROM {table}"
    )))
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)
}

async fn apply(conn: &mut Conn, list: List, dialect: Dialect) -> StoreResult<()> {
    execute(
        sqlx::query("CREATE TABLE IF NOT EXISTS usher_schema (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)"),
        &mut *conn,
    )
    .await?;
    let recorded = max_version(conn, "usher_schema").await?;
    let adopted: bool = sqlx::query_scalar(dialect.sqlx_table_exists)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    let applied = if adopted {
        max_version(conn, "_sqlx_migrations").await?
    } else {
        0
    };
    refuse_newer(recorded.max(applied), list)?;
    let migrator: Migrator = migrator(list);
    if !adopted && recorded > 0 {
        // A database migrated by the first releases' runner: its migrations are the files
        // as they are now, so record them with their checksums instead of running them again.
        migrator
            .run_direct(Some(recorded), &mut *conn, true)
            .await
            .map_err(|e| migrate_err(e, list))?;
        tracing::info!(
            version = recorded,
            backend = dialect.name,
            "recorded the existing schema's migrations with their checksums"
        );
    }
    // `run_direct` rather than `run`: `run`'s `Acquire` bound makes the future fail to be `Send`
    // for every lifetime, which `tokio::spawn` needs.
    migrator
        .run_direct(None, &mut *conn, false)
        .await
        .map_err(|e| migrate_err(e, list))?;
    let newly: Vec<i64> = sqlx::query_scalar(
        "SELECT version FROM _sqlx_migrations WHERE version > $1 ORDER BY version",
    )
    .bind(recorded.max(applied))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for version in newly {
        tracing::info!(version, backend = dialect.name, "applied migration");
    }
    let record = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO usher_schema (version, applied_at) SELECT version, {} FROM _sqlx_migrations \
         WHERE version > $1",
        dialect.now
    )))
    .bind(recorded);
    execute(record, &mut *conn).await?;
    Ok(())
}
