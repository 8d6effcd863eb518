// `LifecycleStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl LifecycleStore {
        claim_pii_purge(instance_id: &InstanceId, now: i64, lease_until: i64)
            -> Option<usher_core::lifecycle::PiiPurge> = lifecycle::claim(writer);
        pii_purge_step(
            instance_id: &InstanceId,
            purge: &usher_core::lifecycle::PiiPurge,
            now: i64,
            limit: i64,
        ) -> usher_core::lifecycle::PurgeStep = lifecycle::step(writer);
        pii_purges(instance_id: &InstanceId) -> Vec<usher_core::lifecycle::PiiPurge>
            = lifecycle::list(reader);
        prune_expired(
            instance_id: &InstanceId,
            cutoffs: &usher_core::lifecycle::RetentionCutoffs,
            limit: i64,
        ) -> usher_core::lifecycle::Pruned = lifecycle::prune(writer);
    }
}
