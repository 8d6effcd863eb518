//! The data lifecycle part of the storage suite: a deleted user's purge (committed with the
//! delete, claimed by one worker at a time, completed in batches: the user's traces removed or
//! scrubbed, ids and times kept, events pending delivery held until the grace ends) and
//! retention (old records pruned in bounded batches, pending deliveries and the events they
//! need kept).

use std::sync::Arc;

use serde_json::json;
use usher_core::audit::AuditEntry;
use usher_core::events::OutboxEvent;
use usher_core::ids::{AuditId, EventId, InstanceId, WebhookEndpointId, new_id, prefix};
use usher_core::instance::Environment;
use usher_core::lifecycle::{PENDING_GRACE_MS, PiiPurge, RetentionCutoffs};
use usher_core::mail::{EmailStatus, MailTemplate, compose};
use usher_core::sessions::Client;
use usher_core::sessions::query::{SessionFilter, SessionQuery};
use usher_core::sms::SmsMessage;
use usher_core::store::{Changeset, Store, Write};
use usher_core::users::{PhoneNumber, User, Verification};
use usher_core::webhooks::endpoint::{self, NewEndpoint};
use usher_core::webhooks::{
    Attempt, AttemptRecord, Decision, DeliveryQuery, DeliveryStatus, DestinationPolicy,
    WebhookEndpoint,
};

use super::{Fixture, Outcome, create_instance, session, user};

const T0: i64 = 1_900_000_000_000;
const DAY: i64 = 86_400_000;
const PHONE: &str = "+14155550199";

fn outbox(ins: &InstanceId, kind: &str, data: serde_json::Value, at: i64) -> OutboxEvent {
    OutboxEvent {
        id: EventId::new(),
        instance_id: ins.clone(),
        event_type: kind.to_owned(),
        data,
        attributes: json!({"http_request": {"client_ip": "203.0.113.9", "user_agent": "Firefox"}}),
        created_at: at,
        seq: 0,
    }
}

fn audit(ins: &InstanceId, target: &str, at: i64) -> Write {
    Write::Audit(AuditEntry {
        id: AuditId::new(),
        instance_id: ins.clone(),
        actor: "secret_key:ak_x".into(),
        action: "user.update".into(),
        target_id: Some(target.to_owned()),
        trace_id: Some("trace".into()),
        client_ip: Some("203.0.113.9".into()),
        at,
        seq: 0,
    })
}

fn endpoint_for_all() -> Fixture<WebhookEndpoint> {
    let policy = DestinationPolicy::for_instance(Environment::Development, false);
    Ok(endpoint::create(
        NewEndpoint {
            url: "http://127.0.0.1:9/hook".into(),
            ..Default::default()
        },
        &policy,
        T0,
    )
    .map(|(ep, _)| ep)?)
}

/// A successful attempt at `event` (its delivery done).
fn delivered(ep: &WebhookEndpointId, event: &OutboxEvent, at: i64) -> AttemptRecord {
    AttemptRecord {
        attempt: Attempt {
            id: new_id(prefix::WEBHOOK_ATTEMPT),
            endpoint_id: ep.to_string(),
            event_id: event.id.to_string(),
            attempted_at: at,
            succeeded: true,
            response_status: Some(204),
            latency_ms: 3,
            response_excerpt: String::new(),
            error: None,
        },
        event_seq: event.seq,
        decision: Decision {
            status: DeliveryStatus::Succeeded,
            attempts: 1,
            retry_at: None,
            failing_since: None,
            disable: false,
        },
        lease_until: at + 30_000,
    }
}

/// Ann (an email address and a phone number) with a session, a sent email, a text message,
/// an audit entry, and a `user.created` event; and Bob, untouched. Returns Ann, Bob's event,
/// and Ann's event.
async fn traces(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
) -> Fixture<(User, OutboxEvent, OutboxEvent)> {
    let mut ann = user("ann@example.com", "Annabel", T0);
    ann.phone_numbers = vec![PhoneNumber::new(PHONE.into(), Verification::Admin, T0)];
    let bob = user("bob@example.com", "Bob", T0);
    let client = Client::new(None, T0);
    let mut s = session(&ann.id, &client.id, T0, T0 + DAY);
    s.ip_address = Some("203.0.113.9".into());
    let email = compose(
        &MailTemplate::VerificationCode {
            code: "424242".into(),
        },
        None,
        "Acme",
        "ann@example.com",
        Some(&ann.email_addresses[0].id),
        Some(&ann.id),
        T0,
    );
    let ann_event = outbox(
        ins,
        "user.created",
        json!({"object": "user", "id": ann.id, "first_name": "Annabel",
               "email_addresses": [{"email_address": "ann@example.com"}]}),
        T0,
    );
    let bob_event = outbox(
        ins,
        "user.created",
        json!({"object": "user", "id": bob.id, "first_name": "Bob"}),
        T0,
    );
    let mut cs = Changeset::default();
    cs.push(Write::InsertUser(ann.clone()))
        .push(Write::InsertUser(bob.clone()))
        .push(Write::InsertClient(client))
        .push(Write::InsertSession(s))
        .push(Write::InsertEmail(email.clone()))
        .push(Write::InsertSms(SmsMessage::verification_code(
            PHONE,
            None,
            Some(ann.id.clone()),
            "Acme",
            "515151",
            T0,
        )))
        .push(audit(ins, ann.id.as_str(), T0))
        .push(Write::Event(ann_event.clone()))
        .push(Write::Event(bob_event.clone()));
    store.commit(ins, cs).await?;
    store
        .record_email_outcome(ins, &email.id, EmailStatus::Logged, None, T0)
        .await?;
    ann.version = 1;
    Ok((ann, bob_event, ann_event))
}

async fn delete(store: &Arc<dyn Store>, ins: &InstanceId, u: &User, at: i64) -> Outcome {
    let mut cs = Changeset::default();
    cs.push(Write::DeleteUser {
        id: u.id.clone(),
        version: u.version,
    })
    .push(Write::QueuePiiPurge(PiiPurge::for_user(u, at)));
    store.commit(ins, cs).await?;
    Ok(())
}

async fn event_data(store: &Arc<dyn Store>, ins: &InstanceId, id: &EventId) -> Fixture<String> {
    let all = store.events_after(ins, 0, 1000).await?;
    let e = all
        .iter()
        .find(|e| &e.id == id)
        .ok_or("the event is still stored")?;
    Ok(format!("{} {}", e.data, e.attributes))
}

/// One claim at a time; the batches remove Ann's rows and scrub her payloads, keep her id and
/// Bob's event, and end with the purge done (identifiers emptied, never claimed again).
pub async fn a_purge_is_claimed_once_and_scrubs_the_users_traces(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let (ann, bob_event, ann_event) = traces(&store, ins).await?;
    let at = T0 + 10;
    delete(&store, ins, &ann, at).await?;

    let claimed = store.claim_pii_purge(ins, at, at + 60_000).await?;
    let Some(purge) = claimed else {
        return Err("the purge can be claimed".into());
    };
    assert_eq!(purge.user_id, ann.id);
    assert_eq!(
        purge.identifiers,
        vec![PHONE.to_owned(), "ann@example.com".into()]
    );
    assert!(
        store.claim_pii_purge(ins, at, at + 60_000).await?.is_none(),
        "a claimed purge is not claimed twice"
    );
    let mut steps = 0;
    loop {
        let step = store.pii_purge_step(ins, &purge, at + 1, 1).await?;
        steps += 1;
        assert!(!step.held, "nothing is pending delivery");
        if step.done {
            break;
        }
        assert!(steps < 10, "batches of one event finish");
    }
    let again = store.pii_purge_step(ins, &purge, at + 2, 1).await?;
    assert!(
        again.done && again.scrubbed == 0,
        "a done purge changes nothing"
    );

    let ann_text = event_data(&store, ins, &ann_event.id).await?;
    for pii in ["ann@example.com", "Annabel", "203.0.113.9", "Firefox"] {
        assert!(!ann_text.contains(pii), "{pii} is scrubbed: {ann_text}");
    }
    assert!(
        ann_text.contains(ann.id.as_str()),
        "the id stays: {ann_text}"
    );
    assert!(
        event_data(&store, ins, &bob_event.id)
            .await?
            .contains("Bob")
    );

    let (emails, _) = store
        .list_emails(ins, Some("ann@example.com"), 10, 0)
        .await?;
    let (texts, _) = store.list_sms_messages(ins, Some(PHONE), 10, 0).await?;
    let (sessions, _) = store
        .list_sessions(
            ins,
            &SessionQuery {
                filter: SessionFilter {
                    user_id: Some(ann.id.clone()),
                    ..Default::default()
                },
                page: Default::default(),
                now: at,
            },
        )
        .await?;
    assert_eq!((emails.len(), texts.len(), sessions.len()), (0, 0, 0));
    let audit = store.audit_log(ins, 10).await?;
    let entry = audit
        .iter()
        .find(|a| a.target_id.as_deref() == Some(ann.id.as_str()))
        .ok_or("the audit entry stays")?;
    assert_eq!(
        (entry.client_ip.as_deref(), entry.trace_id.as_deref()),
        (None, Some("trace"))
    );

    let purges = store.pii_purges(ins).await?;
    assert_eq!(purges.len(), 1);
    assert_eq!(purges[0].done_at, Some(at + 1));
    assert!(purges[0].identifiers.is_empty(), "identifiers forgotten");
    assert!(
        store
            .claim_pii_purge(ins, at + DAY, at + DAY + 1)
            .await?
            .is_none()
    );
    Ok(())
}

/// An event still pending delivery is left as committed until the grace ends, then scrubbed;
/// an expired claim is taken again.
pub async fn a_purge_waits_for_pending_deliveries_until_the_grace_ends(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let mut cs = Changeset::default();
    cs.push(Write::InsertWebhookEndpoint(endpoint_for_all()?));
    store.commit(ins, cs).await?;
    let (ann, _, ann_event) = traces(&store, ins).await?;
    let at = T0 + 10;
    delete(&store, ins, &ann, at).await?;
    let Some(purge) = store.claim_pii_purge(ins, at, at + 100).await? else {
        return Err("the purge can be claimed".into());
    };
    let step = store.pii_purge_step(ins, &purge, at + 1, 100).await?;
    assert!(step.held && !step.done, "held by the pending delivery");
    assert!(
        event_data(&store, ins, &ann_event.id)
            .await?
            .contains("ann@example.com")
    );
    assert!(
        store
            .claim_pii_purge(ins, at + 50, at + 150)
            .await?
            .is_none(),
        "still leased"
    );
    let late = at + PENDING_GRACE_MS;
    let Some(purge) = store.claim_pii_purge(ins, late, late + 100).await? else {
        return Err("an expired claim is taken again".into());
    };
    let step = store.pii_purge_step(ins, &purge, late, 100).await?;
    assert!(step.done && !step.held);
    assert!(
        !event_data(&store, ins, &ann_event.id)
            .await?
            .contains("ann@example.com")
    );
    Ok(())
}

/// Records older than their cutoff go in bounded batches; recent ones, pending deliveries and
/// the events they refer to stay; no cutoff keeps everything.
pub async fn retention_prunes_old_records_but_keeps_pending_deliveries(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let ep = endpoint_for_all()?;
    let mut cs = Changeset::default();
    cs.push(Write::InsertWebhookEndpoint(ep.clone()));
    store.commit(ins, cs).await?;
    // Three old events (one delivered, one pending, one with its delivery gone by the same
    // retention) and a recent one; old and recent audit entries and texts.
    let old: Vec<OutboxEvent> = (0..3)
        .map(|i| outbox(ins, "user.updated", json!({"i": i}), T0 + i))
        .collect();
    let recent = outbox(ins, "user.updated", json!({"i": 9}), T0 + 10 * DAY);
    let mut cs = Changeset::default();
    for e in old.iter().chain([&recent]) {
        cs.push(Write::Event(e.clone()));
    }
    cs.push(audit(ins, "user_old", T0))
        .push(audit(ins, "user_new", T0 + 10 * DAY))
        .push(Write::InsertSms(SmsMessage::verification_code(
            PHONE, None, None, "Acme", "1", T0,
        )));
    store.commit(ins, cs).await?;
    let pending = store.pending_webhook_deliveries(ins, &ep.id, 10).await?;
    assert_eq!(pending.len(), 4);
    for d in pending.iter().take(2) {
        let rec = delivered(&ep.id, &d.event, T0 + 5);
        store
            .record_webhook_attempt(ins, &ep.id, "nobody", &rec)
            .await?;
    }

    let none = store
        .prune_expired(ins, &RetentionCutoffs::default(), 100)
        .await?;
    assert_eq!(none.total(), 0, "no cutoff keeps everything");

    let cut = T0 + 5 * DAY;
    let cutoffs = RetentionCutoffs {
        events: Some(cut),
        webhook_deliveries: Some(cut),
        emails: Some(cut),
        sms: Some(cut),
        audit: Some(cut),
    };
    let first = store.prune_expired(ins, &cutoffs, 1).await?;
    assert_eq!(
        (first.webhook_deliveries, first.audit, first.sms),
        (1, 1, 1),
        "one of each per batch"
    );
    let mut total = first;
    loop {
        let p = store.prune_expired(ins, &cutoffs, 1).await?;
        if p.total() == 0 {
            break;
        }
        total.events += p.events;
        total.webhook_deliveries += p.webhook_deliveries;
    }
    assert_eq!(total.webhook_deliveries, 2, "the finished deliveries");
    let left: Vec<EventId> = store
        .events_after(ins, 0, 100)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(
        left,
        vec![old[2].id.clone(), recent.id.clone()],
        "the pending delivery's event and the recent one stay"
    );
    let (deliveries, total_left) = store
        .webhook_deliveries(
            ins,
            &DeliveryQuery {
                endpoint_id: ep.id.clone(),
                status: None,
                event_id: None,
                limit: 10,
                offset: 0,
            },
        )
        .await?;
    assert_eq!((deliveries.len(), total_left), (2, 2), "pending ones stay");
    let audit = store.audit_log(ins, 10).await?;
    assert_eq!(
        audit
            .iter()
            .map(|a| a.target_id.clone())
            .collect::<Vec<_>>(),
        vec![Some("user_new".to_owned())]
    );
    Ok(())
}
