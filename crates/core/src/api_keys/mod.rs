//! API keys (Clerk's `api_key` objects): long-lived `ak_` secrets a user or an organization
//! hands to its callers. The secret is shown at creation and on an audited read; it is verified
//! by a keyed hash and kept sealed (authenticated encryption) under keys of the instance that live
//! in `instance_secrets`, never beside the key's row.

pub mod bearer;
pub mod model;
pub mod rules;
pub mod secrets;

pub use model::{ApiKey, ApiKeyQuery, Subject};
pub use rules::{ApiKeyPatch, NewApiKey};
pub use secrets::{ApiKeyKeys, SealedSecret};
