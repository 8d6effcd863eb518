//! Organizations and what hangs off them: memberships, invitations, domains, suggestions and
//! membership requests. Written through `commit`.

use async_trait::async_trait;

use super::{DomainPendingCount, StoreResult};
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

#[async_trait]
pub trait OrganizationStore: Send + Sync {
    async fn get_organization(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationId,
    ) -> StoreResult<Option<Organization>>;

    /// The organizations with these ids, in no particular order (unknown ids are left out).
    async fn organizations_by_ids(
        &self,
        instance_id: &InstanceId,
        ids: &[OrganizationId],
    ) -> StoreResult<Vec<Organization>>;

    /// The organization with this slug (compared lower-cased).
    async fn organization_by_slug(
        &self,
        instance_id: &InstanceId,
        slug: &str,
    ) -> StoreResult<Option<Organization>>;

    /// A page of organizations and the total matching the query.
    async fn list_organizations(
        &self,
        instance_id: &InstanceId,
        query: &OrganizationQuery,
    ) -> StoreResult<(Vec<Organization>, i64)>;

    /// The membership of `user_id` in `organization_id`.
    async fn get_membership(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        user_id: &UserId,
    ) -> StoreResult<Option<OrganizationMembership>>;

    /// A page of memberships and the total matching the query.
    async fn list_memberships(
        &self,
        instance_id: &InstanceId,
        query: &MembershipQuery,
    ) -> StoreResult<(Vec<OrganizationMembership>, i64)>;

    /// Every membership of these users with its organization (pending invitations counted as of
    /// `now`), newest first: what a Frontend API response shows of its users, in one query.
    async fn memberships_of_users(
        &self,
        instance_id: &InstanceId,
        user_ids: &[UserId],
        now: Millis,
    ) -> StoreResult<Vec<(OrganizationMembership, Organization)>>;

    /// How many pending, unexpired invitations each of these organizations has (those with none
    /// are left out).
    async fn pending_invitation_counts(
        &self,
        instance_id: &InstanceId,
        organization_ids: &[OrganizationId],
        now: Millis,
    ) -> StoreResult<Vec<(OrganizationId, i64)>>;

    async fn get_organization_invitation(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationInvitationId,
    ) -> StoreResult<Option<OrganizationInvitation>>;

    /// The invitation whose ticket's SHA-256 (hex) is `ticket_digest`, whatever its status.
    async fn organization_invitation_by_ticket(
        &self,
        instance_id: &InstanceId,
        ticket_digest: &str,
    ) -> StoreResult<Option<OrganizationInvitation>>;

    async fn list_organization_invitations(
        &self,
        instance_id: &InstanceId,
        query: &InvitationQuery,
    ) -> StoreResult<(Vec<OrganizationInvitation>, i64)>;

    /// The domain `id` of `organization_id`.
    async fn get_organization_domain(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        id: &OrganizationDomainId,
    ) -> StoreResult<Option<OrganizationDomain>>;

    /// A page of domains (newest first) and the total matching the query.
    async fn list_organization_domains(
        &self,
        instance_id: &InstanceId,
        query: &DomainQuery,
    ) -> StoreResult<(Vec<OrganizationDomain>, i64)>;

    /// Per domain name of `organization_id`: its pending, unexpired invitations and its pending
    /// suggestions, counted by the invited or suggested address's domain (names with neither are
    /// left out).
    async fn domain_pending_counts(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        names: &[String],
        now: Millis,
    ) -> StoreResult<Vec<DomainPendingCount>>;

    async fn get_organization_suggestion(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationSuggestionId,
    ) -> StoreResult<Option<OrganizationSuggestion>>;

    /// A page of suggestions (newest first) and the total matching the query.
    async fn list_organization_suggestions(
        &self,
        instance_id: &InstanceId,
        query: &SuggestionQuery,
    ) -> StoreResult<(Vec<OrganizationSuggestion>, i64)>;

    async fn get_membership_request(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationMembershipRequestId,
    ) -> StoreResult<Option<MembershipRequest>>;

    /// A page of membership requests (newest first) and the total matching the query.
    async fn list_membership_requests(
        &self,
        instance_id: &InstanceId,
        query: &RequestQuery,
    ) -> StoreResult<(Vec<MembershipRequest>, i64)>;
}
