// `CommitStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl CommitStore for Backend {
    async fn commit(&self, instance_id: &InstanceId, changes: Changeset) -> StoreResult<()> {
        writes::commit(self.writer(), instance_id, changes)
            .await
            .map_err(|e| e.during("commit"))
    }

    async fn events_after(
        &self,
        instance_id: &InstanceId,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>> {
        reads::events_after(self.reader(), instance_id, after_seq, limit)
            .await
            .map_err(|e| e.during("events_after"))
    }

    async fn revocation_events_since(
        &self,
        instance_id: &InstanceId,
        since: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>> {
        reads::revocation_events_since(self.reader(), instance_id, since, limit)
            .await
            .map_err(|e| e.during("revocation_events_since"))
    }

    async fn audit_log(
        &self,
        instance_id: &InstanceId,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        reads::audit_log(self.reader(), instance_id, limit)
            .await
            .map_err(|e| e.during("audit_log"))
    }

    async fn audit_between(
        &self,
        instance_id: &InstanceId,
        since: i64,
        until: i64,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        activity::audit_between(self.reader(), instance_id, since, until, limit)
            .await
            .map_err(|e| e.during("audit_between"))
    }

    async fn events_between(
        &self,
        instance_id: &InstanceId,
        since: i64,
        until: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>> {
        activity::events_between(self.reader(), instance_id, since, until, limit)
            .await
            .map_err(|e| e.during("events_between"))
    }
}
