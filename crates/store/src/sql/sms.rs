// Text message storage: each message the SMS sender was handed, inserted by `commit` with its
// `sms.created` event. A text the SMS provider delivers is also the worker's queue (`delivery`,
// `outbound::SMS`): claimed for an attempt, then its outcome recorded, as emails are. Included
// by each backend's module, which defines `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::sms::{SmsMessage, SmsOutcome};
use usher_core::store::StoreResult;
use usher_core::users::query::Page;

use super::outbound::{self, Outcome, SMS};
use super::query::{DbRow, execute};
use crate::rows::{from_doc, to_doc};

/// The document, with the columns the worker updates laid over it.
pub fn from_row(r: &DbRow) -> StoreResult<SmsMessage> {
    let mut m: SmsMessage = from_doc(r.get::<&str, _>("doc"))?;
    if let Some(status) = r.get::<Option<&str>, _>("delivery") {
        m.status = status.to_owned();
        m.attempts = r.get("attempts");
        m.last_error = r.get("last_error");
        m.provider_sid = r.get("provider_sid");
        m.updated_at = r.get("updated_at");
    }
    Ok(m)
}

pub async fn insert(
    tx: &mut Transaction<'_, Db>,
    instance_id: &str,
    m: &SmsMessage,
) -> StoreResult<()> {
    let query = sqlx::query(
        "INSERT INTO sms_messages (instance_id, id, to_phone_number, created_at, doc, delivery) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(instance_id)
    .bind(m.id.as_str())
    .bind(&m.to_phone_number)
    .bind(m.created_at)
    .bind(to_doc(m)?)
    .bind((m.delivered_by_clerk && m.status == "queued").then_some("queued"));
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
    let page = Page { limit, offset };
    outbound::list(pool, &SMS, from_row, instance_id, to_phone_number, None, &page).await
}

/// `list`, also in one status (`delivery`) if given (the dashboard's filter).
pub async fn list_sent(
    pool: &Pool<Db>,
    instance_id: &str,
    to_phone_number: Option<&str>,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<SmsMessage>, i64)> {
    let page = Page { limit, offset };
    outbound::list(pool, &SMS, from_row, instance_id, to_phone_number, status, &page).await
}

pub async fn record_outcome(
    pool: &Pool<Db>,
    instance_id: &str,
    o: &SmsOutcome,
) -> StoreResult<bool> {
    let outcome = Outcome {
        state: o.status,
        error: o.error.as_deref(),
        provider_sid: o.provider_sid.as_deref(),
        at: o.at,
    };
    outbound::record_outcome(pool, &SMS, instance_id, o.id.as_str(), &outcome).await
}
