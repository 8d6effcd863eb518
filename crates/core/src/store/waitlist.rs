//! The waitlist's entries (written through [`super::Write`] with their events and audit
//! entries).

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::InstanceId;
use crate::waitlist::{WaitlistEntry, WaitlistQuery};

#[async_trait]
pub trait WaitlistStore: Send + Sync {
    async fn get_waitlist_entry(
        &self,
        instance_id: &InstanceId,
        id: &str,
    ) -> StoreResult<Option<WaitlistEntry>>;
    /// The entry of `email_address` (lower-cased), if the address has one.
    async fn waitlist_entry_by_email(
        &self,
        instance_id: &InstanceId,
        email_address: &str,
    ) -> StoreResult<Option<WaitlistEntry>>;
    /// A page in the query's order, with the total matching it.
    async fn list_waitlist_entries(
        &self,
        instance_id: &InstanceId,
        query: &WaitlistQuery,
    ) -> StoreResult<(Vec<WaitlistEntry>, i64)>;
}
