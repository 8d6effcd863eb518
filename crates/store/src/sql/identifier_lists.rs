// The allowlist and blocklist of sign-up identifiers: reads, and the writes `commit` applies.
// Included by each backend's module, which defines `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::identifier_lists::{ListKind, ListedIdentifier};
use usher_core::store::{StoreError, StoreResult};

use super::query::{execute_one, execute_unique, fetch_all, text};
use crate::rows::{from_doc, to_doc};

type Tx<'a> = Transaction<'a, Db>;

/// Every entry of one list (or of both), oldest first.
pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    list: Option<ListKind>,
) -> StoreResult<Vec<ListedIdentifier>> {
    let q = match list {
        Some(l) => text(
            "SELECT doc FROM identifier_lists WHERE instance_id = $1 AND list = $2 \
             ORDER BY created_at, id",
            &[instance_id, l.as_str()],
        ),
        None => text(
            "SELECT doc FROM identifier_lists WHERE instance_id = $1 ORDER BY created_at, id",
            &[instance_id],
        ),
    };
    fetch_all(q, pool, |r| from_doc(r.get::<&str, _>("doc"))).await
}

pub async fn insert(tx: &mut Tx<'_>, instance_id: &str, e: &ListedIdentifier) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO identifier_lists (instance_id, id, list, identifier, doc, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[instance_id, e.id.as_str(), e.list.as_str(), &e.identifier],
    )
    .bind(to_doc(e)?)
    .bind(e.created_at);
    execute_unique(
        insert,
        &mut **tx,
        StoreError::KeyTaken {
            what: "identifier",
        },
    )
    .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str) -> StoreResult<()> {
    execute_one(
        text(
            "DELETE FROM identifier_lists WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        &mut **tx,
    )
    .await
}
