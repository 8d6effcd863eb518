// `RoleStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl RoleStore for Backend {
    async fn organization_permissions(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::roles::model::Permission>> {
        roles::permissions(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("organization_permissions"))
    }

    async fn organization_roles(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::roles::model::RoleRecord>> {
        roles::roles(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("organization_roles"))
    }

    async fn role_sets(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::roles::sets::RoleSet>> {
        role_sets::role_sets(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("role_sets"))
    }

    async fn role_set_roles_held(
        &self,
        instance_id: &InstanceId,
        key: &str,
    ) -> StoreResult<Vec<String>> {
        role_sets::roles_held(self.reader(), instance_id, key)
            .await
            .map_err(|e| e.during("role_set_roles_held"))
    }

    async fn role_set_members_holding(
        &self,
        instance_id: &InstanceId,
        key: &str,
        roles: &[String],
    ) -> StoreResult<Vec<OrganizationMembership>> {
        role_sets::members_holding(self.reader(), instance_id, key, roles)
            .await
            .map_err(|e| e.during("role_set_members_holding"))
    }
}
