//! Diagnostics and activity: the backend's own health figures, and the hourly activity counters.

use crate::activity::ActivityCount;
use crate::clock::Millis;
use crate::diagnostics::DatabaseReport;
use crate::ids::InstanceId;

store_trait! {
    pub trait ActivityStore {
        /// The backend's own health figures and its clock (`GET /v1/usher/diagnostics`).
        database_report() -> DatabaseReport;

        /// Adds each count to its stored hour and kind (creating the counter), in one transaction.
        add_activity(instance_id: &InstanceId, counts: &[ActivityCount]);

        /// The counters of the hours starting at or after `since` and before `until`, oldest hour
        /// first.
        activity(instance_id: &InstanceId, since: Millis, until: Millis) -> Vec<ActivityCount>;
    }
}
