// The DashboardStore trait, answered by the shared queries of `sql/dashboard.rs`. Included by
// each backend's module next to `store_impl.rs`.

delegate_store! {
    impl usher_core::store::DashboardStore {
        security_events(instance_id: &InstanceId, page: &usher_core::users::query::Page)
            -> (Vec<usher_core::events::OutboxEvent>, i64) = dashboard::security_events(reader);
    }
}
