// Email storage: the messages the mail worker sends. Included by each backend's module, which
// defines `Db`. A message is inserted by `commit` (with its `email.created` event); the worker
// claims, sends and records it through the outbound queue (`outbound::EMAILS`).

use sqlx::{Pool, Row, Transaction};
use usher_core::mail::{EmailMessage, EmailStatus};
use usher_core::store::{StoreError, StoreResult};
use usher_core::users::identifiers::{IdentifierKind, normalize};
use usher_core::users::query::Page;

use super::outbound::{self, EMAILS, Outcome};
use super::query::{DbRow, execute};
use crate::rows::{from_doc, to_doc};

/// The document, with the columns the worker updates laid over it.
pub fn from_row(r: &DbRow) -> StoreResult<EmailMessage> {
    let mut m: EmailMessage = from_doc(r.get::<&str, _>("doc"))?;
    let status: &str = r.get("status");
    m.status = EmailStatus::parse(status).ok_or_else(|| StoreError::Backend {
        operation: StoreError::QUERY,
        cause: usher_core::error::Cause::msg(format!("unknown email status {status:?}")),
    })?;
    m.attempts = r.get("attempts");
    m.last_error = r.get("last_error");
    m.updated_at = r.get("updated_at");
    Ok(m)
}

fn recipient(addr: &str) -> String {
    normalize(IdentifierKind::Email, addr)
}

pub async fn insert(
    tx: &mut Transaction<'_, Db>,
    instance_id: &str,
    m: &EmailMessage,
) -> StoreResult<()> {
    let query = sqlx::query(
        "INSERT INTO emails (instance_id, id, to_email_address, status, attempts, last_error, created_at, updated_at, doc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(instance_id)
    .bind(m.id.as_str())
    .bind(recipient(&m.to_email_address))
    .bind(m.status.as_str())
    .bind(m.attempts)
    .bind(&m.last_error)
    .bind(m.created_at)
    .bind(m.updated_at)
    .bind(to_doc(m)?);
    execute(query, &mut **tx).await?;
    Ok(())
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    to_email_address: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<EmailMessage>, i64)> {
    let to = to_email_address.map(recipient);
    let page = Page { limit, offset };
    outbound::list(pool, &EMAILS, from_row, instance_id, to.as_deref(), None, &page).await
}

/// `list`, also in one status if given (the dashboard's filter).
pub async fn list_sent(
    pool: &Pool<Db>,
    instance_id: &str,
    to_email_address: Option<&str>,
    status: Option<EmailStatus>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<EmailMessage>, i64)> {
    let to = to_email_address.map(recipient);
    let page = Page { limit, offset };
    let state = status.map(|s| s.as_str());
    outbound::list(pool, &EMAILS, from_row, instance_id, to.as_deref(), state, &page).await
}

pub async fn record_outcome(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
    status: EmailStatus,
    error: Option<&str>,
    now: i64,
) -> StoreResult<bool> {
    let outcome = Outcome {
        state: status.as_str(),
        error,
        provider_sid: None,
        at: now,
    };
    outbound::record_outcome(pool, &EMAILS, instance_id, id, &outcome).await
}
