// Organization suggestions and membership requests: reads, and the writes `commit` applies.
// Included by each backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::clock::Millis;
use usher_core::organizations::membership_requests::{MembershipRequest, RequestQuery};
use usher_core::organizations::suggestions::{OrganizationSuggestion, SuggestionQuery};
use usher_core::store::{DomainPendingCount, StoreError, StoreResult};

use super::query::{
    delete_versioned, execute, execute_one, execute_unique, exists, fetch_one, newest_first, text,
};
use crate::rows::to_doc;

type Tx<'a> = Transaction<'a, Db>;

fn push_statuses(qb: &mut QueryBuilder<Db>, statuses: &[&'static str]) {
    if statuses.is_empty() {
        return;
    }
    qb.push(" AND status IN (");
    let mut sep = qb.separated(", ");
    for s in statuses {
        sep.push_bind(*s);
    }
    qb.push(")");
}

fn push_suggestion_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &SuggestionQuery) {
    qb.push(" FROM organization_suggestions WHERE instance_id = ")
        .push_bind(instance_id.to_owned());
    if let Some(user) = &q.user_id {
        qb.push(" AND user_id = ").push_bind(user.to_string());
    }
    if let Some(org) = &q.organization_id {
        qb.push(" AND organization_id = ").push_bind(org.to_string());
    }
    if let Some(domain) = &q.email_domain {
        qb.push(" AND email_domain = ").push_bind(domain.to_lowercase());
    }
    let statuses: Vec<&'static str> = q.statuses.iter().map(|s| s.as_str()).collect();
    push_statuses(qb, &statuses);
}

pub async fn list_suggestions(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &SuggestionQuery,
) -> StoreResult<(Vec<OrganizationSuggestion>, i64)> {
    newest_first(pool, |qb| push_suggestion_filter(qb, instance_id, q), &q.page).await
}

/// The organization may have been deleted since it was read: what it suggests would be orphaned.
async fn organization_exists(tx: &mut Tx<'_>, instance_id: &str, id: &str) -> StoreResult<()> {
    let org = text(
        "SELECT 1 FROM organizations WHERE instance_id = $1 AND id = $2",
        &[instance_id, id],
    );
    if exists(org, &mut **tx).await? {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

fn email_domain(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

pub async fn insert_suggestion(
    tx: &mut Tx<'_>,
    instance_id: &str,
    s: &OrganizationSuggestion,
) -> StoreResult<()> {
    organization_exists(tx, instance_id, s.organization_id.as_str()).await?;
    let insert = text(
        "INSERT INTO organization_suggestions (instance_id, id, version, organization_id, \
         user_id, email_domain, status, doc, created_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)",
        &[
            instance_id,
            s.id.as_str(),
            s.organization_id.as_str(),
            s.user_id.as_str(),
            email_domain(&s.email_address),
            s.status.as_str(),
        ],
    )
    .bind(to_doc(s)?)
    .bind(s.created_at);
    execute_unique(insert, &mut **tx, StoreError::Stale).await?;
    Ok(())
}

pub async fn update_suggestion(
    tx: &mut Tx<'_>,
    instance_id: &str,
    s: &OrganizationSuggestion,
) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE organization_suggestions SET version = version + 1, status = $1, doc = $2 \
         WHERE instance_id = $3 AND id = $4 AND version = $5",
    )
    .bind(s.status.as_str())
    .bind(to_doc(s)?)
    .bind(instance_id)
    .bind(s.id.as_str())
    .bind(s.version);
    execute_one(update, &mut **tx).await
}

pub async fn delete_suggestion(
    tx: &mut Tx<'_>,
    instance_id: &str,
    id: &str,
    version: i64,
) -> StoreResult<()> {
    delete_versioned(&mut **tx, "organization_suggestions", instance_id, id, version).await
}

fn push_request_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &RequestQuery) {
    qb.push(" FROM organization_membership_requests WHERE instance_id = ")
        .push_bind(instance_id.to_owned());
    if let Some(org) = &q.organization_id {
        qb.push(" AND organization_id = ").push_bind(org.to_string());
    }
    if let Some(user) = &q.user_id {
        qb.push(" AND user_id = ").push_bind(user.to_string());
    }
    let statuses: Vec<&'static str> = q.statuses.iter().map(|s| s.as_str()).collect();
    push_statuses(qb, &statuses);
}

pub async fn list_requests(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &RequestQuery,
) -> StoreResult<(Vec<MembershipRequest>, i64)> {
    newest_first(pool, |qb| push_request_filter(qb, instance_id, q), &q.page).await
}

pub async fn insert_request(
    tx: &mut Tx<'_>,
    instance_id: &str,
    r: &MembershipRequest,
) -> StoreResult<()> {
    organization_exists(tx, instance_id, r.organization_id.as_str()).await?;
    let insert = text(
        "INSERT INTO organization_membership_requests (instance_id, id, version, \
         organization_id, user_id, status, doc, created_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7)",
        &[
            instance_id,
            r.id.as_str(),
            r.organization_id.as_str(),
            r.user_id.as_str(),
            r.status.as_str(),
        ],
    )
    .bind(to_doc(r)?)
    .bind(r.created_at);
    execute_unique(insert, &mut **tx, StoreError::Stale).await?;
    Ok(())
}

pub async fn update_request(
    tx: &mut Tx<'_>,
    instance_id: &str,
    r: &MembershipRequest,
) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE organization_membership_requests SET version = version + 1, status = $1, doc = $2 \
         WHERE instance_id = $3 AND id = $4 AND version = $5",
    )
    .bind(r.status.as_str())
    .bind(to_doc(r)?)
    .bind(instance_id)
    .bind(r.id.as_str())
    .bind(r.version);
    execute_one(update, &mut **tx).await
}

/// Per name: pending, unexpired invitations to an address at it, and pending suggestions made
/// for one. Domain names hold only letters, digits, dots and hyphens, so the suffix pattern
/// needs no escaping.
pub async fn domain_pending_counts(
    pool: &Pool<Db>,
    instance_id: &str,
    organization_id: &str,
    names: &[String],
    now: Millis,
) -> StoreResult<Vec<DomainPendingCount>> {
    let mut out = Vec::new();
    for name in names {
        let invitations: i64 = fetch_one(
            text(
                "SELECT COUNT(*) AS n FROM organization_invitations WHERE instance_id = $1 \
                 AND organization_id = $2 AND status = 'pending' AND email_address LIKE $3 \
                 AND expires_at > $4",
                &[instance_id, organization_id, &format!("%@{name}")],
            )
            .bind(now),
            pool,
            |r| Ok(r.get("n")),
        )
        .await?;
        let suggestions: i64 = fetch_one(
            text(
                "SELECT COUNT(*) AS n FROM organization_suggestions WHERE instance_id = $1 \
                 AND organization_id = $2 AND email_domain = $3 AND status = 'pending'",
                &[instance_id, organization_id, name],
            ),
            pool,
            |r| Ok(r.get("n")),
        )
        .await?;
        if invitations > 0 || suggestions > 0 {
            out.push(DomainPendingCount {
                name: name.clone(),
                invitations,
                suggestions,
            });
        }
    }
    Ok(out)
}

/// With the organization: called by its delete.
pub async fn delete_of_organization(
    tx: &mut Tx<'_>,
    instance_id: &str,
    organization_id: &str,
) -> StoreResult<()> {
    for sql in [
        "DELETE FROM organization_suggestions WHERE instance_id = $1 AND organization_id = $2",
        "DELETE FROM organization_membership_requests WHERE instance_id = $1 AND organization_id = $2",
    ] {
        execute(text(sql, &[instance_id, organization_id]), &mut **tx).await?;
    }
    Ok(())
}

/// With the user: called by its delete.
pub async fn delete_of_user(tx: &mut Tx<'_>, instance_id: &str, user_id: &str) -> StoreResult<()> {
    for sql in [
        "DELETE FROM organization_suggestions WHERE instance_id = $1 AND user_id = $2",
        "DELETE FROM organization_membership_requests WHERE instance_id = $1 AND user_id = $2",
    ] {
        execute(text(sql, &[instance_id, user_id]), &mut **tx).await?;
    }
    Ok(())
}
