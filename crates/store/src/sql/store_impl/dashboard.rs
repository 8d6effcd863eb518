// The DashboardStore trait, answered by the shared queries of `sql/dashboard.rs`. Included by
// each backend's module next to `store_impl.rs`.

#[async_trait]
impl usher_core::store::DashboardStore for Backend {
    async fn security_events(
        &self,
        instance_id: &InstanceId,
        page: &usher_core::users::query::Page,
    ) -> StoreResult<(Vec<usher_core::events::OutboxEvent>, i64)> {
        dashboard::security_events(self.reader(), instance_id, page).await
            .map_err(|e| e.during("security_events"))
    }
}
