// The operators' dashboard's own reads (`OpsStore`): webhook attempts counted per hour over
// every endpoint. Included by each backend's module, which defines `Db`.

use sqlx::{Pool, Row};
use usher_core::clock::Millis;
use usher_core::store::{AttemptHour, StoreResult};

use super::query::{fetch_all, text};

pub async fn webhook_attempt_hours(
    pool: &Pool<Db>,
    instance_id: &str,
    since: Millis,
    until: Millis,
) -> StoreResult<Vec<AttemptHour>> {
    let query = text(
        // The hour's length is written out (3600000 ms) so that both backends see one integer
        // expression to group by.
        "SELECT (attempted_at / 3600000) * 3600000 AS hour, COUNT(*) AS total, \
         SUM(CASE WHEN succeeded THEN 1 ELSE 0 END) AS ok \
         FROM webhook_attempts WHERE instance_id = $1 AND attempted_at >= $2 AND attempted_at < $3 \
         GROUP BY (attempted_at / 3600000) * 3600000 ORDER BY hour",
        &[instance_id],
    )
    .bind(since)
    .bind(until);
    fetch_all(query, pool, |r| {
        let total: i64 = r.get("total");
        let ok: i64 = r.get("ok");
        Ok(AttemptHour {
            hour: r.get("hour"),
            succeeded: ok,
            failed: total - ok,
        })
    })
    .await
}
