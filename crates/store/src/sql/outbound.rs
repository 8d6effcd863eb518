// The outbound queues (emails, text messages), written once over either table. Included by
// each backend's module, which defines `Db`. A message waiting to leave has its state column at
// `queued`; a worker claims it for one attempt with a single conditional UPDATE (so workers on
// several nodes never send it twice), sends it with no transaction open, and records the
// outcome. A claim expires, so a message a crashed worker held is sent again. The readers take
// the queue and its row mapper before the call's own arguments, so a store impl names the queue
// once and hands the rest straight through.

use sqlx::Pool;
use usher_core::store::StoreResult;
use usher_core::users::query::Page;

use super::query::{DbRow, execute, fetch_all, fetch_optional, paged, text};

/// One outbound queue: its table, the column holding a message's delivery state, the column
/// naming its recipient, the columns its rows are read with, and the statements over them.
pub struct Queue {
    table: &'static str,
    state: &'static str,
    recipient: &'static str,
    columns: &'static str,
    get: &'static str,
    queued: &'static str,
    claim: &'static str,
    outcome: &'static str,
    /// Whether an outcome keeps the provider's id of the message (`$6`).
    provider_sid: bool,
}

/// The queue over `$table`, its state in `$state`; `$outcome_extra` is what an outcome also
/// sets besides the state, the error, the attempt count, the time and the claim.
macro_rules! queue {
    ($table:literal, $state:literal, $recipient:literal, $columns:literal, $outcome_extra:literal, $provider_sid:literal) => {
        Queue {
            table: $table,
            state: $state,
            recipient: $recipient,
            columns: $columns,
            get: concat!(
                "SELECT ",
                $columns,
                " FROM ",
                $table,
                " WHERE instance_id = $1 AND id = $2"
            ),
            queued: concat!(
                "SELECT ",
                $columns,
                " FROM ",
                $table,
                " WHERE instance_id = $1 AND ",
                $state,
                " = 'queued' ORDER BY seq LIMIT $2"
            ),
            claim: concat!(
                "UPDATE ",
                $table,
                " SET lease_until = $4 \
                 WHERE instance_id = $1 AND id = $2 AND ",
                $state,
                " = 'queued' \
                 AND (lease_until IS NULL OR lease_until <= $3)"
            ),
            outcome: concat!(
                "UPDATE ",
                $table,
                " SET ",
                $state,
                " = $3, last_error = $4, ",
                $outcome_extra,
                "attempts = attempts + 1, updated_at = $5, lease_until = NULL \
                 WHERE instance_id = $1 AND id = $2 AND ",
                $state,
                " IS NOT NULL"
            ),
            provider_sid: $provider_sid,
        }
    };
}

/// Emails: every one is queued until the mail worker has tried it.
pub const EMAILS: Queue = queue!(
    "emails",
    "status",
    "to_email_address",
    "doc, status, attempts, last_error, updated_at",
    "",
    false
);

/// Text messages: only those the SMS provider delivers have a delivery state (the others go
/// out as `sms.created` webhooks).
pub const SMS: Queue = queue!(
    "sms_messages",
    "delivery",
    "to_phone_number",
    "doc, delivery, attempts, last_error, provider_sid, updated_at",
    "provider_sid = COALESCE($6, provider_sid), ",
    true
);

/// A page of the queue's messages, newest first, to `to` only if given (in the recipient
/// column's stored form), in one delivery state only if given, and the total matching.
#[allow(clippy::too_many_arguments)]
pub async fn list<T>(
    pool: &Pool<Db>,
    q: &Queue,
    from_row: fn(&DbRow) -> StoreResult<T>,
    instance_id: &str,
    to: Option<&str>,
    state: Option<&str>,
    page: &Page,
) -> StoreResult<(Vec<T>, i64)> {
    paged(
        pool,
        q.columns,
        |qb| {
            qb.push(" FROM ")
                .push(q.table)
                .push(" WHERE instance_id = ")
                .push_bind(instance_id);
            if let Some(to) = to {
                qb.push(" AND ").push(q.recipient).push(" = ").push_bind(to);
            }
            if let Some(state) = state {
                qb.push(" AND ").push(q.state).push(" = ").push_bind(state);
            }
        },
        " ORDER BY seq DESC",
        page,
        from_row,
    )
    .await
}

/// The message `id`, whatever its state.
pub async fn get<T>(
    pool: &Pool<Db>,
    q: &Queue,
    from_row: fn(&DbRow) -> StoreResult<T>,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<T>> {
    fetch_optional(text(q.get, &[instance_id, id]), pool, from_row).await
}

/// The queued messages (retries included), oldest first.
pub async fn queued<T>(
    pool: &Pool<Db>,
    q: &Queue,
    from_row: fn(&DbRow) -> StoreResult<T>,
    instance_id: &str,
    limit: i64,
) -> StoreResult<Vec<T>> {
    fetch_all(text(q.queued, &[instance_id]).bind(limit), pool, from_row).await
}

/// Takes a queued message for one attempt until `lease_until`. False: it is not queued, or
/// another worker's claim has not expired.
pub async fn claim(
    pool: &Pool<Db>,
    q: &Queue,
    instance_id: &str,
    id: &str,
    now: i64,
    lease_until: i64,
) -> StoreResult<bool> {
    let query = text(q.claim, &[instance_id, id])
        .bind(now)
        .bind(lease_until);
    Ok(execute(query, pool).await? == 1)
}

/// What one attempt came to, as [`record_outcome`] writes it.
pub struct Outcome<'a> {
    /// The new state: `queued` again for a retry.
    pub state: &'a str,
    pub error: Option<&'a str>,
    /// The provider's id of the message, once it took it (kept where the queue has one).
    pub provider_sid: Option<&'a str>,
    pub at: i64,
}

/// Records an attempt: the new state, its error, one more attempt, `updated_at`, and frees
/// the claim. False: no such message in the queue.
pub async fn record_outcome(
    pool: &Pool<Db>,
    q: &Queue,
    instance_id: &str,
    id: &str,
    o: &Outcome<'_>,
) -> StoreResult<bool> {
    let mut query = text(q.outcome, &[instance_id, id, o.state])
        .bind(o.error)
        .bind(o.at);
    if q.provider_sid {
        query = query.bind(o.provider_sid);
    }
    Ok(execute(query, pool).await? == 1)
}
