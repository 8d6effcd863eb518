// `UserStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl UserStore for Backend {
    async fn get_user(&self, instance_id: &InstanceId, id: &UserId) -> StoreResult<Option<User>> {
        reads::get_user(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_user"))
    }

    async fn users_by_ids(
        &self,
        instance_id: &InstanceId,
        ids: &[UserId],
    ) -> StoreResult<Vec<User>> {
        reads::users_by_ids(self.reader(), instance_id, ids)
            .await
            .map_err(|e| e.during("users_by_ids"))
    }

    async fn list_users(
        &self,
        instance_id: &InstanceId,
        filter: &UserFilter,
        order: UserOrder,
        page: &Page,
    ) -> StoreResult<Vec<User>> {
        reads::list_users(self.reader(), instance_id, filter, order, page)
            .await
            .map_err(|e| e.during("list_users"))
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

    async fn user_by_identification_id(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::IdentificationId,
    ) -> StoreResult<Option<User>> {
        reads::user_by_identification_id(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("user_by_identification_id"))
    }

    async fn user_by_identifier(
        &self,
        instance_id: &InstanceId,
        kind: IdentifierKind,
        value: &str,
    ) -> StoreResult<Option<User>> {
        reads::user_by_identifier(self.reader(), instance_id, kind, value)
            .await
            .map_err(|e| e.during("user_by_identifier"))
    }
}
