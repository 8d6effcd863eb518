//! Text messages: the codes that verify a phone number. A message is composed here, committed
//! with the change that caused it (stored, so operators and tests can read it back) and handed
//! to the instance's [`SmsSender`](crate::sms_sender::SmsSender). The first sender is Clerk's way for applications that send
//! their own SMS: the message goes out as an `sms.created` webhook, and the application's
//! endpoint delivers it. Sends are limited per number ([`CODES_PER_NUMBER`]).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clock::Millis;
use crate::ids::{IdentificationId, SmsMessageId, UserId};
use crate::outbound::{self, AfterAttempt};
use crate::ratelimit::Window;

/// Codes sent to one number: five an hour, whoever asks (each costs the application money).
pub const CODES_PER_NUMBER: Window = Window {
    limit: 5,
    window_ms: 60 * 60 * 1000,
};

/// One text message, as stored and as Clerk's `sms_message` object shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmsMessage {
    /// `sms_…`
    pub id: SmsMessageId,
    pub from_phone_number: String,
    pub to_phone_number: String,
    pub phone_number_id: Option<IdentificationId>,
    pub user_id: Option<UserId>,
    /// The template: `verification_code`.
    pub slug: String,
    pub message: String,
    /// What the template was filled with (`otp_code`, `app`).
    pub data: Map<String, Value>,
    /// `queued`: handed to the sender (and, with a provider, waiting for the SMS worker, retries
    /// included); then `sent` (the provider took it) or `failed`.
    pub status: String,
    /// Whether the server delivers it (through its SMS provider), as Clerk marks the texts it
    /// sends itself; false when only the `sms.created` webhook carries it to the application.
    pub delivered_by_clerk: bool,
    pub created_at: Millis,
    /// Attempts made to hand it to the provider.
    #[serde(default)]
    pub attempts: i64,
    /// Why the last attempt failed.
    #[serde(default)]
    pub last_error: Option<String>,
    /// The provider's id for it (Twilio's `SM…` sid), once sent.
    #[serde(default)]
    pub provider_sid: Option<String>,
    /// When the worker last recorded an attempt.
    #[serde(default)]
    pub updated_at: Option<Millis>,
}

/// Whether the SMS worker should attempt `msg` now: a queued text the provider delivers, never
/// tried, or whose wait after its last failure (`retry_delays_ms[attempts - 1]`) has passed.
pub fn due(msg: &SmsMessage, retry_delays_ms: &[i64], now: Millis) -> bool {
    msg.status == "queued"
        && msg.delivered_by_clerk
        && outbound::due(
            msg.attempts,
            msg.updated_at.unwrap_or(0),
            retry_delays_ms,
            now,
        )
}

/// The status after an attempt: `sent`; or, on a failure, `queued` again while retries remain
/// and the failure may pass (`permanent == false`), else `failed`.
pub fn after_attempt(
    attempts_before: i64,
    ok: bool,
    permanent: bool,
    retry_delays_ms: &[i64],
) -> &'static str {
    match outbound::after_attempt(attempts_before, ok, permanent, retry_delays_ms) {
        AfterAttempt::Sent => "sent",
        AfterAttempt::Queued => "queued",
        AfterAttempt::Failed => "failed",
    }
}

impl SmsMessage {
    /// The verification-code message to `to` for `application_name`.
    pub fn verification_code(
        to: &str,
        phone_number_id: Option<IdentificationId>,
        user_id: Option<UserId>,
        application_name: &str,
        code: &str,
        now: Millis,
    ) -> Self {
        let mut data = Map::new();
        data.insert("otp_code".into(), Value::String(code.to_owned()));
        let mut app = Map::new();
        app.insert("name".into(), Value::String(application_name.to_owned()));
        data.insert("app".into(), Value::Object(app));
        Self {
            id: SmsMessageId::new(),
            from_phone_number: String::new(),
            to_phone_number: to.to_owned(),
            phone_number_id,
            user_id,
            slug: "verification_code".into(),
            message: format!("{code} is your {application_name} verification code."),
            data,
            status: "queued".into(),
            delivered_by_clerk: false,
            created_at: now,
            attempts: 0,
            last_error: None,
            provider_sid: None,
            updated_at: None,
        }
    }
}

/// What one attempt to hand a text to the provider came to, as the store records it.
#[derive(Debug, Clone, PartialEq)]
pub struct SmsOutcome {
    pub id: SmsMessageId,
    /// `sent`, `queued` (retried later) or `failed`.
    pub status: &'static str,
    pub error: Option<String>,
    pub provider_sid: Option<String>,
    pub at: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_their_delay_and_end_after_the_last() {
        let mut m = SmsMessage::verification_code("+14155550123", None, None, "Acme", "1", 0);
        m.delivered_by_clerk = true;
        assert!(due(&m, &[1000, 5000], 0));
        m.attempts = 1;
        m.updated_at = Some(10);
        assert!(!due(&m, &[1000, 5000], 500));
        assert!(due(&m, &[1000, 5000], 1010));
        assert_eq!(after_attempt(0, false, false, &[1000, 5000]), "queued");
        assert_eq!(after_attempt(2, false, false, &[1000, 5000]), "failed");
        assert_eq!(after_attempt(0, false, true, &[1000, 5000]), "failed");
        assert_eq!(after_attempt(1, true, false, &[1000, 5000]), "sent");
    }
}
