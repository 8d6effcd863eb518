//! Helpers for tests that run against a real PostgreSQL server. `scripts/with-postgres` starts one
//! and sets `USHER_TEST_POSTGRES_URL`; `scripts/test` also sets `USHER_REQUIRE_POSTGRES`, so that a
//! missing server fails the run rather than letting it pass quietly.

use usher_core::store::{StoreError, StoreResult};

/// Whether tests should use PostgreSQL instead of SQLite (`USHER_TEST_BACKEND=postgres`).
pub fn postgres_selected() -> bool {
    std::env::var("USHER_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// Creates an empty database on the test server and returns its URL; `Ok(None)` when no server
/// was provided and none is required.
pub async fn fresh_postgres_database() -> StoreResult<Option<String>> {
    let Ok(admin) = std::env::var("USHER_TEST_POSTGRES_URL") else {
        if std::env::var("USHER_REQUIRE_POSTGRES").is_ok() || postgres_selected() {
            return Err(StoreError::Backend {
                operation: "creating a test database",
                cause: usher_core::error::Cause::msg(
                    "a PostgreSQL server is required but USHER_TEST_POSTGRES_URL is not set",
                ),
            });
        }
        return Ok(None);
    };
    let name = format!("usher_test_{}", usher_core::ids::random_hex(8));
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .map_err(crate::postgres::db_err)?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .map_err(crate::postgres::db_err)?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Ok(Some(format!("{base}/{name}")))
}

/// Every `table.column` of text whose value holds `needle` (case-insensitively) in the database
/// `url` names: what an erasure test greps the whole database with.
pub async fn text_columns_containing(url: &str, needle: &str) -> StoreResult<Vec<String>> {
    use sqlx::{Connection, Row};
    let pattern = format!("%{needle}%");
    let mut hits = Vec::new();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let err = crate::postgres::db_err;
        let mut conn = sqlx::PgConnection::connect(url).await.map_err(err)?;
        let columns = sqlx::query(
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'json', 'jsonb')",
        )
        .fetch_all(&mut conn)
        .await
        .map_err(err)?;
        for col in columns {
            let (t, c): (String, String) = (col.get("t"), col.get("c"));
            let sql = format!("SELECT COUNT(*) AS n FROM \"{t}\" WHERE \"{c}\"::text ILIKE $1");
            let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&pattern)
                .fetch_one(&mut conn)
                .await
                .map_err(err)?
                .get("n");
            if n > 0 {
                hits.push(format!("{t}.{c}"));
            }
        }
        return Ok(hits);
    }
    let err = crate::sqlite::db_err;
    let path = url.strip_prefix("sqlite://").unwrap_or(url);
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .map_err(err)?;
    let tables = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(err)?;
    for table in tables {
        let t: String = table.get("name");
        let columns = sqlx::query("SELECT name, type FROM pragma_table_info($1)")
            .bind(&t)
            .fetch_all(&mut conn)
            .await
            .map_err(err)?;
        for col in columns {
            let (c, ty): (String, String) = (col.get("name"), col.get("type"));
            if !ty.eq_ignore_ascii_case("TEXT") {
                continue;
            }
            let sql = format!("SELECT COUNT(*) AS n FROM \"{t}\" WHERE \"{c}\" LIKE $1");
            let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&pattern)
                .fetch_one(&mut conn)
                .await
                .map_err(err)?
                .get("n");
            if n > 0 {
                hits.push(format!("{t}.{c}"));
            }
        }
    }
    Ok(hits)
}
