//! Dashboard operators and the audit log they read. Operators are written through `commit` (with
//! their audit entries); their sessions and TOTP steps directly.

use async_trait::async_trait;

use super::StoreResult;
use crate::audit::AuditEntry;
use crate::ids::{InstanceId, OperatorId, OperatorSessionId};
use crate::operators::{AuditQuery, Operator, OperatorCredentials, OperatorSession};

#[async_trait]
pub trait OperatorStore: Send + Sync {
    /// Every operator, oldest first.
    async fn operators(&self, instance_id: &InstanceId) -> StoreResult<Vec<Operator>>;

    /// The operator with this (normalized) email address, with its credentials.
    async fn operator_by_email(
        &self,
        instance_id: &InstanceId,
        email: &str,
    ) -> StoreResult<Option<OperatorCredentials>>;

    async fn operator_credentials(
        &self,
        instance_id: &InstanceId,
        id: &OperatorId,
    ) -> StoreResult<Option<OperatorCredentials>>;

    /// Records a TOTP step as used when it is newer than the last one: `false` (nothing
    /// written) when it is not, so a code is accepted once however many requests race.
    async fn use_operator_totp_step(
        &self,
        instance_id: &InstanceId,
        id: &OperatorId,
        step: i64,
    ) -> StoreResult<bool>;

    async fn insert_operator_session(
        &self,
        instance_id: &InstanceId,
        session: &OperatorSession,
    ) -> StoreResult<()>;

    async fn operator_session_by_digest(
        &self,
        instance_id: &InstanceId,
        token_digest: &str,
    ) -> StoreResult<Option<OperatorSession>>;

    /// Writes the session's digest, `verified`, `last_seen` and `expires_at`;
    /// [`StoreError::Stale`](super::StoreError::Stale) when it is gone.
    async fn update_operator_session(
        &self,
        instance_id: &InstanceId,
        session: &OperatorSession,
    ) -> StoreResult<()>;

    /// Ends a session (nothing when it is gone already).
    async fn delete_operator_session(
        &self,
        instance_id: &InstanceId,
        id: &OperatorSessionId,
    ) -> StoreResult<()>;

    /// A page of the audit log, newest first, and the total matching the filters.
    async fn audit_entries(
        &self,
        instance_id: &InstanceId,
        query: &AuditQuery,
    ) -> StoreResult<(Vec<AuditEntry>, i64)>;
}
