// `ActivityStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl ActivityStore for Backend {
    async fn database_report(&self) -> StoreResult<usher_core::diagnostics::DatabaseReport> {
        self.report().await.map_err(|e| e.during("database_report"))
    }

    async fn add_activity(
        &self,
        instance_id: &InstanceId,
        counts: &[usher_core::activity::ActivityCount],
    ) -> StoreResult<()> {
        activity::add(self.writer(), instance_id, counts)
            .await
            .map_err(|e| e.during("add_activity"))
    }

    async fn activity(
        &self,
        instance_id: &InstanceId,
        since: i64,
        until: i64,
    ) -> StoreResult<Vec<usher_core::activity::ActivityCount>> {
        activity::list(self.reader(), instance_id, since, until)
            .await
            .map_err(|e| e.during("activity"))
    }
}
