//! Text messages, queued through `commit` and sent by the SMS worker as emails are: claimed, sent
//! with no transaction open, the outcome recorded.

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::InstanceId;

#[async_trait]
pub trait SmsStore: Send + Sync {
    /// Text messages, newest first, to `to_phone_number` only if given, and the total matching.
    async fn list_sms_messages(
        &self,
        instance_id: &InstanceId,
        to_phone_number: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<crate::sms::SmsMessage>, i64)>;

    /// Texts the SMS provider delivers that are queued (retries included), oldest first.
    async fn queued_sms(
        &self,
        instance_id: &InstanceId,
        limit: i64,
    ) -> StoreResult<Vec<crate::sms::SmsMessage>>;

    /// Takes a queued text for one attempt until `lease_until`, as
    /// [`MailStore::claim_email`](super::MailStore::claim_email) does.
    async fn claim_sms(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::SmsMessageId,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<bool>;

    /// Records an attempt: the new status (`queued` again for a retry), its error, the
    /// provider's id once sent, one more attempt, `updated_at = now`, and frees the claim.
    /// False: no such text.
    async fn record_sms_outcome(
        &self,
        instance_id: &InstanceId,
        outcome: &crate::sms::SmsOutcome,
    ) -> StoreResult<bool>;
}
