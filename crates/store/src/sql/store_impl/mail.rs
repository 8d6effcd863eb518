// `MailStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl MailStore for Backend {
    async fn list_emails(
        &self,
        instance_id: &InstanceId,
        to_email_address: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<usher_core::mail::EmailMessage>, i64)> {
        emails::list(self.reader(), instance_id, to_email_address, limit, offset)
            .await
            .map_err(|e| e.during("list_emails"))
    }

    async fn get_email(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
    ) -> StoreResult<Option<usher_core::mail::EmailMessage>> {
        emails::get(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_email"))
    }

    async fn queued_emails(
        &self,
        instance_id: &InstanceId,
        limit: i64,
    ) -> StoreResult<Vec<usher_core::mail::EmailMessage>> {
        emails::queued(self.reader(), instance_id, limit)
            .await
            .map_err(|e| e.during("queued_emails"))
    }

    async fn claim_email(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<bool> {
        emails::claim(self.writer(), instance_id, id, now, lease_until)
            .await
            .map_err(|e| e.during("claim_email"))
    }

    async fn record_email_outcome(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
        status: usher_core::mail::EmailStatus,
        error: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        emails::record_outcome(self.writer(), instance_id, id, status, error, now)
            .await
            .map_err(|e| e.during("record_email_outcome"))
    }
}
