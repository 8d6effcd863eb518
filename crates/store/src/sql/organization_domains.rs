// Organization domains: reads, and the writes `commit` applies. Included by each backend's
// module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Transaction};
use usher_core::organizations::domains::{DomainQuery, OrganizationDomain};
use usher_core::store::{StoreError, StoreResult};

use super::query::{
    delete_versioned, exactly_one, execute, execute_unique, exists, fetch_optional, newest_first,
    text, versioned,
};
use crate::rows::{like_contains, to_doc};

type Tx<'a> = Transaction<'a, Db>;

pub async fn get(
    pool: &Pool<Db>,
    instance_id: &str,
    organization_id: &str,
    id: &str,
) -> StoreResult<Option<OrganizationDomain>> {
    fetch_optional(
        text(
            "SELECT doc, version FROM organization_domains \
             WHERE instance_id = $1 AND organization_id = $2 AND id = $3",
            &[instance_id, organization_id, id],
        ),
        pool,
        versioned,
    )
    .await
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
    newest_first(pool, |qb| push_filter(qb, instance_id, q), &q.page).await
}

pub async fn insert(tx: &mut Tx<'_>, instance_id: &str, d: &OrganizationDomain) -> StoreResult<()> {
    // The organization may have been deleted since it was read: its domains would be orphans.
    let org = text(
        "SELECT 1 FROM organizations WHERE instance_id = $1 AND id = $2",
        &[instance_id, d.organization_id.as_str()],
    );
    if !exists(org, &mut **tx).await? {
        return Err(StoreError::Stale);
    }
    let insert = text(
        "INSERT INTO organization_domains (instance_id, id, version, organization_id, name, \
         enrollment_mode, verified, doc, created_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)",
        &[
            instance_id,
            d.id.as_str(),
            d.organization_id.as_str(),
            &d.name,
            d.enrollment_mode.as_str(),
        ],
    )
    .bind(d.verified)
    .bind(to_doc(d)?)
    .bind(d.created_at);
    execute_unique(insert, &mut **tx, StoreError::DomainTaken).await?;
    Ok(())
}

pub async fn update(tx: &mut Tx<'_>, instance_id: &str, d: &OrganizationDomain) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE organization_domains SET version = version + 1, enrollment_mode = $1, \
         verified = $2, doc = $3 WHERE instance_id = $4 AND id = $5 AND version = $6",
    )
    .bind(d.enrollment_mode.as_str())
    .bind(d.verified)
    .bind(to_doc(d)?)
    .bind(instance_id)
    .bind(d.id.as_str())
    .bind(d.version);
    exactly_one(execute_unique(update, &mut **tx, StoreError::DomainTaken).await?)
}

pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str, version: i64) -> StoreResult<()> {
    delete_versioned(&mut **tx, "organization_domains", instance_id, id, version).await
}

/// With the organization: called by its delete.
pub async fn delete_of_organization(
    tx: &mut Tx<'_>,
    instance_id: &str,
    organization_id: &str,
) -> StoreResult<()> {
    execute(
        text(
            "DELETE FROM organization_domains WHERE instance_id = $1 AND organization_id = $2",
            &[instance_id, organization_id],
        ),
        &mut **tx,
    )
    .await?;
    Ok(())
}
