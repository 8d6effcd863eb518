// `LifecycleStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl LifecycleStore for Backend {
    async fn claim_pii_purge(
        &self,
        instance_id: &InstanceId,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<usher_core::lifecycle::PiiPurge>> {
        lifecycle::claim(self.writer(), instance_id, now, lease_until)
            .await
            .map_err(|e| e.during("claim_pii_purge"))
    }

    async fn pii_purge_step(
        &self,
        instance_id: &InstanceId,
        purge: &usher_core::lifecycle::PiiPurge,
        now: i64,
        limit: i64,
    ) -> StoreResult<usher_core::lifecycle::PurgeStep> {
        lifecycle::step(self.writer(), instance_id, purge, now, limit)
            .await
            .map_err(|e| e.during("pii_purge_step"))
    }

    async fn pii_purges(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::lifecycle::PiiPurge>> {
        lifecycle::list(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("pii_purges"))
    }

    async fn prune_expired(
        &self,
        instance_id: &InstanceId,
        cutoffs: &usher_core::lifecycle::RetentionCutoffs,
        limit: i64,
    ) -> StoreResult<usher_core::lifecycle::Pruned> {
        lifecycle::prune(self.writer(), instance_id, cutoffs, limit)
            .await
            .map_err(|e| e.during("prune_expired"))
    }
}
