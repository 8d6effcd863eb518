//! Clerk's Email object (the `email.created` webhook's `data`), and the Backend API's email
//! (an Usher extension) which adds its delivery state.

use serde::Serialize;
use serde_json::Value;
use usher_core::ids::{EmailMessageId, IdentificationId, UserId};
use usher_core::mail::EmailMessage;

/// Clerk's `EmailEventPayload`. `body` is the HTML body. `delivered_by_clerk` tells a receiver
/// whether the server sends the email itself (SMTP configured), or leaves that to it.
#[derive(Debug, Serialize)]
pub struct EmailJson {
    pub object: &'static str,
    pub id: EmailMessageId,
    pub slug: Option<String>,
    pub from_email_name: String,
    pub reply_to_email_name: Option<String>,
    pub to_email_address: String,
    pub email_address_id: Option<IdentificationId>,
    pub user_id: Option<UserId>,
    pub subject: String,
    pub body: String,
    pub body_plain: Option<String>,
    /// queued | sent | logged | failed
    pub status: &'static str,
    pub data: Value,
    pub delivered_by_clerk: bool,
}

impl EmailJson {
    pub fn new(m: &EmailMessage) -> Self {
        Self {
            object: "email",
            id: m.id.clone(),
            slug: Some(m.slug.clone()),
            from_email_name: m.from_email_name.clone(),
            reply_to_email_name: None,
            to_email_address: m.to_email_address.clone(),
            email_address_id: m.email_address_id.clone(),
            user_id: m.user_id.clone(),
            subject: m.subject.clone(),
            body: m.body_html.clone(),
            body_plain: Some(m.body_plain.clone()),
            status: m.status.as_str(),
            data: m.data.clone(),
            delivered_by_clerk: m.delivered_by_server,
        }
    }
}

/// `GET /v1/emails[/{id}]`: the Email object with its delivery attempts, last error and times.
#[derive(Debug, Serialize)]
pub struct EmailDetailJson {
    #[serde(flatten)]
    pub email: EmailJson,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&EmailMessage> for EmailDetailJson {
    fn from(m: &EmailMessage) -> Self {
        Self {
            email: EmailJson::new(m),
            attempts: m.attempts,
            last_error: m.last_error.clone(),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}
