// Hourly activity counters, added to in batches with an upsert; and the audit log and outbox
// read by time (the incident report). Included by each backend's module, which defines `Db`.

use sqlx::{Pool, Row};
use usher_core::activity::{ActivityCount, ActivityKind};
use usher_core::audit::AuditEntry;
use usher_core::clock::Millis;
use usher_core::error::Cause;
use usher_core::events::OutboxEvent;
use usher_core::store::{StoreError, StoreResult};

use super::query::{audit_entry, execute, fetch_all, outbox_event, text};

pub async fn add(pool: &Pool<Db>, instance_id: &str, counts: &[ActivityCount]) -> StoreResult<()> {
    if counts.is_empty() {
        return Ok(());
    }
    let mut tx = super::query::begin_write(pool).await?;
    for c in counts {
        let upsert = text(
            "INSERT INTO activity_counters (instance_id, hour, kind, count) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (instance_id, hour, kind) DO UPDATE SET count = activity_counters.count + excluded.count",
            &[instance_id],
        )
        .bind(c.hour)
        .bind(c.kind.as_str())
        .bind(c.count);
        execute(upsert, &mut *tx).await?;
    }
    tx.commit().await.map_err(super::db_err)?;
    Ok(())
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    since: Millis,
    until: Millis,
) -> StoreResult<Vec<ActivityCount>> {
    let query = text(
        "SELECT hour, kind, count FROM activity_counters WHERE instance_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour, kind",
        &[instance_id],
    )
    .bind(since)
    .bind(until);
    fetch_all(query, pool, |r| {
        let kind: String = r.get("kind");
        Ok(ActivityCount {
            hour: r.get("hour"),
            kind: ActivityKind::parse(&kind).ok_or_else(|| StoreError::Backend {
                operation: StoreError::QUERY,
                cause: Cause::msg(format!("unknown activity kind {kind:?}")),
            })?,
            count: r.get("count"),
        })
    })
    .await
}

pub async fn audit_between(
    pool: &Pool<Db>,
    instance_id: &str,
    since: Millis,
    until: Millis,
    limit: i64,
) -> StoreResult<Vec<AuditEntry>> {
    let query = text(
        "SELECT seq, id, actor, action, target_id, trace_id, client_ip, at FROM audit_log \
         WHERE instance_id = $1 AND at >= $2 AND at < $3 ORDER BY seq LIMIT $4",
        &[instance_id],
    )
    .bind(since)
    .bind(until)
    .bind(limit);
    fetch_all(query, pool, |r| audit_entry(r, instance_id))
    .await
}

pub async fn events_between(
    pool: &Pool<Db>,
    instance_id: &str,
    since: Millis,
    until: Millis,
    limit: i64,
) -> StoreResult<Vec<OutboxEvent>> {
    let query = text(
        "SELECT seq, id, type, data, attributes, created_at FROM events \
         WHERE instance_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY seq LIMIT $4",
        &[instance_id],
    )
    .bind(since)
    .bind(until)
    .bind(limit);
    fetch_all(query, pool, |r| outbox_event(r, instance_id)).await
}
