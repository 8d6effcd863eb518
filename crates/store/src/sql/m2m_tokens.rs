// Opaque M2M tokens: found by id and by digest, listed per machine, and the writes `commit`
// applies. Included by each backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::machines::{M2mToken, M2mTokenQuery};
use usher_core::store::{StoreError, StoreResult};

use super::query::{DbRow, execute, execute_one, exists, fetch_optional, paged, text, versioned};
use crate::rows::to_doc;

type Tx<'a> = Transaction<'a, Db>;

fn token(r: &DbRow) -> StoreResult<M2mToken> {
    versioned(r)
}

pub async fn get(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<M2mToken>> {
    fetch_optional(
        text(
            "SELECT doc, version FROM m2m_tokens WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        pool,
        token,
    )
    .await
}

pub async fn by_digest(
    pool: &Pool<Db>,
    instance_id: &str,
    digest: &str,
) -> StoreResult<Option<(M2mToken, String)>> {
    fetch_optional(
        text(
            "SELECT doc, version, digest FROM m2m_tokens WHERE instance_id = $1 AND digest = $2",
            &[instance_id, digest],
        ),
        pool,
        |r| Ok((token(r)?, r.get("digest"))),
    )
    .await
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &M2mTokenQuery,
) -> StoreResult<(Vec<M2mToken>, i64)> {
    let from_where = |qb: &mut QueryBuilder<Db>| {
        qb.push(" FROM m2m_tokens WHERE instance_id = ")
            .push_bind(instance_id.to_owned())
            .push(" AND machine_id = ")
            .push_bind(q.subject.as_str().to_owned());
        // Valid tokens always; revoked and expired ones when asked for.
        qb.push(" AND (NOT revoked OR ")
            .push_bind(q.revoked)
            .push(") AND (expiration IS NULL OR expiration > ")
            .push_bind(q.now)
            .push(" OR ")
            .push_bind(q.expired)
            .push(")");
    };
    let order_by = " ORDER BY created_at DESC, id DESC";
    paged(pool, "doc, version", from_where, order_by, &q.page, token).await
}

pub async fn insert(
    tx: &mut Tx<'_>,
    instance_id: &str,
    t: &M2mToken,
    digest: &str,
) -> StoreResult<()> {
    let machine = text(
        "SELECT 1 FROM machines WHERE instance_id = $1 AND id = $2",
        &[instance_id, t.subject.as_str()],
    );
    if !exists(machine, &mut **tx).await? {
        return Err(StoreError::Stale);
    }
    let insert = text(
        "INSERT INTO m2m_tokens (instance_id, id, version, machine_id, revoked, expiration, \
         digest, doc, created_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)",
        &[instance_id, t.id.as_str(), t.subject.as_str()],
    )
    .bind(t.revoked)
    .bind(t.expiration)
    .bind(digest)
    .bind(to_doc(t)?)
    .bind(t.created_at);
    execute(insert, &mut **tx).await?;
    Ok(())
}

pub async fn update(tx: &mut Tx<'_>, instance_id: &str, t: &M2mToken) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE m2m_tokens SET version = version + 1, revoked = $1, expiration = $2, doc = $3 \
         WHERE instance_id = $4 AND id = $5 AND version = $6",
    )
    .bind(t.revoked)
    .bind(t.expiration)
    .bind(to_doc(t)?)
    .bind(instance_id)
    .bind(t.id.as_str())
    .bind(t.version);
    execute_one(update, &mut **tx).await
}
