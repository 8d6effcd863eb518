// Email storage: the messages the mail worker sends. Included by each backend's module, which
// defines `Db`. A message is inserted by `commit` (with its `email.created` event); the worker
// claims one for an attempt (a single conditional UPDATE, so workers on several nodes never
// send it twice), sends it with no transaction open, and records the outcome. A claim expires,
// so a message a crashed worker held is sent again.

use sqlx::{Pool, Row, Transaction};
use usher_core::mail::{EmailMessage, EmailStatus};
use usher_core::store::{StoreError, StoreResult};
use usher_core::users::identifiers::{IdentifierKind, normalize};

use super::db_err;
use crate::rows::{from_doc, to_doc};

type DbRow = <Db as sqlx::Database>::Row;

/// The columns `from_row` reads.
macro_rules! email_columns {
    () => {
        "doc, status, attempts, last_error, updated_at"
    };
}

/// The document, with the columns the worker updates laid over it.
fn from_row(r: &DbRow) -> StoreResult<EmailMessage> {
    let mut m: EmailMessage = from_doc(r.get::<&str, _>("doc"))?;
    let status: &str = r.get("status");
    m.status = EmailStatus::parse(status)
        .ok_or_else(|| StoreError::Backend {
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
    sqlx::query(
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
    .bind(to_doc(m)?)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    to_email_address: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<EmailMessage>, i64)> {
    let (rows, total) = match to_email_address {
        None => {
            let rows = sqlx::query(concat!(
                "SELECT ",
                email_columns!(),
                " FROM emails WHERE instance_id = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3"
            ))
            .bind(instance_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
            let total: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM emails WHERE instance_id = $1")
                    .bind(instance_id)
                    .fetch_one(pool)
                    .await
                    .map_err(db_err)?;
            (rows, total)
        }
        Some(to) => {
            let to = recipient(to);
            let rows = sqlx::query(concat!(
                "SELECT ",
                email_columns!(),
                " FROM emails WHERE instance_id = $1 AND to_email_address = $2 \
                 ORDER BY seq DESC LIMIT $3 OFFSET $4"
            ))
            .bind(instance_id)
            .bind(&to)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM emails WHERE instance_id = $1 AND to_email_address = $2",
            )
            .bind(instance_id)
            .bind(&to)
            .fetch_one(pool)
            .await
            .map_err(db_err)?;
            (rows, total)
        }
    };
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok((items, total))
}

pub async fn get(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<EmailMessage>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        email_columns!(),
        " FROM emails WHERE instance_id = $1 AND id = $2"
    ))
    .bind(instance_id)
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.as_ref().map(from_row).transpose()
}

pub async fn queued(
    pool: &Pool<Db>,
    instance_id: &str,
    limit: i64,
) -> StoreResult<Vec<EmailMessage>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        email_columns!(),
        " FROM emails WHERE instance_id = $1 AND status = 'queued' ORDER BY seq LIMIT $2"
    ))
    .bind(instance_id)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(from_row).collect()
}

pub async fn claim(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
    now: i64,
    lease_until: i64,
) -> StoreResult<bool> {
    let res = sqlx::query(
        "UPDATE emails SET lease_until = $4 \
         WHERE instance_id = $1 AND id = $2 AND status = 'queued' \
         AND (lease_until IS NULL OR lease_until <= $3)",
    )
    .bind(instance_id)
    .bind(id)
    .bind(now)
    .bind(lease_until)
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(res.rows_affected() == 1)
}

pub async fn record_outcome(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
    status: EmailStatus,
    error: Option<&str>,
    now: i64,
) -> StoreResult<bool> {
    let res = sqlx::query(
        "UPDATE emails SET status = $3, last_error = $4, attempts = attempts + 1, updated_at = $5, \
         lease_until = NULL WHERE instance_id = $1 AND id = $2",
    )
    .bind(instance_id)
    .bind(id)
    .bind(status.as_str())
    .bind(error)
    .bind(now)
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(res.rows_affected() == 1)
}
