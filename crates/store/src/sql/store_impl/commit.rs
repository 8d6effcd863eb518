// `CommitStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl CommitStore {
        commit(instance_id: &InstanceId, changes: Changeset) = writes::commit(writer);
        events_after(instance_id: &InstanceId, after_seq: i64, limit: i64) -> Vec<OutboxEvent>
            = reads::events_after(reader);
        revocation_events_since(instance_id: &InstanceId, since: i64, limit: i64)
            -> Vec<OutboxEvent> = reads::revocation_events_since(reader);
        audit_log(instance_id: &InstanceId, limit: i64) -> Vec<AuditEntry>
            = reads::audit_log(reader);
        audit_between(instance_id: &InstanceId, since: i64, until: i64, limit: i64)
            -> Vec<AuditEntry> = activity::audit_between(reader);
        events_between(instance_id: &InstanceId, since: i64, until: i64, limit: i64)
            -> Vec<OutboxEvent> = activity::events_between(reader);
    }
}
