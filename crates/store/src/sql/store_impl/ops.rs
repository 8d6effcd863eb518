// `OpsStore` for both backends, included next to `store_impl.rs`.

delegate_store! {
    impl usher_core::store::OpsStore {
        emails_sent(
            instance_id: &InstanceId,
            to_email_address: Option<&str>,
            status: Option<usher_core::mail::EmailStatus>,
            limit: i64,
            offset: i64,
        ) -> (Vec<usher_core::mail::EmailMessage>, i64) = emails::list_sent(reader);
        sms_sent(
            instance_id: &InstanceId,
            to_phone_number: Option<&str>,
            status: Option<&str>,
            limit: i64,
            offset: i64,
        ) -> (Vec<usher_core::sms::SmsMessage>, i64) = sms::list_sent(reader);
        webhook_attempt_hours(
            instance_id: &InstanceId,
            since: usher_core::clock::Millis,
            until: usher_core::clock::Millis,
        ) -> Vec<usher_core::store::AttemptHour> = ops::webhook_attempt_hours(reader);
    }
}
