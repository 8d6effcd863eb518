// Organization domains: reads, and the writes `commit` applies. Included by each backend's
// module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::organizations::domains::{DomainQuery, OrganizationDomain};
use usher_core::store::{StoreError, StoreResult};

use super::db_err;
use crate::rows::{from_doc, like_contains, to_doc};

type Tx<'a> = Transaction<'a, Db>;

fn from_row(r: &<Db as sqlx::Database>::Row) -> StoreResult<OrganizationDomain> {
    let mut d: OrganizationDomain = from_doc(r.get::<&str, _>("doc"))?;
    d.version = r.get("version");
    Ok(d)
}

fn taken_or(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::DomainTaken,
        _ => db_err(e),
    }
}

pub async fn get(
    pool: &Pool<Db>,
    instance_id: &str,
    organization_id: &str,
    id: &str,
) -> StoreResult<Option<OrganizationDomain>> {
    let row = sqlx::query(
        "SELECT doc, version FROM organization_domains \
         WHERE instance_id = $1 AND organization_id = $2 AND id = $3",
    )
    .bind(instance_id)
    .bind(organization_id)
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.as_ref().map(from_row).transpose()
}

fn push_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &DomainQuery) {
    qb.push(" FROM organization_domains WHERE instance_id = ")
        .push_bind(instance_id.to_owned());
    if let Some(org) = &q.organization_id {
        qb.push(" AND organization_id = ").push_bind(org.to_string());
    }
    if let Some(v) = q.verified {
        qb.push(" AND verified = ").push_bind(v);
    }
    let modes: Vec<String> = q.enrollment_modes.iter().map(|m| m.as_str().to_owned()).collect();
    super::filters::push_id_list(qb, "enrollment_mode", false, &modes);
    super::filters::push_id_list(qb, "name", false, &q.names);
    if let Some(text) = q.query.as_deref().filter(|t| !t.is_empty()) {
        qb.push(" AND name LIKE ")
            .push_bind(like_contains(&text.to_lowercase()))
            .push(" ESCAPE '\\'");
    }
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &DomainQuery,
) -> StoreResult<(Vec<OrganizationDomain>, i64)> {
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

pub async fn insert(tx: &mut Tx<'_>, instance_id: &str, d: &OrganizationDomain) -> StoreResult<()> {
    // The organization may have been deleted since it was read: its domains would be orphans.
    let org = sqlx::query("SELECT 1 FROM organizations WHERE instance_id = $1 AND id = $2")
        .bind(instance_id)
        .bind(d.organization_id.as_str())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    if org.is_none() {
        return Err(StoreError::Stale);
    }
    sqlx::query(
        "INSERT INTO organization_domains (instance_id, id, version, organization_id, name, \
         enrollment_mode, verified, doc, created_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)",
    )
    .bind(instance_id)
    .bind(d.id.as_str())
    .bind(d.organization_id.as_str())
    .bind(&d.name)
    .bind(d.enrollment_mode.as_str())
    .bind(d.verified)
    .bind(to_doc(d)?)
    .bind(d.created_at)
    .execute(&mut **tx)
    .await
    .map_err(taken_or)?;
    Ok(())
}

pub async fn update(tx: &mut Tx<'_>, instance_id: &str, d: &OrganizationDomain) -> StoreResult<()> {
    let res = sqlx::query(
        "UPDATE organization_domains SET version = version + 1, enrollment_mode = $1, \
         verified = $2, doc = $3 WHERE instance_id = $4 AND id = $5 AND version = $6",
    )
    .bind(d.enrollment_mode.as_str())
    .bind(d.verified)
    .bind(to_doc(d)?)
    .bind(instance_id)
    .bind(d.id.as_str())
    .bind(d.version)
    .execute(&mut **tx)
    .await
    .map_err(taken_or)?;
    if res.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str, version: i64) -> StoreResult<()> {
    let res = sqlx::query(
        "DELETE FROM organization_domains WHERE instance_id = $1 AND id = $2 AND version = $3",
    )
    .bind(instance_id)
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if res.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// With the organization: called by its delete.
pub async fn delete_of_organization(
    tx: &mut Tx<'_>,
    instance_id: &str,
    organization_id: &str,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM organization_domains WHERE instance_id = $1 AND organization_id = $2")
        .bind(instance_id)
        .bind(organization_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}
