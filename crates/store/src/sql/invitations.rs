// Invitations of both scopes: the instance's (`invitations`) and the organizations'
// (`organization_invitations`, whose own queries are in `organization_invitations.rs`). The two
// tables share their shape, and the reads, filters and updates here serve both; the instance's
// own functions follow. Included by each backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Transaction};
use usher_core::invitations::{Invitation, InvitationQuery, InvitationStatus};
use usher_core::store::StoreResult;

use super::query::{
    Versioned, execute, execute_one, fetch_optional, newest_first, text, versioned,
};
use crate::rows::{like_contains, to_doc};

type Tx<'a> = Transaction<'a, Db>;

/// The instance's invitations' table.
pub const INSTANCE: &str = "invitations";
/// The organizations' invitations' table.
pub const ORGANIZATION: &str = "organization_invitations";

/// The invitation `id` in `table`.
pub async fn get_in<T: Versioned>(
    pool: &Pool<Db>,
    table: &'static str,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<T>> {
    let mut qb = QueryBuilder::<Db>::new(format!("SELECT doc, version FROM {table}"));
    qb.push(" WHERE instance_id = ")
        .push_bind(instance_id.to_owned())
        .push(" AND id = ")
        .push_bind(id.to_owned());
    fetch_optional(qb.build(), pool, versioned).await
}

/// The invitation in `table` whose ticket hashes to `digest`, whatever its status. An empty
/// digest (an invitation made without a ticket) names none.
pub async fn by_ticket_in<T: Versioned>(
    pool: &Pool<Db>,
    table: &'static str,
    instance_id: &str,
    digest: &str,
) -> StoreResult<Option<T>> {
    if digest.is_empty() {
        return Ok(None);
    }
    let mut qb = QueryBuilder::<Db>::new(format!("SELECT doc, version FROM {table}"));
    qb.push(" WHERE instance_id = ")
        .push_bind(instance_id.to_owned())
        .push(" AND ticket_digest = ")
        .push_bind(digest.to_owned());
    fetch_optional(qb.build(), pool, versioned).await
}

/// `FROM table WHERE …` for `q`: the organization and the addresses when it names them, the
/// search text, and the statuses as a reader sees them at `q.now` (a pending row past its expiry
/// is expired).
fn push_filter(
    qb: &mut QueryBuilder<Db>,
    table: &'static str,
    instance_id: &str,
    q: &InvitationQuery,
) {
    qb.push(" FROM ")
        .push(table)
        .push(" WHERE instance_id = ")
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

/// A page of `table`'s invitations matching `q`, newest first, and how many match.
pub async fn list_in<T: Versioned>(
    pool: &Pool<Db>,
    table: &'static str,
    instance_id: &str,
    q: &InvitationQuery,
) -> StoreResult<(Vec<T>, i64)> {
    newest_first(pool, |qb| push_filter(qb, table, instance_id, q), &q.page).await
}

/// Writes an invitation's new status and document, if its version is still `version`.
pub async fn update_in(
    tx: &mut Tx<'_>,
    table: &'static str,
    instance_id: &str,
    id: &str,
    status: InvitationStatus,
    doc: String,
    version: i64,
) -> StoreResult<()> {
    let mut qb = QueryBuilder::<Db>::new(format!("UPDATE {table}"));
    qb.push(" SET version = version + 1, status = ")
        .push_bind(status.as_str())
        .push(", doc = ")
        .push_bind(doc)
        .push(" WHERE instance_id = ")
        .push_bind(instance_id.to_owned())
        .push(" AND id = ")
        .push_bind(id.to_owned())
        .push(" AND version = ")
        .push_bind(version);
    execute_one(qb.build(), &mut **tx).await
}

pub async fn get(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<Invitation>> {
    get_in(pool, INSTANCE, instance_id, id).await
}

/// The instance invitation whose ticket hashes to `digest`, whatever its status.
pub async fn by_ticket(
    pool: &Pool<Db>,
    instance_id: &str,
    digest: &str,
) -> StoreResult<Option<Invitation>> {
    by_ticket_in(pool, INSTANCE, instance_id, digest).await
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &InvitationQuery,
) -> StoreResult<(Vec<Invitation>, i64)> {
    list_in(pool, INSTANCE, instance_id, q).await
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
    let (id, doc) = (inv.id.as_str(), to_doc(inv)?);
    update_in(tx, INSTANCE, instance_id, id, inv.status, doc, inv.version).await
}
