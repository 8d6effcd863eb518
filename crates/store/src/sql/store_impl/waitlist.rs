// The WaitlistStore trait, answered by the shared queries. Included by each backend's module
// next to `store_impl.rs`.

#[async_trait]
impl usher_core::store::WaitlistStore for Backend {
    async fn get_waitlist_entry(
        &self,
        instance_id: &InstanceId,
        id: &str,
    ) -> StoreResult<Option<usher_core::waitlist::WaitlistEntry>> {
        waitlist::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_waitlist_entry"))
    }

    async fn waitlist_entry_by_email(
        &self,
        instance_id: &InstanceId,
        email_address: &str,
    ) -> StoreResult<Option<usher_core::waitlist::WaitlistEntry>> {
        waitlist::by_email(self.reader(), instance_id, email_address).await
            .map_err(|e| e.during("waitlist_entry_by_email"))
    }

    async fn list_waitlist_entries(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::waitlist::WaitlistQuery,
    ) -> StoreResult<(Vec<usher_core::waitlist::WaitlistEntry>, i64)> {
        waitlist::list(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_waitlist_entries"))
    }
}
