// What the operators' dashboard reads: Usher's own security events in the outbox, newest first.
// The type range `[usher.security., usher.security/)` is every type with that prefix (`/` follows
// `.`), read through `events_by_type` on both backends. Included by each backend's module, which
// defines `Db`.

use sqlx::{Pool, Row};
use usher_core::events::OutboxEvent;
use usher_core::store::StoreResult;
use usher_core::users::query::Page;

use super::query::{fetch_all, fetch_one, outbox_event, text};

const FROM: &str = "usher.security.";
const UNTIL: &str = "usher.security/";

pub async fn security_events(
    pool: &Pool<Db>,
    instance_id: &str,
    page: &Page,
) -> StoreResult<(Vec<OutboxEvent>, i64)> {
    let rows = text(
        "SELECT seq, id, type, data, attributes, created_at FROM events \
         WHERE instance_id = $1 AND type >= $2 AND type < $3 ORDER BY seq DESC LIMIT $4 OFFSET $5",
        &[instance_id, FROM, UNTIL],
    )
    .bind(page.limit)
    .bind(page.offset);
    let events = fetch_all(rows, pool, |r| outbox_event(r, instance_id)).await?;
    let count = text(
        "SELECT COUNT(*) AS n FROM events WHERE instance_id = $1 AND type >= $2 AND type < $3",
        &[instance_id, FROM, UNTIL],
    );
    let total = fetch_one(count, pool, |r| Ok(r.get::<i64, _>("n"))).await?;
    Ok((events, total))
}
