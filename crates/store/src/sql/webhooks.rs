// Webhook storage: endpoints, the delivery queue and attempt history. Included by each backend's
// module, which defines `Db` and `SKIP_LOCKED` (PostgreSQL: ` FOR UPDATE SKIP LOCKED`, so
// concurrent workers on several nodes never pick the same endpoint; SQLite has one writer).
//
// The queue is ordered per endpoint by the event's `seq` (commit order). A worker leases an
// endpoint (`lease_until`, `leased_by`), sends its oldest pending deliveries one by one, and
// records each attempt in its own short transaction: no transaction is open during HTTP. A
// crashed worker's lease expires and another claims the endpoint; what it had in flight is
// still pending, so it is sent again (at least once).

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::store::{StoreError, StoreResult};
use usher_core::users::query::Page;
use usher_core::webhooks::{
    Attempt, AttemptRecord, ClaimedEndpoint, Delivery, DeliveryFilter, DeliveryQuery, DeliveryStatus,
    EndpointStats, PendingDelivery, WebhookEndpoint,
};

use super::db_err;
use super::query::{
    delete_versioned, execute, execute_one, fetch_all, fetch_optional, outbox_event, paged, text,
    versioned,
};
use crate::rows::to_doc;

type WTx<'a> = Transaction<'a, Db>;

async fn write_filter(tx: &mut WTx<'_>, instance_id: &str, ep: &WebhookEndpoint) -> StoreResult<()> {
    execute(
        text(
            "DELETE FROM webhook_endpoint_events WHERE instance_id = $1 AND endpoint_id = $2",
            &[instance_id, ep.id.as_str()],
        ),
        &mut **tx,
    )
    .await?;
    for t in &ep.events {
        execute(
            text(
                "INSERT INTO webhook_endpoint_events (instance_id, endpoint_id, event_type) VALUES ($1, $2, $3)",
                &[instance_id, ep.id.as_str(), t],
            ),
            &mut **tx,
        )
        .await?;
    }
    Ok(())
}

pub async fn insert_endpoint(
    tx: &mut WTx<'_>,
    instance_id: &str,
    ep: &WebhookEndpoint,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO webhook_endpoints (instance_id, id, version, doc, status, all_events, created_at) \
         VALUES ($1, $2, 1, $3, $4, $5, $6)",
    )
    .bind(instance_id)
    .bind(ep.id.as_str())
    .bind(to_doc(ep)?)
    .bind(ep.status.as_str())
    .bind(ep.events.is_empty())
    .bind(ep.created_at)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    write_filter(tx, instance_id, ep).await
}

/// Guarded by the version. Becoming active again clears the retry wait and the failure run.
pub async fn update_endpoint(
    tx: &mut WTx<'_>,
    instance_id: &str,
    ep: &WebhookEndpoint,
) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE webhook_endpoints SET version = version + 1, doc = $3, all_events = $4, \
         retry_at = CASE WHEN $5 = 'active' AND status <> 'active' THEN NULL ELSE retry_at END, \
         failing_since = CASE WHEN $5 = 'active' AND status <> 'active' THEN NULL ELSE failing_since END, \
         status = $5 \
         WHERE instance_id = $1 AND id = $2 AND version = $6",
    )
    .bind(instance_id)
    .bind(ep.id.as_str())
    .bind(to_doc(ep)?)
    .bind(ep.events.is_empty())
    .bind(ep.status.as_str())
    .bind(ep.version);
    execute_one(update, &mut **tx).await?;
    write_filter(tx, instance_id, ep).await
}

pub async fn delete_endpoint(
    tx: &mut WTx<'_>,
    instance_id: &str,
    id: &str,
    version: i64,
) -> StoreResult<()> {
    delete_versioned(&mut **tx, "webhook_endpoints", instance_id, id, version).await?;
    for table in [
        "DELETE FROM webhook_endpoint_events WHERE instance_id = $1 AND endpoint_id = $2",
        "DELETE FROM webhook_deliveries WHERE instance_id = $1 AND endpoint_id = $2",
        "DELETE FROM webhook_attempts WHERE instance_id = $1 AND endpoint_id = $2",
    ] {
        execute(text(table, &[instance_id, id]), &mut **tx).await?;
    }
    Ok(())
}

/// Queues the just-inserted events `event_ids` for every endpoint whose filter accepts them, in
/// one statement however many events the commit raised.
pub async fn fan_out(tx: &mut WTx<'_>, instance_id: &str, event_ids: &[&str]) -> StoreResult<()> {
    if event_ids.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<Db>::new(
        "INSERT INTO webhook_deliveries (instance_id, endpoint_id, event_seq, event_id, event_type, status, attempts, queued_at, updated_at) \
         SELECT e.instance_id, e.id, v.seq, v.id, v.type, 'pending', 0, v.created_at, v.created_at \
         FROM events v JOIN webhook_endpoints e ON e.instance_id = v.instance_id \
         WHERE e.instance_id = ",
    );
    qb.push_bind(instance_id);
    qb.push(" AND v.id IN (");
    let mut ids = qb.separated(", ");
    for id in event_ids {
        ids.push_bind(*id);
    }
    qb.push(
        ") AND (e.all_events OR EXISTS ( \
             SELECT 1 FROM webhook_endpoint_events f \
             WHERE f.instance_id = e.instance_id AND f.endpoint_id = e.id AND f.event_type = v.type))",
    );
    execute(qb.build(), &mut **tx).await?;
    Ok(())
}

/// Marks the just-inserted event as meant for `endpoint_id` only, and queues it there.
pub async fn fan_out_to(
    tx: &mut WTx<'_>,
    instance_id: &str,
    event_id: &str,
    endpoint_id: &str,
) -> StoreResult<()> {
    let ids = [instance_id, event_id, endpoint_id];
    execute(
        text(
            "UPDATE events SET target_endpoint_id = $3 WHERE instance_id = $1 AND id = $2",
            &ids,
        ),
        &mut **tx,
    )
    .await?;
    execute(
        text(
            "INSERT INTO webhook_deliveries (instance_id, endpoint_id, event_seq, event_id, event_type, status, attempts, queued_at, updated_at) \
             SELECT e.instance_id, e.id, v.seq, v.id, v.type, 'pending', 0, v.created_at, v.created_at \
             FROM events v JOIN webhook_endpoints e ON e.instance_id = v.instance_id \
             WHERE v.id = $2 AND e.instance_id = $1 AND e.id = $3",
            &ids,
        ),
        &mut **tx,
    )
    .await?;
    Ok(())
}

pub async fn endpoints(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<WebhookEndpoint>> {
    fetch_all(
        text(
            "SELECT doc, version FROM webhook_endpoints WHERE instance_id = $1 ORDER BY created_at, id",
            &[instance_id],
        ),
        pool,
        versioned,
    )
    .await
}

pub async fn claim(
    pool: &Pool<Db>,
    instance_id: &str,
    worker: &str,
    node: &str,
    now: i64,
    lease_until: i64,
) -> StoreResult<Option<ClaimedEndpoint>> {
    // Least recently leased first, so busy endpoints do not starve the others.
    let sql = format!(
        "UPDATE webhook_endpoints SET lease_until = $4, leased_by = $2, lease_node = $3 \
         WHERE instance_id = $1 AND id = ( \
             SELECT e.id FROM webhook_endpoints e \
             WHERE e.instance_id = $1 AND e.status = 'active' \
               AND (e.leased_by IS NULL OR e.lease_until <= $5) \
               AND (e.retry_at IS NULL OR e.retry_at <= $5) \
               AND EXISTS (SELECT 1 FROM webhook_deliveries d \
                           WHERE d.instance_id = e.instance_id AND d.endpoint_id = e.id AND d.status = 'pending') \
             ORDER BY COALESCE(e.lease_until, 0), e.id LIMIT 1{SKIP_LOCKED}) \
         RETURNING doc, version, failing_since, lease_until"
    );
    let claim = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(instance_id)
        .bind(worker)
        .bind(node)
        .bind(lease_until)
        .bind(now);
    fetch_optional(claim, pool, |r| {
        Ok(ClaimedEndpoint {
            endpoint: versioned(r)?,
            failing_since: r.get("failing_since"),
            lease_until: r.get("lease_until"),
        })
    })
    .await
}

pub async fn pending(
    pool: &Pool<Db>,
    instance_id: &str,
    endpoint_id: &str,
    limit: i64,
) -> StoreResult<Vec<PendingDelivery>> {
    let query = text(
        "SELECT d.attempts, d.queued_at, v.seq, v.id, v.type, v.data, v.attributes, v.created_at \
         FROM webhook_deliveries d JOIN events v ON v.seq = d.event_seq \
         WHERE d.instance_id = $1 AND d.endpoint_id = $2 AND d.status = 'pending' \
         ORDER BY d.event_seq LIMIT $3",
        &[instance_id, endpoint_id],
    )
    .bind(limit);
    fetch_all(query, pool, |r| {
        Ok(PendingDelivery {
            attempts: u32::try_from(r.get::<i64, _>("attempts")).unwrap_or(u32::MAX),
            queued_at: r.get("queued_at"),
            event: outbox_event(r, instance_id)?,
        })
    })
    .await
}

pub async fn record_attempt(
    pool: &Pool<Db>,
    instance_id: &str,
    endpoint_id: &str,
    worker: &str,
    rec: &AttemptRecord,
) -> StoreResult<bool> {
    let a = &rec.attempt;
    let d = &rec.decision;
    let mut tx = super::query::begin_write(pool).await?;
    let attempt = sqlx::query(
        "INSERT INTO webhook_attempts (id, instance_id, endpoint_id, event_seq, event_id, attempted_at, succeeded, \
         response_status, latency_ms, response_excerpt, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&a.id)
    .bind(instance_id)
    .bind(endpoint_id)
    .bind(rec.event_seq)
    .bind(&a.event_id)
    .bind(a.attempted_at)
    .bind(a.succeeded)
    .bind(a.response_status.map(i64::from))
    .bind(a.latency_ms)
    .bind(&a.response_excerpt)
    .bind(&a.error);
    execute(attempt, &mut *tx).await?;
    let delivery = sqlx::query(
        "UPDATE webhook_deliveries SET status = $4, attempts = $5, updated_at = $6, last_attempt_at = $6, \
         last_response_status = $7, last_error = $8 \
         WHERE instance_id = $1 AND endpoint_id = $2 AND event_seq = $3 AND status = 'pending'",
    )
    .bind(instance_id)
    .bind(endpoint_id)
    .bind(rec.event_seq)
    .bind(d.status.as_str())
    .bind(i64::from(d.attempts))
    .bind(a.attempted_at)
    .bind(a.response_status.map(i64::from))
    .bind(&a.error);
    execute(delivery, &mut *tx).await?;
    let lease = sqlx::query(
        "UPDATE webhook_endpoints SET retry_at = $4, failing_since = $5, lease_until = $6 \
         WHERE instance_id = $1 AND id = $2 AND leased_by = $3",
    )
    .bind(instance_id)
    .bind(endpoint_id)
    .bind(worker)
    .bind(d.retry_at)
    .bind(d.failing_since)
    .bind(rec.lease_until);
    let held = execute(lease, &mut *tx).await? == 1;
    tx.commit().await.map_err(db_err)?;
    Ok(held)
}

pub async fn release(
    pool: &Pool<Db>,
    instance_id: &str,
    endpoint_id: &str,
    worker: &str,
) -> StoreResult<()> {
    execute(
        text(
            "UPDATE webhook_endpoints SET leased_by = NULL, lease_node = NULL \
             WHERE instance_id = $1 AND id = $2 AND leased_by = $3",
            &[instance_id, endpoint_id, worker],
        ),
        pool,
    )
    .await?;
    Ok(())
}

pub async fn release_node(
    pool: &Pool<Db>,
    instance_id: &str,
    node: &str,
    except: &str,
) -> StoreResult<u64> {
    execute(
        text(
            "UPDATE webhook_endpoints SET leased_by = NULL, lease_node = NULL \
             WHERE instance_id = $1 AND lease_node = $2 AND leased_by <> $3",
            &[instance_id, node, except],
        ),
        pool,
    )
    .await
}

fn status_from(s: &str) -> StoreResult<DeliveryStatus> {
    DeliveryStatus::parse(s)
        .ok_or_else(|| StoreError::Backend {
            operation: StoreError::QUERY,
            cause: usher_core::error::Cause::msg(format!("unknown delivery status {s}")),
        })
}

fn u16_of(v: Option<i64>) -> Option<u16> {
    v.and_then(|n| u16::try_from(n).ok())
}

pub async fn deliveries(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &DeliveryQuery,
) -> StoreResult<(Vec<Delivery>, i64)> {
    fn filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &DeliveryQuery) {
        qb.push(" WHERE instance_id = ")
            .push_bind(instance_id.to_owned())
            .push(" AND endpoint_id = ")
            .push_bind(q.endpoint_id.to_string());
        match q.status {
            None => {}
            Some(DeliveryFilter::Status(s)) => {
                qb.push(" AND status = ").push_bind(s.as_str());
            }
            Some(DeliveryFilter::Failing) => {
                qb.push(" AND status = 'pending' AND attempts > 0");
            }
        }
        if let Some(e) = &q.event_id {
            qb.push(" AND event_id = ").push_bind(e.to_string());
        }
    }
    let (mut out, total) = paged(
        pool,
        "event_seq, event_id, event_type, status, attempts, queued_at, updated_at, last_attempt_at, \
         last_response_status, last_error",
        |qb| {
            qb.push(" FROM webhook_deliveries");
            filter(qb, instance_id, q);
        },
        " ORDER BY event_seq DESC",
        &Page {
            limit: q.limit,
            offset: q.offset,
        },
        |r| {
            Ok(Delivery {
                endpoint_id: q.endpoint_id.to_string(),
                event_id: r.get("event_id"),
                event_seq: r.get("event_seq"),
                event_type: r.get("event_type"),
                status: status_from(r.get::<&str, _>("status"))?,
                attempts: u32::try_from(r.get::<i64, _>("attempts")).unwrap_or(u32::MAX),
                created_at: r.get("queued_at"),
                updated_at: r.get("updated_at"),
                last_attempt_at: r.get("last_attempt_at"),
                last_response_status: u16_of(r.get("last_response_status")),
                last_error: r.get("last_error"),
                attempt_history: Vec::new(),
            })
        },
    )
    .await?;
    if !out.is_empty() {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT id, event_seq, event_id, attempted_at, succeeded, response_status, latency_ms, response_excerpt, error \
             FROM webhook_attempts WHERE instance_id = ",
        );
        qb.push_bind(instance_id.to_owned())
            .push(" AND endpoint_id = ")
            .push_bind(q.endpoint_id.to_string())
            .push(" AND event_seq IN (");
        let mut sep = qb.separated(", ");
        for d in &out {
            sep.push_bind(d.event_seq);
        }
        qb.push(") ORDER BY attempted_at DESC, id DESC");
        let attempts = fetch_all(qb.build(), pool, |r| {
            Ok((
                r.get::<i64, _>("event_seq"),
                Attempt {
                    id: r.get("id"),
                    endpoint_id: q.endpoint_id.to_string(),
                    event_id: r.get("event_id"),
                    attempted_at: r.get("attempted_at"),
                    succeeded: r.get("succeeded"),
                    response_status: u16_of(r.get("response_status")),
                    latency_ms: r.get("latency_ms"),
                    response_excerpt: r.get("response_excerpt"),
                    error: r.get("error"),
                },
            ))
        })
        .await?;
        for (seq, attempt) in attempts {
            if let Some(d) = out.iter_mut().find(|d| d.event_seq == seq) {
                d.attempt_history.push(attempt);
            }
        }
    }
    Ok((out, total))
}

async fn wake(tx: &mut WTx<'_>, instance_id: &str, endpoint_id: &str) -> StoreResult<()> {
    execute(
        text(
            "UPDATE webhook_endpoints SET retry_at = NULL WHERE instance_id = $1 AND id = $2",
            &[instance_id, endpoint_id],
        ),
        &mut **tx,
    )
    .await?;
    Ok(())
}

pub async fn retry_message(
    pool: &Pool<Db>,
    instance_id: &str,
    event_id: &str,
    endpoint_id: Option<&str>,
    now: i64,
) -> StoreResult<Vec<String>> {
    let mut tx = super::query::begin_write(pool).await?;
    let mut endpoints: Vec<String> = fetch_all(
        text(
            "SELECT endpoint_id FROM webhook_deliveries WHERE instance_id = $1 AND event_id = $2 ORDER BY endpoint_id",
            &[instance_id, event_id],
        ),
        &mut *tx,
        |r| Ok(r.get("endpoint_id")),
    )
    .await?;
    endpoints.retain(|e| endpoint_id.is_none_or(|want| want == e));
    // A retry restarts the schedule whatever the delivery's state: one that failed for good, one
    // that succeeded, and one still pending far into its schedule are all attempted at once (the
    // endpoint's wait is cleared) and get every attempt of the schedule again.
    for ep in &endpoints {
        let reset = text(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, queued_at = $4, updated_at = $4 \
             WHERE instance_id = $1 AND event_id = $2 AND endpoint_id = $3",
            &[instance_id, event_id, ep],
        )
        .bind(now);
        execute(reset, &mut *tx).await?;
        wake(&mut tx, instance_id, ep).await?;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(endpoints)
}

pub async fn replay(
    pool: &Pool<Db>,
    instance_id: &str,
    endpoint_id: &str,
    since: i64,
    now: i64,
) -> StoreResult<i64> {
    let mut tx = super::query::begin_write(pool).await?;
    let requeue = text(
        "INSERT INTO webhook_deliveries (instance_id, endpoint_id, event_seq, event_id, event_type, status, attempts, queued_at, updated_at) \
         SELECT e.instance_id, e.id, v.seq, v.id, v.type, 'pending', 0, $4, $4 \
         FROM events v JOIN webhook_endpoints e ON e.instance_id = v.instance_id \
         WHERE e.instance_id = $1 AND e.id = $2 AND v.created_at >= $3 \
           AND (v.target_endpoint_id IS NULL OR v.target_endpoint_id = e.id) \
           AND (e.all_events OR v.target_endpoint_id = e.id OR EXISTS ( \
               SELECT 1 FROM webhook_endpoint_events f \
               WHERE f.instance_id = e.instance_id AND f.endpoint_id = e.id AND f.event_type = v.type)) \
         ON CONFLICT (instance_id, endpoint_id, event_seq) DO UPDATE \
         SET status = 'pending', attempts = 0, queued_at = excluded.queued_at, updated_at = excluded.updated_at",
        &[instance_id, endpoint_id],
    )
    .bind(since)
    .bind(now);
    let queued = execute(requeue, &mut *tx).await?;
    wake(&mut tx, instance_id, endpoint_id).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(i64::try_from(queued).unwrap_or(i64::MAX))
}

pub async fn stats(
    pool: &Pool<Db>,
    instance_id: &str,
    attempts_since: i64,
) -> StoreResult<Vec<EndpointStats>> {
    let query = text(
        "SELECT e.id, \
           (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.instance_id = e.instance_id AND d.endpoint_id = e.id AND d.status = 'pending') AS depth, \
           (SELECT MIN(d.queued_at) FROM webhook_deliveries d WHERE d.instance_id = e.instance_id AND d.endpoint_id = e.id AND d.status = 'pending') AS oldest, \
           (SELECT COUNT(*) FROM webhook_attempts a WHERE a.instance_id = e.instance_id AND a.endpoint_id = e.id AND a.attempted_at >= $2 AND a.succeeded) AS ok, \
           (SELECT COUNT(*) FROM webhook_attempts a WHERE a.instance_id = e.instance_id AND a.endpoint_id = e.id AND a.attempted_at >= $2 AND NOT a.succeeded) AS failed \
         FROM webhook_endpoints e WHERE e.instance_id = $1 ORDER BY e.created_at, e.id",
        &[instance_id],
    )
    .bind(attempts_since);
    fetch_all(query, pool, |r| {
        Ok(EndpointStats {
            endpoint_id: r.get("id"),
            queue_depth: r.get("depth"),
            oldest_pending_at: r.get("oldest"),
            attempts_succeeded: r.get("ok"),
            attempts_failed: r.get("failed"),
        })
    })
    .await
}
