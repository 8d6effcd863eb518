//! Email the Frontend API sends: verification codes for sign-up and sign-in, password-reset
//! codes. A message is composed here ([`templates::compose`]), committed with the change that
//! caused it (with its `email.created` event), and sent by the server's mail worker afterwards:
//! over SMTP when one is configured, or written to the log (status `logged`) when not.
//! No I/O here: the worker asks [`due`] and [`after_attempt`] what to do.

pub mod templates;

use crate::ids::{EmailMessageId, IdentificationId, UserId};
use crate::outbound::{self, AfterAttempt};
use serde::{Deserialize, Serialize};

pub use templates::{MailTemplate, compose};

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    /// Waiting for the worker (also between retries of a failed attempt).
    Queued,
    /// Accepted by the SMTP server.
    Sent,
    /// No SMTP server is configured: written to the log instead.
    Logged,
    /// Refused by the SMTP server, or every retry failed.
    Failed,
    /// Not sent by the server: its template's delivery is off, and the application sends it
    /// from the `email.created` webhook.
    Delegated,
}

impl EmailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Queued => "queued",
            EmailStatus::Sent => "sent",
            EmailStatus::Logged => "logged",
            EmailStatus::Failed => "failed",
            EmailStatus::Delegated => "delegated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => EmailStatus::Queued,
            "sent" => EmailStatus::Sent,
            "logged" => EmailStatus::Logged,
            "failed" => EmailStatus::Failed,
            "delegated" => EmailStatus::Delegated,
            _ => return None,
        })
    }
}

/// One email, as stored and as rendered into Clerk's Email object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailMessage {
    /// `ema_…`
    pub id: EmailMessageId,
    pub to_email_address: String,
    /// The user's email address the message is about (`idn_…`), when it is one.
    pub email_address_id: Option<IdentificationId>,
    pub user_id: Option<UserId>,
    /// The template: `verification_code` or `reset_password_code`.
    pub slug: String,
    pub subject: String,
    pub body_plain: String,
    pub body_html: String,
    /// The template's variables, e.g. `{"otp_code": "123456", "app": {"name": "Acme"}}`.
    pub data: serde_json::Value,
    pub status: EmailStatus,
    /// Delivery attempts made so far.
    pub attempts: i64,
    pub last_error: Option<String>,
    /// The local part of the sender's address (Clerk's `from_email_name`); set when queued.
    #[serde(default)]
    pub from_email_name: String,
    /// Whether the server sends it itself (SMTP configured), rather than leaving delivery to an
    /// `email.created` webhook receiver (Clerk's `delivered_by_clerk`); set when queued.
    #[serde(default)]
    pub delivered_by_server: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Waits before the second, third, … attempt of a message whose attempt failed for a reason
/// that may pass (connection refused, timeout, a 4xx reply). After the last, it is failed.
pub const DEFAULT_RETRY_DELAYS_MS: &[i64] = &[5_000, 30_000, 120_000];

/// Whether a queued message may be attempted at `now`: at once the first time, then after the
/// delay that follows its last failed attempt (`updated_at`).
pub fn due(msg: &EmailMessage, retry_delays_ms: &[i64], now: i64) -> bool {
    msg.status == EmailStatus::Queued
        && outbound::due(msg.attempts, msg.updated_at, retry_delays_ms, now)
}

/// The status after an attempt: sent; or, on a failure, queued again while retries remain and
/// the failure may pass (`permanent == false`), else failed.
pub fn after_attempt(
    attempts_before: i64,
    ok: bool,
    permanent: bool,
    retry_delays_ms: &[i64],
) -> EmailStatus {
    match outbound::after_attempt(attempts_before, ok, permanent, retry_delays_ms) {
        AfterAttempt::Sent => EmailStatus::Sent,
        AfterAttempt::Queued => EmailStatus::Queued,
        AfterAttempt::Failed => EmailStatus::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(status: EmailStatus, attempts: i64, updated_at: i64) -> EmailMessage {
        let mut m = compose(
            &MailTemplate::VerificationCode {
                code: "123456".into(),
            },
            None,
            "Acme",
            "a@example.com",
            None,
            None,
            1_000,
        );
        m.status = status;
        m.attempts = attempts;
        m.updated_at = updated_at;
        m
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            EmailStatus::Queued,
            EmailStatus::Sent,
            EmailStatus::Logged,
            EmailStatus::Failed,
            EmailStatus::Delegated,
        ] {
            assert_eq!(EmailStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        assert_eq!(EmailStatus::parse("delivered"), None);
    }

    #[test]
    fn a_failed_attempt_waits_for_its_delay() {
        let delays = [5_000, 30_000];
        assert!(due(&msg(EmailStatus::Queued, 0, 1_000), &delays, 1_000));
        assert!(!due(&msg(EmailStatus::Queued, 1, 1_000), &delays, 5_999));
        assert!(due(&msg(EmailStatus::Queued, 1, 1_000), &delays, 6_000));
        assert!(!due(&msg(EmailStatus::Queued, 2, 1_000), &delays, 30_999));
        assert!(due(&msg(EmailStatus::Queued, 2, 1_000), &delays, 31_000));
        assert!(!due(&msg(EmailStatus::Sent, 0, 1_000), &delays, 99_000));
        assert!(!due(&msg(EmailStatus::Failed, 3, 1_000), &delays, 99_000));
    }

    #[test]
    fn failures_are_retried_then_failed() {
        let delays = [5_000, 30_000];
        assert_eq!(after_attempt(0, true, false, &delays), EmailStatus::Sent);
        assert_eq!(after_attempt(0, false, false, &delays), EmailStatus::Queued);
        assert_eq!(after_attempt(1, false, false, &delays), EmailStatus::Queued);
        assert_eq!(after_attempt(2, false, false, &delays), EmailStatus::Failed);
        assert_eq!(after_attempt(0, false, true, &delays), EmailStatus::Failed);
        assert_eq!(after_attempt(0, false, false, &[]), EmailStatus::Failed);
    }
}
