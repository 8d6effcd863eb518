//! Implementations of `usher_core::store::Store`. SQLite is the embedded default; every backend
//! passes the shared suite in `conformance` (the `testing` feature).

mod availability;
#[cfg(feature = "testing")]
pub mod conformance;
mod migrations;
pub mod postgres;
mod rows;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use usher_core::store::{Store, StoreResult};

/// Opens the store a database URL names: `postgres://…`, `sqlite://path` or a bare path.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(postgres::PostgresStore::open(url).await?));
    }
    let path = url.strip_prefix("sqlite://").unwrap_or(url);
    Ok(Arc::new(
        sqlite::SqliteStore::open(std::path::Path::new(path)).await?,
    ))
}
