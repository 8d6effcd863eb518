// The waitlist's entries: reads, and the writes `commit` applies. Included by each backend's
// module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Transaction};
use usher_core::store::{StoreError, StoreResult};
use usher_core::waitlist::{WaitlistEntry, WaitlistQuery};

use super::query::{
    delete_versioned, execute_one, execute_unique, fetch_optional, paged, text, versioned,
};
use crate::rows::{like_contains, to_doc};

type Tx<'a> = Transaction<'a, Db>;

pub async fn by_email(
    pool: &Pool<Db>,
    instance_id: &str,
    email: &str,
) -> StoreResult<Option<WaitlistEntry>> {
    let email = email.trim().to_lowercase();
    fetch_optional(
        text(
            "SELECT doc, version FROM waitlist_entries \
             WHERE instance_id = $1 AND email_address = $2",
            &[instance_id, &email],
        ),
        pool,
        versioned,
    )
    .await
}

fn push_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &WaitlistQuery) {
    qb.push(" FROM waitlist_entries WHERE instance_id = ")
        .push_bind(instance_id.to_owned());
    if let Some(t) = q.query.as_deref().filter(|t| !t.is_empty()) {
        qb.push(" AND (id = ")
            .push_bind(t.to_owned())
            .push(" OR email_address LIKE ")
            .push_bind(like_contains(&t.to_lowercase()))
            .push(" ESCAPE '\\')");
    }
    if !q.statuses.is_empty() {
        qb.push(" AND status IN (");
        let mut sep = qb.separated(", ");
        for s in &q.statuses {
            sep.push_bind(s.as_str());
        }
        qb.push(")");
    }
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &WaitlistQuery,
) -> StoreResult<(Vec<WaitlistEntry>, i64)> {
    // The field is one of three names the core allows; the direction one of two words.
    let dir = if q.order.descending { "DESC" } else { "ASC" };
    let order_by = format!(" ORDER BY {} {dir}, id {dir}", q.order.field);
    paged(
        pool,
        "doc, version",
        |qb| push_filter(qb, instance_id, q),
        &order_by,
        &q.page,
        versioned,
    )
    .await
}

pub async fn insert(tx: &mut Tx<'_>, instance_id: &str, e: &WaitlistEntry) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO waitlist_entries (instance_id, id, version, email_address, status, \
         invited_at, doc, created_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7)",
        &[instance_id, &e.id, &e.email_address, e.status.as_str()],
    )
    .bind(e.invited_at.unwrap_or(0))
    .bind(to_doc(e)?)
    .bind(e.created_at);
    execute_unique(
        insert,
        &mut **tx,
        StoreError::KeyTaken {
            what: "email_address",
        },
    )
    .await?;
    Ok(())
}

pub async fn update(tx: &mut Tx<'_>, instance_id: &str, e: &WaitlistEntry) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE waitlist_entries SET version = version + 1, status = $1, invited_at = $2, \
         doc = $3 WHERE instance_id = $4 AND id = $5 AND version = $6",
    )
    .bind(e.status.as_str())
    .bind(e.invited_at.unwrap_or(0))
    .bind(to_doc(e)?)
    .bind(instance_id)
    .bind(e.id.as_str())
    .bind(e.version);
    execute_one(update, &mut **tx).await
}

pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str, version: i64) -> StoreResult<()> {
    delete_versioned(&mut **tx, "waitlist_entries", instance_id, id, version).await
}
