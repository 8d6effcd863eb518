//! How the server reaches out, shared by the workers that do it and the state that holds it:
//! the mail runtime (SMTP), the SMS runtime (a Twilio-compatible API), the webhook runtime, and the guarded HTTP client webhooks go through.

pub mod mail;
pub mod oauth;
pub mod sms;
pub mod webhook_http;
pub mod webhooks;
