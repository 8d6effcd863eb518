//! Email. Messages are queued through `commit` (`Write::InsertEmail`); the mail worker claims one,
//! sends it with no transaction open, and records the outcome.

use crate::ids::{EmailMessageId, InstanceId};
use crate::mail::{EmailMessage, EmailStatus};

store_trait! {
    pub trait MailStore {
        /// Emails, newest first, to `to_email_address` only (compared case-insensitively) if given,
        /// and the total matching.
        list_emails(
            instance_id: &InstanceId,
            to_email_address: Option<&str>,
            limit: i64,
            offset: i64,
        ) -> (Vec<EmailMessage>, i64);

        get_email(instance_id: &InstanceId, id: &EmailMessageId) -> Option<EmailMessage>;

        /// Queued emails (including those waiting to be retried), oldest first.
        queued_emails(instance_id: &InstanceId, limit: i64) -> Vec<EmailMessage>;

        /// Takes a queued email for one attempt until `lease_until`, so that workers on several
        /// nodes never send it twice. False: it is not queued, or another worker holds it (a
        /// crashed worker's claim expires and the email is sent again).
        claim_email(instance_id: &InstanceId, id: &EmailMessageId, now: i64, lease_until: i64)
            -> bool;

        /// Records an attempt: the new status (`Queued` again for a retry), its error, one more
        /// attempt, `updated_at = now`, and frees the claim. False: no such email.
        record_email_outcome(
            instance_id: &InstanceId,
            id: &EmailMessageId,
            status: EmailStatus,
            error: Option<&str>,
            now: i64,
        ) -> bool;
    }
}
