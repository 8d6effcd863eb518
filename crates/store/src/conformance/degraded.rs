//! Degraded mode's revocation poll: the events that withdraw sessions, from a time on.

use std::sync::Arc;

use serde_json::json;
use usher_core::events::OutboxEvent;
use usher_core::ids::EventId;
use usher_core::store::{Changeset, Store, Write};

use super::{NOW, Outcome, create_instance};

fn event(ins: &usher_core::ids::InstanceId, kind: &str, id: &str, at: i64) -> Write {
    Write::Event(OutboxEvent {
        id: EventId::new(),
        instance_id: ins.clone(),
        event_type: kind.to_owned(),
        data: json!({"id": id, "banned": true}),
        attributes: json!({}),
        created_at: at,
        seq: 0,
    })
}

/// Only the revocation types come back, stamped at or after `since`, oldest first, at most
/// `limit`; another instance's events never.
pub async fn revocation_events_are_read_from_a_time_on(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let mut cs = Changeset::default();
    cs.push(event(ins, "session.revoked", "sess_old", NOW - 10));
    cs.push(event(ins, "session.created", "sess_new", NOW));
    cs.push(event(ins, "session.revoked", "sess_a", NOW));
    cs.push(event(ins, "user.updated", "user_b", NOW + 1));
    cs.push(event(ins, "session.ended", "sess_c", NOW + 2));
    cs.push(event(
        ins,
        usher_core::webhooks::catalog::SIGNING_KEY_RETIRED,
        "k",
        NOW + 3,
    ));
    cs.push(event(ins, "email.created", "ema_1", NOW + 4));
    store.commit(ins, cs).await?;
    let found = store.revocation_events_since(ins, NOW, 100).await?;
    let ids: Vec<_> = found
        .iter()
        .map(|e| (e.event_type.as_str(), e.data["id"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("session.revoked", "sess_a"),
            ("user.updated", "user_b"),
            ("session.ended", "sess_c"),
            (usher_core::webhooks::catalog::SIGNING_KEY_RETIRED, "k"),
        ]
    );
    assert!(found.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(store.revocation_events_since(ins, NOW, 2).await?.len(), 2);
    assert!(
        store
            .revocation_events_since(ins, NOW + 100, 100)
            .await?
            .is_empty()
    );
    let other = usher_core::ids::InstanceId::new();
    assert!(
        store
            .revocation_events_since(&other, 0, 100)
            .await?
            .is_empty()
    );
    Ok(())
}
