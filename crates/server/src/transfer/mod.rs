//! Moving an instance's data out and in: `usher export` / `usher import`. Usher's own format is
//! JSON Lines carrying everything needed to recreate the instance elsewhere (on another backend,
//! say); Clerk's CSV user export can be imported too, and a Clerk instance read live through its
//! Backend API (`clerk_live`).

pub mod clerk_api;
pub mod clerk_csv;
pub mod clerk_live;
pub mod clerk_passwords;
pub mod clerk_source;
pub mod clerk_state;
pub mod jsonl;

use std::sync::Arc;

use usher_core::audit::AuditEntry;
use usher_core::ids::{AuditId, InstanceId};
use usher_core::store::{Store, Write};

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub instance_created: bool,
    pub users_imported: usize,
    pub users_skipped: usize,
    pub sessions_imported: usize,
    pub sessions_skipped: usize,
    pub endpoints_imported: usize,
    pub endpoints_skipped: usize,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "instance {}; users: {} imported, {} already present; sessions: {} imported, {} already present; webhook endpoints: {} imported, {} already present",
            if self.instance_created {
                "created"
            } else {
                "kept"
            },
            self.users_imported,
            self.users_skipped,
            self.sessions_imported,
            self.sessions_skipped,
            self.endpoints_imported,
            self.endpoints_skipped
        )
    }
}

pub type SharedStore = Arc<dyn Store>;

/// The audit entry that closes a batch of imported users.
fn import_audit(instance_id: &InstanceId, actor: &str, now: i64) -> Write {
    Write::Audit(AuditEntry {
        id: AuditId::new(),
        instance_id: instance_id.clone(),
        actor: actor.to_owned(),
        action: "user.import".into(),
        target_id: None,
        trace_id: None,
        client_ip: None,
        at: now,
        seq: 0,
    })
}

/// Users per transaction when importing.
const BATCH: usize = 200;
