//! How the server reaches out, shared by the workers that do it and the state that holds it:
//! the mail runtime (SMTP), the webhook runtime, and the guarded HTTP client webhooks go through.

pub mod mail;
pub mod webhook_http;
pub mod webhooks;
