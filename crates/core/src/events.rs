//! What happened, as the domain sees it. The HTTP layer renders each into Clerk's webhook payload
//! and the store writes it to the outbox in the same transaction as the change.

use crate::sessions::Session;
use crate::users::User;

#[derive(Debug, Clone)]
pub enum DomainEvent {
    UserCreated(User),
    UserUpdated(User),
    UserDeleted {
        id: String,
        external_id: Option<String>,
    },
    SessionCreated(Session),
    SessionRevoked(Session),
    SessionEnded(Session),
    SessionRemoved(Session),
}

impl DomainEvent {
    /// Clerk's event type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            DomainEvent::UserCreated(_) => "user.created",
            DomainEvent::UserUpdated(_) => "user.updated",
            DomainEvent::UserDeleted { .. } => "user.deleted",
            DomainEvent::SessionCreated(_) => "session.created",
            DomainEvent::SessionRevoked(_) => "session.revoked",
            DomainEvent::SessionEnded(_) => "session.ended",
            DomainEvent::SessionRemoved(_) => "session.removed",
        }
    }
}

/// An event as stored in the outbox: Clerk's type and payload, ready to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub id: String,
    pub instance_id: String,
    pub event_type: String,
    /// Clerk's `data` object.
    pub data: serde_json::Value,
    /// Clerk's `event_attributes` (the request that caused it).
    pub attributes: serde_json::Value,
    pub created_at: i64,
    /// Assigned by the store: commit order.
    pub seq: i64,
}
