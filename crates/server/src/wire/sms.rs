//! Clerk's `sms_message` object: the `sms.created` webhook's `data`, and the Backend API's list
//! of recorded messages (an Usher extension, as `/v1/emails` is).

use serde::Serialize;
use serde_json::{Map, Value};
use usher_core::clock::Millis;
use usher_core::ids::{IdentificationId, SmsMessageId, UserId};
use usher_core::sms::SmsMessage;

#[derive(Debug, Serialize)]
pub struct SmsJson {
    pub object: &'static str,
    pub id: SmsMessageId,
    pub slug: String,
    pub from_phone_number: String,
    pub to_phone_number: String,
    pub phone_number_id: Option<IdentificationId>,
    pub user_id: Option<UserId>,
    pub message: String,
    pub status: String,
    pub data: Map<String, Value>,
    pub delivered_by_clerk: bool,
    pub created_at: Millis,
    /// Usher's own, once the SMS provider was tried: attempts made, the last failure, and the
    /// provider's id for the text.
    #[serde(skip_serializing_if = "is_zero")]
    pub attempts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_sid: Option<String>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl SmsJson {
    pub fn new(m: &SmsMessage) -> Self {
        Self {
            object: "sms_message",
            id: m.id.clone(),
            slug: m.slug.clone(),
            from_phone_number: m.from_phone_number.clone(),
            to_phone_number: m.to_phone_number.clone(),
            phone_number_id: m.phone_number_id.clone(),
            user_id: m.user_id.clone(),
            message: m.message.clone(),
            status: m.status.clone(),
            data: m.data.clone(),
            delivered_by_clerk: m.delivered_by_clerk,
            created_at: m.created_at,
            attempts: m.attempts,
            last_error: m.last_error.clone(),
            provider_sid: m.provider_sid.clone(),
        }
    }
}
