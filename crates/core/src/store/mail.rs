//! Email. Messages are queued through `commit` (`Write::InsertEmail`); the mail worker claims one,
//! sends it with no transaction open, and records the outcome.

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::{EmailMessageId, InstanceId};
use crate::mail::{EmailMessage, EmailStatus};

#[async_trait]
pub trait MailStore: Send + Sync {
    /// Emails, newest first, to `to_email_address` only (compared case-insensitively) if given,
    /// and the total matching.
    async fn list_emails(
        &self,
        instance_id: &InstanceId,
        to_email_address: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<EmailMessage>, i64)>;

    async fn get_email(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
    ) -> StoreResult<Option<EmailMessage>>;

    /// Queued emails (including those waiting to be retried), oldest first.
    async fn queued_emails(
        &self,
        instance_id: &InstanceId,
        limit: i64,
    ) -> StoreResult<Vec<EmailMessage>>;

    /// Takes a queued email for one attempt until `lease_until`, so that workers on several
    /// nodes never send it twice. False: it is not queued, or another worker holds it (a
    /// crashed worker's claim expires and the email is sent again).
    async fn claim_email(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<bool>;

    /// Records an attempt: the new status (`Queued` again for a retry), its error, one more
    /// attempt, `updated_at = now`, and frees the claim. False: no such email.
    async fn record_email_outcome(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
        status: EmailStatus,
        error: Option<&str>,
        now: i64,
    ) -> StoreResult<bool>;
}
