//! The append-only audit log: who did what, to what, when.

use crate::clock::Millis;
use crate::ids::{AuditId, InstanceId};

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: AuditId,
    pub instance_id: InstanceId,
    /// `secret_key:<key id>`, `cli`, or `system`.
    pub actor: String,
    /// A dotted verb, e.g. `user.create`, `session.revoke`.
    pub action: String,
    pub target_id: Option<String>,
    pub trace_id: Option<String>,
    pub client_ip: Option<String>,
    pub at: Millis,
    pub seq: i64,
}
