// `UserStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl UserStore {
        get_user(instance_id: &InstanceId, id: &UserId) -> Option<User>
            = query::versioned_by_id(reader, "users");
        users_by_ids(instance_id: &InstanceId, ids: &[UserId]) -> Vec<User>
            = reads::users_by_ids(reader);
        list_users(instance_id: &InstanceId, filter: &UserFilter, order: UserOrder, page: &Page)
            -> Vec<User> = reads::list_users(reader);
        user_by_identification_id(instance_id: &InstanceId, id: &usher_core::ids::IdentificationId)
            -> Option<User> = reads::user_by_identification_id(reader);
        user_by_identifier(instance_id: &InstanceId, kind: IdentifierKind, value: &str)
            -> Option<User> = reads::user_by_identifier(reader);
    }

    async fn count_users(&self, instance_id: &InstanceId, filter: &UserFilter) -> StoreResult<i64> {
        reads::count_users(self.reader(), instance_id, filter, None)
            .await
            .map_err(|e| e.during("count_users"))
    }

    async fn count_users_up_to(
        &self,
        instance_id: &InstanceId,
        filter: &UserFilter,
        cap: i64,
    ) -> StoreResult<i64> {
        reads::count_users(self.reader(), instance_id, filter, Some(cap))
            .await
            .map_err(|e| e.during("count_users_up_to"))
    }

    async fn user_id_by_identifier(
        &self,
        instance_id: &InstanceId,
        kind: IdentifierKind,
        value: &str,
    ) -> StoreResult<Option<UserId>> {
        let id = clients::user_id_by_identifier(self.reader(), instance_id, kind, value)
            .await
            .map_err(|e| e.during("user_id_by_identifier"))?;
        Ok(id.map(UserId::from_stored))
    }
}
