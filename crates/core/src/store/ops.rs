//! The reads the operators' dashboard makes beyond the Backend API's: the emails and text
//! messages sent, filtered by status as well as recipient, and the webhook attempts of each hour
//! (the success-rate chart).

use crate::clock::Millis;
use crate::ids::InstanceId;
use crate::mail::{EmailMessage, EmailStatus};
use crate::sms::SmsMessage;

/// The webhook attempts made in one hour, over every endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptHour {
    /// The start of the hour.
    pub hour: Millis,
    pub succeeded: i64,
    pub failed: i64,
}

store_trait! {
    pub trait OpsStore {
        /// Emails, newest first, to one recipient (compared as `list_emails` does) and in one
        /// status if given, paged, and their total.
        emails_sent(
            instance_id: &InstanceId,
            to_email_address: Option<&str>,
            status: Option<EmailStatus>,
            limit: i64,
            offset: i64,
        ) -> (Vec<EmailMessage>, i64);
        /// Text messages, newest first, to one number and in one status (`queued`, `sent`,
        /// `failed`) if given, paged, and their total.
        sms_sent(
            instance_id: &InstanceId,
            to_phone_number: Option<&str>,
            status: Option<&str>,
            limit: i64,
            offset: i64,
        ) -> (Vec<SmsMessage>, i64);
        /// Webhook attempts per hour, of the hours starting at or after `since` and before `until`
        /// that saw any, oldest first.
        webhook_attempt_hours(instance_id: &InstanceId, since: Millis, until: Millis)
            -> Vec<AttemptHour>;
    }
}
