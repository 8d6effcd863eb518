//! What SQLite says about itself for the diagnostics: journal mode, size, free pages,
//! `quick_check`, and its clock (the same machine's: a skew here is the process's own).

use sqlx::Row;
use usher_core::diagnostics::{DatabaseHealth, DatabaseReport};
use usher_core::store::StoreResult;

use super::{SqliteStore, db_err};

impl SqliteStore {
    pub(crate) async fn report(&self) -> StoreResult<DatabaseReport> {
        let pool = &self.read;
        let pragma = |sql: &'static str| async move {
            sqlx::query(sql)
                .fetch_one(pool)
                .await
                .map_err(db_err)
                .map(|r| r.try_get::<i64, _>(0).unwrap_or(0))
        };
        let page_size = pragma("PRAGMA page_size").await?;
        let page_count = pragma("PRAGMA page_count").await?;
        let freelist_count = pragma("PRAGMA freelist_count").await?;
        let text_pragma = |sql: &'static str| async move {
            sqlx::query(sql)
                .fetch_one(pool)
                .await
                .map_err(db_err)?
                .try_get::<String, _>(0)
                .map_err(db_err)
        };
        let journal_mode = text_pragma("PRAGMA journal_mode").await?;
        // One row `ok`, or up to 100 rows naming problems: the first says enough.
        let quick_check = text_pragma("PRAGMA quick_check(1)").await?;
        let now: i64 = sqlx::query(
            "SELECT CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)",
        )
        .fetch_one(pool)
        .await
        .map_err(db_err)?
        .try_get(0)
        .map_err(db_err)?;
        Ok(DatabaseReport {
            health: DatabaseHealth::Sqlite {
                journal_mode,
                page_size,
                page_count,
                freelist_count,
                quick_check,
            },
            now,
        })
    }
}
