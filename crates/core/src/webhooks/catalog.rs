//! The event types an endpoint can subscribe to: Clerk's catalog (the webhook spec of 2025-04-15,
//! names and payloads unchanged) and Usher's own events, all under `usher.`.
//!
//! An endpoint may subscribe to a Clerk type Usher does not emit yet: the filter starts working
//! when the feature arrives. Usher emits today: `user.created`, `user.updated`, `user.deleted`,
//! `session.created`, `session.pending`, `session.revoked`, `session.removed`, `email.created`, `role.created`,
//! `role.updated`, `role.deleted`, `permission.created`, `permission.updated`,
//! `permission.deleted`, `subscriptionItem.active`, `subscriptionItem.canceled`,
//! `subscriptionItem.ended`, and the
//! `usher.security.*` events below (`session.ended` has its domain event, raised once sign-out
//! arrives).

/// Every event type in Clerk's webhook catalog.
pub const CLERK_EVENT_TYPES: &[&str] = &[
    "email.created",
    "organization.created",
    "organization.updated",
    "organization.deleted",
    "organizationDomain.created",
    "organizationDomain.updated",
    "organizationDomain.deleted",
    "organizationInvitation.created",
    "organizationInvitation.accepted",
    "organizationInvitation.revoked",
    "organizationMembership.created",
    "organizationMembership.updated",
    "organizationMembership.deleted",
    "paymentAttempt.created",
    "paymentAttempt.updated",
    "permission.created",
    "permission.updated",
    "permission.deleted",
    "role.created",
    "role.updated",
    "role.deleted",
    "session.created",
    "session.pending",
    "session.ended",
    "session.removed",
    "session.revoked",
    "sms.created",
    "subscription.created",
    "subscription.updated",
    "subscription.active",
    "subscription.pastDue",
    "subscriptionItem.abandoned",
    "subscriptionItem.active",
    "subscriptionItem.canceled",
    "subscriptionItem.ended",
    "subscriptionItem.freeTrialEnding",
    "subscriptionItem.incomplete",
    "subscriptionItem.pastDue",
    "subscriptionItem.upcoming",
    "subscriptionItem.updated",
    "user.created",
    "user.updated",
    "user.deleted",
    "waitlistEntry.created",
    "waitlistEntry.updated",
];

/// A webhook endpoint was created (payload: the endpoint, never its secret).
pub const ENDPOINT_CREATED: &str = "usher.security.webhook_endpoint.created";
/// Its URL, filter, description, rate limit or status (pause, resume) changed.
pub const ENDPOINT_UPDATED: &str = "usher.security.webhook_endpoint.updated";
pub const ENDPOINT_DELETED: &str = "usher.security.webhook_endpoint.deleted";
/// Its signing secret was rotated (the old one still signs during the rotation window).
pub const ENDPOINT_SECRET_ROTATED: &str = "usher.security.webhook_endpoint.secret_rotated";
/// Usher disabled it after it failed every delivery for five days.
pub const ENDPOINT_DISABLED: &str = "usher.security.webhook_endpoint.disabled";

/// Usher's own events. Receivers that follow Clerk's catalog simply see unknown types.
/// Failed sign-ins far above their normal rate (a credential-stuffing or brute-force storm).
pub const SIGN_IN_FAILURE_SPIKE: &str = "usher.security.sign_in_failure_spike";
/// A cap on texted codes (per country calling code, per client address) was reached: SMS
/// pumping, or a surge worth a look. Raised once per cap and window.
pub const SMS_CAP_REACHED: &str = "usher.security.sms_cap_reached";
/// The application name, logo URL or primary colour shown to end users changed.
pub const INSTANCE_BRANDING_UPDATED: &str = "usher.security.instance_branding.updated";
/// The stored instance settings (session lifetimes, lockout, password policy, organizations)
/// changed; the payload holds the keys set and their values.
pub const INSTANCE_SETTINGS_UPDATED: &str = "usher.security.instance_settings.updated";

/// A new signing key now signs session tokens (payload: its kid and the previous one's, never
/// key material); the previous key stays published until retired.
pub const SIGNING_KEY_ROTATED: &str = "usher.security.signing_key.rotated";
/// An inactive signing key was removed from JWKS: tokens it signed no longer verify.
pub const SIGNING_KEY_RETIRED: &str = "usher.security.signing_key.retired";

/// An API key was created, changed, revoked or deleted (payload: the key, never its secret).
/// Clerk's webhook catalog has no API key events, so these are Usher's own.
pub const API_KEY_CREATED: &str = "usher.security.api_key.created";
pub const API_KEY_UPDATED: &str = "usher.security.api_key.updated";
pub const API_KEY_REVOKED: &str = "usher.security.api_key.revoked";
pub const API_KEY_DELETED: &str = "usher.security.api_key.deleted";
/// An actor token was redeemed: a session in which `actor` acts as the user started
/// (payload: the token's id, the user, the actor, the session; never the ticket).
pub const IMPERSONATION_STARTED: &str = "usher.security.impersonation.started";

pub const USHER_EVENT_TYPES: &[&str] = &[
    IMPERSONATION_STARTED,
    SIGN_IN_FAILURE_SPIKE,
    SMS_CAP_REACHED,
    ENDPOINT_CREATED,
    ENDPOINT_UPDATED,
    ENDPOINT_DELETED,
    ENDPOINT_SECRET_ROTATED,
    ENDPOINT_DISABLED,
    INSTANCE_BRANDING_UPDATED,
    INSTANCE_SETTINGS_UPDATED,
    SIGNING_KEY_ROTATED,
    SIGNING_KEY_RETIRED,
    API_KEY_CREATED,
    API_KEY_UPDATED,
    API_KEY_REVOKED,
    API_KEY_DELETED,
];

pub fn is_known(event_type: &str) -> bool {
    CLERK_EVENT_TYPES.contains(&event_type) || USHER_EVENT_TYPES.contains(&event_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_clerks_45_types_and_usher_namespaced_ones() {
        assert_eq!(CLERK_EVENT_TYPES.len(), 45);
        assert!(
            USHER_EVENT_TYPES
                .iter()
                .all(|t| t.starts_with("usher.security."))
        );
        assert!(is_known("user.created") && is_known(ENDPOINT_DISABLED));
        assert!(!is_known("user.*") && !is_known("User.created"));
    }
}
