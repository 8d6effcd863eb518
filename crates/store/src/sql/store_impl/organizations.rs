// `OrganizationStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl OrganizationStore for Backend {
    async fn get_organization(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationId,
    ) -> StoreResult<Option<Organization>> {
        organizations::get(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_organization"))
    }

    async fn organizations_by_ids(
        &self,
        instance_id: &InstanceId,
        ids: &[OrganizationId],
    ) -> StoreResult<Vec<Organization>> {
        organizations::by_ids(self.reader(), instance_id, ids)
            .await
            .map_err(|e| e.during("organizations_by_ids"))
    }

    async fn organization_by_slug(
        &self,
        instance_id: &InstanceId,
        slug: &str,
    ) -> StoreResult<Option<Organization>> {
        organizations::by_slug(self.reader(), instance_id, slug)
            .await
            .map_err(|e| e.during("organization_by_slug"))
    }

    async fn list_organizations(
        &self,
        instance_id: &InstanceId,
        query: &OrganizationQuery,
    ) -> StoreResult<(Vec<Organization>, i64)> {
        organizations::list(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("list_organizations"))
    }

    async fn get_membership(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        user_id: &UserId,
    ) -> StoreResult<Option<OrganizationMembership>> {
        organizations::get_membership(self.reader(), instance_id, organization_id, user_id)
            .await
            .map_err(|e| e.during("get_membership"))
    }

    async fn list_memberships(
        &self,
        instance_id: &InstanceId,
        query: &MembershipQuery,
    ) -> StoreResult<(Vec<OrganizationMembership>, i64)> {
        organizations::list_memberships(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("list_memberships"))
    }

    async fn memberships_of_users(
        &self,
        instance_id: &InstanceId,
        user_ids: &[usher_core::ids::UserId],
        now: usher_core::clock::Millis,
    ) -> StoreResult<Vec<(OrganizationMembership, Organization)>> {
        organizations::memberships_of_users(self.reader(), instance_id, user_ids, now)
            .await
            .map_err(|e| e.during("memberships_of_users"))
    }

    async fn pending_invitation_counts(
        &self,
        instance_id: &InstanceId,
        organization_ids: &[usher_core::ids::OrganizationId],
        now: usher_core::clock::Millis,
    ) -> StoreResult<Vec<(usher_core::ids::OrganizationId, i64)>> {
        organization_invitations::pending_counts(self.reader(), instance_id, organization_ids, now)
            .await
            .map_err(|e| e.during("pending_invitation_counts"))
    }

    async fn get_organization_invitation(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationInvitationId,
    ) -> StoreResult<Option<OrganizationInvitation>> {
        organization_invitations::get(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_organization_invitation"))
    }

    async fn organization_invitation_by_ticket(
        &self,
        instance_id: &InstanceId,
        ticket_digest: &str,
    ) -> StoreResult<Option<OrganizationInvitation>> {
        organization_invitations::by_ticket(self.reader(), instance_id, ticket_digest)
            .await
            .map_err(|e| e.during("organization_invitation_by_ticket"))
    }

    async fn list_organization_invitations(
        &self,
        instance_id: &InstanceId,
        query: &InvitationQuery,
    ) -> StoreResult<(Vec<OrganizationInvitation>, i64)> {
        organization_invitations::list(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("list_organization_invitations"))
    }

    async fn get_organization_domain(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        id: &OrganizationDomainId,
    ) -> StoreResult<Option<OrganizationDomain>> {
        organization_domains::get(self.reader(), instance_id, organization_id, id)
            .await
            .map_err(|e| e.during("get_organization_domain"))
    }

    async fn list_organization_domains(
        &self,
        instance_id: &InstanceId,
        query: &DomainQuery,
    ) -> StoreResult<(Vec<OrganizationDomain>, i64)> {
        organization_domains::list(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("list_organization_domains"))
    }

    async fn domain_pending_counts(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        names: &[String],
        now: usher_core::clock::Millis,
    ) -> StoreResult<Vec<usher_core::store::DomainPendingCount>> {
        organization_suggestions::domain_pending_counts(
            self.reader(),
            instance_id,
            organization_id,
            names,
            now,
        )
        .await
        .map_err(|e| e.during("domain_pending_counts"))
    }

    async fn get_organization_suggestion(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::OrganizationSuggestionId,
    ) -> StoreResult<Option<usher_core::organizations::suggestions::OrganizationSuggestion>> {
        organization_suggestions::get_suggestion(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_organization_suggestion"))
    }

    async fn list_organization_suggestions(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::organizations::suggestions::SuggestionQuery,
    ) -> StoreResult<(
        Vec<usher_core::organizations::suggestions::OrganizationSuggestion>,
        i64,
    )> {
        organization_suggestions::list_suggestions(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("list_organization_suggestions"))
    }

    async fn get_membership_request(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::OrganizationMembershipRequestId,
    ) -> StoreResult<Option<usher_core::organizations::membership_requests::MembershipRequest>>
    {
        organization_suggestions::get_request(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_membership_request"))
    }

    async fn list_membership_requests(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::organizations::membership_requests::RequestQuery,
    ) -> StoreResult<(
        Vec<usher_core::organizations::membership_requests::MembershipRequest>,
        i64,
    )> {
        organization_suggestions::list_requests(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("list_membership_requests"))
    }
}
