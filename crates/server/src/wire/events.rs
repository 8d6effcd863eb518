//! Domain events rendered into Clerk's webhook payloads for the outbox.

use serde::Serialize;
use serde_json::{Value, json};
use usher_core::clock::Millis;
use usher_core::events::{DomainEvent, OutboxEvent};
use usher_core::ids::{EventId, InstanceId};
use usher_core::sessions::Session;
use usher_core::users::User;

use super::emails::EmailJson;
use super::organizations::{DeletedOrganizationJson, MembershipJson, OrganizationJson};
use super::sessions::SessionJson;
use super::users::{DeletedObjectJson, UserJson};
use super::webhooks::EndpointJson;

/// Clerk's `SessionEventPayload`: the session with its user embedded.
#[derive(Debug, Serialize)]
struct SessionEventJson {
    #[serde(flatten)]
    session: SessionJson,
    user: Option<UserJson>,
}

fn session_payload(s: &Session, user: Option<&User>, max_attempts: i64, now: Millis) -> Value {
    to_value(&SessionEventJson {
        session: SessionJson::new(s, now),
        user: user.map(|u| UserJson::new(u, max_attempts, now)),
    })
}

pub fn render(
    event: &DomainEvent,
    instance_id: &InstanceId,
    client_ip: Option<&str>,
    user_agent: Option<&str>,
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
        DomainEvent::OrganizationCreated(o) | DomainEvent::OrganizationUpdated(o) => {
            to_value(&OrganizationJson::new(o, true))
        }
        DomainEvent::OrganizationDeleted { id, slug } => to_value(&DeletedOrganizationJson {
            object: "organization",
            id: id.clone(),
            slug: Some(slug.clone()),
            deleted: true,
        }),
        DomainEvent::OrganizationDomainCreated(d) | DomainEvent::OrganizationDomainUpdated(d) => {
            to_value(&super::organization_domains::DomainJson::new(d))
        }
        DomainEvent::OrganizationDomainDeleted { id } => {
            to_value(&DeletedObjectJson::new("organization_domain", id.clone()))
        }
        DomainEvent::OrganizationMembershipCreated(d)
        | DomainEvent::OrganizationMembershipUpdated(d)
        | DomainEvent::OrganizationMembershipDeleted(d) => to_value(&MembershipJson::new(d)),
        DomainEvent::OrganizationInvitationCreated(i)
        | DomainEvent::OrganizationInvitationAccepted(i)
        | DomainEvent::OrganizationInvitationRevoked(i) => to_value(
            &super::organization_invitations::InvitationJson::new(i, i.updated_at),
        ),
        DomainEvent::SessionCreated(s, u)
        | DomainEvent::SessionPending(s, u)
        | DomainEvent::SessionRevoked(s, u)
        | DomainEvent::SessionEnded(s, u)
        | DomainEvent::SessionRemoved(s, u) => session_payload(s, u.as_deref(), max_attempts, now),
        DomainEvent::WebhookEndpointCreated(e)
        | DomainEvent::WebhookEndpointUpdated(e)
        | DomainEvent::WebhookEndpointDeleted(e)
        | DomainEvent::WebhookEndpointSecretRotated(e)
        | DomainEvent::WebhookEndpointDisabled(e) => to_value(&EndpointJson::new(e, None)),
        DomainEvent::RoleCreated(r) | DomainEvent::RoleUpdated(r) => {
            to_value(&super::roles::RoleJson::new(r))
        }
        DomainEvent::RoleDeleted { id } => to_value(&super::roles::DeletedJson::role(id)),
        DomainEvent::PermissionCreated(p) | DomainEvent::PermissionUpdated(p) => {
            to_value(&super::roles::PermissionJson::new(p))
        }
        DomainEvent::PermissionDeleted { id } => {
            to_value(&super::roles::DeletedJson::permission(id))
        }
        DomainEvent::EmailCreated(m) => to_value(&EmailJson::new(m)),
        DomainEvent::SmsCreated(m) => to_value(&super::sms::SmsJson::new(m)),
        DomainEvent::InstanceBrandingUpdated(b) => to_value(&super::instance::BrandingJson::new(b)),
        DomainEvent::InstanceSettingsUpdated(s) => super::instance_settings::stored_json(s),
        DomainEvent::SmsCapReached(c) => serde_json::json!({
            "object": "sms_cap_reached",
            "cap": c.cap,
            "subject": c.subject,
            "limit": c.limit,
            "window_ends_at": c.window_ends_at,
            "detected_at": c.at,
        }),
        DomainEvent::SignInFailureSpike(s) => serde_json::json!({
            "object": "sign_in_failure_spike",
            "failures_last_minute": s.failures_this_minute,
            "normal_per_minute": s.normal_per_minute,
            "detected_at": s.at,
        }),
        DomainEvent::SigningKeyRotated {
            kid,
            previous_kid,
            created_at,
        } => serde_json::json!({
            "object": "signing_key",
            "kid": kid,
            "previous_kid": previous_kid,
            "created_at": created_at,
        }),
        DomainEvent::ApiKeyCreated(k)
        | DomainEvent::ApiKeyUpdated(k)
        | DomainEvent::ApiKeyRevoked(k)
        | DomainEvent::ApiKeyDeleted(k) => to_value(&super::api_keys::ApiKeyJson::new(k, now)),
        DomainEvent::WaitlistEntryCreated(e) => super::waitlist::entry_json(e, None, now),
        DomainEvent::WaitlistEntryUpdated { entry, invitation } => {
            super::waitlist::entry_json(entry, invitation.as_deref(), now)
        }
        DomainEvent::SigningKeyRetired { kid } => serde_json::json!({
            "object": "signing_key",
            "kid": kid,
            "retired": true,
        }),
        DomainEvent::ImpersonationStarted { token, session } => serde_json::json!({
            "object": "impersonation",
            "actor_token_id": token.id,
            "user_id": token.user_id,
            "actor": token.actor,
            "session_id": session.id,
            "session_expire_at": session.expire_at,
            "started_at": session.created_at,
        }),
        DomainEvent::SubscriptionItemChanged { item, plan } => {
            super::billing::subscription_item_event(item, plan.as_deref(), instance_id)
        }
    };
    OutboxEvent {
        id: EventId::new(),
        instance_id: instance_id.clone(),
        event_type: event.type_name().to_owned(),
        data,
        attributes: json!({
            "http_request": {
                "client_ip": client_ip.unwrap_or_default(),
                "user_agent": user_agent.unwrap_or_default(),
            }
        }),
        created_at: now,
        seq: 0,
    }
}

/// Clerk's webhook envelope, exactly as delivered: `{data, event_attributes, instance_id,
/// object: "event", timestamp, type}`.
pub fn envelope(event: &OutboxEvent) -> Value {
    json!({
        "data": event.data,
        "event_attributes": event.attributes,
        "instance_id": event.instance_id,
        "object": "event",
        "timestamp": event.created_at,
        "type": event.event_type,
    })
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
