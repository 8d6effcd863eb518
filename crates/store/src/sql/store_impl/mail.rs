// `MailStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl MailStore {
        list_emails(
            instance_id: &InstanceId,
            to_email_address: Option<&str>,
            limit: i64,
            offset: i64,
        ) -> (Vec<usher_core::mail::EmailMessage>, i64) = emails::list(reader);
        get_email(instance_id: &InstanceId, id: &EmailMessageId)
            -> Option<usher_core::mail::EmailMessage>
            = outbound::get(reader, &outbound::EMAILS, emails::from_row);
        queued_emails(instance_id: &InstanceId, limit: i64) -> Vec<usher_core::mail::EmailMessage>
            = outbound::queued(reader, &outbound::EMAILS, emails::from_row);
        claim_email(instance_id: &InstanceId, id: &EmailMessageId, now: i64, lease_until: i64)
            -> bool = outbound::claim(writer, &outbound::EMAILS);
        record_email_outcome(
            instance_id: &InstanceId,
            id: &EmailMessageId,
            status: usher_core::mail::EmailStatus,
            error: Option<&str>,
            now: i64,
        ) -> bool = emails::record_outcome(writer);
    }
}
