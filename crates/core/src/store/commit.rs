//! The one write path: a [`Changeset`] committed in one transaction with its events (the outbox)
//! and audit entries, and the reads of what commits left behind.

use super::Changeset;
use crate::audit::AuditEntry;
use crate::clock::Millis;
use crate::events::OutboxEvent;
use crate::ids::InstanceId;

store_trait! {
    pub trait CommitStore {
        commit(instance_id: &InstanceId, changes: Changeset);

        /// Outbox events after `after_seq`, oldest first.
        events_after(instance_id: &InstanceId, after_seq: i64, limit: i64) -> Vec<OutboxEvent>;

        /// The events that withdraw sessions from degraded mode (revoked, ended or removed
        /// sessions, banned, locked or deleted users, retired signing keys) stamped at or after
        /// `since`, oldest first: what every node polls while the database answers.
        revocation_events_since(instance_id: &InstanceId, since: crate::clock::Millis, limit: i64)
            -> Vec<OutboxEvent>;

        /// Audit entries, newest first.
        audit_log(instance_id: &InstanceId, limit: i64) -> Vec<AuditEntry>;

        /// Audit entries made at or after `since` and before `until`, oldest first, at most
        /// `limit`.
        audit_between(instance_id: &InstanceId, since: Millis, until: Millis, limit: i64)
            -> Vec<AuditEntry>;

        /// Outbox events committed at or after `since` and before `until`, in commit order, at
        /// most `limit`.
        events_between(instance_id: &InstanceId, since: Millis, until: Millis, limit: i64)
            -> Vec<OutboxEvent>;
    }
}
