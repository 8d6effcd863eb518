// Organization invitations: reads, and the writes `commit` applies. Included by each backend's
// module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::organizations::invitations::{
    InvitationQuery, InvitationStatus, OrganizationInvitation,
};
use usher_core::clock::Millis;
use usher_core::ids::OrganizationId;
use usher_core::store::{StoreError, StoreResult};

use super::query::{
    execute, execute_one, execute_unique, fetch_all, fetch_optional, newest_first, text, versioned,
};
use crate::rows::{like_contains, to_doc};

type Tx<'a> = Transaction<'a, Db>;

pub async fn get(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<OrganizationInvitation>> {
    fetch_optional(
        text(
            "SELECT doc, version FROM organization_invitations WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        pool,
        versioned,
    )
    .await
}

/// The invitation whose ticket hashes to `digest`, whatever its status. An empty digest (an
/// invitation made without a ticket) names none.
pub async fn by_ticket(
    pool: &Pool<Db>,
    instance_id: &str,
    digest: &str,
) -> StoreResult<Option<OrganizationInvitation>> {
    if digest.is_empty() {
        return Ok(None);
    }
    fetch_optional(
        text(
            "SELECT doc, version FROM organization_invitations \
             WHERE instance_id = $1 AND ticket_digest = $2",
            &[instance_id, digest],
        ),
        pool,
        versioned,
    )
    .await
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
    if let Some(emails) = &q.any_email_address {
        qb.push(" AND (1 = 0");
        for e in emails {
            qb.push(" OR email_address = ").push_bind(e.to_lowercase());
        }
        qb.push(")");
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
    newest_first(pool, |qb| push_filter(qb, instance_id, q), &q.page).await
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
    fetch_all(qb.build(), pool, |r| {
        Ok((
            OrganizationId::from_stored(r.get::<&str, _>("organization_id")),
            r.get::<i64, _>("n"),
        ))
    })
    .await
}

pub async fn insert(
    tx: &mut Tx<'_>,
    instance_id: &str,
    inv: &OrganizationInvitation,
) -> StoreResult<()> {
    let expire = text(
        "UPDATE organization_invitations SET status = 'expired' \
         WHERE instance_id = $1 AND organization_id = $2 AND email_address = $3 \
         AND status = 'pending' AND expires_at <= $4",
        &[instance_id, inv.organization_id.as_str(), &inv.email_address],
    )
    .bind(inv.created_at);
    execute(expire, &mut **tx).await?;
    let insert = text(
        "INSERT INTO organization_invitations (instance_id, id, version, organization_id, \
         email_address, status, role, expires_at, doc, created_at, ticket_digest) \
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            instance_id,
            inv.id.as_str(),
            inv.organization_id.as_str(),
            &inv.email_address,
            inv.status.as_str(),
            &inv.role,
        ],
    )
    .bind(inv.expires_at)
    .bind(to_doc(inv)?)
    .bind(inv.created_at)
    .bind(&inv.ticket_digest);
    execute_unique(insert, &mut **tx, StoreError::InvitationPending).await?;
    Ok(())
}

pub async fn update(
    tx: &mut Tx<'_>,
    instance_id: &str,
    inv: &OrganizationInvitation,
) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE organization_invitations SET version = version + 1, status = $1, doc = $2 \
         WHERE instance_id = $3 AND id = $4 AND version = $5",
    )
    .bind(inv.status.as_str())
    .bind(to_doc(inv)?)
    .bind(instance_id)
    .bind(inv.id.as_str())
    .bind(inv.version);
    execute_one(update, &mut **tx).await
}
