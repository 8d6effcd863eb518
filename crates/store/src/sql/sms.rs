// Text message storage: each message the SMS sender was handed, inserted by `commit` with its
// `sms.created` event. Included by each backend's module, which defines `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::sms::SmsMessage;
use usher_core::store::StoreResult;
use usher_core::users::query::Page;

use super::query::{DbRow, execute, paged};
use crate::rows::{from_doc, to_doc};

fn from_row(r: &DbRow) -> StoreResult<SmsMessage> {
    from_doc(r.get::<&str, _>("doc"))
}

pub async fn insert(
    tx: &mut Transaction<'_, Db>,
    instance_id: &str,
    m: &SmsMessage,
) -> StoreResult<()> {
    let query = sqlx::query(
        "INSERT INTO sms_messages (instance_id, id, to_phone_number, created_at, doc) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(instance_id)
    .bind(m.id.as_str())
    .bind(&m.to_phone_number)
    .bind(m.created_at)
    .bind(to_doc(m)?);
    execute(query, &mut **tx).await?;
    Ok(())
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    to_phone_number: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<SmsMessage>, i64)> {
    paged(
        pool,
        "doc",
        |qb| {
            qb.push(" FROM sms_messages WHERE instance_id = ")
                .push_bind(instance_id);
            if let Some(to) = to_phone_number {
                qb.push(" AND to_phone_number = ").push_bind(to);
            }
        },
        " ORDER BY seq DESC",
        &Page { limit, offset },
        from_row,
    )
    .await
}
