//! What happened, as the domain sees it. The HTTP layer renders each into Clerk's webhook payload
//! and the store writes it to the outbox in the same transaction as the change.

use crate::clock::Millis;
use crate::ids::{EventId, InstanceId};
use crate::mail::EmailMessage;
use crate::roles::{Permission, Role};
use crate::sessions::Session;
use crate::users::User;
use crate::webhooks::WebhookEndpoint;
use crate::webhooks::catalog;

#[derive(Debug, Clone)]
pub enum DomainEvent {
    UserCreated(User),
    UserUpdated(User),
    UserDeleted {
        id: String,
        external_id: Option<String>,
    },
    OrganizationCreated(Box<crate::organizations::Organization>),
    OrganizationUpdated(Box<crate::organizations::Organization>),
    OrganizationDeleted {
        id: String,
        slug: String,
    },
    OrganizationDomainCreated(Box<crate::organizations::domains::OrganizationDomain>),
    OrganizationDomainUpdated(Box<crate::organizations::domains::OrganizationDomain>),
    OrganizationDomainDeleted {
        id: String,
    },
    /// Membership events embed the organization and the member (`public_user_data`).
    OrganizationMembershipCreated(Box<crate::organizations::model::MembershipDetails>),
    OrganizationMembershipUpdated(Box<crate::organizations::model::MembershipDetails>),
    OrganizationMembershipDeleted(Box<crate::organizations::model::MembershipDetails>),
    OrganizationInvitationCreated(Box<crate::organizations::invitations::OrganizationInvitation>),
    OrganizationInvitationAccepted(Box<crate::organizations::invitations::OrganizationInvitation>),
    OrganizationInvitationRevoked(Box<crate::organizations::invitations::OrganizationInvitation>),
    /// Session events carry the session's user: Clerk's payload embeds it (`data.user`).
    SessionCreated(Session, Option<Box<User>>),
    /// A session that starts `pending` (a task to do first); `session.created` follows when
    /// the task is done and it becomes active.
    SessionPending(Session, Option<Box<User>>),
    SessionRevoked(Session, Option<Box<User>>),
    SessionEnded(Session, Option<Box<User>>),
    SessionRemoved(Session, Option<Box<User>>),
    /// Usher's own events (`usher.security.*`), about webhook endpoints.
    WebhookEndpointCreated(Box<WebhookEndpoint>),
    WebhookEndpointUpdated(Box<WebhookEndpoint>),
    WebhookEndpointDeleted(Box<WebhookEndpoint>),
    WebhookEndpointSecretRotated(Box<WebhookEndpoint>),
    WebhookEndpointDisabled(Box<WebhookEndpoint>),
    /// An instance's custom organization roles and permissions (Clerk's `role.*`, `permission.*`).
    RoleCreated(Box<Role>),
    RoleUpdated(Box<Role>),
    RoleDeleted {
        id: String,
    },
    PermissionCreated(Box<Permission>),
    PermissionUpdated(Box<Permission>),
    PermissionDeleted {
        id: String,
    },
    /// An email was queued for delivery (Clerk's `email.created`).
    EmailCreated(EmailMessage),
    /// A text message was handed to the SMS sender (Clerk's `sms.created`).
    SmsCreated(crate::sms::SmsMessage),
    /// Failed sign-ins spiked far above their normal rate (`usher.security.sign_in_failure_spike`).
    SignInFailureSpike(crate::security::Spike),
    /// A cap on texted codes was reached (`usher.security.sms_cap_reached`), once per window:
    /// SMS pumping, or a legitimate surge worth a look.
    SmsCapReached(crate::sms_caps::CapReached),
    /// The application name, logo or primary colour end users see changed
    /// (`usher.security.instance_branding.updated`: what sign-in pages show is worth watching).
    InstanceBrandingUpdated(crate::branding::Branding),
    /// The stored instance settings changed (`usher.security.instance_settings.updated`:
    /// session lifetimes, lockout and password policy are worth watching).
    InstanceSettingsUpdated(crate::instance_settings::StoredSettings),
    /// The operator rotated the signing key: `kid` signs from now on, `previous_kid` stays
    /// published. Only key ids travel in events, never key material.
    SigningKeyRotated {
        kid: String,
        previous_kid: Option<String>,
        created_at: Millis,
    },
    /// An API key's life (`usher.security.api_key.*`); the payload never holds its secret.
    ApiKeyCreated(Box<crate::api_keys::ApiKey>),
    ApiKeyUpdated(Box<crate::api_keys::ApiKey>),
    ApiKeyRevoked(Box<crate::api_keys::ApiKey>),
    ApiKeyDeleted(Box<crate::api_keys::ApiKey>),
    /// An actor token started an impersonation session.
    ImpersonationStarted {
        token: Box<crate::actor_tokens::ActorToken>,
        session: Box<Session>,
    },
    /// The operator retired the inactive signing key `kid`.
    SigningKeyRetired {
        kid: String,
    },
    /// A waitlist entry joined (Clerk's `waitlistEntry.created`) or changed status
    /// (`waitlistEntry.updated`), with the invitation inviting it created.
    WaitlistEntryCreated(Box<crate::waitlist::WaitlistEntry>),
    WaitlistEntryUpdated {
        entry: Box<crate::waitlist::WaitlistEntry>,
        invitation: Option<Box<crate::invitations::Invitation>>,
    },
    /// A subscription item started, was canceled or ended: Clerk's `subscriptionItem.active`,
    /// `.canceled` or `.ended`, by the item's status.
    SubscriptionItemChanged {
        item: Box<crate::billing::SubscriptionItem>,
        plan: Option<Box<crate::billing::Plan>>,
    },
}

impl DomainEvent {
    /// The event of a session just started: `session.created`, or `session.pending` for one
    /// that has a task to do first.
    pub fn session_started(session: Session, user: Option<Box<User>>) -> Self {
        if session.status == crate::sessions::SessionStatus::Pending {
            DomainEvent::SessionPending(session, user)
        } else {
            DomainEvent::SessionCreated(session, user)
        }
    }

    /// Clerk's event type name (or Usher's, under `usher.`).
    pub fn type_name(&self) -> &'static str {
        match self {
            DomainEvent::UserCreated(_) => "user.created",
            DomainEvent::UserUpdated(_) => "user.updated",
            DomainEvent::UserDeleted { .. } => "user.deleted",
            DomainEvent::OrganizationCreated(_) => "organization.created",
            DomainEvent::OrganizationUpdated(_) => "organization.updated",
            DomainEvent::OrganizationDeleted { .. } => "organization.deleted",
            DomainEvent::OrganizationDomainCreated(_) => "organizationDomain.created",
            DomainEvent::OrganizationDomainUpdated(_) => "organizationDomain.updated",
            DomainEvent::OrganizationDomainDeleted { .. } => "organizationDomain.deleted",
            DomainEvent::OrganizationMembershipCreated(_) => "organizationMembership.created",
            DomainEvent::OrganizationMembershipUpdated(_) => "organizationMembership.updated",
            DomainEvent::OrganizationMembershipDeleted(_) => "organizationMembership.deleted",
            DomainEvent::OrganizationInvitationCreated(_) => "organizationInvitation.created",
            DomainEvent::OrganizationInvitationAccepted(_) => "organizationInvitation.accepted",
            DomainEvent::OrganizationInvitationRevoked(_) => "organizationInvitation.revoked",
            DomainEvent::SessionCreated(..) => "session.created",
            DomainEvent::SessionPending(..) => "session.pending",
            DomainEvent::SessionRevoked(..) => "session.revoked",
            DomainEvent::SessionEnded(..) => "session.ended",
            DomainEvent::SessionRemoved(..) => "session.removed",
            DomainEvent::WebhookEndpointCreated(_) => catalog::ENDPOINT_CREATED,
            DomainEvent::WebhookEndpointUpdated(_) => catalog::ENDPOINT_UPDATED,
            DomainEvent::WebhookEndpointDeleted(_) => catalog::ENDPOINT_DELETED,
            DomainEvent::WebhookEndpointSecretRotated(_) => catalog::ENDPOINT_SECRET_ROTATED,
            DomainEvent::WebhookEndpointDisabled(_) => catalog::ENDPOINT_DISABLED,
            DomainEvent::RoleCreated(_) => "role.created",
            DomainEvent::RoleUpdated(_) => "role.updated",
            DomainEvent::RoleDeleted { .. } => "role.deleted",
            DomainEvent::PermissionCreated(_) => "permission.created",
            DomainEvent::PermissionUpdated(_) => "permission.updated",
            DomainEvent::PermissionDeleted { .. } => "permission.deleted",
            DomainEvent::EmailCreated(_) => "email.created",
            DomainEvent::SmsCreated(_) => "sms.created",
            DomainEvent::SignInFailureSpike(_) => catalog::SIGN_IN_FAILURE_SPIKE,
            DomainEvent::SmsCapReached(_) => catalog::SMS_CAP_REACHED,
            DomainEvent::InstanceBrandingUpdated(_) => catalog::INSTANCE_BRANDING_UPDATED,
            DomainEvent::InstanceSettingsUpdated(_) => catalog::INSTANCE_SETTINGS_UPDATED,
            DomainEvent::SigningKeyRotated { .. } => catalog::SIGNING_KEY_ROTATED,
            DomainEvent::SigningKeyRetired { .. } => catalog::SIGNING_KEY_RETIRED,
            DomainEvent::ApiKeyCreated(_) => catalog::API_KEY_CREATED,
            DomainEvent::ApiKeyUpdated(_) => catalog::API_KEY_UPDATED,
            DomainEvent::ApiKeyRevoked(_) => catalog::API_KEY_REVOKED,
            DomainEvent::ApiKeyDeleted(_) => catalog::API_KEY_DELETED,
            DomainEvent::ImpersonationStarted { .. } => catalog::IMPERSONATION_STARTED,
            DomainEvent::WaitlistEntryCreated(_) => "waitlistEntry.created",
            DomainEvent::WaitlistEntryUpdated { .. } => "waitlistEntry.updated",
            DomainEvent::SubscriptionItemChanged { item, .. } => match item.status {
                crate::billing::ItemStatus::Active => "subscriptionItem.active",
                crate::billing::ItemStatus::Canceled => "subscriptionItem.canceled",
                crate::billing::ItemStatus::Ended => "subscriptionItem.ended",
            },
        }
    }
}

/// An event as stored in the outbox: Clerk's type and payload, ready to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub id: EventId,
    pub instance_id: InstanceId,
    pub event_type: String,
    /// Clerk's `data` object.
    pub data: serde_json::Value,
    /// Clerk's `event_attributes` (the request that caused it).
    pub attributes: serde_json::Value,
    pub created_at: i64,
    /// Assigned by the store: commit order.
    pub seq: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_emitted_type_is_in_the_catalog() {
        for t in [
            "user.created",
            "user.updated",
            "user.deleted",
            "organization.created",
            "organization.updated",
            "organization.deleted",
            "organizationDomain.created",
            "organizationDomain.updated",
            "organizationDomain.deleted",
            "organizationMembership.created",
            "organizationMembership.updated",
            "organizationMembership.deleted",
            "session.created",
            "session.revoked",
            "session.ended",
            "session.removed",
            "email.created",
            "role.created",
            "role.updated",
            "role.deleted",
            "permission.created",
            "permission.updated",
            "permission.deleted",
            catalog::ENDPOINT_CREATED,
            catalog::ENDPOINT_UPDATED,
            catalog::ENDPOINT_DELETED,
            catalog::ENDPOINT_SECRET_ROTATED,
            catalog::ENDPOINT_DISABLED,
            catalog::INSTANCE_BRANDING_UPDATED,
            catalog::SIGNING_KEY_ROTATED,
            catalog::SIGNING_KEY_RETIRED,
            catalog::API_KEY_CREATED,
            catalog::API_KEY_UPDATED,
            catalog::API_KEY_REVOKED,
            catalog::API_KEY_DELETED,
            catalog::IMPERSONATION_STARTED,
        ] {
            assert!(catalog::is_known(t), "{t}");
        }
    }
}
