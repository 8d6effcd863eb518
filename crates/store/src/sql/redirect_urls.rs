// The instance's registered redirect URLs: reads, and the writes `commit` applies. Included by
// each backend's module, which defines `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::redirects::RedirectUrl;
use usher_core::store::{StoreError, StoreResult};

use super::query::{execute_one, execute_unique, fetch_all, text};
use crate::rows::{from_doc, to_doc};

type Tx<'a> = Transaction<'a, Db>;

/// Every registered URL, oldest first.
pub async fn list(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<RedirectUrl>> {
    fetch_all(
        text(
            "SELECT doc FROM redirect_urls WHERE instance_id = $1 ORDER BY created_at, id",
            &[instance_id],
        ),
        pool,
        |r| from_doc(r.get::<&str, _>("doc")),
    )
    .await
}

pub async fn insert(tx: &mut Tx<'_>, instance_id: &str, r: &RedirectUrl) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO redirect_urls (instance_id, id, url, doc, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        &[instance_id, &r.id, &r.url],
    )
    .bind(to_doc(r)?)
    .bind(r.created_at);
    execute_unique(insert, &mut **tx, StoreError::KeyTaken { what: "url" }).await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str) -> StoreResult<()> {
    execute_one(
        text(
            "DELETE FROM redirect_urls WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        &mut **tx,
    )
    .await
}
