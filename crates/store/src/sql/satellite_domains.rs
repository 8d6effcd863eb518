// The instance's satellite domains: reads, and the writes `commit` applies. Included by each
// backend's module, which defines `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::domains::SatelliteDomain;
use usher_core::store::{StoreError, StoreResult};

use super::query::{exactly_one, execute_one, execute_unique, fetch_all, text};
use crate::rows::{from_doc, to_doc};

type Tx<'a> = Transaction<'a, Db>;

/// Every satellite domain, oldest first.
pub async fn list(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<SatelliteDomain>> {
    fetch_all(
        text(
            "SELECT doc FROM satellite_domains WHERE instance_id = $1 ORDER BY created_at, id",
            &[instance_id],
        ),
        pool,
        |r| from_doc(r.get::<&str, _>("doc")),
    )
    .await
}

pub async fn insert(tx: &mut Tx<'_>, instance_id: &str, d: &SatelliteDomain) -> StoreResult<()> {
    let q = text(
        "INSERT INTO satellite_domains (instance_id, id, name, doc, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        &[instance_id, &d.id, &d.name],
    )
    .bind(to_doc(d)?)
    .bind(d.created_at);
    execute_unique(q, &mut **tx, StoreError::NameTaken).await?;
    Ok(())
}

/// Replaces the domain's name and record; [`StoreError::Stale`] when there is no such domain.
pub async fn update(tx: &mut Tx<'_>, instance_id: &str, d: &SatelliteDomain) -> StoreResult<()> {
    let q = text(
        "UPDATE satellite_domains SET name = $3, doc = $4 WHERE instance_id = $1 AND id = $2",
        &[instance_id, &d.id, &d.name],
    )
    .bind(to_doc(d)?);
    exactly_one(execute_unique(q, &mut **tx, StoreError::NameTaken).await?)
}

pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str) -> StoreResult<()> {
    execute_one(
        text(
            "DELETE FROM satellite_domains WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        &mut **tx,
    )
    .await
}
