//! What the operators' dashboard reads that nothing else does.

use async_trait::async_trait;

use super::StoreResult;
use crate::events::OutboxEvent;
use crate::ids::InstanceId;
use crate::users::query::Page;

/// The prefix of Usher's own security events in the outbox.
pub const SECURITY_EVENT_PREFIX: &str = "usher.security.";

#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// The outbox's `usher.security.*` events still stored, newest first, paged; and how many
    /// there are.
    async fn security_events(
        &self,
        instance_id: &InstanceId,
        page: &Page,
    ) -> StoreResult<(Vec<OutboxEvent>, i64)>;
}
