// `SmsStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl SmsStore for Backend {
    async fn list_sms_messages(
        &self,
        instance_id: &InstanceId,
        to_phone_number: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<usher_core::sms::SmsMessage>, i64)> {
        sms::list(self.reader(), instance_id, to_phone_number, limit, offset)
            .await
            .map_err(|e| e.during("list_sms_messages"))
    }

    async fn queued_sms(
        &self,
        instance_id: &InstanceId,
        limit: i64,
    ) -> StoreResult<Vec<usher_core::sms::SmsMessage>> {
        sms::queued(self.reader(), instance_id, limit)
            .await
            .map_err(|e| e.during("queued_sms"))
    }

    async fn claim_sms(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::SmsMessageId,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<bool> {
        sms::claim(self.writer(), instance_id, id, now, lease_until)
            .await
            .map_err(|e| e.during("claim_sms"))
    }

    async fn record_sms_outcome(
        &self,
        instance_id: &InstanceId,
        outcome: &usher_core::sms::SmsOutcome,
    ) -> StoreResult<bool> {
        sms::record_outcome(self.writer(), instance_id, outcome)
            .await
            .map_err(|e| e.during("record_sms_outcome"))
    }
}
