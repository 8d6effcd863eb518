// `ActivityStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl ActivityStore {
        add_activity(instance_id: &InstanceId, counts: &[usher_core::activity::ActivityCount])
            = activity::add(writer);
        activity(instance_id: &InstanceId, since: i64, until: i64)
            -> Vec<usher_core::activity::ActivityCount> = activity::list(reader);
    }

    async fn database_report(&self) -> StoreResult<usher_core::diagnostics::DatabaseReport> {
        self.report().await.map_err(|e| e.during("database_report"))
    }
}
