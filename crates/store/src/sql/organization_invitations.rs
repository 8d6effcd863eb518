// Organization invitations: reads, and the writes `commit` applies. Included by each backend's
// module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::organizations::invitations::{
    InvitationQuery, InvitationStatus, OrganizationInvitation,
};
use usher_core::clock::Millis;
use usher_core::ids::OrganizationId;
use usher_core::store::{StoreError, StoreResult};

use super::db_err;
use crate::rows::{from_doc, like_contains, to_doc};

type Tx<'a> = Transaction<'a, Db>;

fn from_row(r: &<Db as sqlx::Database>::Row) -> StoreResult<OrganizationInvitation> {
    let mut inv: OrganizationInvitation = from_doc(r.get::<&str, _>("doc"))?;
    inv.version = r.get("version");
    Ok(inv)
}

pub async fn get(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<OrganizationInvitation>> {
    let row = sqlx::query(
        "SELECT doc, version FROM organization_invitations WHERE instance_id = $1 AND id = $2",
    )
    .bind(instance_id)
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.as_ref().map(from_row).transpose()
}

fn push_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &InvitationQuery) {
    qb.push(" FROM organization_invitations WHERE instance_id = ")
        .push_bind(instance_id.to_owned());
    if let Some(org) = &q.organization_id {
        qb.push(" AND organization_id = ").push_bind(org.to_string());
    }
    if let Some(email) = &q.email_address {
        qb.push(" AND email_address = ").push_bind(email.to_lowercase());
    }
    if let Some(text) = q.query.as_deref().filter(|t| !t.is_empty()) {
        qb.push(" AND (id = ")
            .push_bind(text.to_owned())
            .push(" OR email_address LIKE ")
            .push_bind(like_contains(&text.to_lowercase()))
            .push(" ESCAPE '\\')");
    }
    if !q.statuses.is_empty() {
        qb.push(" AND (1 = 0");
        for s in &q.statuses {
            match s {
                InvitationStatus::Pending => {
                    qb.push(" OR (status = 'pending' AND expires_at > ")
                        .push_bind(q.now)
                        .push(")");
                }
                InvitationStatus::Expired => {
                    qb.push(" OR status = 'expired' OR (status = 'pending' AND expires_at <= ")
                        .push_bind(q.now)
                        .push(")");
                }
                other => {
                    qb.push(" OR status = ").push_bind(other.as_str());
                }
            }
        }
        qb.push(")");
    }
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &InvitationQuery,
) -> StoreResult<(Vec<OrganizationInvitation>, i64)> {
    let mut qb = QueryBuilder::<Db>::new("SELECT doc, version");
    push_filter(&mut qb, instance_id, q);
    qb.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(q.page.limit)
        .push(" OFFSET ")
        .push_bind(q.page.offset);
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    let list = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    let mut cq = QueryBuilder::<Db>::new("SELECT COUNT(*) AS n");
    push_filter(&mut cq, instance_id, q);
    let total: i64 = cq.build().fetch_one(pool).await.map_err(db_err)?.get("n");
    Ok((list, total))
}

/// Pending, unexpired invitations per organization, counted as of `now`.
pub async fn pending_counts(
    pool: &Pool<Db>,
    instance_id: &str,
    organization_ids: &[OrganizationId],
    now: Millis,
) -> StoreResult<Vec<(OrganizationId, i64)>> {
    if organization_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT organization_id, COUNT(*) AS n FROM organization_invitations WHERE instance_id = ",
    );
    qb.push_bind(instance_id.to_owned())
        .push(" AND status = 'pending' AND expires_at > ")
        .push_bind(now)
        .push(" AND organization_id IN (");
    let mut sep = qb.separated(", ");
    for id in organization_ids {
        sep.push_bind(id.to_string());
    }
    qb.push(") GROUP BY organization_id");
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                OrganizationId::from_stored(r.get::<&str, _>("organization_id")),
                r.get::<i64, _>("n"),
            )
        })
        .collect())
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

pub async fn insert(
    tx: &mut Tx<'_>,
    instance_id: &str,
    inv: &OrganizationInvitation,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE organization_invitations SET status = 'expired' \
         WHERE instance_id = $1 AND organization_id = $2 AND email_address = $3 \
         AND status = 'pending' AND expires_at <= $4",
    )
    .bind(instance_id)
    .bind(inv.organization_id.as_str())
    .bind(&inv.email_address)
    .bind(inv.created_at)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    let res = sqlx::query(
        "INSERT INTO organization_invitations (instance_id, id, version, organization_id, \
         email_address, status, expires_at, doc, created_at) \
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)",
    )
    .bind(instance_id)
    .bind(inv.id.as_str())
    .bind(inv.organization_id.as_str())
    .bind(&inv.email_address)
    .bind(inv.status.as_str())
    .bind(inv.expires_at)
    .bind(to_doc(inv)?)
    .bind(inv.created_at)
    .execute(&mut **tx)
    .await;
    match res {
        Err(e) if is_unique_violation(&e) => Err(StoreError::InvitationPending),
        Err(e) => Err(db_err(e)),
        Ok(_) => Ok(()),
    }
}

pub async fn update(
    tx: &mut Tx<'_>,
    instance_id: &str,
    inv: &OrganizationInvitation,
) -> StoreResult<()> {
    let res = sqlx::query(
        "UPDATE organization_invitations SET version = version + 1, status = $1, doc = $2 \
         WHERE instance_id = $3 AND id = $4 AND version = $5",
    )
    .bind(inv.status.as_str())
    .bind(to_doc(inv)?)
    .bind(instance_id)
    .bind(inv.id.as_str())
    .bind(inv.version)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if res.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}
