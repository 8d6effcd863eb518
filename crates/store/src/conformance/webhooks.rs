//! The webhook part of the storage suite: endpoints, the delivery queue queued with each event,
//! leases (exclusive, expiring, released on restart), attempts, retry, replay and statistics.

use std::sync::Arc;

use serde_json::json;
use usher_core::events::OutboxEvent;
use usher_core::ids::{new_id, prefix};
use usher_core::instance::Environment;
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::webhooks::endpoint::{self, NewEndpoint};
use usher_core::webhooks::{
    Attempt, AttemptRecord, Decision, DeliveryFilter, DeliveryQuery, DeliveryStatus,
    DestinationPolicy, EndpointStatus, WebhookEndpoint,
};

use super::check;

const T0: i64 = 1_800_000_000_000;

fn new_endpoint(events: &[&str]) -> Result<WebhookEndpoint, String> {
    let policy = DestinationPolicy::for_instance(Environment::Development, false);
    endpoint::create(
        NewEndpoint {
            url: "http://127.0.0.1:9/hook".into(),
            events: events.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        },
        &policy,
        T0,
    )
    .map(|(ep, _)| ep)
    .map_err(|e| e.to_string())
}

fn outbox(ins: &str, kind: &str, at: i64) -> OutboxEvent {
    OutboxEvent {
        id: new_id(prefix::EVENT),
        instance_id: ins.to_owned(),
        event_type: kind.to_owned(),
        data: json!({"object": "test", "kind": kind}),
        attributes: json!({"http_request": {"client_ip": "", "user_agent": ""}}),
        created_at: at,
        seq: 0,
    }
}

fn record(
    ep: &str,
    event: &OutboxEvent,
    seq: i64,
    ok: bool,
    at: i64,
    retry_at: Option<i64>,
) -> AttemptRecord {
    AttemptRecord {
        attempt: Attempt {
            id: new_id(prefix::WEBHOOK_ATTEMPT),
            endpoint_id: ep.to_owned(),
            event_id: event.id.clone(),
            attempted_at: at,
            succeeded: ok,
            response_status: Some(if ok { 204 } else { 500 }),
            latency_ms: 3,
            response_excerpt: if ok { String::new() } else { "boom".into() },
            error: (!ok).then(|| "status 500".to_owned()),
        },
        event_seq: seq,
        decision: Decision {
            status: if ok {
                DeliveryStatus::Succeeded
            } else if retry_at.is_some() {
                DeliveryStatus::Pending
            } else {
                DeliveryStatus::Failed
            },
            attempts: 1,
            retry_at,
            failing_since: (!ok).then_some(at),
            disable: false,
        },
        lease_until: at + 30_000,
    }
}

fn query(ep: &str, status: Option<DeliveryStatus>) -> DeliveryQuery {
    DeliveryQuery {
        endpoint_id: ep.to_owned(),
        status: status.map(DeliveryFilter::Status),
        event_id: None,
        limit: 100,
        offset: 0,
    }
}

/// The endpoints with work due at `at`, each claimed then released at once.
async fn claims(store: &Arc<dyn Store>, ins: &str, at: i64) -> Result<Vec<String>, String> {
    let e = |e: StoreError| e.to_string();
    let mut ids = Vec::new();
    while let Some(c) = store
        .claim_webhook_endpoint(ins, "probe", "probe", at, at + 1)
        .await
        .map_err(e)?
    {
        ids.push(c.endpoint.id);
    }
    for id in &ids {
        store
            .release_webhook_endpoint(ins, id, "probe")
            .await
            .map_err(e)?;
    }
    Ok(ids)
}

pub async fn run(store: &Arc<dyn Store>, ins: &str) -> Result<(), String> {
    let e = |e: StoreError| e.to_string();

    // Endpoints are written with their event, like any change.
    let all = new_endpoint(&[])?;
    let only_created = new_endpoint(&["user.created"])?;
    let mut cs = Changeset::default();
    cs.push(Write::InsertWebhookEndpoint(all.clone()))
        .push(Write::InsertWebhookEndpoint(only_created.clone()));
    store.commit(ins, cs).await.map_err(e)?;
    let listed = store.webhook_endpoints(ins).await.map_err(e)?;
    check(
        listed.len() == 2 && listed.iter().all(|l| l.version == 1),
        "endpoints round-trip at version 1",
    )?;
    let got = store
        .webhook_endpoint(ins, &only_created.id)
        .await
        .map_err(e)?;
    check(
        got.as_ref().map(|g| (&g.events, &g.secrets))
            == Some((&only_created.events, &only_created.secrets)),
        "an endpoint's filter and secrets round-trip",
    )?;
    check(
        store
            .webhook_endpoint("ins_other", &all.id)
            .await
            .map_err(e)?
            .is_none(),
        "endpoints are scoped by instance",
    )?;

    // Each event is queued, in its own transaction, for the endpoints that accept it.
    let created = outbox(ins, "user.created", T0 + 1);
    let session = outbox(ins, "session.created", T0 + 2);
    let snapshot = outbox(ins, "user.updated", T0 + 3);
    let mut cs = Changeset::default();
    cs.push(Write::Event(created.clone()))
        .push(Write::Event(session.clone()))
        .push(Write::EndpointEvent {
            endpoint_id: only_created.id.clone(),
            event: snapshot.clone(),
        });
    store.commit(ins, cs).await.map_err(e)?;
    let a = store
        .pending_webhook_deliveries(ins, &all.id, 10)
        .await
        .map_err(e)?;
    let b = store
        .pending_webhook_deliveries(ins, &only_created.id, 10)
        .await
        .map_err(e)?;
    let ids = |v: &[usher_core::webhooks::PendingDelivery]| {
        v.iter().map(|p| p.event.id.clone()).collect::<Vec<_>>()
    };
    check(
        ids(&a) == [created.id.clone(), session.id.clone()],
        "an empty filter takes every event, in commit order",
    )?;
    check(
        ids(&b) == [created.id.clone(), snapshot.id.clone()],
        "a filter takes its types, and a targeted event goes to its endpoint only",
    )?;
    check(
        a[0].event.data == created.data
            && a[0].event.attributes == created.attributes
            && a[0].attempts == 0
            && a[0].queued_at == created.created_at,
        "a pending delivery carries its event",
    )?;
    check(
        a[0].event.seq < a[1].event.seq,
        "pending deliveries carry their seq",
    )?;

    // A failed changeset queues nothing.
    let mut cs = Changeset::default();
    cs.push(Write::Event(outbox(ins, "user.created", T0 + 4)))
        .push(Write::DeleteWebhookEndpoint {
            id: all.id.clone(),
            version: 99,
        });
    check(
        store.commit(ins, cs).await == Err(StoreError::Stale),
        "a stale endpoint delete is refused",
    )?;
    check(
        store
            .pending_webhook_deliveries(ins, &all.id, 10)
            .await
            .map_err(e)?
            .len()
            == 2,
        "a failed changeset queues no delivery",
    )?;

    // Leases: each endpoint to one worker at a time.
    let now = T0 + 10;
    let c1 = store
        .claim_webhook_endpoint(ins, "w1", "node-a", now, now + 1000)
        .await
        .map_err(e)?;
    let c2 = store
        .claim_webhook_endpoint(ins, "w2", "node-b", now, now + 1000)
        .await
        .map_err(e)?;
    let c3 = store
        .claim_webhook_endpoint(ins, "w3", "node-b", now, now + 1000)
        .await
        .map_err(e)?;
    let (Some(c1), Some(c2)) = (c1, c2) else {
        return Err("storage conformance failed: two endpoints with work can be claimed".into());
    };
    check(
        c1.endpoint.id != c2.endpoint.id && c3.is_none(),
        "a leased endpoint is not claimed twice",
    )?;
    check(
        c1.lease_until == now + 1000 && c1.failing_since.is_none(),
        "a claim returns the lease",
    )?;
    let (w_all, w_other) = if c1.endpoint.id == all.id {
        ("w1", "w2")
    } else {
        ("w2", "w1")
    };

    // A success, then a failure that makes the endpoint wait.
    let held = store
        .record_webhook_attempt(
            ins,
            &all.id,
            w_all,
            &record(&all.id, &created, a[0].event.seq, true, now + 1, None),
        )
        .await
        .map_err(e)?;
    check(held, "the lessee records an attempt")?;
    let held = store
        .record_webhook_attempt(
            ins,
            &all.id,
            w_all,
            &record(
                &all.id,
                &session,
                a[1].event.seq,
                false,
                now + 2,
                Some(now + 500),
            ),
        )
        .await
        .map_err(e)?;
    check(held, "a failed attempt is recorded too")?;
    store
        .release_webhook_endpoint(ins, &all.id, w_all)
        .await
        .map_err(e)?;
    check(
        store
            .claim_webhook_endpoint(ins, "w4", "node-c", now + 100, now + 1100)
            .await
            .map_err(e)?
            .is_none(),
        "an endpoint waiting for its retry is not claimed",
    )?;
    let again = store
        .claim_webhook_endpoint(ins, "w4", "node-c", now + 500, now + 1500)
        .await
        .map_err(e)?;
    check(
        again
            .as_ref()
            .is_some_and(|c| c.endpoint.id == all.id && c.failing_since == Some(now + 2)),
        "it is claimed when the retry is due, with its failure run",
    )?;
    let pending = store
        .pending_webhook_deliveries(ins, &all.id, 10)
        .await
        .map_err(e)?;
    check(
        pending.len() == 1 && pending[0].event.id == session.id && pending[0].attempts == 1,
        "a succeeded delivery leaves the queue; a failed one stays with its attempt count",
    )?;
    let (failing, total) = store
        .webhook_deliveries(
            ins,
            &DeliveryQuery {
                status: Some(DeliveryFilter::Failing),
                ..query(&all.id, None)
            },
        )
        .await
        .map_err(e)?;
    check(
        total == 1 && failing.len() == 1 && failing[0].event_id == session.id,
        "failing lists the pending deliveries with a failed attempt, not the delivered ones",
    )?;
    let (_, total) = store
        .webhook_deliveries(
            ins,
            &DeliveryQuery {
                status: Some(DeliveryFilter::Failing),
                ..query(&only_created.id, None)
            },
        )
        .await
        .map_err(e)?;
    check(
        total == 0,
        "a pending delivery never attempted is not failing",
    )?;

    // An expired lease is claimed by someone else; the old lessee learns it lost the lease.
    check(
        store
            .claim_webhook_endpoint(ins, "w5", "node-c", now + 999, now + 2000)
            .await
            .map_err(e)?
            .is_none(),
        "an unexpired lease holds",
    )?;
    let stolen = store
        .claim_webhook_endpoint(ins, "w5", "node-c", now + 1001, now + 3000)
        .await
        .map_err(e)?;
    check(
        stolen.is_some_and(|c| c.endpoint.id == only_created.id),
        "an expired lease is re-claimed",
    )?;
    let held = store
        .record_webhook_attempt(
            ins,
            &only_created.id,
            w_other,
            &record(
                &only_created.id,
                &created,
                b[0].event.seq,
                true,
                now + 1002,
                None,
            ),
        )
        .await
        .map_err(e)?;
    check(!held, "a worker whose lease was taken is told so")?;
    let (done, _) = store
        .webhook_deliveries(
            ins,
            &query(&only_created.id, Some(DeliveryStatus::Succeeded)),
        )
        .await
        .map_err(e)?;
    check(done.len() == 1, "its attempt is recorded anyway")?;

    // A restarted node frees its earlier leases at once.
    check(
        store
            .release_webhook_leases(ins, "node-c", "w6")
            .await
            .map_err(e)?
            == 2,
        "a node's old leases are released",
    )?;
    check(
        store
            .release_webhook_leases(ins, "node-c", "w6")
            .await
            .map_err(e)?
            == 0,
        "releasing is idempotent",
    )?;

    // Pausing stops claims; resuming clears the wait and the failure run.
    let Some(mut paused) = store.webhook_endpoint(ins, &all.id).await.map_err(e)? else {
        return Err("endpoint vanished".into());
    };
    let stale = paused.clone();
    paused.set_status(EndpointStatus::Paused, None, now);
    let mut cs = Changeset::default();
    cs.push(Write::UpdateWebhookEndpoint(paused.clone()));
    store.commit(ins, cs).await.map_err(e)?;
    let mut cs = Changeset::default();
    cs.push(Write::UpdateWebhookEndpoint(stale));
    check(
        store.commit(ins, cs).await == Err(StoreError::Stale),
        "a stale endpoint update is refused",
    )?;
    let claim = store
        .claim_webhook_endpoint(ins, "w7", "n", now + 5000, now + 6000)
        .await
        .map_err(e)?;
    check(
        claim.as_ref().is_none_or(|c| c.endpoint.id != all.id),
        "a paused endpoint is not claimed",
    )?;
    if let Some(c) = claim {
        store
            .release_webhook_endpoint(ins, &c.endpoint.id, "w7")
            .await
            .map_err(e)?;
    }
    let Some(mut resumed) = store.webhook_endpoint(ins, &all.id).await.map_err(e)? else {
        return Err("endpoint vanished".into());
    };
    check(
        resumed.status == EndpointStatus::Paused && resumed.version == 2,
        "status round-trips",
    )?;
    resumed.set_status(EndpointStatus::Active, None, now);
    let mut cs = Changeset::default();
    cs.push(Write::UpdateWebhookEndpoint(resumed));
    store.commit(ins, cs).await.map_err(e)?;
    let c = store
        .claim_webhook_endpoint(ins, "w8", "n", now + 5000, now + 6000)
        .await
        .map_err(e)?;
    check(
        c.as_ref()
            .is_some_and(|c| c.endpoint.id == all.id && c.failing_since.is_none()),
        "a resumed endpoint is claimed at once, its failure run cleared",
    )?;

    // Exhausting the schedule fails the delivery; the query shows it with its attempts.
    store
        .record_webhook_attempt(
            ins,
            &all.id,
            "w8",
            &record(
                &all.id,
                &session,
                pending[0].event.seq,
                false,
                now + 5001,
                None,
            ),
        )
        .await
        .map_err(e)?;
    store
        .release_webhook_endpoint(ins, &all.id, "w8")
        .await
        .map_err(e)?;
    let (failed, total) = store
        .webhook_deliveries(ins, &query(&all.id, Some(DeliveryStatus::Failed)))
        .await
        .map_err(e)?;
    check(
        total == 1
            && failed.len() == 1
            && failed[0].event_id == session.id
            && failed[0].event_type == "session.created",
        "failed deliveries are listed",
    )?;
    check(
        failed[0].attempt_history.len() == 2
            && failed[0].attempt_history[0].attempted_at == now + 5001
            && failed[0]
                .attempt_history
                .iter()
                .all(|a| !a.succeeded && a.response_status == Some(500)),
        "a delivery lists its attempts, newest first",
    )?;
    let (everything, total) = store
        .webhook_deliveries(ins, &query(&all.id, None))
        .await
        .map_err(e)?;
    check(
        total == 2 && everything[0].event_seq > everything[1].event_seq,
        "deliveries are listed newest first",
    )?;

    // Retry queues a message again.
    check(
        store
            .retry_webhook_message(ins, "msg_unknown", None, now)
            .await
            .map_err(e)?
            .is_empty(),
        "retrying an unknown message changes nothing",
    )?;
    let retried = store
        .retry_webhook_message(ins, &session.id, None, now + 6000)
        .await
        .map_err(e)?;
    check(
        retried == [all.id.clone()],
        "retry names the endpoints it queued for",
    )?;
    let p = store
        .pending_webhook_deliveries(ins, &all.id, 10)
        .await
        .map_err(e)?;
    check(
        p.len() == 1 && p[0].attempts == 0 && p[0].queued_at == now + 6000,
        "a retried delivery is pending with a fresh schedule",
    )?;

    // A retry restarts the schedule of a delivery still pending far into it: due at once, with
    // every attempt of the schedule ahead of it again.
    let mut others = Vec::new();
    let mut got_all = false;
    while let Some(c) = store
        .claim_webhook_endpoint(ins, "w9", "n", now + 6001, now + 7000)
        .await
        .map_err(e)?
    {
        if c.endpoint.id == all.id {
            got_all = true;
            break;
        }
        others.push(c.endpoint.id);
    }
    for id in &others {
        store
            .release_webhook_endpoint(ins, id, "w9")
            .await
            .map_err(e)?;
    }
    check(got_all, "a retried delivery's endpoint is claimed at once")?;
    let mut late = record(
        &all.id,
        &session,
        p[0].event.seq,
        false,
        now + 6002,
        Some(now + 36_000_000),
    );
    late.decision.attempts = 7;
    store
        .record_webhook_attempt(ins, &all.id, "w9", &late)
        .await
        .map_err(e)?;
    store
        .release_webhook_endpoint(ins, &all.id, "w9")
        .await
        .map_err(e)?;
    check(
        !claims(store, ins, now + 6100).await?.contains(&all.id),
        "a delivery whose next attempt is hours away waits",
    )?;
    store
        .retry_webhook_message(ins, &session.id, Some(&all.id), now + 6200)
        .await
        .map_err(e)?;
    let p = store
        .pending_webhook_deliveries(ins, &all.id, 10)
        .await
        .map_err(e)?;
    check(
        p.len() == 1 && p[0].attempts == 0 && p[0].queued_at == now + 6200,
        "retrying a pending delivery far into its schedule restarts the schedule",
    )?;
    check(
        claims(store, ins, now + 6300).await?.contains(&all.id),
        "and it is attempted at once",
    )?;

    // Replay queues again what an endpoint accepts since a time, nothing targeted elsewhere.
    let n = store
        .replay_webhook_endpoint(ins, &all.id, T0, now + 7000)
        .await
        .map_err(e)?;
    check(n == 2, "replay queues every accepted event since the time")?;
    let p = store
        .pending_webhook_deliveries(ins, &all.id, 10)
        .await
        .map_err(e)?;
    check(
        ids(&p) == [created.id.clone(), session.id.clone()],
        "replayed deliveries are pending in commit order",
    )?;
    let n = store
        .replay_webhook_endpoint(ins, &only_created.id, T0 + 2, now + 7000)
        .await
        .map_err(e)?;
    check(
        n == 1,
        "replay respects the filter and the time, and keeps targeted events",
    )?;

    // Statistics per endpoint.
    let stats = store.webhook_stats(ins, 0).await.map_err(e)?;
    let s = stats.iter().find(|s| s.endpoint_id == all.id);
    check(
        s.is_some_and(|s| {
            s.queue_depth == 2
                && s.oldest_pending_at == Some(now + 7000)
                && s.attempts_succeeded == 1
                && s.attempts_failed == 3
        }),
        "stats count the queue and the attempts",
    )?;

    // Concurrent claims never hand one endpoint to two workers.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        let ins = ins.to_owned();
        tasks.push(tokio::spawn(async move {
            store
                .claim_webhook_endpoint(
                    &ins,
                    &format!("race{i}"),
                    "race",
                    T0 + 100_000,
                    T0 + 200_000,
                )
                .await
                .map(|c| c.map(|c| c.endpoint.id))
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        if let Some(id) = t.await.map_err(|e| e.to_string())?.map_err(e)? {
            winners.push(id);
        }
    }
    winners.sort();
    let before = winners.len();
    winners.dedup();
    check(
        before == winners.len() && !winners.is_empty(),
        "racing claims lease each endpoint once",
    )?;

    // Deleting an endpoint removes its queue, and later events skip it.
    let Some(gone) = store.webhook_endpoint(ins, &all.id).await.map_err(e)? else {
        return Err("endpoint vanished".into());
    };
    let mut cs = Changeset::default();
    cs.push(Write::DeleteWebhookEndpoint {
        id: gone.id.clone(),
        version: gone.version,
    })
    .push(Write::Event(outbox(ins, "user.deleted", T0 + 9)));
    store.commit(ins, cs).await.map_err(e)?;
    check(
        store
            .webhook_endpoint(ins, &all.id)
            .await
            .map_err(e)?
            .is_none(),
        "a deleted endpoint is gone",
    )?;
    let (left, total) = store
        .webhook_deliveries(ins, &query(&all.id, None))
        .await
        .map_err(e)?;
    check(left.is_empty() && total == 0, "its deliveries are gone")?;
    check(
        store.webhook_stats(ins, 0).await.map_err(e)?.len() == 1,
        "stats list the remaining endpoints",
    )?;
    Ok(())
}
