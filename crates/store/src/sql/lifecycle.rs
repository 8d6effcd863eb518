// Data lifecycle: a deleted user's purge and retention. Included by each backend's module, which
// defines `Db`.
//
// A purge is claimed with an expiring lease by one conditional UPDATE (a node that loses the race
// updates nothing), then completed in batches, each one transaction: the user's remaining rows,
// then the outbox's payloads from `scan_seq` to `scan_end`. Retention deletes bounded batches of
// each kind in a transaction of its own, never a pending webhook delivery nor an event a
// delivery still refers to (the queue reads payloads from `events` by sequence).

use sqlx::{Pool, Row, Transaction};
use usher_core::ids::UserId;
use usher_core::lifecycle::{PiiPurge, Pruned, PurgeStep, RetentionCutoffs, redact};
use usher_core::store::StoreResult;

use super::db_err;
use super::query::{DbRow, execute, fetch_all, fetch_optional, text};
use crate::rows::{from_doc, to_doc};

type LTx<'a> = Transaction<'a, Db>;

fn purge_from_row(r: &DbRow) -> StoreResult<PiiPurge> {
    Ok(PiiPurge {
        user_id: UserId::from_stored(r.get::<String, _>("user_id")),
        identifiers: from_doc(r.get::<&str, _>("identifiers"))?,
        deleted_at: r.get("deleted_at"),
        done_at: r.get("done_at"),
    })
}

/// The purge a user's delete commits, and the rows keyed by the user nothing else removes.
pub async fn queue(tx: &mut LTx<'_>, instance_id: &str, p: &PiiPurge) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO pii_purges (instance_id, user_id, identifiers, deleted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (instance_id, user_id) DO NOTHING",
        &[instance_id, p.user_id.as_str(), &to_doc(&p.identifiers)?],
    )
    .bind(p.deleted_at);
    execute(insert, &mut **tx).await?;
    for table in [
        "DELETE FROM sign_in_tokens WHERE instance_id = $1 AND user_id = $2",
        "DELETE FROM actor_tokens WHERE instance_id = $1 AND user_id = $2",
    ] {
        execute(text(table, &[instance_id, p.user_id.as_str()]), &mut **tx).await?;
    }
    Ok(())
}

pub async fn claim(
    pool: &Pool<Db>,
    instance_id: &str,
    now: i64,
    lease_until: i64,
) -> StoreResult<Option<PiiPurge>> {
    let claim = text(
        "UPDATE pii_purges SET lease_until = $3 WHERE instance_id = $1 AND user_id = ( \
           SELECT user_id FROM pii_purges WHERE instance_id = $1 AND done_at IS NULL \
           AND (lease_until IS NULL OR lease_until <= $2) ORDER BY deleted_at, user_id LIMIT 1) \
         AND done_at IS NULL AND (lease_until IS NULL OR lease_until <= $2) \
         RETURNING user_id, identifiers, deleted_at, done_at",
        &[instance_id],
    )
    .bind(now)
    .bind(lease_until);
    fetch_optional(claim, pool, purge_from_row).await
}

pub async fn list(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<PiiPurge>> {
    let q = text(
        "SELECT user_id, identifiers, deleted_at, done_at FROM pii_purges WHERE instance_id = $1 \
         ORDER BY deleted_at, user_id",
        &[instance_id],
    );
    fetch_all(q, pool, purge_from_row).await
}

/// The user's rows outside the outbox: sessions, text messages and emails to their numbers and
/// addresses (queued emails once pending payloads are scrubbed too), invitations to their
/// addresses, sign-ins and sign-ups naming them in browser clients, and the client address of
/// audit entries by or about them.
async fn remove_rows(
    tx: &mut LTx<'_>,
    instance_id: &str,
    p: &PiiPurge,
    all_emails: bool,
) -> StoreResult<u64> {
    let user = p.user_id.as_str();
    let mut n = scrub_clients(tx, instance_id, p).await?;
    n += execute(
        text(
            "DELETE FROM sessions WHERE instance_id = $1 AND user_id = $2",
            &[instance_id, user],
        ),
        &mut **tx,
    )
    .await?;
    let actor = format!("user:{user}");
    n += execute(
        text(
            "UPDATE audit_log SET client_ip = NULL WHERE instance_id = $1 \
             AND (target_id = $2 OR actor = $3 OR actor = $2) AND client_ip IS NOT NULL",
            &[instance_id, user, &actor],
        ),
        &mut **tx,
    )
    .await?;
    for phone in p.phone_numbers() {
        n += execute(
            text(
                "DELETE FROM sms_messages WHERE instance_id = $1 AND to_phone_number = $2",
                &[instance_id, &phone],
            ),
            &mut **tx,
        )
        .await?;
    }
    let emails = if all_emails {
        "DELETE FROM emails WHERE instance_id = $1 AND to_email_address = $2"
    } else {
        "DELETE FROM emails WHERE instance_id = $1 AND to_email_address = $2 AND status <> 'queued'"
    };
    for address in p.email_addresses() {
        n += execute(text(emails, &[instance_id, &address]), &mut **tx).await?;
        n += execute(
            text(
                "DELETE FROM organization_invitations WHERE instance_id = $1 AND lower(email_address) = $2",
                &[instance_id, &address],
            ),
            &mut **tx,
        )
        .await?;
    }
    Ok(n)
}

/// Browser clients whose sign-in or sign-up in progress names the user: that attempt goes (the
/// client stays, its version moves so a concurrent write retries).
async fn scrub_clients(tx: &mut LTx<'_>, instance_id: &str, p: &PiiPurge) -> StoreResult<u64> {
    let mut n = 0;
    let needles: Vec<String> = p
        .needles()
        .into_iter()
        .chain(std::iter::once(p.user_id.to_string().to_lowercase()))
        .collect();
    for needle in &needles {
        let pattern = format!("%{needle}%");
        let q = text(
            "SELECT id, doc FROM clients WHERE instance_id = $1 AND doc IS NOT NULL AND lower(doc) LIKE $2",
            &[instance_id, &pattern],
        );
        let rows = fetch_all(q, &mut **tx, |r| {
            Ok((r.get::<String, _>("id"), r.get::<String, _>("doc")))
        })
        .await?;
        for (id, doc) in rows {
            let mut v: serde_json::Value = from_doc(&doc)?;
            let mut changed = false;
            for key in ["sign_in", "sign_up"] {
                if let Some(attempt) = v.get_mut(key)
                    && !attempt.is_null()
                    && p.concerns(&attempt.to_string())
                {
                    *attempt = serde_json::Value::Null;
                    changed = true;
                }
            }
            if changed {
                let update = text(
                    "UPDATE clients SET doc = $3, version = version + 1 WHERE instance_id = $1 AND id = $2",
                    &[instance_id, &id, &to_doc(&v)?],
                );
                n += execute(update, &mut **tx).await?;
            }
        }
    }
    Ok(n)
}

async fn emails_left(tx: &mut LTx<'_>, instance_id: &str, p: &PiiPurge) -> StoreResult<bool> {
    for address in p.email_addresses() {
        let q = text(
            "SELECT 1 AS one FROM emails WHERE instance_id = $1 AND to_email_address = $2 LIMIT 1",
            &[instance_id, &address],
        );
        if fetch_optional(q, &mut **tx, |_| Ok(())).await?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn pending_delivery(tx: &mut LTx<'_>, instance_id: &str, event_id: &str) -> StoreResult<bool> {
    let q = text(
        "SELECT 1 AS one FROM webhook_deliveries WHERE instance_id = $1 AND event_id = $2 \
         AND status = 'pending' LIMIT 1",
        &[instance_id, event_id],
    );
    Ok(fetch_optional(q, &mut **tx, |_| Ok(())).await?.is_some())
}

struct Cursor {
    scan_seq: i64,
    scan_end: Option<i64>,
    done: bool,
}

pub async fn step(
    pool: &Pool<Db>,
    instance_id: &str,
    p: &PiiPurge,
    now: i64,
    limit: i64,
) -> StoreResult<PurgeStep> {
    let mut tx = super::query::begin_write(pool).await?;
    let user = p.user_id.as_str();
    let read = text(
        "SELECT scan_seq, scan_end, done_at FROM pii_purges WHERE instance_id = $1 AND user_id = $2",
        &[instance_id, user],
    );
    let cursor = fetch_optional(read, &mut *tx, |r| {
        Ok(Cursor {
            scan_seq: r.get("scan_seq"),
            scan_end: r.get("scan_end"),
            done: r.get::<Option<i64>, _>("done_at").is_some(),
        })
    })
    .await?;
    let Some(cursor) = cursor else {
        return Ok(PurgeStep::default());
    };
    if cursor.done {
        return Ok(PurgeStep {
            scrubbed: 0,
            done: true,
            held: false,
        });
    }
    let scrub_pending = p.scrub_pending(now);
    let mut scrubbed = 0;
    let scan_end = match cursor.scan_end {
        Some(end) => end,
        None => {
            // The first batch: the rows keyed by the user go, and the outbox is scanned up to
            // the newest event now (later ones cannot describe a deleted user).
            scrubbed += remove_rows(&mut tx, instance_id, p, scrub_pending).await?;
            let newest = text(
                "SELECT COALESCE(MAX(seq), 0) AS newest FROM events WHERE instance_id = $1",
                &[instance_id],
            );
            fetch_optional(newest, &mut *tx, |r| Ok(r.get::<i64, _>("newest")))
                .await?
                .unwrap_or(0)
        }
    };
    let events = text(
        "SELECT seq, id, data, attributes FROM events WHERE instance_id = $1 AND seq > $2 AND seq <= $3 \
         ORDER BY seq LIMIT $4",
        &[instance_id],
    )
    .bind(cursor.scan_seq)
    .bind(scan_end)
    .bind(limit);
    let rows = fetch_all(events, &mut *tx, |r| {
        Ok((
            r.get::<i64, _>("seq"),
            r.get::<String, _>("id"),
            r.get::<String, _>("data"),
            r.get::<String, _>("attributes"),
        ))
    })
    .await?;
    let needles = p.needles();
    let mut at = cursor.scan_seq;
    let mut held = false;
    for (seq, id, data, attributes) in rows {
        if p.concerns(&data) || p.concerns(&attributes) {
            if !scrub_pending && pending_delivery(&mut tx, instance_id, &id).await? {
                held = true;
                break;
            }
            let mut data_v: serde_json::Value = from_doc(&data)?;
            let mut attr_v: serde_json::Value = from_doc(&attributes)?;
            let changed = redact(&mut data_v, &needles) | redact(&mut attr_v, &needles);
            if changed {
                let update = text(
                    "UPDATE events SET data = $3, attributes = $4 WHERE instance_id = $1 AND id = $2",
                    &[instance_id, &id, &to_doc(&data_v)?, &to_doc(&attr_v)?],
                );
                scrubbed += execute(update, &mut *tx).await?;
            }
        }
        at = seq;
    }
    if !held && at < scan_end {
        // A short page reached the end of what is stored (pruned or missing sequences).
        let more = text(
            "SELECT 1 AS one FROM events WHERE instance_id = $1 AND seq > $2 AND seq <= $3 LIMIT 1",
            &[instance_id],
        )
        .bind(at)
        .bind(scan_end);
        if fetch_optional(more, &mut *tx, |_| Ok(())).await?.is_none() {
            at = scan_end;
        }
    }
    let mut done = false;
    if !held && at >= scan_end {
        scrubbed += remove_rows(&mut tx, instance_id, p, scrub_pending).await?;
        done = !emails_left(&mut tx, instance_id, p).await?;
        held = !done;
    }
    let save = if done {
        text(
            "UPDATE pii_purges SET scan_seq = $3, scan_end = $4, done_at = $5, identifiers = '[]', \
             lease_until = NULL WHERE instance_id = $1 AND user_id = $2",
            &[instance_id, user],
        )
        .bind(at)
        .bind(scan_end)
        .bind(now)
    } else {
        text(
            "UPDATE pii_purges SET scan_seq = $3, scan_end = $4 WHERE instance_id = $1 AND user_id = $2",
            &[instance_id, user],
        )
        .bind(at)
        .bind(scan_end)
    };
    execute(save, &mut *tx).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(PurgeStep {
        scrubbed,
        done,
        held,
    })
}

/// Deletes the rows `select` names (by `seq`, at most `limit`, older than `cutoff`).
async fn prune_by_seq(
    pool: &Pool<Db>,
    delete: &'static str,
    instance_id: &str,
    cutoff: i64,
    limit: i64,
) -> StoreResult<u64> {
    let q = text(delete, &[instance_id]).bind(cutoff).bind(limit);
    execute(q, pool).await
}

async fn prune_deliveries(
    pool: &Pool<Db>,
    instance_id: &str,
    cutoff: i64,
    limit: i64,
) -> StoreResult<u64> {
    let mut tx = super::query::begin_write(pool).await?;
    let old = text(
        "SELECT endpoint_id, event_seq FROM webhook_deliveries WHERE instance_id = $1 \
         AND status <> 'pending' AND updated_at < $2 ORDER BY updated_at LIMIT $3",
        &[instance_id],
    )
    .bind(cutoff)
    .bind(limit);
    let keys = fetch_all(old, &mut *tx, |r| {
        Ok((r.get::<String, _>("endpoint_id"), r.get::<i64, _>("event_seq")))
    })
    .await?;
    let mut n = 0;
    for (endpoint, seq) in &keys {
        let attempts = text(
            "DELETE FROM webhook_attempts WHERE instance_id = $1 AND endpoint_id = $2 AND event_seq = $3",
            &[instance_id, endpoint],
        )
        .bind(*seq);
        execute(attempts, &mut *tx).await?;
        let delivery = text(
            "DELETE FROM webhook_deliveries WHERE instance_id = $1 AND endpoint_id = $2 AND event_seq = $3 \
             AND status <> 'pending'",
            &[instance_id, endpoint],
        )
        .bind(*seq);
        n += execute(delivery, &mut *tx).await?;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(n)
}

pub async fn prune(
    pool: &Pool<Db>,
    instance_id: &str,
    c: &RetentionCutoffs,
    limit: i64,
) -> StoreResult<Pruned> {
    let mut pruned = Pruned::default();
    if let Some(cut) = c.webhook_deliveries {
        pruned.webhook_deliveries = prune_deliveries(pool, instance_id, cut, limit).await?;
    }
    // Then each other kind in its own statement: the events the pruned deliveries held are free
    // to go.
    let kinds = [
        (
            c.events,
            &mut pruned.events,
            "DELETE FROM events WHERE seq IN (SELECT e.seq FROM events e WHERE e.instance_id = $1 \
             AND e.created_at < $2 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d \
             WHERE d.instance_id = e.instance_id AND d.event_id = e.id) ORDER BY e.seq LIMIT $3)",
        ),
        (
            c.emails,
            &mut pruned.emails,
            "DELETE FROM emails WHERE seq IN (SELECT seq FROM emails WHERE instance_id = $1 \
             AND created_at < $2 AND status <> 'queued' ORDER BY created_at LIMIT $3)",
        ),
        (
            c.sms,
            &mut pruned.sms,
            "DELETE FROM sms_messages WHERE seq IN (SELECT seq FROM sms_messages WHERE instance_id = $1 \
             AND created_at < $2 ORDER BY created_at LIMIT $3)",
        ),
        (
            c.audit,
            &mut pruned.audit,
            "DELETE FROM audit_log WHERE seq IN (SELECT seq FROM audit_log WHERE instance_id = $1 \
             AND at < $2 ORDER BY at LIMIT $3)",
        ),
    ];
    for (cutoff, count, delete) in kinds {
        if let Some(cut) = cutoff {
            *count = prune_by_seq(pool, delete, instance_id, cut, limit).await?;
        }
    }
    Ok(pruned)
}
