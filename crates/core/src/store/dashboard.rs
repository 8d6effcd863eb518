//! What the operators' dashboard reads that nothing else does.

use crate::events::OutboxEvent;
use crate::ids::InstanceId;
use crate::users::query::Page;

/// The prefix of Usher's own security events in the outbox.
pub const SECURITY_EVENT_PREFIX: &str = "usher.security.";

store_trait! {
    pub trait DashboardStore {
        /// The outbox's `usher.security.*` events still stored, newest first, paged; and how many
        /// there are.
        security_events(instance_id: &InstanceId, page: &Page) -> (Vec<OutboxEvent>, i64);
    }
}
