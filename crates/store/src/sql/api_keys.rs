// API keys: reads, the writes `commit` applies, and the batched `last_used_at`. Included by each
// backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::api_keys::{ApiKey, ApiKeyQuery, SealedSecret};
use usher_core::clock::Millis;
use usher_core::ids::ApiKeyId;
use usher_core::store::{StoreError, StoreResult};

use super::query::{
    DbRow, delete_versioned, execute, execute_one, exists, fetch_optional, paged, text, versioned,
};
use crate::rows::{like_contains, to_doc};

type Tx<'a> = Transaction<'a, Db>;

const COLUMNS: &str = "doc, version, last_used_at";

fn key(r: &DbRow) -> StoreResult<ApiKey> {
    let mut k: ApiKey = versioned(r)?;
    k.last_used_at = r.get("last_used_at");
    Ok(k)
}

pub async fn get(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<ApiKey>> {
    fetch_optional(
        text(
            "SELECT doc, version, last_used_at FROM api_keys WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        pool,
        key,
    )
    .await
}

/// The key whose secret digests to `digest`, with the stored digest (for the caller's
/// constant-time comparison).
pub async fn by_digest(
    pool: &Pool<Db>,
    instance_id: &str,
    digest: &str,
) -> StoreResult<Option<(ApiKey, String)>> {
    fetch_optional(
        text(
            "SELECT doc, version, last_used_at, digest FROM api_keys \
             WHERE instance_id = $1 AND digest = $2",
            &[instance_id, digest],
        ),
        pool,
        |r| Ok((key(r)?, r.get("digest"))),
    )
    .await
}

fn push_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &ApiKeyQuery) {
    qb.push(" FROM api_keys WHERE instance_id = ")
        .push_bind(instance_id.to_owned())
        .push(" AND subject = ")
        .push_bind(q.subject.clone());
    if !q.include_invalid {
        qb.push(" AND NOT revoked AND (expiration IS NULL OR expiration > ")
            .push_bind(q.now)
            .push(")");
    }
    if let Some(t) = q.query.as_deref().filter(|t| !t.is_empty()) {
        qb.push(" AND LOWER(name) LIKE ")
            .push_bind(like_contains(&t.to_lowercase()))
            .push(" ESCAPE '\\'");
    }
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &ApiKeyQuery,
) -> StoreResult<(Vec<ApiKey>, i64)> {
    let order_by = " ORDER BY created_at DESC, id DESC";
    paged(pool, COLUMNS, |qb| push_filter(qb, instance_id, q), order_by, &q.page, key).await
}

pub async fn insert(
    tx: &mut Tx<'_>,
    instance_id: &str,
    k: &ApiKey,
    digest: &str,
    sealed: &SealedSecret,
) -> StoreResult<()> {
    // The subject may have been deleted since it was read: its key would outlive it.
    let subject = text(
        "SELECT 1 FROM users WHERE instance_id = $1 AND id = $2 \
         UNION ALL SELECT 1 FROM organizations WHERE instance_id = $1 AND id = $2",
        &[instance_id, &k.subject],
    );
    if !exists(subject, &mut **tx).await? {
        return Err(StoreError::Stale);
    }
    let insert = text(
        "INSERT INTO api_keys (instance_id, id, version, subject, name, revoked, expiration, \
         digest, sealed, doc, created_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[instance_id, k.id.as_str(), &k.subject, &k.name],
    )
    .bind(k.revoked)
    .bind(k.expiration)
    .bind(digest)
    .bind(&sealed.0)
    .bind(to_doc(k)?)
    .bind(k.created_at);
    execute(insert, &mut **tx).await?;
    Ok(())
}

pub async fn update(tx: &mut Tx<'_>, instance_id: &str, k: &ApiKey) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE api_keys SET version = version + 1, subject = $1, revoked = $2, expiration = $3, \
         doc = $4 WHERE instance_id = $5 AND id = $6 AND version = $7",
    )
    .bind(&k.subject)
    .bind(k.revoked)
    .bind(k.expiration)
    .bind(to_doc(k)?)
    .bind(instance_id)
    .bind(k.id.as_str())
    .bind(k.version);
    execute_one(update, &mut **tx).await
}

pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str, version: i64) -> StoreResult<()> {
    delete_versioned(&mut **tx, "api_keys", instance_id, id, version).await
}

/// With their user or organization: a deleted subject's keys authenticate nothing more.
pub async fn delete_of_subject(tx: &mut Tx<'_>, instance_id: &str, subject: &str) -> StoreResult<()> {
    execute(
        text(
            "DELETE FROM api_keys WHERE instance_id = $1 AND subject = $2",
            &[instance_id, subject],
        ),
        &mut **tx,
    )
    .await?;
    Ok(())
}

/// Moves each key's `last_used_at` forward to its time (never back), in one transaction.
pub async fn touch(
    pool: &Pool<Db>,
    instance_id: &str,
    used: &[(ApiKeyId, Millis)],
) -> StoreResult<()> {
    if used.is_empty() {
        return Ok(());
    }
    let mut tx = super::query::begin_write(pool).await?;
    for (id, at) in used {
        let touch = text(
            "UPDATE api_keys SET last_used_at = $1 WHERE instance_id = $2 AND id = $3 \
             AND (last_used_at IS NULL OR last_used_at < $1)",
            &[],
        )
        .bind(*at)
        .bind(instance_id)
        .bind(id.as_str());
        execute(touch, &mut *tx).await?;
    }
    tx.commit().await.map_err(super::db_err)?;
    Ok(())
}
