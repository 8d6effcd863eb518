//! The one write path: a [`Changeset`] committed in one transaction with its events (the outbox)
//! and audit entries, and the reads of what commits left behind.

use async_trait::async_trait;

use super::{Changeset, StoreResult};
use crate::audit::AuditEntry;
use crate::clock::Millis;
use crate::events::OutboxEvent;
use crate::ids::InstanceId;

#[async_trait]
pub trait CommitStore: Send + Sync {
    async fn commit(&self, instance_id: &InstanceId, changes: Changeset) -> StoreResult<()>;

    /// Outbox events after `after_seq`, oldest first.
    async fn events_after(
        &self,
        instance_id: &InstanceId,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>>;

    /// The events that withdraw sessions from degraded mode (revoked, ended or removed sessions,
    /// banned, locked or deleted users, retired signing keys) stamped at or after `since`,
    /// oldest first: what every node polls while the database answers.
    async fn revocation_events_since(
        &self,
        instance_id: &InstanceId,
        since: crate::clock::Millis,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>>;

    /// Audit entries, newest first.
    async fn audit_log(&self, instance_id: &InstanceId, limit: i64)
    -> StoreResult<Vec<AuditEntry>>;

    /// Audit entries made at or after `since` and before `until`, oldest first, at most `limit`.
    async fn audit_between(
        &self,
        instance_id: &InstanceId,
        since: Millis,
        until: Millis,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>>;

    /// Outbox events committed at or after `since` and before `until`, in commit order, at
    /// most `limit`.
    async fn events_between(
        &self,
        instance_id: &InstanceId,
        since: Millis,
        until: Millis,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>>;
}
