// `OrganizationStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl OrganizationStore {
        get_organization(instance_id: &InstanceId, id: &OrganizationId) -> Option<Organization>
            = organizations::get(reader);
        organizations_by_ids(instance_id: &InstanceId, ids: &[OrganizationId]) -> Vec<Organization>
            = organizations::by_ids(reader);
        organization_by_slug(instance_id: &InstanceId, slug: &str) -> Option<Organization>
            = organizations::by_slug(reader);
        list_organizations(instance_id: &InstanceId, query: &OrganizationQuery)
            -> (Vec<Organization>, i64) = organizations::list(reader);
        get_membership(instance_id: &InstanceId, organization_id: &OrganizationId, user_id: &UserId)
            -> Option<OrganizationMembership> = organizations::get_membership(reader);
        list_memberships(instance_id: &InstanceId, query: &MembershipQuery)
            -> (Vec<OrganizationMembership>, i64) = organizations::list_memberships(reader);
        memberships_of_users(
            instance_id: &InstanceId,
            user_ids: &[usher_core::ids::UserId],
            now: usher_core::clock::Millis,
        ) -> Vec<(OrganizationMembership, Organization)>
            = organizations::memberships_of_users(reader);
        pending_invitation_counts(
            instance_id: &InstanceId,
            organization_ids: &[usher_core::ids::OrganizationId],
            now: usher_core::clock::Millis,
        ) -> Vec<(usher_core::ids::OrganizationId, i64)>
            = organization_invitations::pending_counts(reader);
        get_organization_invitation(instance_id: &InstanceId, id: &OrganizationInvitationId)
            -> Option<OrganizationInvitation> = organization_invitations::get(reader);
        organization_invitation_by_ticket(instance_id: &InstanceId, ticket_digest: &str)
            -> Option<OrganizationInvitation> = organization_invitations::by_ticket(reader);
        list_organization_invitations(instance_id: &InstanceId, query: &InvitationQuery)
            -> (Vec<OrganizationInvitation>, i64) = organization_invitations::list(reader);
        get_organization_domain(
            instance_id: &InstanceId,
            organization_id: &OrganizationId,
            id: &OrganizationDomainId,
        ) -> Option<OrganizationDomain> = organization_domains::get(reader);
        list_organization_domains(instance_id: &InstanceId, query: &DomainQuery)
            -> (Vec<OrganizationDomain>, i64) = organization_domains::list(reader);
        domain_pending_counts(
            instance_id: &InstanceId,
            organization_id: &OrganizationId,
            names: &[String],
            now: usher_core::clock::Millis,
        ) -> Vec<usher_core::store::DomainPendingCount>
            = organization_suggestions::domain_pending_counts(reader);
        get_organization_suggestion(
            instance_id: &InstanceId,
            id: &usher_core::ids::OrganizationSuggestionId,
        ) -> Option<usher_core::organizations::suggestions::OrganizationSuggestion>
            = query::versioned_by_id(reader, "organization_suggestions");
        list_organization_suggestions(
            instance_id: &InstanceId,
            query: &usher_core::organizations::suggestions::SuggestionQuery,
        ) -> (Vec<usher_core::organizations::suggestions::OrganizationSuggestion>, i64)
            = organization_suggestions::list_suggestions(reader);
        get_membership_request(
            instance_id: &InstanceId,
            id: &usher_core::ids::OrganizationMembershipRequestId,
        ) -> Option<usher_core::organizations::membership_requests::MembershipRequest>
            = query::versioned_by_id(reader, "organization_membership_requests");
        list_membership_requests(
            instance_id: &InstanceId,
            query: &usher_core::organizations::membership_requests::RequestQuery,
        ) -> (Vec<usher_core::organizations::membership_requests::MembershipRequest>, i64)
            = organization_suggestions::list_requests(reader);
    }
}
