//! Usher's webhook-management shapes (an Usher extension of the Backend API; Clerk manages
//! webhooks through Svix's own API instead).

use serde::Serialize;
use usher_core::clock::Millis;
use usher_core::ids::{EventId, WebhookEndpointId};
use usher_core::webhooks::{Attempt, Delivery, Secret, WebhookEndpoint};

#[derive(Debug, Serialize)]
pub struct EndpointJson {
    pub object: &'static str,
    pub id: WebhookEndpointId,
    pub url: String,
    pub description: String,
    /// Event types delivered; empty means every event.
    pub events: Vec<String>,
    /// `active`, `paused` or `disabled`.
    pub status: &'static str,
    pub disabled_reason: Option<String>,
    /// Deliveries per second at most, or `null`.
    pub rate_limit: Option<u32>,
    /// `whsec_…`: only in the answers to create and rotate_secret, `null` everywhere else.
    pub secret: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl EndpointJson {
    pub fn new(e: &WebhookEndpoint, shown_secret: Option<&Secret>) -> Self {
        Self {
            object: "webhook_endpoint",
            id: e.id.clone(),
            url: e.url.clone(),
            description: e.description.clone(),
            events: e.events.clone(),
            status: e.status.as_str(),
            disabled_reason: e.disabled_reason.clone(),
            rate_limit: e.rate_limit,
            secret: shown_secret.map(Secret::expose),
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DeletedEndpointJson {
    pub object: &'static str,
    pub id: String,
    pub deleted: bool,
}

#[derive(Debug, Serialize)]
pub struct AttemptJson {
    pub object: &'static str,
    pub id: String,
    pub message_id: String,
    pub attempted_at: Millis,
    /// `succeeded` (a 2xx within the timeout) or `failed`.
    pub status: &'static str,
    pub response_status_code: Option<u16>,
    pub latency_ms: i64,
    pub response_body_excerpt: String,
    pub error: Option<String>,
}

impl From<&Attempt> for AttemptJson {
    fn from(a: &Attempt) -> Self {
        Self {
            object: "webhook_attempt",
            id: a.id.clone(),
            message_id: a.event_id.clone(),
            attempted_at: a.attempted_at,
            status: if a.succeeded { "succeeded" } else { "failed" },
            response_status_code: a.response_status,
            latency_ms: a.latency_ms,
            response_body_excerpt: a.response_excerpt.clone(),
            error: a.error.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DeliveryJson {
    pub object: &'static str,
    pub endpoint_id: String,
    /// The event's id, which is also the `svix-id` header receivers deduplicate on.
    pub message_id: String,
    pub event_type: String,
    /// `pending`, `succeeded` or `failed` (every attempt of the schedule failed).
    pub status: &'static str,
    /// Attempts since it was last queued (by its event, a retry or a replay).
    pub attempts: u32,
    pub last_attempt_at: Option<Millis>,
    pub last_response_status_code: Option<u16>,
    pub last_error: Option<String>,
    /// When it was (last) queued.
    pub created_at: Millis,
    pub updated_at: Millis,
    /// Every attempt, newest first.
    pub attempt_history: Vec<AttemptJson>,
}

impl From<&Delivery> for DeliveryJson {
    fn from(d: &Delivery) -> Self {
        Self {
            object: "webhook_delivery",
            endpoint_id: d.endpoint_id.clone(),
            message_id: d.event_id.clone(),
            event_type: d.event_type.clone(),
            status: d.status.as_str(),
            attempts: d.attempts,
            last_attempt_at: d.last_attempt_at,
            last_response_status_code: d.last_response_status,
            last_error: d.last_error.clone(),
            created_at: d.created_at,
            updated_at: d.updated_at,
            attempt_history: d.attempt_history.iter().map(AttemptJson::from).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RetryJson {
    pub object: &'static str,
    pub message_id: EventId,
    /// The endpoints it is queued for again.
    pub endpoint_ids: Vec<WebhookEndpointId>,
}

#[derive(Debug, Serialize)]
pub struct QueuedJson {
    /// `webhook_replay` or `webhook_resync`.
    pub object: &'static str,
    pub endpoint_id: WebhookEndpointId,
    pub since: Option<Millis>,
    /// How many deliveries were queued.
    pub queued: i64,
}
