//! Organizations and what hangs off them: memberships, invitations, domains, suggestions and
//! membership requests. Written through `commit`.

use super::DomainPendingCount;
use crate::clock::Millis;
use crate::ids::{
    InstanceId, OrganizationDomainId, OrganizationId, OrganizationInvitationId,
    OrganizationMembershipRequestId, OrganizationSuggestionId, UserId,
};
use crate::organizations::domains::{DomainQuery, OrganizationDomain};
use crate::organizations::invitations::{InvitationQuery, OrganizationInvitation};
use crate::organizations::membership_requests::{MembershipRequest, RequestQuery};
use crate::organizations::query::{MembershipQuery, OrganizationQuery};
use crate::organizations::suggestions::{OrganizationSuggestion, SuggestionQuery};
use crate::organizations::{Organization, OrganizationMembership};

store_trait! {
    pub trait OrganizationStore {
        get_organization(instance_id: &InstanceId, id: &OrganizationId) -> Option<Organization>;

        /// The organizations with these ids, in no particular order (unknown ids are left out).
        organizations_by_ids(instance_id: &InstanceId, ids: &[OrganizationId]) -> Vec<Organization>;

        /// The organization with this slug (compared lower-cased).
        organization_by_slug(instance_id: &InstanceId, slug: &str) -> Option<Organization>;

        /// A page of organizations and the total matching the query.
        list_organizations(instance_id: &InstanceId, query: &OrganizationQuery)
            -> (Vec<Organization>, i64);

        /// The membership of `user_id` in `organization_id`.
        get_membership(instance_id: &InstanceId, organization_id: &OrganizationId, user_id: &UserId)
            -> Option<OrganizationMembership>;

        /// A page of memberships and the total matching the query.
        list_memberships(instance_id: &InstanceId, query: &MembershipQuery)
            -> (Vec<OrganizationMembership>, i64);

        /// Every membership of these users with its organization (pending invitations counted as of
        /// `now`), newest first: what a Frontend API response shows of its users, in one query.
        memberships_of_users(instance_id: &InstanceId, user_ids: &[UserId], now: Millis)
            -> Vec<(OrganizationMembership, Organization)>;

        /// How many pending, unexpired invitations each of these organizations has (those with none
        /// are left out).
        pending_invitation_counts(
            instance_id: &InstanceId,
            organization_ids: &[OrganizationId],
            now: Millis,
        ) -> Vec<(OrganizationId, i64)>;

        get_organization_invitation(instance_id: &InstanceId, id: &OrganizationInvitationId)
            -> Option<OrganizationInvitation>;

        /// The invitation whose ticket's SHA-256 (hex) is `ticket_digest`, whatever its status.
        organization_invitation_by_ticket(instance_id: &InstanceId, ticket_digest: &str)
            -> Option<OrganizationInvitation>;

        list_organization_invitations(instance_id: &InstanceId, query: &InvitationQuery)
            -> (Vec<OrganizationInvitation>, i64);

        /// The domain `id` of `organization_id`.
        get_organization_domain(
            instance_id: &InstanceId,
            organization_id: &OrganizationId,
            id: &OrganizationDomainId,
        ) -> Option<OrganizationDomain>;

        /// A page of domains (newest first) and the total matching the query.
        list_organization_domains(instance_id: &InstanceId, query: &DomainQuery)
            -> (Vec<OrganizationDomain>, i64);

        /// Per domain name of `organization_id`: its pending, unexpired invitations and its pending
        /// suggestions, counted by the invited or suggested address's domain (names with neither
        /// are left out).
        domain_pending_counts(
            instance_id: &InstanceId,
            organization_id: &OrganizationId,
            names: &[String],
            now: Millis,
        ) -> Vec<DomainPendingCount>;

        get_organization_suggestion(instance_id: &InstanceId, id: &OrganizationSuggestionId)
            -> Option<OrganizationSuggestion>;

        /// A page of suggestions (newest first) and the total matching the query.
        list_organization_suggestions(instance_id: &InstanceId, query: &SuggestionQuery)
            -> (Vec<OrganizationSuggestion>, i64);

        get_membership_request(instance_id: &InstanceId, id: &OrganizationMembershipRequestId)
            -> Option<MembershipRequest>;

        /// A page of membership requests (newest first) and the total matching the query.
        list_membership_requests(instance_id: &InstanceId, query: &RequestQuery)
            -> (Vec<MembershipRequest>, i64);
    }
}
