//! The webhook part of the storage suite: endpoints, the delivery queue queued with each event,
//! leases (exclusive, expiring, released on restart), attempts, retry, replay and statistics.

use std::sync::Arc;

use serde_json::json;
use usher_core::events::OutboxEvent;
use usher_core::ids::{EventId, InstanceId, WebhookEndpointId, new_id, prefix};
use usher_core::instance::Environment;
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::webhooks::endpoint::{self, NewEndpoint};
use usher_core::webhooks::{
    Attempt, AttemptRecord, Decision, DeliveryFilter, DeliveryQuery, DeliveryStatus,
    DestinationPolicy, EndpointStatus, PendingDelivery, WebhookEndpoint,
};

use super::{Fixture, Outcome, create_instance};

const T0: i64 = 1_800_000_000_000;

pub(super) fn new_endpoint(events: &[&str]) -> Result<WebhookEndpoint, usher_core::CoreError> {
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
}

pub(super) fn outbox(ins: &InstanceId, kind: &str, at: i64) -> OutboxEvent {
    OutboxEvent {
        id: EventId::new(),
        instance_id: ins.clone(),
        event_type: kind.to_owned(),
        data: json!({"object": "test", "kind": kind}),
        attributes: json!({"http_request": {"client_ip": "", "user_agent": ""}}),
        created_at: at,
        seq: 0,
    }
}

pub(super) fn record(
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
            event_id: event.id.to_string(),
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

fn query(ep: &WebhookEndpointId, status: Option<DeliveryStatus>) -> DeliveryQuery {
    DeliveryQuery {
        endpoint_id: ep.clone(),
        status: status.map(DeliveryFilter::Status),
        event_id: None,
        limit: 100,
        offset: 0,
    }
}

/// The endpoints with work due at `at`, each claimed then released at once.
async fn claims(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
    at: i64,
) -> Result<Vec<WebhookEndpointId>, StoreError> {
    let mut ids = Vec::new();
    while let Some(c) = store
        .claim_webhook_endpoint(ins, "probe", "probe", at, at + 1)
        .await?
    {
        ids.push(c.endpoint.id);
    }
    for id in &ids {
        store.release_webhook_endpoint(ins, id, "probe").await?;
    }
    Ok(ids)
}

/// An instance with two endpoints (one taking every event, one `user.created` only) and three
/// events: `user.created`, `session.created`, and a `user.updated` snapshot for the second only.
struct Queued {
    ins: InstanceId,
    all: WebhookEndpoint,
    only_created: WebhookEndpoint,
    created: OutboxEvent,
    session: OutboxEvent,
    snapshot: OutboxEvent,
}

async fn endpoints(
    store: &Arc<dyn Store>,
) -> Fixture<(InstanceId, WebhookEndpoint, WebhookEndpoint)> {
    let ins = create_instance(store).await?.id;
    // Endpoints are written with their event, like any change.
    let all = new_endpoint(&[])?;
    let only_created = new_endpoint(&["user.created"])?;
    let mut cs = Changeset::default();
    cs.push(Write::InsertWebhookEndpoint(all.clone()))
        .push(Write::InsertWebhookEndpoint(only_created.clone()));
    store.commit(&ins, cs).await?;
    Ok((ins, all, only_created))
}

async fn queued(store: &Arc<dyn Store>) -> Fixture<Queued> {
    let (ins, all, only_created) = endpoints(store).await?;
    let created = outbox(&ins, "user.created", T0 + 1);
    let session = outbox(&ins, "session.created", T0 + 2);
    let snapshot = outbox(&ins, "user.updated", T0 + 3);
    let mut cs = Changeset::default();
    cs.push(Write::Event(created.clone()))
        .push(Write::Event(session.clone()))
        .push(Write::EndpointEvent {
            endpoint_id: only_created.id.clone(),
            event: snapshot.clone(),
        });
    store.commit(&ins, cs).await?;
    Ok(Queued {
        ins,
        all,
        only_created,
        created,
        session,
        snapshot,
    })
}

impl Queued {
    /// The pending deliveries of `all`, then of `only_created`.
    async fn pending(
        &self,
        store: &Arc<dyn Store>,
    ) -> Result<(Vec<PendingDelivery>, Vec<PendingDelivery>), StoreError> {
        let all = store
            .pending_webhook_deliveries(&self.ins, &self.all.id, 10)
            .await?;
        let only_created = store
            .pending_webhook_deliveries(&self.ins, &self.only_created.id, 10)
            .await?;
        Ok((all, only_created))
    }
}

fn ids(v: &[PendingDelivery]) -> Vec<EventId> {
    v.iter().map(|p| p.event.id.clone()).collect()
}

pub async fn endpoints_round_trip(store: Arc<dyn Store>) -> Outcome {
    let (ins, all, only_created) = endpoints(&store).await?;
    let ins = &ins;
    let listed = store.webhook_endpoints(ins).await?;
    assert_eq!(
        listed.iter().map(|l| l.version).collect::<Vec<_>>(),
        [1, 1],
        "endpoints round-trip at version 1",
    );
    let got = store.webhook_endpoint(ins, &only_created.id).await?;
    assert_eq!(
        got.as_ref().map(|g| (&g.events, &g.secrets)),
        Some((&only_created.events, &only_created.secrets)),
        "an endpoint's filter and secrets round-trip",
    );
    assert_eq!(
        store
            .webhook_endpoint(&InstanceId::from_stored("ins_other"), &all.id)
            .await?,
        None,
        "endpoints are scoped by instance",
    );
    Ok(())
}

/// Each event is queued, in its own transaction, for the endpoints that accept it.
pub async fn events_are_queued_for_the_endpoints_that_accept_them(
    store: Arc<dyn Store>,
) -> Outcome {
    let q = queued(&store).await?;
    let (a, b) = q.pending(&store).await?;
    assert_eq!(
        ids(&a),
        [q.created.id.clone(), q.session.id.clone()],
        "an empty filter takes every event, in commit order",
    );
    assert_eq!(
        ids(&b),
        [q.created.id.clone(), q.snapshot.id.clone()],
        "a filter takes its types, and a targeted event goes to its endpoint only",
    );
    assert_eq!(
        (
            &a[0].event.data,
            &a[0].event.attributes,
            a[0].attempts,
            a[0].queued_at
        ),
        (
            &q.created.data,
            &q.created.attributes,
            0,
            q.created.created_at
        ),
        "a pending delivery carries its event",
    );
    assert!(
        a[0].event.seq < a[1].event.seq,
        "pending deliveries carry their seq",
    );

    Ok(())
}

pub async fn a_failed_changeset_queues_no_delivery(store: Arc<dyn Store>) -> Outcome {
    let Queued { ins, all, .. } = queued(&store).await?;
    let ins = &ins;
    // A failed changeset queues nothing.
    let mut cs = Changeset::default();
    cs.push(Write::Event(outbox(ins, "user.created", T0 + 4)))
        .push(Write::DeleteWebhookEndpoint {
            id: all.id.clone(),
            version: 99,
        });
    assert_eq!(
        store.commit(ins, cs).await,
        Err(StoreError::Stale),
        "a stale endpoint delete is refused",
    );
    assert_eq!(
        store
            .pending_webhook_deliveries(ins, &all.id, 10)
            .await?
            .len(),
        2,
        "a failed changeset queues no delivery",
    );
    Ok(())
}

/// Leases, attempts, the wait for a retry, pausing, failing, retry, replay and statistics, in the
/// order a delivery lives through them.
pub async fn deliveries_are_leased_attempted_retried_and_replayed(
    store: Arc<dyn Store>,
) -> Outcome {
    let queued = queued(&store).await?;
    let (a, b) = queued.pending(&store).await?;
    let Queued {
        ins,
        all,
        only_created,
        created,
        session,
        ..
    } = queued;
    let ins = &ins;
    // Leases: each endpoint to one worker at a time.
    let now = T0 + 10;
    let c1 = store
        .claim_webhook_endpoint(ins, "w1", "node-a", now, now + 1000)
        .await?;
    let c2 = store
        .claim_webhook_endpoint(ins, "w2", "node-b", now, now + 1000)
        .await?;
    let c3 = store
        .claim_webhook_endpoint(ins, "w3", "node-b", now, now + 1000)
        .await?;
    let (Some(c1), Some(c2)) = (c1, c2) else {
        return Err("two endpoints with work can be claimed".into());
    };
    assert!(
        c1.endpoint.id != c2.endpoint.id && c3.is_none(),
        "a leased endpoint is not claimed twice",
    );
    assert_eq!(
        (c1.lease_until, c1.failing_since),
        (now + 1000, None),
        "a claim returns the lease",
    );
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
        .await?;
    assert!(held, "the lessee records an attempt");
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
        .await?;
    assert!(held, "a failed attempt is recorded too");
    store.release_webhook_endpoint(ins, &all.id, w_all).await?;
    assert!(
        store
            .claim_webhook_endpoint(ins, "w4", "node-c", now + 100, now + 1100)
            .await?
            .is_none(),
        "an endpoint waiting for its retry is not claimed",
    );
    let again = store
        .claim_webhook_endpoint(ins, "w4", "node-c", now + 500, now + 1500)
        .await?;
    assert_eq!(
        again.map(|c| (c.endpoint.id, c.failing_since)),
        Some((all.id.clone(), Some(now + 2))),
        "it is claimed when the retry is due, with its failure run",
    );
    let pending = store.pending_webhook_deliveries(ins, &all.id, 10).await?;
    assert_eq!(
        pending
            .iter()
            .map(|p| (&p.event.id, p.attempts))
            .collect::<Vec<_>>(),
        [(&session.id, 1)],
        "a succeeded delivery leaves the queue; a failed one stays with its attempt count",
    );
    let (failing, total) = store
        .webhook_deliveries(
            ins,
            &DeliveryQuery {
                status: Some(DeliveryFilter::Failing),
                ..query(&all.id, None)
            },
        )
        .await?;
    assert_eq!(
        (
            failing
                .iter()
                .map(|d| d.event_id.as_str())
                .collect::<Vec<_>>(),
            total
        ),
        (vec![session.id.as_str()], 1),
        "failing lists the pending deliveries with a failed attempt, not the delivered ones",
    );
    let (_, total) = store
        .webhook_deliveries(
            ins,
            &DeliveryQuery {
                status: Some(DeliveryFilter::Failing),
                ..query(&only_created.id, None)
            },
        )
        .await?;
    assert_eq!(
        total, 0,
        "a pending delivery never attempted is not failing"
    );

    // An expired lease is claimed by someone else; the old lessee learns it lost the lease.
    assert!(
        store
            .claim_webhook_endpoint(ins, "w5", "node-c", now + 999, now + 2000)
            .await?
            .is_none(),
        "an unexpired lease holds",
    );
    let stolen = store
        .claim_webhook_endpoint(ins, "w5", "node-c", now + 1001, now + 3000)
        .await?;
    assert_eq!(
        stolen.map(|c| c.endpoint.id),
        Some(only_created.id.clone()),
        "an expired lease is re-claimed",
    );
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
        .await?;
    assert!(!held, "a worker whose lease was taken is told so");
    let (done, _) = store
        .webhook_deliveries(
            ins,
            &query(&only_created.id, Some(DeliveryStatus::Succeeded)),
        )
        .await?;
    assert_eq!(done.len(), 1, "its attempt is recorded anyway");

    // A restarted node frees its earlier leases at once.
    assert_eq!(
        store.release_webhook_leases(ins, "node-c", "w6").await?,
        2,
        "a node's old leases are released",
    );
    assert_eq!(
        store.release_webhook_leases(ins, "node-c", "w6").await?,
        0,
        "releasing is idempotent",
    );

    // Pausing stops claims; resuming clears the wait and the failure run.
    let Some(mut paused) = store.webhook_endpoint(ins, &all.id).await? else {
        return Err("endpoint vanished".into());
    };
    let stale = paused.clone();
    paused.set_status(EndpointStatus::Paused, None, now);
    let mut cs = Changeset::default();
    cs.push(Write::UpdateWebhookEndpoint(paused.clone()));
    store.commit(ins, cs).await?;
    let mut cs = Changeset::default();
    cs.push(Write::UpdateWebhookEndpoint(stale));
    assert_eq!(
        store.commit(ins, cs).await,
        Err(StoreError::Stale),
        "a stale endpoint update is refused",
    );
    let claim = store
        .claim_webhook_endpoint(ins, "w7", "n", now + 5000, now + 6000)
        .await?;
    assert!(
        claim.as_ref().is_none_or(|c| c.endpoint.id != all.id),
        "a paused endpoint is not claimed",
    );
    if let Some(c) = claim {
        store
            .release_webhook_endpoint(ins, &c.endpoint.id, "w7")
            .await?;
    }
    let Some(mut resumed) = store.webhook_endpoint(ins, &all.id).await? else {
        return Err("endpoint vanished".into());
    };
    assert_eq!(
        (resumed.status, resumed.version),
        (EndpointStatus::Paused, 2),
        "status round-trips",
    );
    resumed.set_status(EndpointStatus::Active, None, now);
    let mut cs = Changeset::default();
    cs.push(Write::UpdateWebhookEndpoint(resumed));
    store.commit(ins, cs).await?;
    let c = store
        .claim_webhook_endpoint(ins, "w8", "n", now + 5000, now + 6000)
        .await?;
    assert_eq!(
        c.map(|c| (c.endpoint.id, c.failing_since)),
        Some((all.id.clone(), None)),
        "a resumed endpoint is claimed at once, its failure run cleared",
    );

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
        .await?;
    store.release_webhook_endpoint(ins, &all.id, "w8").await?;
    let (failed, total) = store
        .webhook_deliveries(ins, &query(&all.id, Some(DeliveryStatus::Failed)))
        .await?;
    assert_eq!(
        (
            failed
                .iter()
                .map(|f| (f.event_id.as_str(), f.event_type.as_str()))
                .collect::<Vec<_>>(),
            total
        ),
        (vec![(session.id.as_str(), "session.created")], 1),
        "failed deliveries are listed",
    );
    assert_eq!(
        failed[0]
            .attempt_history
            .iter()
            .map(|a| (a.attempted_at, a.succeeded, a.response_status))
            .collect::<Vec<_>>(),
        [(now + 5001, false, Some(500)), (now + 2, false, Some(500))],
        "a delivery lists its attempts, newest first",
    );
    let (everything, total) = store.webhook_deliveries(ins, &query(&all.id, None)).await?;
    assert_eq!(total, 2, "both deliveries are listed");
    assert!(
        everything[0].event_seq > everything[1].event_seq,
        "deliveries are listed newest first",
    );

    // Retry queues a message again.
    assert!(
        store
            .retry_webhook_message(ins, &EventId::from_stored("msg_unknown"), None, now)
            .await?
            .is_empty(),
        "retrying an unknown message changes nothing",
    );
    let retried = store
        .retry_webhook_message(ins, &session.id, None, now + 6000)
        .await?;
    assert_eq!(
        retried,
        vec![all.id.clone()],
        "retry names the endpoints it queued for",
    );
    let p = store.pending_webhook_deliveries(ins, &all.id, 10).await?;
    assert_eq!(
        p.iter()
            .map(|p| (p.attempts, p.queued_at))
            .collect::<Vec<_>>(),
        [(0, now + 6000)],
        "a retried delivery is pending with a fresh schedule",
    );

    // A retry restarts the schedule of a delivery still pending far into it: due at once, with
    // every attempt of the schedule ahead of it again.
    let mut others = Vec::new();
    let mut got_all = false;
    while let Some(c) = store
        .claim_webhook_endpoint(ins, "w9", "n", now + 6001, now + 7000)
        .await?
    {
        if c.endpoint.id == all.id {
            got_all = true;
            break;
        }
        others.push(c.endpoint.id);
    }
    for id in &others {
        store.release_webhook_endpoint(ins, id, "w9").await?;
    }
    assert!(got_all, "a retried delivery's endpoint is claimed at once");
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
        .await?;
    store.release_webhook_endpoint(ins, &all.id, "w9").await?;
    assert!(
        !claims(&store, ins, now + 6100).await?.contains(&all.id),
        "a delivery whose next attempt is hours away waits",
    );
    store
        .retry_webhook_message(ins, &session.id, Some(&all.id), now + 6200)
        .await?;
    let p = store.pending_webhook_deliveries(ins, &all.id, 10).await?;
    assert_eq!(
        p.iter()
            .map(|p| (p.attempts, p.queued_at))
            .collect::<Vec<_>>(),
        [(0, now + 6200)],
        "retrying a pending delivery far into its schedule restarts the schedule",
    );
    assert!(
        claims(&store, ins, now + 6300).await?.contains(&all.id),
        "and it is attempted at once",
    );

    // Replay queues again what an endpoint accepts since a time, nothing targeted elsewhere.
    let n = store
        .replay_webhook_endpoint(ins, &all.id, T0, now + 7000)
        .await?;
    assert_eq!(n, 2, "replay queues every accepted event since the time");
    let p = store.pending_webhook_deliveries(ins, &all.id, 10).await?;
    assert_eq!(
        ids(&p),
        [created.id.clone(), session.id.clone()],
        "replayed deliveries are pending in commit order",
    );
    let n = store
        .replay_webhook_endpoint(ins, &only_created.id, T0 + 2, now + 7000)
        .await?;
    assert_eq!(
        n, 1,
        "replay respects the filter and the time, and keeps targeted events",
    );

    // Statistics per endpoint.
    let stats = store.webhook_stats(ins, 0).await?;
    let s = stats.iter().find(|s| s.endpoint_id == all.id);
    assert_eq!(
        s.map(|s| (
            s.queue_depth,
            s.oldest_pending_at,
            s.attempts_succeeded,
            s.attempts_failed
        )),
        Some((2, Some(now + 7000), 1, 3)),
        "stats count the queue and the attempts",
    );

    Ok(())
}

pub async fn racing_claims_lease_each_endpoint_once(store: Arc<dyn Store>) -> Outcome {
    let Queued {
        ins,
        all,
        only_created,
        ..
    } = queued(&store).await?;
    let ins = &ins;
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
        if let Some(id) = t.await?? {
            winners.push(id);
        }
    }
    winners.sort();
    let mut both = vec![all.id, only_created.id];
    both.sort();
    assert_eq!(winners, both, "racing claims lease each endpoint once");

    Ok(())
}

pub async fn deleting_an_endpoint_removes_its_queue(store: Arc<dyn Store>) -> Outcome {
    let Queued { ins, all, .. } = queued(&store).await?;
    let ins = &ins;
    // Deleting an endpoint removes its queue, and later events skip it.
    let Some(gone) = store.webhook_endpoint(ins, &all.id).await? else {
        return Err("endpoint vanished".into());
    };
    let mut cs = Changeset::default();
    cs.push(Write::DeleteWebhookEndpoint {
        id: gone.id.clone(),
        version: gone.version,
    })
    .push(Write::Event(outbox(ins, "user.deleted", T0 + 9)));
    store.commit(ins, cs).await?;
    assert_eq!(
        store.webhook_endpoint(ins, &all.id).await?,
        None,
        "a deleted endpoint is gone",
    );
    let (left, total) = store.webhook_deliveries(ins, &query(&all.id, None)).await?;
    assert_eq!((left.len(), total), (0, 0), "its deliveries are gone");
    assert_eq!(
        store.webhook_stats(ins, 0).await?.len(),
        1,
        "stats list the remaining endpoints",
    );
    Ok(())
}
