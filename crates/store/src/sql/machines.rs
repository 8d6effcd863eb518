// Machines: reads, their secret keys (by digest, a rotated-out one until it expires), their
// scopes, and the writes `commit` applies. Included by each backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::api_keys::SealedSecret;
use usher_core::clock::Millis;
use usher_core::ids::MachineId;
use usher_core::machines::{Machine, MachineOrder, MachineQuery, MachineScope};
use usher_core::store::{StoreError, StoreResult};

use super::query::{
    DbRow, delete_versioned, execute, execute_one, execute_unique, exists, fetch_all,
    fetch_optional, paged, text, versioned,
};
use crate::rows::{like_contains, to_doc};

type Tx<'a> = Transaction<'a, Db>;

fn machine(r: &DbRow) -> StoreResult<Machine> {
    versioned(r)
}

pub async fn get(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<Machine>> {
    fetch_optional(
        text(
            "SELECT doc, version FROM machines WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        pool,
        machine,
    )
    .await
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &MachineQuery,
) -> StoreResult<(Vec<Machine>, i64)> {
    let order_by = match q.order {
        MachineOrder::CreatedAt { ascending: true } => " ORDER BY created_at ASC, id ASC",
        MachineOrder::CreatedAt { ascending: false } => " ORDER BY created_at DESC, id DESC",
        MachineOrder::Name { ascending: true } => " ORDER BY LOWER(name) ASC, id ASC",
        MachineOrder::Name { ascending: false } => " ORDER BY LOWER(name) DESC, id DESC",
    };
    let from_where = |qb: &mut QueryBuilder<Db>| {
        qb.push(" FROM machines WHERE instance_id = ")
            .push_bind(instance_id.to_owned());
        if let Some(t) = q.query.as_deref().filter(|t| !t.is_empty()) {
            // Clerk's rule: a machine id matches exactly, a name in part (case-insensitively).
            let pattern = like_contains(&t.to_lowercase());
            qb.push(" AND (LOWER(name) LIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\' OR id = ")
                .push_bind(t.to_owned())
                .push(")");
        }
    };
    paged(pool, "doc, version", from_where, order_by, &q.page, machine).await
}

pub async fn scoped(pool: &Pool<Db>, instance_id: &str, from: &str) -> StoreResult<Vec<Machine>> {
    fetch_all(
        text(
            "SELECT m.doc, m.version FROM machine_scopes s JOIN machines m \
             ON m.instance_id = s.instance_id AND m.id = s.to_machine_id \
             WHERE s.instance_id = $1 AND s.from_machine_id = $2 \
             ORDER BY s.created_at, m.id",
            &[instance_id, from],
        ),
        pool,
        machine,
    )
    .await
}

/// The machine whose secret key (current, or rotated out and not yet expired at `now`) digests
/// to `digest`, with the stored digest.
pub async fn by_secret_digest(
    pool: &Pool<Db>,
    instance_id: &str,
    digest: &str,
    now: Millis,
) -> StoreResult<Option<(Machine, String)>> {
    fetch_optional(
        text(
            "SELECT m.doc, m.version, k.digest FROM machine_secret_keys k JOIN machines m \
             ON m.instance_id = k.instance_id AND m.id = k.machine_id \
             WHERE k.instance_id = $1 AND k.digest = $2 \
             AND (k.expires_at IS NULL OR k.expires_at > $3)",
            &[instance_id, digest],
        )
        .bind(now),
        pool,
        |r| Ok((machine(r)?, r.get("digest"))),
    )
    .await
}

async fn machine_exists(tx: &mut Tx<'_>, instance_id: &str, id: &str) -> StoreResult<bool> {
    exists(
        text(
            "SELECT 1 FROM machines WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        &mut **tx,
    )
    .await
}

async fn insert_secret(
    tx: &mut Tx<'_>,
    instance_id: &str,
    id: &str,
    digest: &str,
    now: Millis,
) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO machine_secret_keys (instance_id, digest, machine_id, expires_at, created_at) \
         VALUES ($1, $2, $3, NULL, $4)",
        &[instance_id, digest, id],
    )
    .bind(now);
    execute(insert, &mut **tx).await?;
    Ok(())
}

pub async fn insert(
    tx: &mut Tx<'_>,
    instance_id: &str,
    m: &Machine,
    digest: &str,
    sealed: &SealedSecret,
    scoped: &[MachineId],
) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO machines (instance_id, id, version, name, sealed, doc, created_at) \
         VALUES ($1, $2, 1, $3, $4, $5, $6)",
        &[instance_id, m.id.as_str(), &m.name, &sealed.0],
    )
    .bind(to_doc(m)?)
    .bind(m.created_at);
    execute(insert, &mut **tx).await?;
    insert_secret(tx, instance_id, &m.id, digest, m.created_at).await?;
    for to in scoped {
        insert_scope(
            tx,
            instance_id,
            &MachineScope {
                from: m.id.clone(),
                to: to.clone(),
                created_at: m.created_at,
            },
        )
        .await?;
    }
    Ok(())
}

pub async fn update(tx: &mut Tx<'_>, instance_id: &str, m: &Machine) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE machines SET version = version + 1, name = $1, doc = $2 \
         WHERE instance_id = $3 AND id = $4 AND version = $5",
    )
    .bind(&m.name)
    .bind(to_doc(m)?)
    .bind(instance_id)
    .bind(m.id.as_str())
    .bind(m.version);
    execute_one(update, &mut **tx).await
}

/// A new current secret key; the keys that were valid stay so until `previous_until` at the
/// latest, and the ones already expired are dropped.
pub async fn rotate_secret(
    tx: &mut Tx<'_>,
    instance_id: &str,
    m: &Machine,
    digest: &str,
    sealed: &SealedSecret,
    previous_until: Millis,
) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE machines SET version = version + 1, sealed = $1, doc = $2 \
         WHERE instance_id = $3 AND id = $4 AND version = $5",
    )
    .bind(&sealed.0)
    .bind(to_doc(m)?)
    .bind(instance_id)
    .bind(m.id.as_str())
    .bind(m.version);
    execute_one(update, &mut **tx).await?;
    let now = m.updated_at;
    let drop_expired = text(
        "DELETE FROM machine_secret_keys WHERE instance_id = $1 AND machine_id = $2 \
         AND expires_at IS NOT NULL AND expires_at <= $3",
        &[instance_id, m.id.as_str()],
    )
    .bind(now);
    execute(drop_expired, &mut **tx).await?;
    let shorten = text(
        "UPDATE machine_secret_keys SET expires_at = $1 WHERE instance_id = $2 \
         AND machine_id = $3 AND (expires_at IS NULL OR expires_at > $1)",
        &[],
    )
    .bind(previous_until)
    .bind(instance_id)
    .bind(m.id.as_str());
    execute(shorten, &mut **tx).await?;
    insert_secret(tx, instance_id, &m.id, digest, now).await
}

/// The machine, its secret keys, its tokens and every scope from or to it.
pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str, version: i64) -> StoreResult<()> {
    for sql in [
        "DELETE FROM machine_scopes WHERE instance_id = $1 \
         AND (from_machine_id = $2 OR to_machine_id = $2)",
        "DELETE FROM machine_secret_keys WHERE instance_id = $1 AND machine_id = $2",
        "DELETE FROM m2m_tokens WHERE instance_id = $1 AND machine_id = $2",
    ] {
        execute(text(sql, &[instance_id, id]), &mut **tx).await?;
    }
    delete_versioned(&mut **tx, "machines", instance_id, id, version).await
}

pub async fn insert_scope(tx: &mut Tx<'_>, instance_id: &str, s: &MachineScope) -> StoreResult<()> {
    // Either machine may have been deleted since it was read.
    if !machine_exists(tx, instance_id, &s.from).await?
        || !machine_exists(tx, instance_id, &s.to).await?
    {
        return Err(StoreError::Stale);
    }
    let insert = text(
        "INSERT INTO machine_scopes (instance_id, from_machine_id, to_machine_id, created_at) \
         VALUES ($1, $2, $3, $4)",
        &[instance_id, s.from.as_str(), s.to.as_str()],
    )
    .bind(s.created_at);
    execute_unique(insert, &mut **tx, StoreError::MachineScopeTaken).await?;
    Ok(())
}

pub async fn delete_scope(
    tx: &mut Tx<'_>,
    instance_id: &str,
    from: &str,
    to: &str,
) -> StoreResult<()> {
    execute_one(
        text(
            "DELETE FROM machine_scopes WHERE instance_id = $1 AND from_machine_id = $2 \
             AND to_machine_id = $3",
            &[instance_id, from, to],
        ),
        &mut **tx,
    )
    .await
}
