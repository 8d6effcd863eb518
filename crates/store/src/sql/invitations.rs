// The instance's invitations: reads, and the writes `commit` applies. Included by each
// backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Transaction};
use usher_core::invitations::{Invitation, InvitationQuery, InvitationStatus};
use usher_core::store::StoreResult;

use super::query::{execute, execute_one, fetch_optional, newest_first, text, versioned};
use crate::rows::{like_contains, to_doc};

type Tx<'a> = Transaction<'a, Db>;

pub async fn get(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<Invitation>> {
    fetch_optional(
        text(
            "SELECT doc, version FROM invitations WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        pool,
        versioned,
    )
    .await
}

/// The invitation whose ticket hashes to `digest`, whatever its status; an empty digest names
/// none.
pub async fn by_ticket(
    pool: &Pool<Db>,
    instance_id: &str,
    digest: &str,
) -> StoreResult<Option<Invitation>> {
    if digest.is_empty() {
        return Ok(None);
    }
    fetch_optional(
        text(
            "SELECT doc, version FROM invitations WHERE instance_id = $1 AND ticket_digest = $2",
            &[instance_id, digest],
        ),
        pool,
        versioned,
    )
    .await
}

fn push_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &InvitationQuery) {
    qb.push(" FROM invitations WHERE instance_id = ")
        .push_bind(instance_id.to_owned());
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
) -> StoreResult<(Vec<Invitation>, i64)> {
    newest_first(pool, |qb| push_filter(qb, instance_id, q), &q.page).await
}

pub async fn insert(tx: &mut Tx<'_>, instance_id: &str, inv: &Invitation) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO invitations (instance_id, id, version, email_address, status, expires_at, \
         ticket_digest, doc, created_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)",
        &[
            instance_id,
            inv.id.as_str(),
            &inv.email_address,
            inv.status.as_str(),
        ],
    )
    .bind(inv.expires_at)
    .bind(&inv.ticket_digest)
    .bind(to_doc(inv)?)
    .bind(inv.created_at);
    execute(insert, &mut **tx).await?;
    Ok(())
}

pub async fn update(tx: &mut Tx<'_>, instance_id: &str, inv: &Invitation) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE invitations SET version = version + 1, status = $1, doc = $2 \
         WHERE instance_id = $3 AND id = $4 AND version = $5",
    )
    .bind(inv.status.as_str())
    .bind(to_doc(inv)?)
    .bind(instance_id)
    .bind(inv.id.as_str())
    .bind(inv.version);
    execute_one(update, &mut **tx).await
}
