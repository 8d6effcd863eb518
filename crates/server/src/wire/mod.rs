//! Clerk's JSON shapes, separate from the domain types, with their conversions beside them.
//! Every object carries `object`, every schema field is present (nullable ones as `null`), and
//! timestamps are integer milliseconds.

pub mod actor_tokens;
pub mod api_keys;
pub mod billing;
pub mod diagnostics;
pub mod domains;
pub mod emails;
pub mod events;
pub mod external_accounts;
pub mod frontend;
pub mod identifier_lists;
pub mod instance;
pub mod instance_settings;
pub mod invitations;
pub mod jwks;
pub mod jwt_templates;
pub mod lists;
pub mod machines;
pub mod message_templates;
pub mod organization_domains;
pub mod organization_invitations;
pub mod organizations;
pub mod passkeys;
pub mod redirect_urls;
pub mod requests;
pub mod role_sets;
pub mod roles;
pub mod session_claims;
pub mod sessions;
pub mod sign_in_tokens;
pub mod sms;
pub mod testing_tokens;
pub mod users;
pub mod waitlist;
pub mod webhooks;
