//! Diagnostics and activity: the backend's own health figures, and the hourly activity counters.

use async_trait::async_trait;

use super::StoreResult;
use crate::activity::ActivityCount;
use crate::clock::Millis;
use crate::diagnostics::DatabaseReport;
use crate::ids::InstanceId;

#[async_trait]
pub trait ActivityStore: Send + Sync {
    /// The backend's own health figures and its clock (`GET /v1/usher/diagnostics`).
    async fn database_report(&self) -> StoreResult<DatabaseReport>;

    /// Adds each count to its stored hour and kind (creating the counter), in one transaction.
    async fn add_activity(
        &self,
        instance_id: &InstanceId,
        counts: &[ActivityCount],
    ) -> StoreResult<()>;

    /// The counters of the hours starting at or after `since` and before `until`, oldest hour
    /// first.
    async fn activity(
        &self,
        instance_id: &InstanceId,
        since: Millis,
        until: Millis,
    ) -> StoreResult<Vec<ActivityCount>>;
}
