//! Domain events rendered into Clerk's webhook payloads for the outbox.

use serde_json::{Value, json};
use usher_core::clock::Millis;
use usher_core::events::{DomainEvent, OutboxEvent};
use usher_core::ids::{new_id, prefix};

use super::sessions::SessionJson;
use super::users::{DeletedObjectJson, UserJson};
use crate::extract::auth::RequestContext;

pub fn render(
    event: &DomainEvent,
    instance_id: &str,
    ctx: &RequestContext,
    max_attempts: i64,
    now: Millis,
) -> OutboxEvent {
    let data = match event {
        DomainEvent::UserCreated(u) | DomainEvent::UserUpdated(u) => {
            to_value(&UserJson::new(u, max_attempts, now))
        }
        DomainEvent::UserDeleted { id, external_id } => to_value(&DeletedObjectJson {
            object: "user",
            id: id.clone(),
            deleted: true,
            external_id: external_id.clone(),
        }),
        DomainEvent::SessionCreated(s)
        | DomainEvent::SessionRevoked(s)
        | DomainEvent::SessionEnded(s)
        | DomainEvent::SessionRemoved(s) => to_value(&SessionJson::new(s, now)),
    };
    OutboxEvent {
        id: new_id(prefix::EVENT),
        instance_id: instance_id.to_owned(),
        event_type: event.type_name().to_owned(),
        data,
        attributes: json!({
            "http_request": {
                "client_ip": ctx.client_ip.clone().unwrap_or_default(),
                "user_agent": ctx.user_agent.clone().unwrap_or_default(),
            }
        }),
        created_at: now,
        seq: 0,
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
