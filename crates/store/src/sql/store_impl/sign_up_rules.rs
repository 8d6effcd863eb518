// The SignUpRulesStore trait, answered by the shared queries. Included by each backend's
// module next to `store_impl.rs`.

#[async_trait]
impl usher_core::store::SignUpRulesStore for Backend {
    async fn get_invitation(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::InvitationId,
    ) -> StoreResult<Option<usher_core::invitations::Invitation>> {
        invitations::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_invitation"))
    }

    async fn invitation_by_ticket(
        &self,
        instance_id: &InstanceId,
        ticket_digest: &str,
    ) -> StoreResult<Option<usher_core::invitations::Invitation>> {
        invitations::by_ticket(self.reader(), instance_id, ticket_digest).await
            .map_err(|e| e.during("invitation_by_ticket"))
    }

    async fn list_invitations(
        &self,
        instance_id: &InstanceId,
        query: &InvitationQuery,
    ) -> StoreResult<(Vec<usher_core::invitations::Invitation>, i64)> {
        invitations::list(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_invitations"))
    }

    async fn identifier_list(
        &self,
        instance_id: &InstanceId,
        list: Option<usher_core::identifier_lists::ListKind>,
    ) -> StoreResult<Vec<usher_core::identifier_lists::ListedIdentifier>> {
        identifier_lists::list(self.reader(), instance_id, list).await
            .map_err(|e| e.during("identifier_list"))
    }
}
