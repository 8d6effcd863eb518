//! What the token endpoints and the organization views read in one query.

use crate::ids::OrganizationId;
use crate::sessions::Session;

/// A session with what the token endpoint needs to know about its user, read in one query.
#[derive(Debug, Clone)]
pub struct SessionForToken {
    pub session: Session,
    pub user_banned: bool,
    pub user_locked_until: Option<i64>,
    /// The user's membership in the session's active organization, read with the session; none
    /// when no organization is active or the user is no longer a member of it.
    pub active_membership: Option<ActiveMembership>,
    /// The user's plan: its active subscription item's, or the default user plan.
    pub user_plan: Option<crate::billing::Entitlement>,
}

/// A domain's pending invitations and suggestions (see `OrganizationStore::domain_pending_counts`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainPendingCount {
    pub name: String,
    pub invitations: i64,
    pub suggestions: i64,
}

/// What a token needs of the membership in the session's active organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveMembership {
    pub organization_id: OrganizationId,
    pub organization_slug: String,
    pub role: String,
    /// The custom permissions a custom role grants (a system role's come from `roles::system`).
    pub custom_permissions: Vec<String>,
    /// The organization's plan: its active subscription item's, or the default organization plan.
    pub organization_plan: Option<crate::billing::Entitlement>,
}
