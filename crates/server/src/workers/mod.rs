//! Background jobs started with the server.

pub mod activity;
pub mod api_key_usage;
pub mod branding;
pub mod degraded;
pub mod instance_refresh;
pub mod key_refresh;
pub mod lifecycle;
pub mod mail;
pub mod message_templates;
pub mod secret_keys;
pub mod session_claims;
pub mod settings;
pub mod sms;
pub mod webhooks;
