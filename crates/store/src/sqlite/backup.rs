//! `usher backup` and `usher restore` for SQLite: a consistent copy of a live database
//! (`VACUUM INTO`, a snapshot read while the server keeps writing), the checks a copy passes
//! before it replaces a database (an Usher database, intact, with no migration newer than this
//! build), and whether a database is in use.

use std::path::Path;
use std::str::FromStr as _;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode};
use sqlx::{Connection as _, Row as _};
use usher_core::store::{StoreError, StoreResult};

fn options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10))
}

fn err(operation: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| StoreError::backend(operation, e)
}

/// Writes a consistent copy of the database at `db` to `dest`, which must not exist.
pub async fn backup(db: &Path, dest: &Path) -> StoreResult<()> {
    let mut conn = SqliteConnection::connect_with(&options(db).read_only(true))
        .await
        .map_err(err("opening the database"))?;
    let dest = dest.to_string_lossy().into_owned();
    sqlx::query("VACUUM INTO $1")
        .bind(dest)
        .execute(&mut conn)
        .await
        .map_err(err("copying the database"))?;
    conn.close().await.map_err(err("closing the database"))
}

/// What a copy holds, as far as a restore cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyInfo {
    /// The newest migration applied to it.
    pub schema_version: i64,
    /// The newest migration this build knows.
    pub known_version: i64,
    /// Whether it holds an instance (a database `usher serve` has started on).
    pub has_instance: bool,
}

/// Why a file cannot be restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyRefused {
    #[error("not a SQLite database ({0})")]
    NotSqlite(String),
    #[error("a SQLite database, but not Usher's (no migrations table or no instances table)")]
    NotUsher,
    #[error("the database is damaged: {0}")]
    Damaged(String),
    #[error(
        "its schema (migration {found}) is newer than this build of Usher knows ({known}): restore with a newer usher"
    )]
    TooNew { found: i64, known: i64 },
}

/// Checks `path` is an intact Usher database with no migration newer than this build.
pub async fn inspect(path: &Path) -> Result<CopyInfo, CopyRefused> {
    let bad = |e: sqlx::Error| CopyRefused::NotSqlite(e.to_string());
    let mut conn = SqliteConnection::connect_with(
        &options(path)
            .read_only(true)
            .journal_mode(SqliteJournalMode::Delete),
    )
    .await
    .map_err(bad)?;
    let tables: Vec<String> = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table'")
        .fetch_all(&mut conn)
        .await
        .map_err(bad)?
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect();
    if ![
        "_sqlx_migrations",
        "instances",
        "secret_keys",
        "signing_keys",
    ]
    .iter()
    .all(|t| tables.iter().any(|n| n == t))
    {
        return Err(CopyRefused::NotUsher);
    }
    let check: String = sqlx::query("PRAGMA quick_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| CopyRefused::Damaged(e.to_string()))?
        .get(0);
    if check != "ok" {
        return Err(CopyRefused::Damaged(check));
    }
    let schema_version: i64 =
        sqlx::query("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| CopyRefused::Damaged(e.to_string()))?
            .get(0);
    let has_instance: i64 = sqlx::query("SELECT COUNT(*) FROM instances")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| CopyRefused::Damaged(e.to_string()))?
        .get(0);
    let _ = conn.close().await;
    let known_version = crate::migrations::known(crate::migrations::SQLITE);
    if schema_version > known_version {
        return Err(CopyRefused::TooNew {
            found: schema_version,
            known: known_version,
        });
    }
    Ok(CopyInfo {
        schema_version,
        known_version,
        has_instance: has_instance > 0,
    })
}

/// Whether another connection has the database at `db` open (a running server keeps it open).
/// Leaving WAL mode needs the only connection, so a refusal to leave it means another one.
/// Leaves the database in rollback-journal mode when it is free: it is about to be replaced.
pub async fn in_use(db: &Path) -> StoreResult<bool> {
    let opts = SqliteConnectOptions::from_str("sqlite://")
        .map_err(err("opening the database"))?
        .filename(db)
        .create_if_missing(false)
        .busy_timeout(Duration::ZERO);
    let mut conn = SqliteConnection::connect_with(&opts)
        .await
        .map_err(err("opening the database"))?;
    let left = sqlx::query("PRAGMA journal_mode = DELETE")
        .fetch_one(&mut conn)
        .await;
    let _ = conn.close().await;
    Ok(match left {
        Ok(row) => row.get::<String, _>(0) != "delete",
        Err(_) => true,
    })
}
