//! Dashboard operators and the audit log they read. Operators are written through `commit` (with
//! their audit entries); their sessions and TOTP steps directly.

use crate::audit::AuditEntry;
use crate::ids::{InstanceId, OperatorId, OperatorSessionId};
use crate::operators::{AuditQuery, Operator, OperatorCredentials, OperatorSession};

store_trait! {
    pub trait OperatorStore {
        /// Every operator, oldest first.
        operators(instance_id: &InstanceId) -> Vec<Operator>;

        /// The operator with this (normalized) email address, with its credentials.
        operator_by_email(instance_id: &InstanceId, email: &str) -> Option<OperatorCredentials>;

        operator_credentials(instance_id: &InstanceId, id: &OperatorId)
            -> Option<OperatorCredentials>;

        /// Records a TOTP step as used when it is newer than the last one: `false` (nothing
        /// written) when it is not, so a code is accepted once however many requests race.
        use_operator_totp_step(instance_id: &InstanceId, id: &OperatorId, step: i64) -> bool;

        insert_operator_session(instance_id: &InstanceId, session: &OperatorSession);

        operator_session_by_digest(instance_id: &InstanceId, token_digest: &str)
            -> Option<OperatorSession>;

        /// Writes the session's digest, `verified`, `last_seen` and `expires_at`;
        /// [`StoreError::Stale`](super::StoreError::Stale) when it is gone.
        update_operator_session(instance_id: &InstanceId, session: &OperatorSession);

        /// Ends a session (nothing when it is gone already).
        delete_operator_session(instance_id: &InstanceId, id: &OperatorSessionId);

        /// A page of the audit log, newest first, and the total matching the filters.
        audit_entries(instance_id: &InstanceId, query: &AuditQuery) -> (Vec<AuditEntry>, i64);
    }
}
