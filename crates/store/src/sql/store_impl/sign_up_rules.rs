// The SignUpRulesStore trait, answered by the shared queries. Included by each backend's
// module next to `store_impl.rs`.

delegate_store! {
    impl usher_core::store::SignUpRulesStore {
        get_invitation(instance_id: &InstanceId, id: &usher_core::ids::InvitationId)
            -> Option<usher_core::invitations::Invitation> = invitations::get(reader);
        invitation_by_ticket(instance_id: &InstanceId, ticket_digest: &str)
            -> Option<usher_core::invitations::Invitation> = invitations::by_ticket(reader);
        list_invitations(instance_id: &InstanceId, query: &InvitationQuery)
            -> (Vec<usher_core::invitations::Invitation>, i64) = invitations::list(reader);
        identifier_list(
            instance_id: &InstanceId,
            list: Option<usher_core::identifier_lists::ListKind>,
        ) -> Vec<usher_core::identifier_lists::ListedIdentifier> = identifier_lists::list(reader);
    }
}
