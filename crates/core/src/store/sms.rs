//! Text messages, queued through `commit` and sent by the SMS worker as emails are: claimed, sent
//! with no transaction open, the outcome recorded.

use crate::ids::InstanceId;

store_trait! {
    pub trait SmsStore {
        /// Text messages, newest first, to `to_phone_number` only if given, and the total matching.
        list_sms_messages(
            instance_id: &InstanceId,
            to_phone_number: Option<&str>,
            limit: i64,
            offset: i64,
        ) -> (Vec<crate::sms::SmsMessage>, i64);

        /// Texts the SMS provider delivers that are queued (retries included), oldest first.
        queued_sms(instance_id: &InstanceId, limit: i64) -> Vec<crate::sms::SmsMessage>;

        /// Takes a queued text for one attempt until `lease_until`, as
        /// [`MailStore::claim_email`](super::MailStore::claim_email) does.
        claim_sms(
            instance_id: &InstanceId,
            id: &crate::ids::SmsMessageId,
            now: i64,
            lease_until: i64,
        ) -> bool;

        /// Records an attempt: the new status (`queued` again for a retry), its error, the
        /// provider's id once sent, one more attempt, `updated_at = now`, and frees the claim.
        /// False: no such text.
        record_sms_outcome(instance_id: &InstanceId, outcome: &crate::sms::SmsOutcome) -> bool;
    }
}
