//! Usher's domain logic. It knows neither HTTP nor SQL: storage is reached through [`store::Store`],
//! time through [`clock::Clock`], and password hashing through [`passwords::HasherPool`].

pub mod activity;
pub mod actor_tokens;
pub mod api_keys;
pub mod audit;
pub mod billing;
pub mod branding;
pub mod clients;
pub mod clock;
pub mod degraded;
pub mod diagnostics;
pub mod error;
pub mod events;
pub mod identifier_lists;
pub mod ids;
pub mod images;
pub mod instance;
pub mod instance_settings;
pub mod invitations;
pub mod jwt_templates;
pub mod lifecycle;
pub mod machines;
pub mod mail;
pub mod mfa;
pub mod oauth;
pub mod operators;
pub mod organizations;
pub mod outbound;
pub mod passkeys;
pub mod passwords;
pub mod ratelimit;
pub mod roles;
pub mod security;
pub mod sessions;
pub mod sign_in_tokens;
pub mod signing_keys;
pub mod sms;
pub mod sms_caps;
pub mod sms_sender;
pub mod store;
pub mod testing_tokens;
pub mod users;
pub mod verifications;
pub mod webhooks;

pub use error::{CoreError, CoreResult};
