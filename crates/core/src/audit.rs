//! The append-only audit log: who did what, to what, when.

use crate::clock::Millis;

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: String,
    pub instance_id: String,
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
