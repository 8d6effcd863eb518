// `SmsStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl SmsStore {
        list_sms_messages(
            instance_id: &InstanceId,
            to_phone_number: Option<&str>,
            limit: i64,
            offset: i64,
        ) -> (Vec<usher_core::sms::SmsMessage>, i64) = sms::list(reader);
        queued_sms(instance_id: &InstanceId, limit: i64) -> Vec<usher_core::sms::SmsMessage>
            = outbound::queued(reader, &outbound::SMS, sms::from_row);
        claim_sms(
            instance_id: &InstanceId,
            id: &usher_core::ids::SmsMessageId,
            now: i64,
            lease_until: i64,
        ) -> bool = outbound::claim(writer, &outbound::SMS);
        record_sms_outcome(instance_id: &InstanceId, outcome: &usher_core::sms::SmsOutcome) -> bool
            = sms::record_outcome(writer);
    }
}
