// Organization invitations: the reads and writes of this scope alone (the ones both scopes share
// are in `invitations.rs`). Included by each backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::clock::Millis;
use usher_core::ids::OrganizationId;
use usher_core::organizations::invitations::{InvitationQuery, OrganizationInvitation};
use usher_core::store::{StoreError, StoreResult};

use super::invitations::{ORGANIZATION, by_ticket_in, get_in, list_in, update_in};
use super::query::{execute, execute_unique, fetch_all, text};
use crate::rows::to_doc;

type Tx<'a> = Transaction<'a, Db>;

pub async fn get(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<OrganizationInvitation>> {
    get_in(pool, ORGANIZATION, instance_id, id).await
}

/// The organization invitation whose ticket hashes to `digest`, whatever its status.
pub async fn by_ticket(
    pool: &Pool<Db>,
    instance_id: &str,
    digest: &str,
) -> StoreResult<Option<OrganizationInvitation>> {
    by_ticket_in(pool, ORGANIZATION, instance_id, digest).await
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &InvitationQuery,
) -> StoreResult<(Vec<OrganizationInvitation>, i64)> {
    list_in(pool, ORGANIZATION, instance_id, q).await
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
    let (id, doc) = (inv.id.as_str(), to_doc(inv)?);
    update_in(tx, ORGANIZATION, instance_id, id, inv.status, doc, inv.version).await
}
