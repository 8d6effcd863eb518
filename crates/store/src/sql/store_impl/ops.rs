// `OpsStore` for both backends, included next to `store_impl.rs`.

#[async_trait]
impl usher_core::store::OpsStore for Backend {
    async fn emails_sent(
        &self,
        instance_id: &InstanceId,
        to_email_address: Option<&str>,
        status: Option<usher_core::mail::EmailStatus>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<usher_core::mail::EmailMessage>, i64)> {
        emails::list_sent(self.reader(), instance_id, to_email_address, status, limit, offset)
            .await
            .map_err(|e| e.during("emails_sent"))
    }

    async fn sms_sent(
        &self,
        instance_id: &InstanceId,
        to_phone_number: Option<&str>,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<usher_core::sms::SmsMessage>, i64)> {
        sms::list_sent(self.reader(), instance_id, to_phone_number, status, limit, offset)
            .await
            .map_err(|e| e.during("sms_sent"))
    }

    async fn webhook_attempt_hours(
        &self,
        instance_id: &InstanceId,
        since: usher_core::clock::Millis,
        until: usher_core::clock::Millis,
    ) -> StoreResult<Vec<usher_core::store::AttemptHour>> {
        ops::webhook_attempt_hours(self.reader(), instance_id, since, until)
            .await
            .map_err(|e| e.during("webhook_attempt_hours"))
    }
}
