//! Request bodies as Clerk sends them: one `#[serde(deny_unknown_fields)]` struct per endpoint,
//! each field read by a `fields` helper, and the conversion into the domain input beside it. A
//! field is named once, in its struct; `extract::body::JsonBody<T>` reads the body into `T`.

pub mod actor_tokens;
pub mod api_keys;
pub mod billing;
pub mod domains;
pub mod external_accounts;
pub mod fields;
pub mod frontend;
pub mod identifier_lists;
pub mod identifiers;
pub mod instance;
pub mod instance_settings;
pub mod invitations;
pub mod jwt_templates;
pub mod machines;
pub mod message_templates;
pub mod organization_domains;
pub mod organization_invitations;
pub mod organizations;
pub mod passkeys;
pub mod redirect_urls;
pub mod role_sets;
pub mod roles;
pub mod sessions;
pub mod sign_in_tokens;
pub mod users;
pub mod waitlist;
pub mod webhooks;
