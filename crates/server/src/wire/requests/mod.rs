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

/// A bulk endpoint's body: a bare JSON array is read as `{"<field>": …}`, anything else as sent
/// (an object is then refused as an unknown or missing field). Clerk takes either shape.
pub fn wrap_array(field: &str, body: &[u8]) -> Vec<u8> {
    if body.trim_ascii_start().first() == Some(&b'[') {
        let mut out = format!("{{\"{field}\":").into_bytes();
        out.extend_from_slice(body);
        out.push(b'}');
        out
    } else {
        body.to_vec()
    }
}
