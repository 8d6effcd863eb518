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
