// Passkeys: reads (by id, by credential id, a user's) and the writes `commit` applies. Included
// by each backend's module, which defines `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::passkeys::PasskeyRecord;
use usher_core::store::{StoreError, StoreResult};

use super::query::{
    DbRow, delete_versioned, execute, execute_unique, exists, fetch_all, fetch_optional, text,
};
use crate::rows::{from_doc, to_doc};

type Tx<'a> = Transaction<'a, Db>;

fn record(r: &DbRow) -> StoreResult<PasskeyRecord> {
    let mut p: PasskeyRecord = from_doc(r.get::<&str, _>("doc"))?;
    p.version = r.get("version");
    Ok(p)
}

pub async fn get(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<PasskeyRecord>> {
    fetch_optional(
        text(
            "SELECT doc, version FROM passkeys WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        pool,
        record,
    )
    .await
}

pub async fn by_credential(
    pool: &Pool<Db>,
    instance_id: &str,
    credential_id: &str,
) -> StoreResult<Option<PasskeyRecord>> {
    fetch_optional(
        text(
            "SELECT doc, version FROM passkeys WHERE instance_id = $1 AND credential_id = $2",
            &[instance_id, credential_id],
        ),
        pool,
        record,
    )
    .await
}

pub async fn of_user(pool: &Pool<Db>, instance_id: &str, user_id: &str) -> StoreResult<Vec<PasskeyRecord>> {
    fetch_all(
        text(
            "SELECT doc, version FROM passkeys WHERE instance_id = $1 AND user_id = $2 \
             ORDER BY created_at, id",
            &[instance_id, user_id],
        ),
        pool,
        record,
    )
    .await
}

/// Inserts a new passkey (version 0 in hand) or updates the stored one at the version read.
pub async fn put(tx: &mut Tx<'_>, instance_id: &str, p: &PasskeyRecord) -> StoreResult<()> {
    let taken = StoreError::KeyTaken { what: "passkey credential" };
    if p.version == 0 {
        // The user may have been deleted since it was read: its passkey would outlive it.
        let user = text(
            "SELECT 1 FROM users WHERE instance_id = $1 AND id = $2",
            &[instance_id, p.user_id.as_str()],
        );
        if !exists(user, &mut **tx).await? {
            return Err(StoreError::Stale);
        }
        let insert = text(
            "INSERT INTO passkeys (instance_id, id, version, user_id, credential_id, doc, created_at) \
             VALUES ($1, $2, 1, $3, $4, $5, $6)",
            &[instance_id, p.id.as_str(), p.user_id.as_str()],
        )
        .bind(p.credential_id.as_deref())
        .bind(to_doc(p)?)
        .bind(p.created_at);
        execute_unique(insert, &mut **tx, taken).await?;
        return Ok(());
    }
    let update = text(
        "UPDATE passkeys SET version = version + 1, credential_id = $1, doc = $2 \
         WHERE instance_id = $3 AND id = $4 AND version = $5",
        &[],
    )
    .bind(p.credential_id.as_deref())
    .bind(to_doc(p)?)
    .bind(instance_id)
    .bind(p.id.as_str())
    .bind(p.version);
    if execute_unique(update, &mut **tx, taken).await? != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str, version: i64) -> StoreResult<()> {
    delete_versioned(&mut **tx, "passkeys", instance_id, id, version).await
}

/// With their user: a deleted user's credentials sign nobody in.
pub async fn delete_of_user(tx: &mut Tx<'_>, instance_id: &str, user_id: &str) -> StoreResult<()> {
    execute(
        text(
            "DELETE FROM passkeys WHERE instance_id = $1 AND user_id = $2",
            &[instance_id, user_id],
        ),
        &mut **tx,
    )
    .await?;
    Ok(())
}
