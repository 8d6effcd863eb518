// What the operators' dashboard reads: Usher's own security events in the outbox, newest first.
// The prefix is matched with `substr` and equality, which no collation changes (a text range
// would be reordered by a PostgreSQL locale that ignores punctuation); `events_by_type` lets the
// count read the index alone. Included by each backend's module, which defines `Db`.

use sqlx::{Pool, Row};
use usher_core::events::OutboxEvent;
use usher_core::store::StoreResult;
use usher_core::users::query::Page;

use super::query::{fetch_all, fetch_one, outbox_event, text};

const PREFIX: &str = usher_core::store::SECURITY_EVENT_PREFIX;

pub async fn security_events(
    pool: &Pool<Db>,
    instance_id: &str,
    page: &Page,
) -> StoreResult<(Vec<OutboxEvent>, i64)> {
    let rows = text(
        "SELECT seq, id, type, data, attributes, created_at FROM events \
         WHERE instance_id = $1 AND substr(type, 1, 15) = $2 ORDER BY seq DESC LIMIT $3 OFFSET $4",
        &[instance_id, PREFIX],
    )
    .bind(page.limit)
    .bind(page.offset);
    let events = fetch_all(rows, pool, |r| outbox_event(r, instance_id)).await?;
    let count = text(
        "SELECT COUNT(*) AS n FROM events WHERE instance_id = $1 AND substr(type, 1, 15) = $2",
        &[instance_id, PREFIX],
    );
    let total = fetch_one(count, pool, |r| Ok(r.get::<i64, _>("n"))).await?;
    Ok((events, total))
}
