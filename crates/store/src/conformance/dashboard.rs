//! What the dashboard reads: Usher's own security events, newest first, paged and counted,
//! leaving out every other event and other instances'.

use std::sync::Arc;

use serde_json::json;
use usher_core::events::OutboxEvent;
use usher_core::ids::{EventId, InstanceId};
use usher_core::store::{Changeset, Store, Write};
use usher_core::users::query::Page;

use super::{NOW, Outcome, create_instance};

fn event(ins: &InstanceId, kind: &str, at: i64) -> Write {
    Write::Event(OutboxEvent {
        id: EventId::new(),
        instance_id: ins.clone(),
        event_type: kind.into(),
        data: json!({"kind": kind}),
        attributes: json!({}),
        created_at: at,
        seq: 0,
    })
}

pub async fn security_events_are_listed_newest_first(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let kinds = [
        "usher.security.webhook_endpoint.created",
        "user.created",
        "usher.security.sign_in_failure_spike",
        "usher.securityx",
        "usher.security.api_key.created",
        "session.created",
    ];
    for (n, kind) in kinds.iter().enumerate() {
        let mut cs = Changeset::default();
        cs.push(event(&ins, kind, NOW + n as i64));
        store.commit(&ins, cs).await?;
    }
    let page = |limit, offset| Page { limit, offset };
    let (all, total) = store.security_events(&ins, &page(10, 0)).await?;
    let types: Vec<&str> = all.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "usher.security.api_key.created",
            "usher.security.sign_in_failure_spike",
            "usher.security.webhook_endpoint.created",
        ]
    );
    assert_eq!(total, 3);
    assert_eq!(
        all[0].data,
        json!({"kind": "usher.security.api_key.created"})
    );
    assert_eq!(all[0].created_at, NOW + 4);
    let (second, total) = store.security_events(&ins, &page(1, 1)).await?;
    assert_eq!(total, 3);
    assert_eq!(
        second[0].event_type, "usher.security.sign_in_failure_spike",
        "paged"
    );
    let other = InstanceId::from_stored("ins_other");
    let (none, zero) = store.security_events(&other, &page(10, 0)).await?;
    assert!(none.is_empty() && zero == 0);
    Ok(())
}
